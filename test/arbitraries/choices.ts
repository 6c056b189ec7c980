/**
 * A stream of choices that builders consume one number at a time. Generating a structure from a
 * fixed-length array of small naturals lets fast-check shrink it (each number toward 0, and 0 is
 * always the simplest choice: fewest entities, no optional field), while the builder guarantees
 * validity by construction. Counterexamples print the built value, not the numbers.
 */
export class Choices {
  private at = 0;
  constructor(private readonly stream: readonly number[]) {}

  /** A number in `0 .. n-1` (0 when `n <= 1` or the stream is exhausted). */
  int(n: number): number {
    if (n <= 1) {
      return 0;
    }
    const v = this.stream[this.at++] ?? 0;
    return v % n;
  }

  /** True with probability about 1/`oneIn` (false is the simplest). */
  chance(oneIn: number): boolean {
    return this.int(oneIn) === oneIn - 1;
  }

  /** One element of a non-empty list (the first is the simplest). */
  pick<T>(list: readonly T[]): T {
    if (list.length === 0) throw new Error('pick from an empty list');
    return list[this.int(list.length)] as T;
  }

  /** Up to `max` distinct elements of `list`, in list order of picking. */
  distinct<T>(list: readonly T[], max: number): T[] {
    const pool = [...list];
    const n = Math.min(this.int(max + 1), pool.length);
    const out: T[] = [];
    for (let i = 0; i < n; i++) out.push(...pool.splice(this.int(pool.length), 1));
    return out;
  }

  /** Each element kept with probability about 1/`oneIn`. */
  subset<T>(list: readonly T[], oneIn = 3): T[] {
    return list.filter(() => this.chance(oneIn));
  }
}

/** How many numbers a scenario builder may read. */
export const STREAM_LENGTH = 700;
