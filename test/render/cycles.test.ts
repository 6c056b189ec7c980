/*
 * Cycle finding for the policy graph: the cyclic strongly connected components and one shortest
 * cycle through each, without recursion.
 */
import { describe, expect, it } from 'vitest';
import { cycleThrough, cyclicComponents } from '../../src/render/cycles.js';

/** Adjacency lists from edges. */
function graph(n: number, edges: readonly (readonly [number, number])[]): number[][] {
  const adj: number[][] = Array.from({ length: n }, () => []);
  for (const [a, b] of edges) adj[a]!.push(b);
  return adj;
}

describe('cyclicComponents', () => {
  it('finds nothing in a forest', () => {
    expect(cyclicComponents(graph(5, [[0, 1], [0, 2], [2, 3], [4, 3]]))).toEqual([]);
  });

  it('finds a self-loop, a two-cycle and a three-cycle, each once', () => {
    const adj = graph(8, [[0, 0], [1, 2], [2, 1], [3, 4], [4, 5], [5, 3], [5, 6], [7, 3]]);
    expect(cyclicComponents(adj)).toEqual([[0], [1, 2], [3, 4, 5]]);
  });

  it('merges cycles that share a node into one component', () => {
    const adj = graph(4, [[0, 1], [1, 0], [1, 2], [2, 1], [3, 3]]);
    expect(cyclicComponents(adj)).toEqual([[0, 1, 2], [3]]);
  });

  it('handles a chain 200,000 long ending in a cycle without overflowing the stack', () => {
    const n = 200_000;
    const adj: number[][] = Array.from({ length: n }, (_, i) => (i + 1 < n ? [i + 1] : [n - 3]));
    expect(cyclicComponents(adj)).toEqual([[n - 3, n - 2, n - 1]]);
  });
});

describe('cycleThrough', () => {
  it('returns a shortest cycle through the first node, the first repeated last', () => {
    const adj = graph(5, [[0, 1], [1, 2], [2, 3], [3, 0], [1, 3], [4, 4]]);
    expect(cycleThrough([0, 1, 2, 3], adj)).toEqual([0, 1, 3, 0]);
    expect(cycleThrough([4], adj)).toEqual([4, 4]);
  });

  it('stays inside the component', () => {
    const adj = graph(4, [[0, 3], [3, 0], [0, 1], [1, 2], [2, 0]]);
    expect(cycleThrough([0, 1, 2], adj)).toEqual([0, 1, 2, 0]);
  });
});
