import type { ErrorPath } from '../errors/errors.js';
import { describe, fail } from './shape.js';

/** Checks a revision number: a whole number of 0 or more (what `Number(header)` gives for a missing header, NaN, is not one). */
export function readRevision(value: unknown, path: ErrorPath): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    fail(path, `expected a revision (a whole number of 0 or more), got ${describe(value)}`);
  }
  return value;
}
