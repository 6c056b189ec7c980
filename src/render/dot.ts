import { edgeLabel, nodeLines, summaryLines } from './describe.js';
import { dotLabel, dotName } from './escape.js';
import type { GraphEdge, GraphNode, PolicyGraph } from './graph-model.js';

/*
 * A policy graph in Graphviz DOT. Node names are the kind and the id, quoted and escaped
 * (`"group:sales"`), so that a role and a group may share an id; labels are escaped separately,
 * with backslashes doubled so that Graphviz shows them instead of reading `\n` or `\N`. Roles are
 * rounded boxes, groups boxes, users ellipses; a tenant is a cluster. Cycles are thick red, groups
 * no user reaches dashed grey, missing references dashed red.
 */

const RED = '#c5221f';

const FILL: Readonly<Record<GraphNode['kind'], string>> = { role: '#e8f0fe', group: '#fef7e0', user: '#f1f3f4' };

/** The quoted DOT name of a node. */
export function dotNodeName(n: Pick<GraphNode, 'kind' | 'id'>): string {
  return `"${n.kind}:${dotName(n.id)}"`;
}

function attrs(list: readonly (readonly [string, string])[]): string {
  return list.length === 0 ? '' : ` [${list.map(([k, v]) => `${k}=${v}`).join(', ')}]`;
}

function nodeStatement(n: GraphNode): string {
  const style = ['filled'];
  if (n.kind === 'role') style.push('rounded');
  if (n.unreachable || n.missing) style.push('dashed');
  const list: [string, string][] = [
    ['label', `"${nodeLines(n).map(dotLabel).join('\\n')}"`],
    ['shape', n.kind === 'user' ? 'ellipse' : 'box'],
    ['style', `"${style.join(',')}"`],
    ['fillcolor', `"${n.unreachable || n.missing ? '#ffffff' : FILL[n.kind]}"`],
  ];
  if (n.inCycle || n.missing) list.push(['color', `"${RED}"`], ['fontcolor', `"${RED}"`]);
  else if (n.unreachable) list.push(['color', '"#80868b"'], ['fontcolor', '"#5f6368"']);
  if (n.inCycle) list.push(['penwidth', '3']);
  return `${dotNodeName(n)}${attrs(list)};`;
}

function edgeStatement(e: GraphEdge, nodes: readonly GraphNode[]): string {
  const list: [string, string][] = [];
  const label = edgeLabel(e);
  if (label !== undefined) list.push(['label', `"${dotLabel(label)}"`]);
  if (e.inCycle) list.push(['color', `"${RED}"`], ['fontcolor', `"${RED}"`], ['penwidth', '3']);
  else if (e.kind === 'role' || e.kind === 'subtree') list.push(['style', 'dashed']);
  else if (e.kind === 'has-role') list.push(['style', 'dotted']);
  return `${dotNodeName(nodes[e.from] as GraphNode)} -> ${dotNodeName(nodes[e.to] as GraphNode)}${attrs(list)};`;
}

/**
 * Renders a policy graph as a DOT digraph (`rankdir=BT`: members below the groups that contain
 * them, roles below their parents). Deterministic: the same graph gives the same text.
 */
export function renderDot(g: PolicyGraph): string {
  const lines = summaryLines(g).map((l) => `// ${l}`);
  lines.push('digraph policy {', '  rankdir=BT;', '  node [fontname="Helvetica", fontsize=11];', '  edge [fontname="Helvetica", fontsize=9];');
  if (g.nodes.length === 0) lines.push('  "empty" [label="no roles or groups", shape=plaintext];');
  if (g.tenants.length === 0) {
    for (const n of g.nodes) lines.push(`  ${nodeStatement(n)}`);
  } else {
    g.tenants.forEach((t, i) => {
      const title = t.parent === undefined ? `tenant ${t.id}` : `tenant ${t.id}, under ${t.parent}`;
      lines.push(`  subgraph "cluster_${i}" {`, `    label="${dotLabel(title)}";`, '    style=rounded;', '    color="#9aa0a6";');
      for (const n of g.nodes) if (n.tenant === t.id) lines.push(`    ${nodeStatement(n)}`);
      lines.push('  }');
    });
    for (const n of g.nodes) if (n.tenant === undefined) lines.push(`  ${nodeStatement(n)}`);
  }
  for (const e of g.edges) lines.push(`  ${edgeStatement(e, g.nodes)}`);
  lines.push('}');
  return `${lines.join('\n')}\n`;
}
