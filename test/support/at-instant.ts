/*
 * Queries answered at a fixed instant: an engine whose clock always reads `at` (what
 * `createEngine({ clock })` is for), so that a test can ask at the bounds of time-bound entries
 * and record shares without passing `{ asOf }` to every query.
 */
import { createEngine } from '../../src/engine/create-engine.js';
import type { Queries } from '../../src/engine/types.js';
import type { PolicyInput } from '../../src/model/policy-input.js';

/** Every query of an engine over `policy`, answered at instant `at` (epoch milliseconds). */
export function queriesAt(policy: PolicyInput, at: number): Queries {
  return createEngine({ policy, clock: () => at });
}
