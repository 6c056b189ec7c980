import type { PolicyGraph } from './graph-model.js';

/*
 * A layered layout (a small Sugiyama): each node's layer is its longest path from a node with no
 * edge in, users always last; nodes in a layer are ordered by the mean position of their parents
 * (a few sweeps down and up), and a wide layer wraps into rows so that a few hundred nodes stay
 * readable. Linear in the edges per sweep.
 */

/** Where each node sits, and the picture's size. */
export interface Layout {
  readonly positions: ReadonlyMap<string, { readonly x: number; readonly y: number }>;
  readonly width: number;
  readonly height: number;
}

/** The size of a node's box and the gaps between boxes. */
export const NODE_WIDTH = 132;
export const NODE_HEIGHT = 30;
const GAP_X = 18;
const GAP_Y = 56;
const ROW_GAP = 14;
/** The most nodes in one row; a wider layer wraps (fewer in a small graph, so that it fits a screen). */
export const MAX_ROW = 24;

/** The row width for a graph of `n` nodes: about 1.3 times the square root, from 6 to {@link MAX_ROW}. */
export function rowWidth(n: number): number {
  return Math.min(MAX_ROW, Math.max(6, Math.round(1.3 * Math.sqrt(n))));
}

/** Lays `graph` out top to bottom. */
export function layoutGraph(graph: PolicyGraph): Layout {
  const keys = [...graph.nodes.keys()];
  const children = new Map<string, string[]>();
  const parents = new Map<string, string[]>();
  for (const k of keys) {
    children.set(k, []);
    parents.set(k, []);
  }
  for (const e of graph.edges) {
    children.get(e.from)?.push(e.to);
    parents.get(e.to)?.push(e.from);
  }
  // Longest path layering over a topological order (Kahn); nodes on a cycle (an invalid policy is never drawn, but be safe) keep layer 0.
  const layer = new Map<string, number>(keys.map((k) => [k, 0]));
  const indegree = new Map<string, number>(keys.map((k) => [k, parents.get(k)?.length ?? 0]));
  const queue = keys.filter((k) => indegree.get(k) === 0);
  for (let i = 0; i < queue.length; i++) {
    const k = queue[i] as string;
    const l = layer.get(k) ?? 0;
    for (const c of children.get(k) ?? []) {
      if ((layer.get(c) ?? 0) < l + 1) layer.set(c, l + 1);
      const d = (indegree.get(c) ?? 1) - 1;
      indegree.set(c, d);
      if (d === 0) queue.push(c);
    }
  }
  let last = 0;
  for (const k of keys) if (graph.nodes.get(k)?.kind !== 'user') last = Math.max(last, layer.get(k) ?? 0);
  for (const k of keys) if (graph.nodes.get(k)?.kind === 'user') layer.set(k, last + 1);

  const layers: string[][] = [];
  for (const k of keys) {
    const l = layer.get(k) ?? 0;
    while (layers.length <= l) layers.push([]);
    layers[l]?.push(k);
  }
  const compact = layers.filter((l) => l.length > 0);
  for (const l of compact) l.sort();

  // Barycenter ordering: a node's place is the mean place of its neighbours in the layer before.
  const order = new Map<string, number>();
  const number = (l: readonly string[]): void => l.forEach((k, i) => order.set(k, i / Math.max(1, l.length - 1)));
  compact.forEach(number);
  const sweep = (l: string[], neighbours: Map<string, string[]>): void => {
    const score = new Map<string, number>();
    for (const k of l) {
      const ns = (neighbours.get(k) ?? []).filter((n) => order.has(n));
      score.set(k, ns.length === 0 ? (order.get(k) ?? 0) : ns.reduce((s, n) => s + (order.get(n) ?? 0), 0) / ns.length);
    }
    l.sort((a, b) => (score.get(a) ?? 0) - (score.get(b) ?? 0) || (a < b ? -1 : a > b ? 1 : 0));
    number(l);
  };
  for (let round = 0; round < 4; round++) {
    for (let i = 1; i < compact.length; i++) sweep(compact[i] as string[], parents);
    for (let i = compact.length - 2; i >= 0; i--) sweep(compact[i] as string[], children);
  }

  const perRow = rowWidth(keys.length);
  const widest = Math.min(perRow, Math.max(1, ...compact.map((l) => l.length)));
  const width = widest * (NODE_WIDTH + GAP_X) + GAP_X;
  const positions = new Map<string, { x: number; y: number }>();
  let y = GAP_X;
  for (const l of compact) {
    for (let start = 0; start < l.length; start += perRow) {
      const row = l.slice(start, start + perRow);
      const rowWidth = row.length * (NODE_WIDTH + GAP_X) - GAP_X;
      let x = (width - rowWidth) / 2;
      for (const k of row) {
        positions.set(k, { x, y });
        x += NODE_WIDTH + GAP_X;
      }
      y += NODE_HEIGHT + ROW_GAP;
    }
    y += GAP_Y - ROW_GAP;
  }
  return { positions, width, height: y };
}
