import type { GroupFacts, PrincipalRef, RoleFacts, UserFacts } from './snapshot.js';

/** Read access to facts by number: a snapshot's vectors, or an editor's while a change is made. */
export interface FactsView {
  readonly users: { get(n: number): UserFacts | undefined };
  readonly roles: { get(n: number): RoleFacts | undefined };
  readonly groups: { get(n: number): GroupFacts | undefined };
}

/** Every user in a role's subtree. Iterative and cycle-safe. */
export function usersInSubtree(v: FactsView, root: number, visit: (u: UserFacts) => void): void {
  const stack: number[] = [root];
  const seen = new Set<number>();
  while (stack.length > 0) {
    const n = stack.pop() as number;
    if (seen.has(n)) continue;
    seen.add(n);
    const r = v.roles.get(n);
    if (r === undefined) continue;
    for (const u of r.users) {
      const f = v.users.get(u);
      if (f !== undefined) visit(f);
    }
    for (const ch of r.children) stack.push(ch);
  }
}

/**
 * Expands principals down to their member users, sharing one walk across every principal given:
 * each group, role and role subtree is expanded at most once, so expanding many principals costs
 * the part of the graph they reach, not the sum of their member counts. `visit` may see a user
 * more than once (through different principals). Iterative.
 */
export interface MemberWalk {
  user(n: number): void;
  role(n: number): void;
  subtree(n: number): void;
  group(n: number): void;
  /** Expands a principal: its user, role, role subtree or group. */
  principal(p: PrincipalRef): void;
}

/** A {@link MemberWalk} over `v` calling `visit` for each member user reached. */
export function memberWalk(v: FactsView, visit: (u: UserFacts) => void): MemberWalk {
  const groups = new Set<number>();
  const roles = new Set<number>();
  const subtrees = new Set<number>();
  const user = (n: number): void => {
    const f = v.users.get(n);
    if (f !== undefined) visit(f);
  };
  const role = (n: number): void => {
    if (roles.has(n)) return;
    roles.add(n);
    const r = v.roles.get(n);
    if (r !== undefined) r.users.forEach(user);
  };
  const subtree = (root: number): void => {
    const stack: number[] = [root];
    while (stack.length > 0) {
      const n = stack.pop() as number;
      if (subtrees.has(n)) continue;
      subtrees.add(n);
      role(n);
      const r = v.roles.get(n);
      if (r !== undefined) for (const ch of r.children) stack.push(ch);
    }
  };
  const group = (root: number): void => {
    if (groups.has(root)) return;
    groups.add(root);
    const stack: number[] = [root];
    while (stack.length > 0) {
      const g = v.groups.get(stack.pop() as number);
      if (g === undefined) continue;
      g.users.forEach(user);
      g.roles.forEach(role);
      g.subtrees.forEach(subtree);
      for (const c of g.groups) {
        if (!groups.has(c)) {
          groups.add(c);
          stack.push(c);
        }
      }
    }
  };
  const principal = (p: PrincipalRef): void => {
    if (p.kind === 'user') user(p.num);
    else if (p.kind === 'role') role(p.num);
    else if (p.kind === 'roleAndSubordinates') subtree(p.num);
    else group(p.num);
  };
  return { user, role, subtree, group, principal };
}

/** Every user who is a member of a group, expanded through roles, subtrees and nested groups. */
export function membersOfGroup(v: FactsView, root: number): Set<UserFacts> {
  const out = new Set<UserFacts>();
  memberWalk(v, (u) => out.add(u)).group(root);
  return out;
}
