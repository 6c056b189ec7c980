import { commentText } from './escape.js';
import type { GraphEdge, GraphNode, PolicyGraph } from './graph-model.js';

/*
 * The words both renderers put on the graph: what each node's label says, what each edge's label
 * says, and the summary written as comments at the top. Plain text; each renderer escapes it.
 */

/** The lines of a node's label: its id, a group's name, then what is wrong or special about it. */
export function nodeLines(n: GraphNode): string[] {
  const lines = [n.id];
  if (n.name !== undefined) lines.push(n.name);
  const marks: string[] = [];
  if (n.missing) marks.push('not defined');
  if (n.duplicate) marks.push('defined more than once');
  if (n.inCycle) marks.push(n.kind === 'group' ? 'in a nesting cycle' : 'in a parent cycle');
  if (n.unreachable) marks.push('no members');
  if (n.inactive) marks.push('inactive');
  if (marks.length > 0) lines.push(`(${marks.join(', ')})`);
  return lines;
}

/** An edge's label, when its kind needs one: memberships through roles, a user's role, cycles. */
export function edgeLabel(e: GraphEdge): string | undefined {
  if (e.inCycle) return 'cycle';
  const kind = kindLabel(e);
  const bounds = e.bounds === undefined ? undefined : e.bounds.map((b) => [b.since === undefined ? '' : `since ${b.since}`, b.until === undefined ? '' : `until ${b.until}`].filter((x) => x !== '').join(' ')).join('; ');
  if (bounds === undefined) return kind;
  return kind === undefined ? bounds : `${kind}, ${bounds}`;
}

function kindLabel(e: GraphEdge): string | undefined {
  switch (e.kind) {
    case 'role':
      return 'role';
    case 'subtree':
      return 'role and subordinates';
    case 'has-role':
      return 'has role';
    default:
      return undefined;
  }
}

function count(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

/**
 * The summary, one comment line each (without the comment marker): what was drawn, how to read
 * the arrows, every cycle, every unreachable group and every missing reference. Ids are quoted
 * with {@link commentText}, so none can end a comment line.
 */
export function summaryLines(g: PolicyGraph): string[] {
  const defined = (kind: GraphNode['kind']): number => g.nodes.filter((n) => n.kind === kind && !n.missing).length;
  const drawn = [count(defined('role'), 'role', 'roles'), count(defined('group'), 'group', 'groups')];
  if (g.nodes.some((n) => n.kind === 'user')) drawn.push(count(defined('user'), 'user', 'users'));
  const lines = [
    `purview policy graph: ${drawn.join(', ')}`,
    'arrows point from a member to the group that contains it, and from a role to its parent role',
  ];
  for (const c of g.cycles) {
    lines.push(
      c.kind === 'group'
        ? `group cycle: ${c.ids.map(commentText).join(' contains ')}`
        : `role cycle: ${c.ids.map(commentText).join(' -> ')} (each the parent of the one before)`,
    );
  }
  if (g.unreachable.length > 0) lines.push(`groups no user reaches: ${g.unreachable.map(commentText).join(', ')}`);
  const missing = g.nodes.filter((n) => n.missing);
  if (missing.length > 0) lines.push(`referenced but not defined: ${missing.map((n) => `${n.kind} ${commentText(n.id)}`).join(', ')}`);
  const duplicates = g.nodes.filter((n) => n.duplicate);
  if (duplicates.length > 0) lines.push(`defined more than once: ${duplicates.map((n) => `${n.kind} ${commentText(n.id)}`).join(', ')}`);
  return lines;
}
