import { millisOf, type Instant } from '../model/instant.js';
import type { MembershipPath } from '../model/path.js';
import type { Reason } from './decision.js';

/*
 * The `until` of a reason: the earliest instant at which one of the time-bound entries that gave
 * it stops counting (a membership on one of its paths, the rule or grant itself). After it, the
 * reason may no longer hold; before it, nothing the reason rests on expires.
 */

/** The earliest `until` among the steps of some paths and some entries' own `until`s; undefined when none is bounded. */
export function earliestUntil(paths: readonly (MembershipPath | undefined)[], untils: readonly (Instant | undefined)[] = []): Instant | undefined {
  let best: Instant | undefined;
  let bestMs = Infinity;
  const consider = (u: Instant | undefined): void => {
    if (u === undefined) return;
    const ms = millisOf(u);
    if (ms < bestMs) {
      bestMs = ms;
      best = u;
    }
  };
  for (const path of paths) if (path !== undefined) for (const step of path) if (step.kind === 'group') consider(step.until);
  for (const u of untils) consider(u);
  return best;
}

/** A reason with its `until`, when it has one. */
export function bounded(reason: Reason, until: Instant | undefined): Reason {
  return until === undefined ? reason : { ...reason, until };
}
