/*
 * Cycles in a directed graph given as adjacency lists over node numbers 0..n-1: the strongly
 * connected components that hold a cycle, and one concrete cycle through each. Iterative, so a
 * chain 100,000 deep does not overflow the stack.
 */

/** The components (each a list of node numbers, ascending) that contain a cycle: two or more nodes, or one with an edge to itself. */
export function cyclicComponents(adjacency: readonly (readonly number[])[]): number[][] {
  const n = adjacency.length;
  const index = new Int32Array(n).fill(-1);
  const low = new Int32Array(n);
  const onStack = new Uint8Array(n);
  const stack: number[] = [];
  const out: number[][] = [];
  let next = 0;
  // Explicit DFS frames: the node and how many of its edges have been followed.
  const frames: { v: number; i: number }[] = [];
  for (let root = 0; root < n; root++) {
    if (index[root] !== -1) continue;
    frames.push({ v: root, i: 0 });
    index[root] = low[root] = next++;
    stack.push(root);
    onStack[root] = 1;
    while (frames.length > 0) {
      const f = frames[frames.length - 1] as { v: number; i: number };
      const edges = adjacency[f.v] ?? [];
      if (f.i < edges.length) {
        const w = edges[f.i++] as number;
        if (index[w] === -1) {
          index[w] = low[w] = next++;
          stack.push(w);
          onStack[w] = 1;
          frames.push({ v: w, i: 0 });
        } else if (onStack[w] === 1) {
          low[f.v] = Math.min(low[f.v] as number, index[w] as number);
        }
        continue;
      }
      frames.pop();
      const parent = frames[frames.length - 1];
      if (parent !== undefined) low[parent.v] = Math.min(low[parent.v] as number, low[f.v] as number);
      if (low[f.v] !== index[f.v]) continue;
      const component: number[] = [];
      let w: number;
      do {
        w = stack.pop() as number;
        onStack[w] = 0;
        component.push(w);
      } while (w !== f.v);
      if (component.length > 1 || edges.includes(f.v)) out.push(component.sort((a, b) => a - b));
    }
  }
  return out.sort((a, b) => (a[0] as number) - (b[0] as number));
}

/**
 * One shortest cycle through the smallest node of a cyclic component, following `adjacency`:
 * the nodes in order, with the first repeated at the end.
 */
export function cycleThrough(component: readonly number[], adjacency: readonly (readonly number[])[]): number[] {
  const inside = new Set(component);
  const start = component[0] as number;
  const previous = new Map<number, number>();
  const queue = [start];
  for (let head = 0; head < queue.length; head++) {
    const v = queue[head] as number;
    for (const w of adjacency[v] ?? []) {
      if (!inside.has(w)) continue;
      if (w === start) {
        const path = [start];
        for (let at: number | undefined = v; at !== undefined && at !== start; at = previous.get(at)) path.push(at);
        path.push(start);
        return path.reverse();
      }
      if (!previous.has(w)) {
        previous.set(w, v);
        queue.push(w);
      }
    }
  }
  return [start, start];
}
