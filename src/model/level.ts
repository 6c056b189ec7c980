/**
 * Record-level access, ordered `none < read < readWrite < full`.
 * @example
 * ```ts
 * const need: Level = 'readWrite';
 * ```
 */
export type Level = 'none' | 'read' | 'readWrite' | 'full';

/** Every level, lowest first; a level's index is its rank. */
export const LEVELS: readonly Level[] = Object.freeze(['none', 'read', 'readWrite', 'full']);

/** The rank of a level (0 for `none` to 3 for `full`), or -1 when `value` is not a level. */
export function levelRank(value: unknown): number {
  switch (value) {
    case 'none':
      return 0;
    case 'read':
      return 1;
    case 'readWrite':
      return 2;
    case 'full':
      return 3;
    default:
      return -1;
  }
}

/** The level of a rank produced by {@link levelRank}. */
export function levelOfRank(rank: number): Level {
  return LEVELS[rank] ?? 'none';
}
