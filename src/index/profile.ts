import { union, type CapSet } from '../access/capabilities.js';
import { within } from '../graph/euler.js';
import type { GroupNode, Index, PrincipalRef, Profile, RoleNode, UserNode, CompiledRule } from './nodes.js';

/*
 * Shared group closures. A user's group closure depends only on its direct membership sources:
 * its role (the groups listing the role, and those listing the role or a role above it as
 * `rolesAndSubordinates`) and the groups listing the user itself. Users with the same sources
 * share one closure object, interned per index by (role, set of groups listing the user) in a
 * trie of nested Maps keyed by nodes (the groups in id order): no string keys. A user whose only
 * memberships come through its role holds the role's closure.
 *
 * Invalidation stays exact: `applyChange` releases, through `dropClosure`, the closure of each
 * user whose memberships a change may alter (exactly the users it drops for membership reasons),
 * so the stale closure is never handed out again; users it merely relinks (a status, a level, a
 * role change) only let go of theirs (`unholdClosure`), and a closure nobody holds leaves the
 * table, so the table never keeps a closure that no drop could reach.
 */

/** One shared group closure and what depends on the groups alone. */
export interface Closure {
  /** Every group reachable from the sources, at any depth. Shared: never mutate. */
  readonly groups: ReadonlySet<GroupNode>;
  /** The union of the groups' capability sets (undefined when none has a level), once computed. */
  groupCaps: CapSet | undefined;
  capsDone: boolean;
  /** How many users hold it. */
  holders: number;
  /** Where it is interned, or undefined once released. */
  slot: Trie | undefined;
}

interface Trie {
  closure: Closure | undefined;
  readonly next: Map<GroupNode, Trie>;
  readonly up: Trie | undefined;
  /** The group this node is keyed by under `up`. */
  readonly key: GroupNode | undefined;
  /** For a root: the role it is for (undefined for the users without a role). */
  readonly role: RoleNode | undefined;
}

interface ClosureTable {
  readonly byRole: Map<RoleNode, Trie>;
  readonly noRole: Trie;
  /** The closure each user holds (kept across profile drops, so that releasing it stays possible). */
  readonly held: Map<UserNode, Closure>;
}

const tables = new WeakMap<Index, ClosureTable>();

function tableOf(ix: Index): ClosureTable {
  let t = tables.get(ix);
  if (t === undefined) {
    t = { byRole: new Map(), noRole: newTrie(undefined, undefined, undefined), held: new Map() };
    tables.set(ix, t);
  }
  return t;
}

function newTrie(up: Trie | undefined, key: GroupNode | undefined, role: RoleNode | undefined): Trie {
  return { closure: undefined, next: new Map(), up, key, role };
}

/** Test-only counters (imported by the cost tests from this internal module, not the public API). */
export const closureStats = { computed: 0, grantCompiles: 0 };

/**
 * Every group a user is a member of: the groups listing it, its role, or a role above its role
 * as `rolesAndSubordinates`, then every group containing those, breadth-first without recursion.
 */
export function closureOfUser(u: UserNode): Set<GroupNode> {
  const out = new Set<GroupNode>();
  const queue: GroupNode[] = [];
  const seed = (g: GroupNode): void => {
    if (!out.has(g)) {
      out.add(g);
      queue.push(g);
    }
  };
  u.inUsers.forEach(seed);
  if (u.role !== undefined) {
    u.role.inRoles.forEach(seed);
    const seen = new Set<RoleNode>();
    for (let r: RoleNode | undefined = u.role; r !== undefined && !seen.has(r); r = r.parent) {
      seen.add(r);
      r.inSubtrees.forEach(seed);
    }
  }
  for (let i = 0; i < queue.length; i++) (queue[i] as GroupNode).parents.forEach(seed);
  return out;
}

function byId(a: GroupNode, b: GroupNode): number {
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** The shared closure for the user's current sources, interned; the user now holds it. */
function closureFor(ix: Index, u: UserNode): Closure {
  const t = tableOf(ix);
  let node: Trie;
  if (u.role === undefined) node = t.noRole;
  else {
    let root = t.byRole.get(u.role);
    if (root === undefined) t.byRole.set(u.role, (root = newTrie(undefined, undefined, u.role)));
    node = root;
  }
  const direct = u.inUsers.size === 0 ? [] : [...u.inUsers].sort(byId);
  for (const g of direct) {
    let child = node.next.get(g);
    if (child === undefined) node.next.set(g, (child = newTrie(node, g, undefined)));
    node = child;
  }
  let c = node.closure;
  if (c === undefined) {
    closureStats.computed++;
    c = { groups: closureOfUser(u), groupCaps: undefined, capsDone: false, holders: 0, slot: node };
    node.closure = c;
  }
  hold(t, u, c);
  return c;
}

function hold(t: ClosureTable, u: UserNode, c: Closure): void {
  const before = t.held.get(u);
  if (before === c) return;
  if (before !== undefined) letGo(t, before);
  t.held.set(u, c);
  c.holders++;
}

function letGo(t: ClosureTable, c: Closure): void {
  c.holders--;
  if (c.holders <= 0) unintern(t, c);
}

/** Takes a closure out of the table (its holders keep the object), pruning empty trie nodes. */
function unintern(t: ClosureTable, c: Closure): void {
  let node = c.slot;
  if (node === undefined || node.closure !== c) return;
  node.closure = undefined;
  c.slot = undefined;
  while (node.closure === undefined && node.next.size === 0) {
    const up: Trie | undefined = node.up;
    if (up === undefined) {
      if (node.role !== undefined && t.byRole.get(node.role) === node) t.byRole.delete(node.role);
      break;
    }
    up.next.delete(node.key as GroupNode);
    node = up;
  }
}

/**
 * A change may alter this user's memberships (or its groups' levels): the closure it holds must
 * not be handed out again. Every other holder of it is dropped by the same change (same sources,
 * same memberships), and gets a fresh closure on next use.
 */
export function dropClosure(ix: Index, u: UserNode): void {
  const t = tables.get(ix);
  const c = t?.held.get(u);
  if (t === undefined || c === undefined) return;
  unintern(t, c);
  t.held.delete(u);
  c.holders--;
}

/** The user is being relinked or deleted: it lets go of its closure, which stays valid for the others. */
export function unholdClosure(ix: Index, u: UserNode): void {
  const t = tables.get(ix);
  const c = t?.held.get(u);
  if (t === undefined || c === undefined) return;
  t.held.delete(u);
  letGo(t, c);
}

/** A group and every group containing it, cached until group nesting next changes. */
export function upClosure(ix: Index, g: GroupNode): Set<GroupNode> {
  if (g.up !== undefined && g.upEpoch === ix.nestEpoch) return g.up;
  const out = new Set<GroupNode>([g]);
  const queue: GroupNode[] = [g];
  for (let i = 0; i < queue.length; i++) {
    for (const p of (queue[i] as GroupNode).parents) {
      if (!out.has(p)) {
        out.add(p);
        queue.push(p);
      }
    }
  }
  g.up = out;
  g.upEpoch = ix.nestEpoch;
  return out;
}

/** Whether a user (with its group closure) is a member of a principal. */
export function isMember(u: UserNode, groups: ReadonlySet<GroupNode>, p: PrincipalRef): boolean {
  switch (p.kind) {
    case 'user':
      return p.id === u.id;
    case 'role':
      return u.role === p.node;
    case 'roleAndSubordinates':
      return u.role !== undefined && within(u.role, p.node);
    case 'group':
      return groups.has(p.node);
  }
}

function capsOf(ix: Index, u: UserNode, c: Closure): CapSet | undefined {
  if (ix.levels === undefined) return undefined;
  if (!c.capsDone) {
    let g: CapSet | undefined;
    for (const n of c.groups) if (n.level !== undefined) g = g === undefined ? n.level : union(g, n.level);
    c.groupCaps = g;
    c.capsDone = true;
  }
  let caps: CapSet | undefined = u.level;
  const add = (s: CapSet | undefined): void => {
    if (s !== undefined) caps = caps === undefined ? s : union(caps, s);
  };
  add(u.role?.level);
  add(c.groupCaps);
  return caps ?? ix.defaultCaps;
}

/** Compiles which sharing rules and access-group grants include the user. */
function compileGrants(ix: Index, u: UserNode, p: Profile): void {
  closureStats.grantCompiles++;
  const rules = new Map<string, CompiledRule[]>();
  for (const r of ix.rules.values()) {
    if (!isMember(u, p.groups, r.to)) continue;
    const list = rules.get(r.def.resourceType);
    if (list === undefined) rules.set(r.def.resourceType, [r]);
    else list.push(r);
  }
  const grants = new Map<import('./nodes.js').AccessGroupNode, number>();
  for (const a of ix.accessGroups.values()) {
    let best = -1;
    for (const g of a.grants) if (g.rank > best && isMember(u, p.groups, g.to)) best = g.rank;
    if (best > 0) grants.set(a, best);
  }
  p.rules = rules;
  p.hasRules = rules.size > 0;
  p.grants = grants;
  p.segmentGrants = [];
  for (const [group, rank] of grants) if (group.segment !== undefined) p.segmentGrants.push({ group, rank });
  p.grantEpoch = ix.grantEpoch;
}

/**
 * The user's profile with its group closure and capabilities, but grants possibly stale: enough
 * to ask what the user is a member of (a record owner, for instance).
 */
export function membershipOf(ix: Index, u: UserNode): Profile {
  let p = u.profile;
  if (p === undefined) {
    const c = closureFor(ix, u);
    p = { groups: c.groups, caps: capsOf(ix, u, c), grantEpoch: -1, rules: new Map(), hasRules: false, grants: new Map(), segmentGrants: [] };
    u.profile = p;
  }
  return p;
}

/** The user's compiled profile, computing what a change dropped. */
export function profileOf(ix: Index, u: UserNode): Profile {
  const p = membershipOf(ix, u);
  if (p.grantEpoch !== ix.grantEpoch) compileGrants(ix, u, p);
  return p;
}
