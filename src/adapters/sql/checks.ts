import { InvalidInputError, type ChangeRecord } from '../../index.js';

/** Throws `InvalidInputError` unless `change` may be appended at revision `expected` (shared by the SQL adapters). */
export function checkAppendArgs(change: ChangeRecord, expected: number): void {
  if (!Number.isSafeInteger(expected) || expected < 0) {
    throw new InvalidInputError({ message: `expected revision must be a non-negative integer, got ${String(expected)}`, path: ['expected'] });
  }
  if (typeof change !== 'object' || change === null || change.revision !== expected + 1) {
    throw new InvalidInputError({ message: `a change appended at revision ${expected} must have revision ${expected + 1}, got ${String((change as { revision?: unknown } | null)?.revision)}`, path: ['revision'] }
    );
  }
}

/** Throws `InvalidInputError` unless `keepLast` is a positive integer (`pruneChangeLog`). */
export function checkKeepLast(keepLast: unknown): asserts keepLast is number {
  if (!Number.isSafeInteger(keepLast) || (keepLast as number) < 1) {
    throw new InvalidInputError({ message: `keepLast must be a positive integer, got ${String(keepLast)}`, path: ['keepLast'] });
  }
}
