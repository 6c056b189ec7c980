import type { MembershipPath, PathStep } from '../decide/decision.js';
import type { Id } from '../model/ids.js';
import type { GroupNode, Index, PrincipalRef, RoleNode, UserNode } from '../index/nodes.js';

/** The groups a user is a member of, and the shortest membership path to any of them, built on demand. */
export interface GroupPaths {
  /** Every group the user is a member of, in breadth-first order. */
  readonly groups: readonly GroupNode[];
  /** The shortest path from the user to `g`, or undefined when the user is not a member. */
  pathTo(g: GroupNode): MembershipPath | undefined;
}

/**
 * Breadth-first search up from a user with predecessor links: no recursion, each group visited
 * once; a path is assembled only when asked for, so a 100,000-deep chain stays linear.
 */
export function groupPaths(u: UserNode): GroupPaths {
  const prefix = new Map<GroupNode, PathStep[]>();
  const pred = new Map<GroupNode, GroupNode | undefined>();
  const queue: GroupNode[] = [];
  const userStep: PathStep = { kind: 'user', id: u.id };
  const seed = (g: GroupNode, head: PathStep[]): void => {
    if (pred.has(g)) return;
    pred.set(g, undefined);
    prefix.set(g, head);
    queue.push(g);
  };
  for (const g of u.inUsers) seed(g, [userStep]);
  if (u.role !== undefined) {
    const roleStep: PathStep = { kind: 'role', id: u.role.id, via: 'has-role' };
    for (const g of u.role.inRoles) seed(g, [userStep, roleStep]);
    const seen = new Set<RoleNode>();
    for (let r: RoleNode | undefined = u.role; r !== undefined && !seen.has(r); r = r.parent) {
      seen.add(r);
      const head: PathStep[] = r === u.role ? [userStep, roleStep] : [userStep, roleStep, { kind: 'role', id: r.id, via: 'under' }];
      for (const g of r.inSubtrees) seed(g, head);
    }
  }
  for (let i = 0; i < queue.length; i++) {
    const g = queue[i] as GroupNode;
    for (const p of g.parents) {
      if (!pred.has(p)) {
        pred.set(p, g);
        queue.push(p);
      }
    }
  }
  return {
    groups: queue,
    pathTo: (g) => {
      if (!pred.has(g)) return undefined;
      const chain: PathStep[] = [];
      let cur: GroupNode | undefined = g;
      let first: GroupNode = g;
      while (cur !== undefined) {
        chain.push({ kind: 'group', id: cur.id, via: 'member-of' });
        first = cur;
        cur = pred.get(cur);
      }
      chain.reverse();
      return [...(prefix.get(first) ?? [userStep]), ...chain];
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

/** Every user who is a member of a group, expanded through roles, subtrees and nested groups. Iterative. */
export function membersOfGroup(ix: Index, root: GroupNode): Set<UserNode> {
  const out = new Set<UserNode>();
  const seen = new Set<GroupNode>([root]);
  const stack: GroupNode[] = [root];
  const add = (u: UserNode): void => {
    out.add(u);
  };
  while (stack.length > 0) {
    const g = stack.pop() as GroupNode;
    const m = g.def.members;
    for (const id of m.users) {
      const u = ix.users.get(id);
      if (u !== undefined) out.add(u);
    }
    for (const id of m.roles) ix.roles.get(id)?.users.forEach(add);
    for (const id of m.rolesAndSubordinates) {
      const r = ix.roles.get(id);
      if (r !== undefined) usersInSubtree(r, add);
    }
    for (const id of m.groups) {
      const c = ix.groups.get(id);
      if (c !== undefined && !seen.has(c)) {
        seen.add(c);
        stack.push(c);
      }
    }
  }
  return out;
}

/** Sorts ids in code-unit order, for stable answers. */
export function sortIds(ids: Iterable<Id>): Id[] {
  return [...ids].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}
