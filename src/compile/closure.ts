import { union, type CapSet } from '../access/capabilities.js';
import type { Closure, ClosureTables, Grants, GrantsMemo, Membership, Trie } from './snapshot.js';
import type { AccessGroupNode, ByPrincipal, Compiled, CompiledRule, PrincipalRef, UserFacts } from './snapshot.js';

/*
 * Group closures and per-user profiles. A user's groups depend only on its direct sources: its
 * role (the groups listing the role, and those listing the role or a role above it as
 * `rolesAndSubordinates`) and the groups listing the user itself. The closure of a role is
 * computed once and shared by all its users (16,000 users with one role in a group nested in 16,000
 * groups cost one closure, not 16,000); the groups a user's direct groups add beyond it are
 * interned per role closure by that set (a trie keyed by group numbers) and shared by every user
 * of the role listed by the same groups.
 */

/** Test-only counters (read by the cost tests from this internal module, not the public API): closures of users' sources, and grant compilations. */
export const closureStats = { computed: 0, grantCompiles: 0 };

const EMPTY_SET: ReadonlySet<number> = new Set();

/** Fresh, empty closure tables. */
export function newClosureTables(): ClosureTables {
  return { byRole: new Map(), noRole: { set: EMPTY_SET, caps: undefined, grantsMemo: undefined }, direct: { closure: undefined, base: undefined, more: undefined, next: undefined }, size: 0 };
}

/**
 * The groups reachable upwards from `seeds` (group numbers), each group once, leaving out `skip`:
 * an upward-closed set (a group in it has every container in it too), so the walk stops there.
 * Iterative.
 */
function upFrom(c: Compiled, seeds: Iterable<number>, skip: ReadonlySet<number> = EMPTY_SET): Set<number> {
  const out = new Set<number>();
  const queue: number[] = [];
  for (const g of seeds) {
    if (!out.has(g) && !skip.has(g)) {
      out.add(g);
      queue.push(g);
    }
  }
  for (let i = 0; i < queue.length; i++) {
    const g = c.groups.get(queue[i] as number);
    if (g === undefined) continue;
    for (const p of g.parents) {
      if (!out.has(p) && !skip.has(p)) {
        out.add(p);
        queue.push(p);
      }
    }
  }
  return out;
}

function closureOf(c: Compiled, set: Set<number>, counted = true): Closure {
  if (counted) closureStats.computed++;
  let caps: CapSet | undefined;
  if (c.frame.levels !== undefined) {
    for (const n of set) {
      const level = c.groups.get(n)?.level;
      if (level !== undefined) caps = caps === undefined ? level : union(caps, level);
    }
  }
  return { set, caps, grantsMemo: undefined };
}

/** The closure of a role's group sources (interned per closure generation). */
export function roleClosure(c: Compiled, roleNum: number): Closure {
  const t = c.caches.closures;
  if (roleNum < 0) return t.noRole;
  let cl = t.byRole.get(roleNum);
  if (cl === undefined) {
    const seeds: number[] = [];
    const role = c.roles.get(roleNum);
    if (role !== undefined) {
      for (const g of role.inRoles) seeds.push(g);
      const seen = new Set<number>();
      for (let r = roleNum; r >= 0 && !seen.has(r); ) {
        seen.add(r);
        const facts = c.roles.get(r);
        if (facts === undefined) break;
        for (const g of facts.inSubtrees) seeds.push(g);
        r = facts.parent;
      }
    }
    cl = closureOf(c, upFrom(c, seeds));
    t.byRole.set(roleNum, cl);
    t.size++;
  }
  return cl;
}

/**
 * The groups a set of direct groups (ascending numbers) adds beyond `base` (a role's closure,
 * upward-closed), interned per base by the set: a thousand users each in a group of their own
 * inside the part of the tree their role reaches cost a thousand small sets, never a thousand
 * copies of that part. `counted` for a user's.
 */
function directClosure(c: Compiled, base: Closure, direct: readonly number[], counted = true): Closure {
  const t = c.caches.closures;
  // One trie of direct sets for every base, so that users of different roles share the prefixes.
  let node: Trie = t.direct;
  for (const g of direct) {
    const next: Map<number, Trie> = (node.next ??= new Map());
    let child = next.get(g);
    if (child === undefined) next.set(g, (child = { closure: undefined, base: undefined, more: undefined, next: undefined }));
    node = child;
  }
  if (node.base === base && node.closure !== undefined) return node.closure;
  const other = node.more?.get(base);
  if (other !== undefined) return other;
  const made = closureOf(c, upFrom(c, direct, base.set), counted);
  t.size++;
  if (node.closure === undefined) {
    node.closure = made;
    node.base = base;
  } else (node.more ??= new Map()).set(base, made);
  return made;
}

/** The user's memberships and capabilities, from the snapshot's cache or computed into it. */
export function membershipOf(c: Compiled, u: UserFacts): Membership {
  const hit = u.membership;
  if (hit !== undefined) return hit;
  const base = roleClosure(c, u.role);
  const extra = u.inUsers.length === 0 ? undefined : directClosure(c, base, u.inUsers);
  let caps: CapSet | undefined;
  if (c.frame.levels !== undefined) {
    const add = (s: CapSet | undefined): void => {
      if (s !== undefined) caps = caps === undefined ? s : union(caps, s);
    };
    add(u.level);
    if (u.role >= 0) add(c.roles.get(u.role)?.level);
    add(base.caps);
    add(extra?.caps);
    caps ??= c.frame.defaultCaps;
  }
  const m: Membership = { base, extra, baseSet: base.set, extraSet: extra?.set, caps, capsBits: capsBitsOf(c, caps) };
  u.membership = m;
  return m;
}

/** A capability set as a bitmask when the frame has at most 31 slots (see {@link Membership.capsBits}). */
function capsBitsOf(c: Compiled, caps: CapSet | undefined): number {
  const n = c.frame.table.slots.length;
  if (n > 31) return -1;
  if (caps === undefined) return 0x7fffffff;
  let bits = 0;
  for (let i = 0; i < n; i++) if (caps[i] === 1) bits |= 1 << i;
  return bits;
}

/** Whether the user (with its memberships) is in group `g`. */
export function inGroup(m: Membership, g: number): boolean {
  return m.baseSet.has(g) || (m.extraSet !== undefined && m.extraSet.has(g));
}

/** Every group of a membership, each once. */
export function groupsOfMembership(m: Membership): Set<number> {
  if (m.extra === undefined) return new Set(m.base.set);
  const out = new Set(m.base.set);
  for (const g of m.extra.set) out.add(g);
  return out;
}

/** Whether role `a` is `b` or below it. */
export function roleWithin(c: Compiled, a: number, b: number): boolean {
  const tb = c.roleTin[b];
  const ta = c.roleTin[a];
  return tb !== undefined && ta !== undefined && tb <= ta && (c.roleTout[a] as number) <= (c.roleTout[b] as number);
}

/** Whether a user (with its memberships) is a member of a principal. */
export function isMember(c: Compiled, u: UserFacts, m: Membership, p: PrincipalRef): boolean {
  switch (p.kind) {
    case 'user':
      return p.num === u.num;
    case 'role':
      return u.role === p.num;
    case 'roleAndSubordinates':
      return u.role >= 0 && roleWithin(c, u.role, p.num);
    case 'group':
      return inGroup(m, p.num);
  }
}

/** The rules and access groups granted to a closure's groups, memoised on the closure per grant index. */
function closureGrants(c: Compiled, cl: Closure): GrantsMemo {
  const memo = cl.grantsMemo;
  if (memo !== undefined && memo.rulesKey === c.rulesTo.group && memo.grantsKey === c.grantsTo.group) return memo;
  const rules: CompiledRule[] = [];
  const accessGroups: AccessGroupNode[] = [];
  for (const g of cl.set) {
    const r = c.rulesTo.group.get(g);
    if (r !== undefined) for (const x of r) rules.push(x);
    const a = c.grantsTo.group.get(g);
    if (a !== undefined) for (const x of a) accessGroups.push(x);
  }
  const out: GrantsMemo = { rulesKey: c.rulesTo.group, grantsKey: c.grantsTo.group, rules, accessGroups };
  cl.grantsMemo = out;
  return out;
}

/** Calls `f` with every list in `index` that names one of the user's principals but its groups. */
function ownPrincipalLists<T>(c: Compiled, u: UserFacts, index: ByPrincipal<T>, f: (list: readonly T[]) => void): void {
  const byUser = index.user.get(u.num);
  if (byUser !== undefined) f(byUser);
  if (u.role < 0) return;
  const byRole = index.role.get(u.role);
  if (byRole !== undefined) f(byRole);
  const seen = new Set<number>();
  for (let r = u.role; r >= 0 && !seen.has(r); ) {
    seen.add(r);
    const list = index.roleAndSubordinates.get(r);
    if (list !== undefined) f(list);
    r = c.roles.get(r)?.parent ?? -1;
  }
}

const NO_GRANTS: Grants = { rules: new Map(), byAccessGroup: new Map(), accessGroups: [], segmentGrants: [] };

/** Which sharing rules and access-group grants include the user: looked up by its principals, never a scan of all rules. */
export function grantsOf(c: Compiled, u: UserFacts, m: Membership): Grants {
  const hit = u.grants;
  if (hit !== undefined) return hit;
  closureStats.grantCompiles++;
  const rules = new Set<CompiledRule>();
  const ags = new Set<AccessGroupNode>();
  ownPrincipalLists(c, u, c.rulesTo, (l) => l.forEach((r) => rules.add(r)));
  ownPrincipalLists(c, u, c.grantsTo, (l) => l.forEach((a) => ags.add(a)));
  for (const cl of m.extra === undefined ? [m.base] : [m.base, m.extra]) {
    const memo = closureGrants(c, cl);
    for (const r of memo.rules) rules.add(r);
    for (const a of memo.accessGroups) ags.add(a);
  }
  let out = NO_GRANTS;
  if (rules.size > 0 || ags.size > 0) {
    const byType = new Map<string, CompiledRule[]>();
    // In rule-number order, so that answers do not depend on how the rules were found.
    for (const r of [...rules].sort((a, b) => a.num - b.num)) {
      const list = byType.get(r.type);
      if (list === undefined) byType.set(r.type, [r]);
      else list.push(r);
    }
    const byAccessGroup = new Map<number, number>();
    const list: { ag: AccessGroupNode; rank: number }[] = [];
    const segmentGrants: { ag: AccessGroupNode; rank: number }[] = [];
    for (const ag of [...ags].sort((a, b) => a.num - b.num)) {
      let best = -1;
      for (const g of ag.grants) if (g.rank > best && isMember(c, u, m, g.to)) best = g.rank;
      if (best <= 0) continue;
      byAccessGroup.set(ag.num, best);
      list.push({ ag, rank: best });
      if (ag.segment !== undefined) segmentGrants.push({ ag, rank: best });
    }
    out = { rules: byType, byAccessGroup, accessGroups: list, segmentGrants };
  }
  u.grants = out;
  return out;
}

/** A group and every group containing it (interned like a user listed by that group alone). */
export function upClosure(c: Compiled, g: number): ReadonlySet<number> {
  return directClosure(c, c.caches.closures.noRole, [g], false).set;
}
