/*
 * A persistent vector indexed by small integers: fixed-size chunks under one top array. Reading
 * is two array loads; an edit copies the top array once and each chunk it touches once, so a
 * change that touches k entries of n costs O(n / CHUNK + k * CHUNK), and every snapshot keeps
 * the chunks it shares with the others. Nothing here is ever mutated after `build()`.
 */

const SHIFT = 8;
/** Entries per chunk. */
export const CHUNK = 1 << SHIFT;
const MASK = CHUNK - 1;

type Chunk<T> = (T | undefined)[];

/** An immutable vector of `T | undefined`, indexed by 0 and up. */
export class PVec<T> {
  /** @internal */
  constructor(
    /** @internal */ readonly chunks: readonly (Chunk<T> | undefined)[],
  ) {}

  /** An empty vector. */
  static empty<T>(): PVec<T> {
    return new PVec<T>([]);
  }

  /** The entry at `i`, or undefined. */
  get(i: number): T | undefined {
    // Bounds first: an index past the end would read Array.prototype, which a caller may have polluted.
    const k = i >>> SHIFT;
    const c = k < this.chunks.length ? this.chunks[k] : undefined;
    return c === undefined ? undefined : c[i & MASK];
  }

  /** An editor that makes a new vector from this one, sharing what it does not touch. */
  edit(): PVecEditor<T> {
    return new PVecEditor(this);
  }

  /** Calls `f` for every entry that is set, in index order. */
  forEach(f: (value: T, index: number) => void): void {
    const chunks = this.chunks;
    for (let c = 0; c < chunks.length; c++) {
      const chunk = chunks[c];
      if (chunk === undefined) continue;
      for (let j = 0; j < chunk.length; j++) {
        const v = chunk[j];
        if (v !== undefined) f(v, (c << SHIFT) | j);
      }
    }
  }
}

/** Batches edits of a {@link PVec}: each chunk is copied at most once per editor, the top array on the first edit. */
export class PVecEditor<T> {
  private top: (Chunk<T> | undefined)[] | undefined;
  private readonly own = new Set<number>();
  private done = false;

  constructor(private readonly base: PVec<T>) {}

  /** Sets (or, with undefined, clears) the entry at `i`. */
  set(i: number, value: T | undefined): void {
    if (this.done) throw new Error('purview internal error: editing a vector after build()');
    const c = i >>> SHIFT;
    const top = (this.top ??= this.base.chunks.slice());
    let chunk = c < top.length ? top[c] : undefined;
    if (!this.own.has(c)) {
      if (chunk === undefined && value === undefined) return;
      chunk = chunk === undefined ? new Array<T | undefined>(CHUNK).fill(undefined) : chunk.slice();
      while (top.length <= c) top.push(undefined);
      top[c] = chunk;
      this.own.add(c);
    }
    (chunk as Chunk<T>)[i & MASK] = value;
  }

  /** The entry at `i` as edited so far. */
  get(i: number): T | undefined {
    if (this.top === undefined) return this.base.get(i);
    const k = i >>> SHIFT;
    const c = k < this.top.length ? this.top[k] : undefined;
    return c === undefined ? undefined : c[i & MASK];
  }

  /** The new vector (the base itself when nothing was set). The editor cannot be used afterwards. */
  build(): PVec<T> {
    this.done = true;
    return this.top === undefined ? this.base : new PVec<T>(this.top);
  }
}
