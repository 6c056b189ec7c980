import { edgeLabel, nodeLines, summaryLines } from './describe.js';
import { mermaidText } from './escape.js';
import type { GraphEdge, GraphNode, PolicyGraph } from './graph-model.js';

/*
 * A policy graph as a Mermaid flowchart. Node ids are `n0`, `n1`, ... (never the policy's ids, so
 * no id can clash with a Mermaid keyword or another node); the ids are shown in quoted labels,
 * escaped with entity codes. Roles are rounded boxes, groups boxes, users stadiums; a tenant is a
 * subgraph. Cycles are thick red, groups no user reaches dashed grey, missing references dashed red.
 */

const SHAPES: Readonly<Record<GraphNode['kind'], readonly [string, string]>> = {
  role: ['(', ')'],
  group: ['[', ']'],
  user: ['([', '])'],
};

const CLASS_DEFS: readonly (readonly [string, string])[] = [
  ['role', 'fill:#e8f0fe,stroke:#3367d6,color:#202124'],
  ['group', 'fill:#fef7e0,stroke:#b06000,color:#202124'],
  ['user', 'fill:#f1f3f4,stroke:#5f6368,color:#202124'],
  ['unreachable', 'fill:#f8f9fa,stroke:#80868b,stroke-dasharray:6 4,color:#5f6368'],
  ['missing', 'fill:#ffffff,stroke:#c5221f,stroke-dasharray:3 3,color:#c5221f'],
  ['cycle', 'stroke:#c5221f,stroke-width:3px,color:#c5221f'],
];

const CYCLE_LINK = 'stroke:#c5221f,stroke-width:3px';

/** A comment line; `%` is escaped too, so that no id can form a `%%{...}%%` directive. */
function comment(text: string): string {
  return `%% ${text.replace(/%/g, '\\u0025')}`;
}

function nodeLine(n: GraphNode): string {
  const [open, close] = SHAPES[n.kind];
  return `n${n.index}${open}"${nodeLines(n).map(mermaidText).join('<br>')}"${close}`;
}

function edgeLine(e: GraphEdge): string {
  const arrow = e.inCycle ? '==>' : e.kind === 'role' || e.kind === 'subtree' || e.kind === 'has-role' ? '-.->' : '-->';
  const label = edgeLabel(e);
  return `n${e.from} ${arrow}${label === undefined ? '' : `|"${mermaidText(label)}"|`} n${e.to}`;
}

/** The classes of a node, the marks last so that their styles win. */
function classesOf(n: GraphNode): string[] {
  const out: string[] = [n.kind];
  if (n.unreachable) out.push('unreachable');
  if (n.missing) out.push('missing');
  if (n.inCycle) out.push('cycle');
  return out;
}

/**
 * Renders a policy graph as Mermaid flowchart text (`flowchart BT`: members below the groups that
 * contain them, roles below their parents). Deterministic: the same graph gives the same text.
 */
export function renderMermaid(g: PolicyGraph): string {
  const lines = summaryLines(g).map(comment);
  lines.push('flowchart BT');
  if (g.nodes.length === 0) lines.push('  empty["no roles or groups"]');
  if (g.tenants.length === 0) {
    for (const n of g.nodes) lines.push(`  ${nodeLine(n)}`);
  } else {
    g.tenants.forEach((t, i) => {
      const title = t.parent === undefined ? `tenant ${t.id}` : `tenant ${t.id}, under ${t.parent}`;
      lines.push(`  subgraph t${i}["${mermaidText(title)}"]`);
      for (const n of g.nodes) if (n.tenant === t.id) lines.push(`    ${nodeLine(n)}`);
      lines.push('  end');
    });
    for (const n of g.nodes) if (n.tenant === undefined) lines.push(`  ${nodeLine(n)}`);
  }
  for (const e of g.edges) lines.push(`  ${edgeLine(e)}`);

  const members = new Map<string, number[]>();
  for (const n of g.nodes) {
    for (const c of classesOf(n)) {
      const list = members.get(c);
      if (list === undefined) members.set(c, [n.index]);
      else list.push(n.index);
    }
  }
  for (const [name, style] of CLASS_DEFS) if (members.has(name)) lines.push(`  classDef ${name} ${style}`);
  for (const [name] of CLASS_DEFS) {
    const list = members.get(name);
    if (list !== undefined) lines.push(`  class ${list.map((i) => `n${i}`).join(',')} ${name}`);
  }
  const cycleLinks = g.edges.flatMap((e, i) => (e.inCycle ? [i] : []));
  if (cycleLinks.length > 0) lines.push(`  linkStyle ${cycleLinks.join(',')} ${CYCLE_LINK}`);
  return `${lines.join('\n')}\n`;
}
