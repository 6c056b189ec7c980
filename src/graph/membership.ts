import type { MembershipPath, PathStep } from '../decide/decision.js';
import type { Id } from '../model/ids.js';
import type { GroupNode, Index, PrincipalRef, RoleNode, UserNode } from '../index/nodes.js';

/**
 * How a user reaches one group on a shortest path: the link to the group before it on the path
 * (`pred`), or, for a group the user reaches in its first step (listed directly, through its
 * role, or through a role above its role as `rolesAndSubordinates`), the steps before the group
 * (`head`). Paths share their prefixes through `pred`, so the whole answer is linear in the
 * number of groups; a path is materialised as an array only when asked for.
 */
export interface PathLink {
  readonly group: GroupNode;
  /** The link of the group before this one, or undefined when the user reaches this group first. */
  readonly pred: PathLink | undefined;
  /** For a first group: the steps before it (the user, then its role and a role above, as the case may be). */
  readonly head: readonly PathStep[] | undefined;
  /** Number of steps of the whole path, the user's step and this group's included. */
  readonly length: number;
}

/** The groups a user is a member of, and a shortest membership path to any of them, built on demand. */
export interface GroupPaths {
  /** Every group the user is a member of, with its path link, in breadth-first order (by path length). */
  readonly links: readonly PathLink[];
  /** A shortest path from the user to `g`, or undefined when the user is not a member. O(path length). */
  pathTo(g: GroupNode): MembershipPath | undefined;
}

/** The steps of a path link, from the user to its group: O(path length). */
export function materialisePath(link: PathLink, stepOf: (g: GroupNode) => PathStep = groupStep): PathStep[] {
  const out = new Array<PathStep>(link.length);
  let i = link.length - 1;
  let cur: PathLink = link;
  for (;;) {
    out[i--] = stepOf(cur.group);
    if (cur.pred === undefined) break;
    cur = cur.pred;
  }
  const head = cur.head ?? [];
  for (let j = 0; j < head.length; j++) out[j] = head[j] as PathStep;
  return out;
}

function groupStep(g: GroupNode): PathStep {
  return { kind: 'group', id: g.id, via: 'member-of' };
}

/**
 * Breadth-first search up from a user with predecessor links: no recursion, each group visited
 * once. Shortest is counted in steps of the whole path, the first step included: a group that
 * lists the user is 2 steps away (`user → group`), one that lists its role, or its role as
 * `rolesAndSubordinates`, 3 (`user → role → group`), one that lists a role above the user's as
 * `rolesAndSubordinates` 4 (`user → role → role above → group`), and each nesting adds one. The
 * sources enter the search at their own distance, so every path is a shortest one. Ties go by
 * the first step: a group listing the user, then the user's role (listed in `roles` or
 * `rolesAndSubordinates`), then a role above it; within a kind, the order the index lists them.
 * Linear in the groups reached; a path is assembled only when asked for.
 */
export function groupPaths(u: UserNode): GroupPaths {
  const links = new Map<GroupNode, PathLink>();
  const order: PathLink[] = [];
  const userStep: PathStep = { kind: 'user', id: u.id };
  // Seeds by path length: 2, 3 and 4 steps.
  const seeds: [GroupNode, readonly PathStep[]][][] = [[], [], []];
  for (const g of u.inUsers) seeds[0]!.push([g, [userStep]]);
  if (u.role !== undefined) {
    const roleHead: readonly PathStep[] = [userStep, { kind: 'role', id: u.role.id, via: 'has-role' }];
    for (const g of u.role.inRoles) seeds[1]!.push([g, roleHead]);
    for (const g of u.role.inSubtrees) seeds[1]!.push([g, roleHead]);
    const seen = new Set<RoleNode>([u.role]);
    for (let r: RoleNode | undefined = u.role.parent; r !== undefined && !seen.has(r); r = r.parent) {
      seen.add(r);
      if (r.inSubtrees.size === 0) continue;
      const head: readonly PathStep[] = [...roleHead, { kind: 'role', id: r.id, via: 'under' }];
      for (const g of r.inSubtrees) seeds[2]!.push([g, head]);
    }
  }
  let frontier: PathLink[] = [];
  for (let length = 2; frontier.length > 0 || length <= 4; length++) {
    // Nestings of the groups found before first, then the sources of this length: each level
    // stays ordered by the kind of first step, so a tie goes to the earlier kind.
    const next: PathLink[] = [];
    for (const l of frontier) {
      for (const p of l.group.parents) {
        if (links.has(p)) continue;
        const link: PathLink = { group: p, pred: l, head: undefined, length };
        links.set(p, link);
        next.push(link);
      }
    }
    for (const [g, head] of seeds[length - 2] ?? []) {
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
      return link === undefined ? undefined : materialisePath(link);
    },
  };
}

/** The path proving that a user belongs to a principal, or undefined when it does not. */
export function principalPath(u: UserNode, p: PrincipalRef, paths: () => GroupPaths): MembershipPath | undefined {
  const userStep: PathStep = { kind: 'user', id: u.id };
  switch (p.kind) {
    case 'user':
      return p.id === u.id ? [userStep] : undefined;
    case 'role':
      return u.role === p.node ? [userStep, { kind: 'role', id: p.node.id, via: 'has-role' }] : undefined;
    case 'roleAndSubordinates': {
      const r = u.role;
      if (r === undefined || !(p.node.tin <= r.tin && r.tout <= p.node.tout)) return undefined;
      const head: PathStep[] = [userStep, { kind: 'role', id: r.id, via: 'has-role' }];
      return r === p.node ? head : [...head, { kind: 'role', id: p.node.id, via: 'under' }];
    }
    case 'group':
      return paths().pathTo(p.node);
  }
}

/** Every user in a role's subtree. Iterative. */
export function usersInSubtree(root: RoleNode, visit: (u: UserNode) => void): void {
  const stack: RoleNode[] = [root];
  while (stack.length > 0) {
    const r = stack.pop() as RoleNode;
    r.users.forEach(visit);
    r.children.forEach((c) => stack.push(c));
  }
}

/**
 * Expands principals down to their member users, sharing one walk across every principal given:
 * each group, role and role subtree is expanded at most once, so expanding many principals costs
 * the part of the graph they reach, not the sum of their member counts. `visit` may see a user
 * more than once (through different principals). Iterative.
 */
export interface MemberWalk {
  principal(p: PrincipalRef): void;
  group(g: GroupNode): void;
}

/** A {@link MemberWalk} over `ix` calling `visit` for each member user reached. */
export function memberWalk(ix: Index, visit: (u: UserNode) => void): MemberWalk {
  const groups = new Set<GroupNode>();
  const roles = new Set<RoleNode>();
  const subtrees = new Set<RoleNode>();
  const role = (r: RoleNode): void => {
    if (roles.has(r)) return;
    roles.add(r);
    r.users.forEach(visit);
  };
  const subtree = (root: RoleNode): void => {
    const stack: RoleNode[] = [root];
    while (stack.length > 0) {
      const r = stack.pop() as RoleNode;
      if (subtrees.has(r)) continue;
      subtrees.add(r);
      role(r);
      r.children.forEach((c) => stack.push(c));
    }
  };
  const group = (root: GroupNode): void => {
    if (groups.has(root)) return;
    groups.add(root);
    const stack: GroupNode[] = [root];
    while (stack.length > 0) {
      const g = stack.pop() as GroupNode;
      const m = g.def.members;
      for (const id of m.users) {
        const u = ix.users.get(id);
        if (u !== undefined) visit(u);
      }
      for (const id of m.roles) {
        const r = ix.roles.get(id);
        if (r !== undefined) role(r);
      }
      for (const id of m.rolesAndSubordinates) {
        const r = ix.roles.get(id);
        if (r !== undefined) subtree(r);
      }
      for (const id of m.groups) {
        const c = ix.groups.get(id);
        if (c !== undefined && !groups.has(c)) {
          groups.add(c);
          stack.push(c);
        }
      }
    }
  };
  return {
    group,
    principal: (p) => {
      switch (p.kind) {
        case 'user': {
          const u = ix.users.get(p.id);
          if (u !== undefined) visit(u);
          return;
        }
        case 'role':
          return role(p.node);
        case 'roleAndSubordinates':
          return subtree(p.node);
        case 'group':
          return group(p.node);
      }
    },
  };
}

/** Every user who is a member of a group, expanded through roles, subtrees and nested groups. Iterative. */
export function membersOfGroup(ix: Index, root: GroupNode): Set<UserNode> {
  const out = new Set<UserNode>();
  memberWalk(ix, (u) => out.add(u)).group(root);
  return out;
}

/** Sorts ids in code-unit order, for stable answers. */
export function sortIds(ids: Iterable<Id>): Id[] {
  return [...ids].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}
