import type { Decision, MembershipPath, Reason, Resource } from '../index.js';
import { nodeKey } from './graph-model.js';

/*
 * What a decision or a membership says on the graph: the nodes its paths pass through and the
 * edges between consecutive steps (either direction, since the graph's edges point down).
 */

/** Nodes and edges to highlight. */
export interface Marks {
  readonly nodes: Set<string>;
  readonly edges: [string, string][];
}

/** Empty marks. */
export function noMarks(): Marks {
  return { nodes: new Set(), edges: [] };
}

/** Adds `path` to `marks`. */
export function markPath(marks: Marks, path: MembershipPath): void {
  let before: string | undefined;
  for (const step of path) {
    const key = nodeKey(step.kind, step.id);
    marks.nodes.add(key);
    if (before !== undefined) marks.edges.push([before, key], [key, before]);
    before = key;
  }
}

function markReason(marks: Marks, r: Reason): void {
  markPath(marks, r.path);
  if (r.ownerPath !== undefined) markPath(marks, r.ownerPath);
  for (const p of r.parent?.reasons ?? []) markReason(marks, p);
}

/** The marks of a decision: every reason's path, and the record's owner. */
export function decisionMarks(d: Decision, resource: Resource): Marks {
  const marks = noMarks();
  marks.nodes.add(nodeKey('user', d.user));
  for (const r of d.reasons) markReason(marks, r);
  const owner = resource.owner;
  if (owner !== undefined) marks.nodes.add('user' in owner ? nodeKey('user', owner.user) : nodeKey('group', owner.group));
  return marks;
}
