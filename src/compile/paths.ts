import type { MembershipPath, PathStep } from '../model/path.js';
import { compareIds, type Id } from '../model/ids.js';
import type { Instant } from '../model/instant.js';
import type { Compiled, PrincipalRef, UserFacts } from './snapshot.js';
import { roleWithin } from './closure.js';

/**
 * How a user reaches one group on a shortest path: the link to the group before it on the path
 * (`pred`), or, for a group the user reaches in its first step (listed directly, through its
 * role, or through a role above its role as `rolesAndSubordinates`), the steps before the group
 * (`head`). Paths share their prefixes through `pred`, so the whole answer is linear in the
 * number of groups; a path is materialised as an array only when asked for.
 */
export interface PathLink {
  /** The group number. */
  readonly group: number;
  readonly pred: PathLink | undefined;
  readonly head: readonly PathStep[] | undefined;
  /** Number of steps of the whole path, the user's step and this group's included. */
  readonly length: number;
}

/** The groups a user is a member of, and a shortest membership path to any of them, built on demand. */
export interface GroupPaths {
  /** Every group the user is a member of, with its path link, in breadth-first order (by path length). */
  readonly links: readonly PathLink[];
  /** A shortest path from the user to group `g`, or undefined when the user is not a member. O(path length). */
  pathTo(g: number): MembershipPath | undefined;
}

/**
 * The steps of a path link, from the user to its group: O(path length). `stepOf` makes the step
 * of a group from the link that reaches it (each group has one link: the step depends on it alone).
 */
export function materialisePath(c: Compiled, link: PathLink, stepOf: (l: PathLink) => PathStep = (l) => linkStep(c, l)): PathStep[] {
  const out = new Array<PathStep>(link.length);
  let i = link.length - 1;
  let cur: PathLink = link;
  for (;;) {
    out[i--] = stepOf(cur);
    if (cur.pred === undefined) break;
    cur = cur.pred;
  }
  const head = cur.head ?? [];
  for (let j = 0; j < head.length; j++) out[j] = head[j] as PathStep;
  return out;
}

/** The step of the group a link reaches, from the step before it (the group before, or the head's last step). */
export function linkStep(c: Compiled, l: PathLink): PathStep {
  return groupStep(c, l.group, l.pred === undefined ? (l.head?.[l.head.length - 1] as PathStep) : l.pred.group);
}

/**
 * The path step of group number `g`, reached from `before` (the step before it, or the number of
 * the group nested in it); with the `until` of the entries that make that a membership, when they
 * are time-bound (see {@link edgeUntil}).
 */
export function groupStep(c: Compiled, g: number, before?: PathStep | number): PathStep {
  const id = c.ids.groups.idOf(g);
  const until = before === undefined ? undefined : edgeUntil(c, id, before);
  return until === undefined ? { kind: 'group', id, via: 'member-of' } : { kind: 'group', id, via: 'member-of', until };
}

const GROUPS = ['groups'] as const;
const USERS = ['users'] as const;
const ROLES = ['roles', 'rolesAndSubordinates'] as const;
const SUBTREES = ['rolesAndSubordinates'] as const;

/**
 * Until when the entries of group `group` that make `before` a member hold, in the interval the
 * view answers for: undefined when one of them is open-ended (or the policy has no time-bound
 * entries), else the latest `until` among those in effect.
 */
export function edgeUntil(c: Compiled, group: Id, before: PathStep | number): Instant | undefined {
  const timing = c.timing;
  if (timing === undefined) return undefined;
  const def = timing.policy.groups.get(group);
  if (def === undefined) return undefined;
  const x = timing.entries;
  if (typeof before === 'number') return x.latestUntil(def, GROUPS, c.ids.groups.idOf(before), timing.at);
  if (before.kind === 'user') return x.latestUntil(def, USERS, before.id, timing.at);
  if (before.kind === 'role') return x.latestUntil(def, before.via === 'has-role' ? ROLES : SUBTREES, before.id, timing.at);
  return x.latestUntil(def, GROUPS, before.id, timing.at);
}


/**
 * Group numbers in the order of their ids: ties between equally short paths go by ids, never by
 * the numbers an engine happened to give its groups (which depend on the order it read them), so
 * that engines holding the same policy, however loaded, prove a membership by the same path.
 */
export function sortedGroups(c: Compiled, groups: readonly number[]): readonly number[] {
  if (groups.length < 2) return groups;
  const ids = c.ids.groups;
  return [...groups].sort((a, b) => compareIds(ids.idOf(a), ids.idOf(b)));
}

/**
 * Breadth-first search up from a user with predecessor links: no recursion, each group visited
 * once. Shortest is counted in steps of the whole path, the first step included: a group that
 * lists the user is 2 steps away (`user → group`), one that lists its role, or its role as
 * `rolesAndSubordinates`, 3 (`user → role → group`), one that lists a role above the user's as
 * `rolesAndSubordinates` 4 (`user → role → role above → group`), and each nesting adds one. The
 * sources enter the search at their own distance, so every path is a shortest one. Ties go by
 * the first step: a group listing the user, then the user's role (listed in `roles`, then in
 * `rolesAndSubordinates`), then a role above it (nearest first); within a kind, by group id; and
 * a nested group is reached from the first of the groups before it, in that order, that it contains.
 */
export function groupPaths(c: Compiled, u: UserFacts): GroupPaths {
  const links = new Map<number, PathLink>();
  const order: PathLink[] = [];
  const userStep: PathStep = { kind: 'user', id: u.id };
  const seeds: [number, readonly PathStep[]][][] = [[], [], []];
  for (const g of sortedGroups(c, u.inUsers)) seeds[0]!.push([g, [userStep]]);
  const role = u.role < 0 ? undefined : c.roles.get(u.role);
  if (role !== undefined) {
    const roleHead: readonly PathStep[] = [userStep, { kind: 'role', id: role.id, via: 'has-role' }];
    for (const g of sortedGroups(c, role.inRoles)) seeds[1]!.push([g, roleHead]);
    for (const g of sortedGroups(c, role.inSubtrees)) seeds[1]!.push([g, roleHead]);
    const seen = new Set<number>([role.num]);
    for (let r = role.parent >= 0 ? c.roles.get(role.parent) : undefined; r !== undefined && !seen.has(r.num); r = r.parent >= 0 ? c.roles.get(r.parent) : undefined) {
      seen.add(r.num);
      if (r.inSubtrees.length === 0) continue;
      const head: readonly PathStep[] = [...roleHead, { kind: 'role', id: r.id, via: 'under' }];
      for (const g of sortedGroups(c, r.inSubtrees)) seeds[2]!.push([g, head]);
    }
  }
  let frontier: PathLink[] = [];
  for (let length = 2; frontier.length > 0 || length <= 4; length++) {
    const next: PathLink[] = [];
    for (const l of frontier) {
      const g = c.groups.get(l.group);
      if (g === undefined) continue;
      for (const p of sortedGroups(c, g.parents)) {
        if (links.has(p)) continue;
        const link: PathLink = { group: p, pred: l, head: undefined, length };
        links.set(p, link);
        next.push(link);
      }
    }
    for (const [g, head] of length - 2 < seeds.length ? (seeds[length - 2] as [number, readonly PathStep[]][]) : []) {
      if (links.has(g)) continue;
      const link: PathLink = { group: g, pred: undefined, head, length };
      links.set(g, link);
      next.push(link);
    }
    for (const l of next) order.push(l);
    frontier = next;
  }
  return {
    links: order,
    pathTo: (g) => {
      const link = links.get(g);
      return link === undefined ? undefined : materialisePath(c, link);
    },
  };
}

/** The path proving that a user belongs to a principal, or undefined when it does not. */
export function principalPath(c: Compiled, u: UserFacts, p: PrincipalRef, paths: () => GroupPaths): MembershipPath | undefined {
  const userStep: PathStep = { kind: 'user', id: u.id };
  switch (p.kind) {
    case 'user':
      return p.num === u.num ? [userStep] : undefined;
    case 'role':
      return u.role === p.num ? [userStep, { kind: 'role', id: c.ids.roles.idOf(p.num), via: 'has-role' }] : undefined;
    case 'roleAndSubordinates': {
      if (u.role < 0 || !roleWithin(c, u.role, p.num)) return undefined;
      const head: PathStep[] = [userStep, { kind: 'role', id: c.ids.roles.idOf(u.role), via: 'has-role' }];
      return u.role === p.num ? head : [...head, { kind: 'role', id: c.ids.roles.idOf(p.num), via: 'under' }];
    }
    case 'group':
      return paths().pathTo(p.num);
  }
}

/** The chain of groups from `inner` up to `outer` that contains it (shortest), as a path. */
export function nestingPath(c: Compiled, inner: number, outer: number): MembershipPath {
  const pred = new Map<number, number | undefined>([[inner, undefined]]);
  const queue = [inner];
  for (let i = 0; i < queue.length && !pred.has(outer); i++) {
    const g = c.groups.get(queue[i] as number);
    if (g === undefined) continue;
    for (const p of sortedGroups(c, g.parents)) {
      if (!pred.has(p)) {
        pred.set(p, queue[i]);
        queue.push(p);
      }
    }
  }
  const chain: PathStep[] = [];
  for (let g: number | undefined = pred.has(outer) ? outer : inner; g !== undefined; g = pred.get(g)) {
    const below = pred.get(g);
    chain.push(groupStep(c, g, below));
  }
  return chain.reverse();
}
