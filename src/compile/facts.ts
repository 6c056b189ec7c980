import type { Id } from '../model/ids.js';
import type { Group, MemberEntry, Role, User } from '../model/policy.js';
import { entryId } from '../model/member-entry.js';
import type { Interner } from './interner.js';
import { levelSet } from './level-set.js';
import type { Frame, GroupFacts, Interners, RoleFacts, UserFacts } from './snapshot.js';

/*
 * The facts of one entity, made the same way by a build from scratch (fresh-facts.ts) and by a
 * change (apply.ts); only where the reverse edges come from differs.
 */

/** Numbers of a list of ids, ascending, without repeats. */
export function numsOf(list: readonly MemberEntry[], interner: Interner): number[] {
  const out = list.map((x) => interner.intern(entryId(x))).sort((a, b) => a - b);
  let k = 0;
  for (let i = 0; i < out.length; i++) if (k === 0 || out[i] !== out[k - 1]) out[k++] = out[i] as number;
  out.length = k;
  return out;
}

/** The reverse edges of a role. */
export interface RoleEdges {
  readonly children: readonly number[];
  readonly users: readonly number[];
  readonly inRoles: readonly number[];
  readonly inSubtrees: readonly number[];
}

/** A role's facts (frozen; its lists are internal and never written). */
export function roleFacts(ids: Interners, frame: Frame, n: number, def: Role, edges: RoleEdges, level = levelSet(frame, def.accessLevel)): RoleFacts {
  return Object.freeze({
    num: n,
    id: def.id,
    def,
    tenant: def.tenant,
    parent: def.parent === undefined ? -1 : ids.roles.intern(def.parent),
    level,
    ...edges,
  });
}

/**
 * A user's facts, its caches empty. `home` gives the shared one-tenant list of a user who acts in
 * its own tenant only.
 */
export function userFacts(ids: Interners, frame: Frame, n: number, def: User, inUsers: readonly number[], home: (tenant: number) => readonly number[]): UserFacts {
  const tenant = ids.tenants.intern(def.tenant);
  return {
    num: n,
    id: def.id,
    def,
    active: def.status === 'active',
    tenant,
    reach: def.tenants.length === 0 ? home(tenant) : Object.freeze([tenant, ...def.tenants.map((t) => ids.tenants.intern(t))]),
    role: def.role === undefined ? -1 : ids.roles.intern(def.role),
    level: levelSet(frame, def.accessLevel),
    inUsers,
    membership: undefined,
    grants: undefined,
  };
}

/** A group's facts, its members as numbers (given when already computed). */
export function groupFacts(
  ids: Interners,
  frame: Frame,
  n: number,
  def: Group,
  parents: readonly number[],
  members: { readonly users: number[]; readonly roles: number[]; readonly subtrees: number[]; readonly groups: number[] } = {
    users: numsOf(def.members.users, ids.users),
    roles: numsOf(def.members.roles, ids.roles),
    subtrees: numsOf(def.members.rolesAndSubordinates, ids.roles),
    groups: numsOf(def.members.groups, ids.groups),
  },
): GroupFacts {
  return Object.freeze({ num: n, id: def.id, def, tenant: def.tenant, level: levelSet(frame, def.accessLevel), parents, ...members });
}

/** A per-build cache of the one-tenant lists users share. */
export function homeLists(): (tenant: number) => readonly number[] {
  const homes = new Map<number, readonly number[]>();
  return (t) => {
    let l = homes.get(t);
    if (l === undefined) homes.set(t, (l = Object.freeze([t])));
    return l;
  };
}
