import { memberIds } from '../model/member-entry.js';
import type { Id } from '../model/ids.js';
import type { Policy } from '../model/policy.js';
import { sortIds, unionKeys, type Side } from './side.js';
import type { MembershipChange, NestingChange, StructuralChanges } from './types.js';

/*
 * The structural part of a diff: users and groups added and removed, memberships gained and lost
 * (as groupsOf answers on each side at the diff's instant), groups nested elsewhere.
 */

function minus(a: readonly Id[], b: ReadonlySet<Id>): Id[] {
  return sortIds(a.filter((x) => !b.has(x)));
}

/** Each group's direct parents: the groups whose `members.groups` lists it (whatever the entry's time bounds). */
function parentsOf(policy: Policy): Map<Id, Set<Id>> {
  const out = new Map<Id, Set<Id>>();
  for (const [id, g] of policy.groups) {
    for (const child of memberIds(g.members.groups)) {
      let s = out.get(child);
      if (s === undefined) out.set(child, (s = new Set()));
      s.add(id);
    }
  }
  return out;
}

/** Whose groups changed, and the groups of every user on each side (for the affected-user analysis). */
export interface Memberships {
  readonly changes: MembershipChange[];
  /** The users whose groups differ. */
  readonly changedUsers: ReadonlySet<Id>;
}

/** Per user of either policy: the groups gained and lost. */
export function membershipChanges(before: Side, after: Side): Memberships {
  const changes: MembershipChange[] = [];
  const changedUsers = new Set<Id>();
  for (const user of unionKeys(before.policy.users, after.policy.users)) {
    const was = before.engine.groupsOf(user, before.at);
    const now = after.engine.groupsOf(user, after.at);
    const gained = minus(now, new Set(was));
    const lost = minus(was, new Set(now));
    if (gained.length > 0 || lost.length > 0) {
      changes.push({ user, gained, lost });
      changedUsers.add(user);
    }
  }
  return { changes, changedUsers };
}

/** The structural changes between two sides, given the membership changes already computed. */
export function structuralChanges(before: Side, after: Side, memberships: readonly MembershipChange[]): StructuralChanges {
  const b = before.policy;
  const a = after.policy;
  const onlyIn = (x: ReadonlyMap<Id, unknown>, y: ReadonlyMap<Id, unknown>): Id[] => sortIds([...x.keys()].filter((id) => !y.has(id)));
  const parentsBefore = parentsOf(b);
  const parentsAfter = parentsOf(a);
  const groupsMoved: NestingChange[] = [];
  for (const group of unionKeys(b.groups, a.groups)) {
    const was = parentsBefore.get(group) ?? new Set<Id>();
    const now = parentsAfter.get(group) ?? new Set<Id>();
    const joined = minus([...now], was);
    const left = minus([...was], now);
    if (joined.length > 0 || left.length > 0) groupsMoved.push({ group, joined, left });
  }
  return {
    usersAdded: onlyIn(a.users, b.users),
    usersRemoved: onlyIn(b.users, a.users),
    groupsAdded: onlyIn(a.groups, b.groups),
    groupsRemoved: onlyIn(b.groups, a.groups),
    memberships: [...memberships],
    groupsMoved,
  };
}
