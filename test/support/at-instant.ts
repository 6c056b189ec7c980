/*
 * Queries answered at a fixed instant, for tests of time-bound entries (record shares) until the
 * engine's `clock` and `{ asOf }` options land: the snapshot is compiled with a clock that always
 * reads `at`, which is what the engine's clock option does.
 */
import { buildSnapshot, newInterners } from '../../src/compile/apply.js';

import { queriesOver } from '../../src/engine/snapshot-view.js';
import type { Queries } from '../../src/engine/types.js';
import { normalizePolicy } from '../../src/model/normalize.js';
import type { PolicyInput } from '../../src/model/policy-input.js';
import { validatePolicy } from '../../src/validate/validate-policy.js';

/** Every query of an engine over `policy`, answered at instant `at` (epoch milliseconds). */
export function queriesAt(policy: PolicyInput, at: number): Queries {
  const p = normalizePolicy(policy);
  const compiled = buildSnapshot(p, validatePolicy(p), 0, newInterners(), () => at);
  return queriesOver(p, compiled);
}
