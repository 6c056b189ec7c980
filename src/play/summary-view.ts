import type { Engine, Policy } from '../index.js';
import { h, fill } from './dom.js';
import { nodeKey, subgraph, type PolicyGraph } from './graph-model.js';

/*
 * The summary of a policy too large to draw whole: how many tenants, roles, groups and users,
 * how deep the nesting goes, and the way to see a part: searching a user, group or role draws its
 * neighbourhood (a user's groups with their paths and role chain; a group's containing and nested
 * groups and direct members; a role's chain and subordinates), at most NEIGHBOURHOOD nodes.
 */

/** Graphs with more nodes than this are summarized. */
export const DRAW_LIMIT = 600;
/** The most nodes a neighbourhood draws. */
export const NEIGHBOURHOOD = 300;

/** The summary panel of a large graph. */
export function summaryElement(policy: Policy): HTMLElement {
  const n = (x: number): string => x.toLocaleString('en');
  const memberships = [...policy.groups.values()].reduce((sum, g) => sum + g.members.users.length + g.members.groups.length + g.members.roles.length + g.members.rolesAndSubordinates.length, 0);
  const el = h('div', { id: 'summary', class: 'summary' });
  fill(
    el,
    h('p', {}, h('b', {}, 'Too large to draw whole: '), `${n(Math.max(1, policy.tenants.size))} tenant(s), ${n(policy.roles.size)} roles, ${n(policy.groups.size)} groups, ${n(policy.users.size)} users, ${n(memberships)} group entries (the graph draws up to ${n(DRAW_LIMIT)} nodes).`),
    h('p', {}, 'Search a user, group or role (or check a decision) to draw its neighbourhood.'),
  );
  return el;
}

/** The nodes around `key`: what a search in the summary view draws. */
export function neighbourhood(graph: PolicyGraph, engine: Engine, key: string, extra: Iterable<string> = []): PolicyGraph {
  const keys = new Set<string>([key]);
  const add = (k: string): void => {
    if (keys.size < NEIGHBOURHOOD && graph.nodes.has(k)) keys.add(k);
  };
  for (const k of extra) add(k); // what a decision marks (whoCan may mark thousands: the first ones)
  const node = graph.nodes.get(key);
  const policy = engine.policy;
  const roleChain = (role: string | undefined): void => {
    for (let r = role, n = 0; r !== undefined && n < 64; r = policy.roles.get(r)?.parent, n++) add(nodeKey('role', r));
  };
  if (node?.kind === 'user') {
    roleChain(policy.users.get(node.id)?.role);
    for (const g of engine.groupsOf(node.id, { paths: true })) for (const st of g.path) add(nodeKey(st.kind, st.id));
  } else if (node?.kind === 'group' || node?.kind === 'role' || node?.kind === 'tenant') {
    if (node.kind === 'role') roleChain(node.id);
    for (const e of graph.edges) if (e.to === key) add(e.from);
    for (const e of graph.edges) if (e.from === key) add(e.to);
  }
  return subgraph(graph, keys);
}
