import type { Id } from '../model/ids.js';

/**
 * Interns the ids of one kind to dense numbers 0, 1, 2, ... An interner only ever grows, so one
 * instance is shared by every snapshot of an engine: a number interned for a later snapshot has
 * no facts in an earlier one, which reads it as absent. Ids are Map keys (any string, NUL or
 * `__proto__` included); numbers never leave the engine.
 */
export class Interner {
  private readonly nums = new Map<Id, number>();
  private readonly idList: Id[] = [];

  /** The number of `id`, interning it if new. */
  intern(id: Id): number {
    let n = this.nums.get(id);
    if (n === undefined) {
      n = this.idList.length;
      this.nums.set(id, n);
      this.idList.push(id);
    }
    return n;
  }

  /** The number of `id`, or -1 when it was never interned. */
  numOf(id: Id): number {
    const n = this.nums.get(id);
    return n === undefined ? -1 : n;
  }

  /** The id of number `n`. */
  idOf(n: number): Id {
    const id = this.idList[n];
    if (id === undefined) throw new Error(`purview internal error: no id interned as ${n}`);
    return id;
  }

  /** How many ids are interned. */
  get size(): number {
    return this.idList.length;
  }
}
