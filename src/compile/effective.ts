import type { Id } from '../model/ids.js';
import { inEffect } from '../model/instant.js';
import { editIdMap } from '../model/id-map.js';
import { boundsOf, hasBounds, isTimed, memberIds } from '../model/member-entry.js';
import type { AccessGroup, Group, GroupMembers, MemberEntry, Policy, SharingRule } from '../model/policy.js';
import { bare } from '../model/shape.js';
import type { TimedCollection, TimedIds } from './timeline.js';

/*
 * The policy as it stands at one instant: every time-bound entry that is not in effect left out,
 * every one that is reduced to what it names. An entity without bounds is kept as the same object,
 * so a policy without time-bound entries is its own effective policy, and compiling an effective
 * policy is compiling a policy like any other.
 */

/** The ids of a member list in effect at `t`, without repeats; the list itself when it has no bounds. */
function listAt(list: readonly MemberEntry[], t: number): readonly MemberEntry[] {
  if (!list.some(isTimed)) return memberIds(list);
  const seen = new Set<Id>();
  const out: Id[] = [];
  for (const e of list) {
    if (typeof e !== 'string' && !inEffect(boundsOf(e), t)) continue;
    const id = typeof e === 'string' ? e : e.id;
    if (!seen.has(id)) {
      seen.add(id);
      out.push(id);
    }
  }
  return out;
}

/** A group at `t`: its members in effect. */
export function groupAt(g: Group, t: number): Group {
  const m = g.members;
  const lists = [m.users, m.roles, m.rolesAndSubordinates, m.groups];
  if (lists.every((l) => l.every((e) => typeof e === 'string'))) return g;
  const members: GroupMembers = bare({ users: listAt(m.users, t), roles: listAt(m.roles, t), rolesAndSubordinates: listAt(m.rolesAndSubordinates, t), groups: listAt(m.groups, t) });
  return bare({ ...g, members });
}

/** A sharing rule at `t`, or undefined when it is not in effect. */
export function ruleAt(r: SharingRule, t: number): SharingRule | undefined {
  return !hasBounds(r) || inEffect(boundsOf(r), t) ? r : undefined;
}

/** An access group at `t`: its grants in effect. */
export function accessGroupAt(a: AccessGroup, t: number): AccessGroup {
  if (!a.grants.some(hasBounds)) return a;
  return bare({ ...a, grants: a.grants.filter((g) => !hasBounds(g) || inEffect(boundsOf(g), t)) });
}

function entityAt(collection: TimedCollection, policy: Policy, id: Id, t: number): Group | SharingRule | AccessGroup | undefined {
  switch (collection) {
    case 'groups': {
      const g = policy.groups.get(id);
      return g === undefined ? undefined : groupAt(g, t);
    }
    case 'sharingRules': {
      const r = policy.sharingRules.get(id);
      return r === undefined ? undefined : ruleAt(r, t);
    }
    case 'accessGroups': {
      const a = policy.accessGroups.get(id);
      return a === undefined ? undefined : accessGroupAt(a, t);
    }
  }
}

/**
 * The effective policy of `policy` at `t`, made from `base` (an effective policy of an earlier
 * state or instant) by recomputing only the entities in `ids`: every other entity of the timed
 * collections must count the same in `base` as in `policy` at `t`. The other collections are
 * `policy`'s own.
 */
export function effectiveFrom(base: Policy, policy: Policy, ids: TimedIds, t: number): Policy {
  const edit = <K extends TimedCollection>(collection: K): Policy[K] => {
    const set = ids[collection];
    if (set.size === 0) return base[collection];
    const puts = new Map<Id, Group>();
    const deletes = new Set<Id>();
    for (const id of set) {
      const e = entityAt(collection, policy, id, t);
      if (e === undefined) deletes.add(id);
      else puts.set(id, e as Group);
    }
    return editIdMap(base[collection] as Policy['groups'], puts, deletes) as unknown as Policy[K];
  };
  return bare({ ...policy, groups: edit('groups'), sharingRules: edit('sharingRules'), accessGroups: edit('accessGroups') });
}
