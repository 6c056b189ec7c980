/** A node of a forest that an Euler tour numbers. */
export interface TourNode<T> {
  readonly children: Set<T>;
  tin: number;
  tout: number;
}

/**
 * Numbers a forest so that "a is in b's subtree" is `b.tin <= a.tin && a.tout <= b.tout`.
 * Iterative: a chain of 100,000 roles does not touch the call stack.
 */
export function eulerTour<T extends TourNode<T>>(roots: Iterable<T>): void {
  let clock = 0;
  const stack: { node: T; it: Iterator<T> }[] = [];
  for (const root of roots) {
    root.tin = clock++;
    stack.push({ node: root, it: root.children.values() });
    while (stack.length > 0) {
      const top = stack[stack.length - 1] as { node: T; it: Iterator<T> };
      const next = top.it.next();
      if (next.done === true) {
        top.node.tout = clock++;
        stack.pop();
      } else {
        next.value.tin = clock++;
        stack.push({ node: next.value, it: next.value.children.values() });
      }
    }
  }
}

/** Whether `a` is `b` or in `b`'s subtree, by their tour numbers. */
export function within(a: { tin: number; tout: number }, b: { tin: number; tout: number }): boolean {
  return b.tin <= a.tin && a.tout <= b.tout;
}
