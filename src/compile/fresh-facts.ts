import type { Id } from '../model/ids.js';
import type { Policy } from '../model/policy.js';
import { groupFacts, homeLists, numsOf, roleFacts, userFacts } from './facts.js';
import { PVec } from './pvec.js';
import type { Frame, GroupFacts, Interners, RoleFacts, UserFacts } from './snapshot.js';

/*
 * The facts of a whole policy in one pass, for a build from scratch: every id interned in the
 * policy's order, reverse edges pushed in number order (so each list comes out ascending), no
 * drafts. The incremental path (apply.ts) makes the same facts for the entities a change touches.
 */


/** Appends `x` unless it is already last (the lists are built in ascending order). Maps, not sparse arrays: a hole would read Array.prototype. */
function push(lists: Map<number, number[]>, at: number, x: number): void {
  let l = lists.get(at);
  if (l === undefined) lists.set(at, (l = []));
  if (l.length === 0 || l[l.length - 1] !== x) l.push(x);
}

const NONE: readonly number[] = Object.freeze([]);

/** The users, roles and groups of `policy` as facts, numbered by `ids`. */
export function freshFacts(ids: Interners, frame: Frame, policy: Policy): { users: PVec<UserFacts>; roles: PVec<RoleFacts>; groups: PVec<GroupFacts> } {
  const roleDefs = [...policy.roles.values()];
  const userDefs = [...policy.users.values()];
  const groupDefs = [...policy.groups.values()];
  const roleNums = roleDefs.map((r) => ids.roles.intern(r.id));
  const userNums = userDefs.map((u) => ids.users.intern(u.id));
  const groupNums = groupDefs.map((g) => ids.groups.intern(g.id));
  // Reverse edges, indexed by number (filled in number order of the referrer, hence ascending).
  const children = new Map<number, number[]>();
  const roleUsers = new Map<number, number[]>();
  const inRoles = new Map<number, number[]>();
  const inSubtrees = new Map<number, number[]>();
  const inUsers = new Map<number, number[]>();
  const parents = new Map<number, number[]>();
  const byNum = <T>(nums: readonly number[], defs: readonly T[]): [number, T][] => nums.map((n, i) => [n, defs[i] as T] as [number, T]).sort((a, b) => a[0] - b[0]);
  const roles = byNum(roleNums, roleDefs);
  const users = byNum(userNums, userDefs);
  const groups = byNum(groupNums, groupDefs).map(([n, def]) => {
    const m = def.members;
    return { n, def, users: numsOf(m.users, ids.users), roles: numsOf(m.roles, ids.roles), subtrees: numsOf(m.rolesAndSubordinates, ids.roles), groups: numsOf(m.groups, ids.groups) };
  });
  for (const [n, def] of roles) if (def.parent !== undefined) push(children, ids.roles.intern(def.parent), n);
  for (const [n, def] of users) if (def.role !== undefined) push(roleUsers, ids.roles.intern(def.role), n);
  for (const g of groups) {
    for (const u of g.users) push(inUsers, u, g.n);
    for (const r of g.roles) push(inRoles, r, g.n);
    for (const r of g.subtrees) push(inSubtrees, r, g.n);
    for (const c of g.groups) push(parents, c, g.n);
  }
  const list = (lists: Map<number, number[]>, n: number): readonly number[] => {
    const l = lists.get(n);
    return l === undefined ? NONE : l;
  };
  const rEd = PVec.empty<RoleFacts>().edit();
  for (const [n, def] of roles) {
    rEd.set(n, roleFacts(ids, frame, n, def, { children: list(children, n), users: list(roleUsers, n), inRoles: list(inRoles, n), inSubtrees: list(inSubtrees, n) }));
  }
  const home = homeLists();
  const uEd = PVec.empty<UserFacts>().edit();
  for (const [n, def] of users) uEd.set(n, userFacts(ids, frame, n, def, list(inUsers, n), home));
  const gEd = PVec.empty<GroupFacts>().edit();
  for (const g of groups) {
    gEd.set(g.n, groupFacts(ids, frame, g.n, g.def, list(parents, g.n), g));

  }
  return { users: uEd.build(), roles: rEd.build(), groups: gEd.build() };
}
