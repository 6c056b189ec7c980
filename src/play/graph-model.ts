import type { Id, MemberEntry, Policy } from '../index.js';

/*
 * The graph the playground draws, read from a valid policy: tenants, roles, groups and users as
 * nodes; the tenant tree, the role hierarchy, group nesting and memberships as edges. Edges point
 * down: from the parent, the containing group or the group listing a member, to the child.
 */

/** What a node stands for. */
export type NodeKind = 'tenant' | 'role' | 'group' | 'user';

/** What an edge says, from its `from` (above) to its `to` (below). */
export type EdgeKind = 'tenant' | 'parent' | 'nests' | 'member' | 'member-role' | 'member-subtree' | 'has-role';

/** A node: `key` is `kind:id`, so that a group and a role of the same id stay two nodes. */
export interface GraphNode {
  readonly key: string;
  readonly kind: NodeKind;
  readonly id: Id;
  readonly label: string;
  readonly tenant: Id;
}

/** An edge between two node keys. */
export interface GraphEdge {
  readonly key: string;
  readonly from: string;
  readonly to: string;
  readonly kind: EdgeKind;
}

/** The whole graph of a policy. */
export interface PolicyGraph {
  readonly nodes: ReadonlyMap<string, GraphNode>;
  readonly edges: readonly GraphEdge[];
  /** Counts per kind, for the summary view. */
  readonly counts: Readonly<Record<NodeKind, number>>;
}

/** The key of a node. */
export function nodeKey(kind: NodeKind, id: Id): string {
  return `${kind}:${id}`;
}

/** The key of an edge. */
export function edgeKey(from: string, to: string): string {
  return `${from}\u0000${to}`;
}

const entryId = (e: MemberEntry): Id => (typeof e === 'string' ? e : e.id);

/** The graph of `policy` (a normalized policy, as `engine.policy` holds it). */
export function policyGraph(policy: Policy): PolicyGraph {
  const nodes = new Map<string, GraphNode>();
  const edges: GraphEdge[] = [];
  const seen = new Set<string>();
  const add = (kind: NodeKind, id: Id, tenant: Id, label = id): void => {
    nodes.set(nodeKey(kind, id), { key: nodeKey(kind, id), kind, id, label, tenant });
  };
  const edge = (from: string, to: string, kind: EdgeKind): void => {
    const key = edgeKey(from, to);
    if (seen.has(key) || !nodes.has(from) || !nodes.has(to)) return;
    seen.add(key);
    edges.push({ key, from, to, kind });
  };
  for (const t of policy.tenants.values()) add('tenant', t.id, t.id);
  for (const r of policy.roles.values()) add('role', r.id, r.tenant);
  for (const g of policy.groups.values()) add('group', g.id, g.tenant, g.name ?? g.id);
  for (const u of policy.users.values()) add('user', u.id, u.tenant);
  // tenants used without being declared (the default tenant, usually) are drawn too
  for (const n of [...nodes.values()]) if (!nodes.has(nodeKey('tenant', n.tenant))) add('tenant', n.tenant, n.tenant);

  for (const t of policy.tenants.values()) if (t.parent !== undefined) edge(nodeKey('tenant', t.parent), nodeKey('tenant', t.id), 'tenant');
  for (const r of policy.roles.values()) {
    if (r.parent !== undefined) edge(nodeKey('role', r.parent), nodeKey('role', r.id), 'parent');
    else edge(nodeKey('tenant', r.tenant), nodeKey('role', r.id), 'tenant');
  }
  const nested = new Set<Id>();
  for (const g of policy.groups.values()) for (const e of g.members.groups) nested.add(entryId(e));
  for (const g of policy.groups.values()) {
    const from = nodeKey('group', g.id);
    if (!nested.has(g.id)) edge(nodeKey('tenant', g.tenant), from, 'tenant');
    for (const e of g.members.groups) edge(from, nodeKey('group', entryId(e)), 'nests');
    for (const e of g.members.roles) edge(from, nodeKey('role', entryId(e)), 'member-role');
    for (const e of g.members.rolesAndSubordinates) edge(from, nodeKey('role', entryId(e)), 'member-subtree');
    for (const e of g.members.users) edge(from, nodeKey('user', entryId(e)), 'member');
  }
  for (const u of policy.users.values()) if (u.role !== undefined) edge(nodeKey('role', u.role), nodeKey('user', u.id), 'has-role');
  // a user in no group and without a role hangs under its tenant
  const reached = new Set(edges.map((e) => e.to));
  for (const u of policy.users.values()) if (!reached.has(nodeKey('user', u.id))) edge(nodeKey('tenant', u.tenant), nodeKey('user', u.id), 'tenant');
  return {
    nodes,
    edges,
    counts: { tenant: [...nodes.values()].filter((n) => n.kind === 'tenant').length, role: policy.roles.size, group: policy.groups.size, user: policy.users.size },
  };
}

/** The part of `graph` made of `keys` and the edges between them. */
export function subgraph(graph: PolicyGraph, keys: ReadonlySet<string>): PolicyGraph {
  const nodes = new Map<string, GraphNode>();
  for (const k of keys) {
    const n = graph.nodes.get(k);
    if (n !== undefined) nodes.set(k, n);
  }
  const edges = graph.edges.filter((e) => nodes.has(e.from) && nodes.has(e.to));
  return { nodes, edges, counts: graph.counts };
}
