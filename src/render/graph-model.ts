import { cycleThrough, cyclicComponents } from './cycles.js';
import { bare } from '../model/shape.js';

/*
 * The policy as a graph, before any drawing: roles, groups and (on request) users as nodes;
 * parent roles and memberships as edges. It is built from RAW policy data, never validated,
 * because it exists to show what is wrong with a policy as well as what is in it: group and role
 * cycles are found and marked, references to ids that are not defined become `missing` nodes, and
 * groups that no user reaches are marked `unreachable`. Anything that is not shaped like a policy
 * entry is skipped.
 *
 * Every edge points from the member to what contains it, the way membership paths read: a user
 * to its groups and its role, a group to the groups it is nested in, a role to the groups that
 * list it, and a role to its parent role.
 */

/** What a node stands for. */
export type GraphNodeKind = 'role' | 'group' | 'user';

/** A role, group or user of the policy. */
export interface GraphNode {
  /** Its position in {@link PolicyGraph.nodes}; edges refer to nodes by it. */
  readonly index: number;
  readonly kind: GraphNodeKind;
  readonly id: string;
  /** The tenant it belongs to (`default` when not given); absent for a missing node. */
  readonly tenant?: string;
  /** A group's display name. */
  readonly name?: string;
  /** True for a user whose status is `inactive`. */
  readonly inactive: boolean;
  /** Referenced (as a member, a parent, a role) but not defined in the policy. */
  readonly missing: boolean;
  /** Defined more than once. */
  readonly duplicate: boolean;
  /** On a group-nesting cycle (groups) or a parent cycle (roles). */
  readonly inCycle: boolean;
  /** A group that no user is a member of, even through roles and nested groups. */
  readonly unreachable: boolean;
}

/**
 * What an edge means: `parent` (a role to its parent role), `group` (a group nested in a group),
 * `role` (a role listed in a group's `roles`), `subtree` (a role listed in `rolesAndSubordinates`),
 * `user` (a user listed in a group's `users`), `has-role` (a user to its role).
 */
export type GraphEdgeKind = 'parent' | 'group' | 'role' | 'subtree' | 'user' | 'has-role';

/** An edge from a member (or child role) to what contains it (or its parent role). */
export interface GraphEdge {
  readonly from: number;
  readonly to: number;
  readonly kind: GraphEdgeKind;
  /** Part of a group-nesting or role-parent cycle. */
  readonly inCycle: boolean;
  /**
   * For a membership listed only by time-bound entries: the bounds of each (as written). Absent
   * when a plain entry makes it a membership for good.
   */
  readonly bounds?: readonly { readonly since?: string; readonly until?: string }[];
}

/** A cycle, as the errors name it: each group contains the next, or each role's parent is the next. The first id is repeated last. */
export interface GraphCycle {
  readonly kind: 'group' | 'role';
  readonly ids: readonly string[];
}

/** A tenant that some drawn node belongs to. */
export interface GraphTenant {
  readonly id: string;
  readonly parent?: string;
}

/** The graph of a policy, in the order the policy lists things. */
export interface PolicyGraph {
  readonly nodes: readonly GraphNode[];
  readonly edges: readonly GraphEdge[];
  /** The tenants of the drawn nodes, the policy's order first; empty when everything is in `default`. */
  readonly tenants: readonly GraphTenant[];
  readonly cycles: readonly GraphCycle[];
  /** The ids of the groups no user reaches, in node order. */
  readonly unreachable: readonly string[];
}

/** Options of {@link buildPolicyGraph}. */
export interface GraphOptions {
  /** Draw users, with their group memberships and roles (default false: there can be many). */
  readonly users?: boolean;
}

const DEFAULT_TENANT = 'default';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** An own property of an object, or undefined: inherited names such as `constructor` never count. */
function own(o: unknown, key: string): unknown {
  if (typeof o !== 'object' || o === null) return undefined;
  return Object.prototype.hasOwnProperty.call(o, key) ? (o as Record<string, unknown>)[key] : undefined;
}

function idOf(v: unknown): string | undefined {
  return typeof v === 'string' && v.length > 0 ? v : undefined;
}

/** A member entry as drawn: its id and, for a time-bound one, its bounds. */
interface RawEntry {
  readonly id: string;
  readonly bound?: { readonly since?: string; readonly until?: string };
}

/** The entries of a raw member list: ids, and `{ id, since?, until? }` (read own properties only). */
function ids(v: unknown): RawEntry[] {
  if (!Array.isArray(v)) return [];
  const out: RawEntry[] = [];
  for (const x of v as unknown[]) {
    if (typeof x === 'string') {
      if (x.length > 0) out.push({ id: x });
      continue;
    }
    const id = idOf(own(x, 'id'));
    if (id === undefined) continue;
    const since = own(x, 'since');
    const until = own(x, 'until');
    const bound = bare({ ...(typeof since === 'string' ? { since } : {}), ...(typeof until === 'string' ? { until } : {}) });
    out.push(bound.since === undefined && bound.until === undefined ? { id } : { id, bound });
  }
  return out;
}

/**
 * The entries of a collection: a list as given, or the values of a Map or an engine's `IdMap`
 * sorted by id (their own order is not meaningful).
 */
function entries(collection: unknown): unknown[] {
  if (Array.isArray(collection)) return collection;
  if (typeof collection === 'object' && collection !== null && typeof (collection as { values?: unknown }).values === 'function') {
    let values: unknown[];
    try {
      values = [...(collection as { values(): Iterable<unknown> }).values()];
    } catch {
      return [];
    }
    const key = (v: unknown): string => idOf(own(v, 'id')) ?? '';
    return values.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  }
  return [];
}

interface RawGroup {
  readonly id: string;
  readonly users: RawEntry[];
  readonly roles: RawEntry[];
  readonly subtrees: RawEntry[];
  readonly groups: RawEntry[];
}

/** Which groups some defined user is a member of, through any path. */
function reachedGroups(groups: readonly RawGroup[], users: readonly { id: string; role?: string }[], parentOf: ReadonlyMap<string, string>): Set<string> {
  const userIds = new Set(users.map((u) => u.id));
  const staffed = new Set<string>();
  for (const u of users) if (u.role !== undefined) staffed.add(u.role);
  // A role's subtree is staffed when a user has a role at or below it: walk up from each staffed role.
  const staffedBelow = new Set<string>();
  for (const r of staffed) {
    for (let at: string | undefined = r; at !== undefined && !staffedBelow.has(at); at = parentOf.get(at)) staffedBelow.add(at);
  }
  const containers = new Map<string, string[]>();
  const reached = new Set<string>();
  const queue: string[] = [];
  for (const g of groups) {
    for (const { id: m } of g.groups) {
      const list = containers.get(m);
      if (list === undefined) containers.set(m, [g.id]);
      else list.push(g.id);
    }
    // Time ignored: an entry that is not in effect today still reaches the group some day.
    if (!reached.has(g.id) && (g.users.some((u) => userIds.has(u.id)) || g.roles.some((r) => staffed.has(r.id)) || g.subtrees.some((r) => staffedBelow.has(r.id)))) {
      reached.add(g.id);
      queue.push(g.id);
    }
  }
  for (let head = 0; head < queue.length; head++) {
    for (const c of containers.get(queue[head] as string) ?? []) {
      if (!reached.has(c)) {
        reached.add(c);
        queue.push(c);
      }
    }
  }
  return reached;
}

/**
 * Builds the graph of a policy given as plain data (a `PolicyInput`, parsed YAML or JSON, or an
 * engine's `policy`). Nothing is validated: malformed entries are skipped, undefined references
 * become missing nodes, cycles are found and marked.
 */
export function buildPolicyGraph(policy: unknown, options: GraphOptions = {}): PolicyGraph {
  const drawUsers = options.users === true;
  const nodes: Mutable<GraphNode>[] = [];
  const byKind: Record<GraphNodeKind, Map<string, Mutable<GraphNode>>> = { role: new Map(), group: new Map(), user: new Map() };

  const define = (kind: GraphNodeKind, id: string, tenant: string, extra: { name?: string; inactive?: boolean }): void => {
    const existing = byKind[kind].get(id);
    if (existing !== undefined) {
      existing.duplicate = true;
      return;
    }
    // Prototype-less, and `extra` read own properties only: an absent `name` stays absent
    // whatever another library put on Object.prototype.
    const name = own(extra, 'name') as string | undefined;
    const node: Mutable<GraphNode> = Object.setPrototypeOf(
      {
        index: nodes.length,
        kind,
        id,
        tenant,
        ...(name === undefined ? {} : { name }),
        inactive: own(extra, 'inactive') === true,
        missing: false,
        duplicate: false,
        inCycle: false,
        unreachable: false,
      },
      null,
    ) as Mutable<GraphNode>;
    nodes.push(node);
    byKind[kind].set(id, node);
  };
  /** The node for a reference, created as missing when the policy does not define it. */
  const ref = (kind: GraphNodeKind, id: string): Mutable<GraphNode> => {
    let node = byKind[kind].get(id);
    if (node === undefined) {
      node = { index: nodes.length, kind, id, inactive: false, missing: true, duplicate: false, inCycle: false, unreachable: false };
      nodes.push(node);
      byKind[kind].set(id, node);
    }
    return node;
  };

  // Definitions first, so that node order is the policy's order: roles, groups, users.
  const parentOf = new Map<string, string>();
  const roleEntries: { id: string; parent?: string }[] = [];
  for (const r of entries(own(policy, 'roles'))) {
    const id = idOf(own(r, 'id'));
    if (id === undefined) continue;
    const parent = idOf(own(r, 'parent'));
    if (!parentOf.has(id) && !byKind.role.has(id) && parent !== undefined) parentOf.set(id, parent);
    define('role', id, idOf(own(r, 'tenant')) ?? DEFAULT_TENANT, {});
    roleEntries.push(bare(parent === undefined ? { id } : { id, parent }));
  }
  const groups: RawGroup[] = [];
  for (const g of entries(own(policy, 'groups'))) {
    const id = idOf(own(g, 'id'));
    if (id === undefined) continue;
    const m = own(g, 'members');
    groups.push({ id, users: ids(own(m, 'users')), roles: ids(own(m, 'roles')), subtrees: ids(own(m, 'rolesAndSubordinates')), groups: ids(own(m, 'groups')) });
    const name = own(g, 'name');
    define('group', id, idOf(own(g, 'tenant')) ?? DEFAULT_TENANT, typeof name === 'string' && name !== id && name !== '' ? { name } : {});
  }
  const users: { id: string; role?: string }[] = [];
  for (const u of entries(own(policy, 'users'))) {
    const id = idOf(own(u, 'id'));
    if (id === undefined) continue;
    const role = idOf(own(u, 'role'));
    users.push(bare(role === undefined ? { id } : { id, role }));
    if (drawUsers) define('user', id, idOf(own(u, 'tenant')) ?? DEFAULT_TENANT, { inactive: own(u, 'status') === 'inactive' });
  }

  // Edges, each once.
  const edges: Mutable<GraphEdge>[] = [];
  const seen = new Map<string, Mutable<GraphEdge>>();
  const edge = (from: Mutable<GraphNode>, to: Mutable<GraphNode>, kind: GraphEdgeKind, bound?: RawEntry['bound']): void => {
    const key = `${from.index} ${to.index} ${kind}`;
    const had = seen.get(key);
    if (had !== undefined) {
      // A plain entry makes the membership permanent; time-bound ones add their bounds.
      if (bound === undefined) delete had.bounds;
      else if (had.bounds !== undefined) had.bounds = [...had.bounds, bound];
      return;
    }
    const e: Mutable<GraphEdge> = { from: from.index, to: to.index, kind, inCycle: false, ...(bound === undefined ? {} : { bounds: [bound] }) };
    seen.set(key, e);
    edges.push(e);
  };
  for (const r of roleEntries) if (r.parent !== undefined) edge(ref('role', r.id), ref('role', r.parent), 'parent');
  for (const g of groups) {
    const group = ref('group', g.id);
    for (const m of g.groups) edge(ref('group', m.id), group, 'group', m.bound);
    for (const m of g.roles) edge(ref('role', m.id), group, 'role', m.bound);
    for (const m of g.subtrees) edge(ref('role', m.id), group, 'subtree', m.bound);
    if (drawUsers) for (const m of g.users) edge(ref('user', m.id), group, 'user', m.bound);
  }
  if (drawUsers) for (const u of users) if (u.role !== undefined) edge(ref('user', u.id), ref('role', u.role), 'has-role');

  // Cycles: group nesting (read as "contains", from the container to the member) and role parents.
  const cycles: GraphCycle[] = [];
  const markCycles = (kind: 'group' | 'role', edgeKind: GraphEdgeKind, forward: boolean): void => {
    const adjacency: number[][] = nodes.map(() => []);
    for (const e of edges) {
      if (e.kind !== edgeKind) continue;
      if (forward) adjacency[e.from]?.push(e.to);
      else adjacency[e.to]?.push(e.from);
    }
    const componentOf = new Map<number, number>();
    cyclicComponents(adjacency).forEach((component, c) => {
      for (const v of component) {
        componentOf.set(v, c);
        (nodes[v] as Mutable<GraphNode>).inCycle = true;
      }
      cycles.push({ kind, ids: cycleThrough(component, adjacency).map((v) => (nodes[v] as GraphNode).id) });
    });
    for (const e of edges) {
      if (e.kind === edgeKind && componentOf.has(e.from) && componentOf.get(e.from) === componentOf.get(e.to)) e.inCycle = true;
    }
  };
  markCycles('group', 'group', false);
  markCycles('role', 'parent', true);

  const reached = reachedGroups(groups, users, parentOf);
  const unreachable: string[] = [];
  for (const n of nodes) {
    if (n.kind === 'group' && !n.missing && !reached.has(n.id)) {
      n.unreachable = true;
      unreachable.push(n.id);
    }
  }

  return { nodes, edges, tenants: tenantsOf(policy, nodes), cycles, unreachable };
}

/** The tenants the drawn nodes live in, in the policy's order; none when all of them are in `default`. */
function tenantsOf(policy: unknown, nodes: readonly GraphNode[]): GraphTenant[] {
  const used = new Set<string>();
  for (const n of nodes) if (n.tenant !== undefined) used.add(n.tenant);
  if (used.size === 0 || (used.size === 1 && used.has(DEFAULT_TENANT))) return [];
  const out: GraphTenant[] = [];
  const listed = new Set<string>();
  for (const t of entries(own(policy, 'tenants'))) {
    const id = idOf(own(t, 'id'));
    if (id === undefined || listed.has(id) || !used.has(id)) continue;
    listed.add(id);
    const parent = idOf(own(t, 'parent'));
    out.push(bare(parent === undefined ? { id } : { id, parent }));
  }
  for (const n of nodes) {
    if (n.tenant !== undefined && !listed.has(n.tenant)) {
      listed.add(n.tenant);
      out.push(bare({ id: n.tenant }));
    }
  }
  return out;
}
