import { union, type CapSet } from '../access/capabilities.js';
import { within } from '../graph/euler.js';
import type { GroupNode, Index, PrincipalRef, Profile, RoleNode, UserNode, CompiledRule } from './nodes.js';

/*
 * Shared group closures. A user's group closure depends only on its direct membership sources:
 * its role (the groups listing the role, and those listing the role or a role above it as
 * `rolesAndSubordinates`) and the groups listing the user itself. Users with the same sources
 * share one closure object, interned per index by (role, set of groups listing the user) in a
 * trie of nested Maps keyed by nodes (the groups in id order): no string keys. A user whose only
 * memberships come through its role holds the role's closure; a user with direct memberships holds
 * a closure composed of its role's closure (shared, not copied) and the groups its direct
 * memberships add beyond it, so a thousand users each in a group of their own under one role in a
 * thousand groups cost a thousand small sets, not a million entries.
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
  /** For a composed closure: the role's closure it extends (held while this one is interned). */
  readonly base: Closure | undefined;
  /** The groups beyond `base` (all of `groups` when there is no base). */
  readonly extra: ReadonlySet<GroupNode>;
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
 * The groups reachable upwards from `direct` and from role `role` (its `roles` listings, and
 * `rolesAndSubordinates` listings of it or a role above it), leaving out `skip` (an upward-closed
 * set: a group in it has every container in it too, so the search stops there).
 */
function upFrom(direct: ReadonlySet<GroupNode>, role: RoleNode | undefined, skip: ReadonlySet<GroupNode> | undefined): Set<GroupNode> {
  const out = new Set<GroupNode>();
  const queue: GroupNode[] = [];
  const seed = (g: GroupNode): void => {
    if (!out.has(g) && skip?.has(g) !== true) {
      out.add(g);
      queue.push(g);
    }
  };
  direct.forEach(seed);
  if (role !== undefined) {
    role.inRoles.forEach(seed);
    const seen = new Set<RoleNode>();
    for (let r: RoleNode | undefined = role; r !== undefined && !seen.has(r); r = r.parent) {
      seen.add(r);
      r.inSubtrees.forEach(seed);
    }
  }
  for (let i = 0; i < queue.length; i++) (queue[i] as GroupNode).parents.forEach(seed);
  return out;
}

const NO_GROUPS: ReadonlySet<GroupNode> = new Set();

/** A base closure and the groups beyond it, read as one set (the two are disjoint). */
class ComposedGroups implements ReadonlySet<GroupNode> {
  constructor(
    private readonly base: ReadonlySet<GroupNode>,
    private readonly extra: ReadonlySet<GroupNode>,
  ) {}
  get size(): number {
    return this.base.size + this.extra.size;
  }
  has(g: GroupNode): boolean {
    return this.extra.has(g) || this.base.has(g);
  }
  *values(): IterableIterator<GroupNode> {
    yield* this.base;
    yield* this.extra;
  }
  keys(): IterableIterator<GroupNode> {
    return this.values();
  }
  *entries(): IterableIterator<[GroupNode, GroupNode]> {
    for (const g of this.values()) yield [g, g];
  }
  [Symbol.iterator](): IterableIterator<GroupNode> {
    return this.values();
  }
  forEach(f: (value: GroupNode, key: GroupNode, set: ReadonlySet<GroupNode>) => void, thisArg?: unknown): void {
    for (const g of this.values()) f.call(thisArg, g, g, this);
  }
}

function byId(a: GroupNode, b: GroupNode): number {
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** The trie root for a role's users (or for the users without a role). */
function rootFor(t: ClosureTable, role: RoleNode | undefined): Trie {
  if (role === undefined) return t.noRole;
  let root = t.byRole.get(role);
  if (root === undefined) t.byRole.set(role, (root = newTrie(undefined, undefined, role)));
  return root;
}

/** The interned closure of a role alone (or of no source at all), computed when missing. */
function roleClosure(t: ClosureTable, role: RoleNode | undefined): Closure {
  const root = rootFor(t, role);
  let c = root.closure;
  if (c === undefined) {
    closureStats.computed++;
    const groups = role === undefined ? new Set<GroupNode>() : upFrom(NO_GROUPS, role, undefined);
    c = { groups, base: undefined, extra: groups, groupCaps: undefined, capsDone: false, holders: 0, slot: root };
    root.closure = c;
  }
  return c;
}

/** The shared closure for the user's current sources, interned; the user now holds it. */
function closureFor(ix: Index, u: UserNode): Closure {
  const t = tableOf(ix);
  if (u.inUsers.size === 0) {
    const c = roleClosure(t, u.role);
    hold(t, u, c);
    return c;
  }
  let node = rootFor(t, u.role);
  for (const g of [...u.inUsers].sort(byId)) {
    let child = node.next.get(g);
    if (child === undefined) node.next.set(g, (child = newTrie(node, g, undefined)));
    node = child;
  }
  let c = node.closure;
  if (c === undefined) {
    closureStats.computed++;
    if (u.role === undefined) {
      const groups = upFrom(u.inUsers, undefined, undefined);
      c = { groups, base: undefined, extra: groups, groupCaps: undefined, capsDone: false, holders: 0, slot: node };
    } else {
      // The role's closure, shared, and what the direct memberships add beyond it.
      const base = roleClosure(t, u.role);
      base.holders++;
      const extra = upFrom(u.inUsers, undefined, base.groups);
      c = { groups: new ComposedGroups(base.groups, extra), base, extra, groupCaps: undefined, capsDone: false, holders: 0, slot: node };
    }
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
  if (c.base !== undefined) letGo(t, c.base);
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
 * A change may alter this user's memberships (or its groups' levels): the closure it holds (and
 * the role closure that one extends) must not be handed out again. Every other user whose closure
 * did change is dropped by the same change, and gets a fresh closure on next use.
 */
export function dropClosure(ix: Index, u: UserNode): void {
  const t = tables.get(ix);
  const c = t?.held.get(u);
  if (t === undefined || c === undefined) return;
  // Which part changed is not known here: the role's closure it extends goes too (its other
  // users, if it did change, are dropped by the same change).
  if (c.base !== undefined) unintern(t, c.base);
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
  let caps: CapSet | undefined = u.level;
  const add = (s: CapSet | undefined): void => {
    if (s !== undefined) caps = caps === undefined ? s : union(caps, s);
  };
  add(u.role?.level);
  add(groupCapsOf(c));
  return caps ?? ix.defaultCaps;
}

/** The union of the levels of a closure's groups, computed once per closure (a base's once for all). */
function groupCapsOf(c: Closure): CapSet | undefined {
  if (!c.capsDone) {
    let g = c.base === undefined ? undefined : groupCapsOf(c.base);
    for (const n of c.extra) if (n.level !== undefined) g = g === undefined ? n.level : union(g, n.level);
    c.groupCaps = g;
    c.capsDone = true;
  }
  return c.groupCaps;
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
  return withGrants(ix, u, membershipOf(ix, u));
}

/** `p` (the user's membership profile, from {@link membershipOf}) with its rules and grants compiled. */
export function withGrants(ix: Index, u: UserNode, p: Profile): Profile {
  if (p.grantEpoch !== ix.grantEpoch) compileGrants(ix, u, p);
  return p;
}
