import type { Id } from '../model/ids.js';
import { memberIds } from '../model/member-entry.js';
import type { Policy } from '../model/policy.js';
import type { Principal } from '../model/principal.js';
import type { Owner } from '../model/resource.js';
import { sameData } from '../model/same-data.js';
import { unionKeys, type Side } from './side.js';

/*
 * Which decisions can differ between two policies, found from what differs between them, so that a
 * diff compares only those (a sound over-approximation: every decision left out is provably the
 * same on both sides).
 *
 * A decision of user u on record r reads: the policy-wide parts (tenants, roles, resource types,
 * access levels, the default level); u's own facts and groups; the sharing rules and access-group
 * grants that reach u; and on the owner's side, the owner user's facts and groups or the owner
 * group and the groups it is nested in (for group ownership and for rules `from` a group). So:
 *
 *  - when a policy-wide part or any role differs, every decision may differ (`everyone`);
 *  - else a user is affected (on every record) when its own facts differ, its groups differ (at
 *    the instant), it is a member (on either side) of a group whose own facts differ (its tenant,
 *    its access level; a group added or removed), or of the `to` of a sharing rule or a grant of
 *    an access group that differs. A group whose members alone differ affects no other member:
 *    what a member's decision reads of its groups is which groups they are (its groups, compared
 *    above) and their facts, never who else is in them;
 *  - and a record is affected (for every user) when an owner on its parent chain is a user whose
 *    facts or groups differ, or a group that differs or is nested (on either side, at any depth,
 *    whatever the time bounds) in one that differs.
 */

/** What can differ. */
export interface Affected {
  /** Every decision may differ. */
  readonly everyone: boolean;
  /** The users whose decisions may differ on any record. */
  readonly users: ReadonlySet<Id>;
  /** Whether decisions on a record with this owner may differ for any user. */
  readonly owner: (owner: Owner) => boolean;
}

/** The ids of entities that differ between two collections (added, removed or changed). */
function changedIds<T>(a: ReadonlyMap<Id, T>, b: ReadonlyMap<Id, T>): Id[] {
  return unionKeys(a, b).filter((id) => !sameData(a.get(id), b.get(id)));
}

/** Whether a policy-wide part differs: tenants, roles, resource types, access levels, the default level. */
function policyWideChanged(a: Policy, b: Policy): boolean {
  return (
    changedIds(a.tenants, b.tenants).length > 0 ||
    changedIds(a.roles, b.roles).length > 0 ||
    !sameData(a.resourceTypes, b.resourceTypes) ||
    !sameData(a.accessLevels, b.accessLevels) ||
    !sameData(a.defaultAccessLevel, b.defaultAccessLevel)
  );
}

/** The users a principal names on one side: the user, a group's members, a role's users (and those of every role below it). */
function membersOf(side: Side, p: Principal): Id[] {
  if ('user' in p) return [p.user];
  if ('group' in p) return side.engine.membersOf(p.group, side.at);
  const role = 'role' in p ? p.role : p.roleAndSubordinates;
  const below = 'roleAndSubordinates' in p;
  const out: Id[] = [];
  for (const [id, u] of side.policy.users) {
    let r = u.role;
    const seen = new Set<Id>();
    while (r !== undefined && !seen.has(r)) {
      if (r === role) {
        out.push(id);
        break;
      }
      if (!below) break;
      seen.add(r);
      r = side.policy.roles.get(r)?.parent;
    }
  }
  return out;
}

/** The groups nested in any of `roots` at any depth on one side (entries' time bounds ignored), roots included. */
function groupsWithin(policy: Policy, roots: Iterable<Id>, out: Set<Id>): void {
  const stack = [...roots];
  for (const g of stack) out.add(g);
  while (stack.length > 0) {
    const g = policy.groups.get(stack.pop() as Id);
    for (const child of g === undefined ? [] : memberIds(g.members.groups)) {
      if (!out.has(child)) {
        out.add(child);
        stack.push(child);
      }
    }
  }
}

/** What can differ between `before` and `after`, given the users whose groups differ. */
export function affected(before: Side, after: Side, groupsChanged: ReadonlySet<Id>): Affected {
  const b = before.policy;
  const a = after.policy;
  if (policyWideChanged(b, a)) return { everyone: true, users: new Set(), owner: () => true };
  const changedUsers = new Set(changedIds(b.users, a.users));
  const changedGroups = changedIds(b.groups, a.groups);
  const users = new Set<Id>([...changedUsers, ...groupsChanged]);
  const addMembers = (p: Principal): void => {
    for (const side of [before, after]) for (const u of membersOf(side, p)) users.add(u);
  };
  for (const g of changedGroups) {
    const x = b.groups.get(g);
    const y = a.groups.get(g);
    if (x === undefined || y === undefined || x.tenant !== y.tenant || !sameData(x.accessLevel, y.accessLevel)) addMembers({ group: g });
  }
  for (const id of changedIds(b.sharingRules, a.sharingRules)) {
    for (const r of [b.sharingRules.get(id), a.sharingRules.get(id)]) if (r !== undefined) addMembers(r.to);
  }
  for (const id of changedIds(b.accessGroups, a.accessGroups)) {
    for (const ag of [b.accessGroups.get(id), a.accessGroups.get(id)]) for (const grant of ag?.grants ?? []) addMembers(grant.to);
  }
  const nearChangedGroups = new Set<Id>();
  groupsWithin(b, changedGroups, nearChangedGroups);
  groupsWithin(a, changedGroups, nearChangedGroups);
  const owner = (o: Owner): boolean => ('user' in o ? changedUsers.has(o.user) || groupsChanged.has(o.user) : nearChangedGroups.has(o.group));
  return { everyone: false, users, owner };
}
