/**
 * Run settings of the property suites.
 *  - `PURVIEW_RUNS` scales the number of cases (a factor: 0.1 for a smoke run, 10 for a soak).
 *  - `PURVIEW_SEED` and `PURVIEW_PATH` replay a counterexample: fast-check prints both on failure.
 *    Replay one test at a time, e.g.
 *    `PURVIEW_SEED=-1975469736 PURVIEW_PATH="3253:3:0:..." npx vitest run test/property/changes.test.ts -t "small policies"`.
 *  - `PURVIEW_NO_SHRINK=1` stops at the first counterexample without shrinking it (to see quickly
 *    that a planted bug is caught).
 */
import type fc from 'fast-check';

const seedRaw = process.env.PURVIEW_SEED;
const pathRaw = process.env.PURVIEW_PATH;
const factor = Number(process.env.PURVIEW_RUNS ?? '1');

/** fast-check parameters for a suite that should run about `runs` cases by default. */
export function runParams<T>(runs: number): fc.Parameters<T> {
  return {
    numRuns: Math.max(1, Math.round(runs * (Number.isFinite(factor) && factor > 0 ? factor : 1))),
    ...(seedRaw === undefined ? {} : { seed: Number(seedRaw) }),
    ...(pathRaw === undefined ? {} : { path: pathRaw }),
    endOnFailure: process.env.PURVIEW_NO_SHRINK === '1',
    // A bound on the whole run, shrinking included: a rare counterexample of a heavy property must
    // fail the suite in minutes, not shrink for an hour (a synchronous property cannot be stopped
    // by vitest's timeout). Scaled with PURVIEW_RUNS.
    interruptAfterTimeLimit: 300_000 * (Number.isFinite(factor) && factor > 1 ? factor : 1),
    markInterruptAsFailure: true,
  };
}

/** Whether a single counterexample is being replayed (coverage expectations do not apply then). */
export const replaying = pathRaw !== undefined;
