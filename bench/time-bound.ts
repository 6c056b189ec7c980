/*
 * The cost of time-bound entries on the hot path (issue 12): `can()` on the same queries, by an
 * engine over the workload's policy as it is (no time-bound entry) and by one over the same
 * policy with about 10% of its member entries time-bound. Every bound lies years away from the
 * run (since 2001-2020, until 2031-2099), so both engines give the same answers and the
 * difference is what time costs a check that is not near a boundary: reading the clock and
 * finding the view of its interval. The two are measured in alternating rounds, so that a change
 * of the machine's load falls on both.
 */
import { createEngine, type Engine, type PolicyInput, type Resource } from '../src/index.js';
import { nsPerOpBatches, stats, timed, type Stats } from './measure.js';
import type { Queries, Workload } from './workload.js';

export interface TimeBoundResult {
  readonly timedEntries: number;
  readonly memberEntries: number;
  readonly boundaries: number;
  readonly buildMs: number;
  readonly baseBuildMs: number;
  readonly canPerOp: Stats;
  readonly baseCanPerOp: Stats;
  readonly agree: boolean;
}

/** A deterministic instant string: year, month, day from `n`. */
function instant(year: number, n: number): string {
  const month = String(1 + (n % 12)).padStart(2, '0');
  const day = String(1 + (n % 28)).padStart(2, '0');
  return `${year}-${month}-${day}T${String(n % 24).padStart(2, '0')}:00:00Z`;
}

/** The policy with every tenth member entry time-bound, far from now. */
export function withTimeBounds(policy: PolicyInput): { policy: PolicyInput; timed: number; total: number; boundaries: number } {
  let n = 0;
  let timedCount = 0;
  const instants = new Set<string>();
  const mark = <T extends { since?: string; until?: string }>(e: T): T => {
    if (e.since !== undefined) instants.add(e.since);
    if (e.until !== undefined) instants.add(e.until);
    return e;
  };
  const groups = (policy.groups ?? []).map((g) => {
    const m = g.members ?? {};
    const retime = (list: readonly (string | { id: string })[] | undefined): (string | { id: string; since?: string; until?: string })[] | undefined =>
      list?.map((e) => {
        n++;
        if (n % 10 !== 0 || typeof e !== 'string') return e;
        timedCount++;
        return mark(n % 20 === 0 ? { id: e, until: instant(2031 + (n % 69), n) } : { id: e, since: instant(2001 + (n % 20), n), until: instant(2031 + (n % 69), n + 1) });
      });
    return {
      ...g,
      members: {
        ...(m.users === undefined ? {} : { users: retime(m.users) }),
        ...(m.roles === undefined ? {} : { roles: retime(m.roles) }),
        ...(m.rolesAndSubordinates === undefined ? {} : { rolesAndSubordinates: retime(m.rolesAndSubordinates) }),
        ...(m.groups === undefined ? {} : { groups: retime(m.groups) }),
      },
    };
  });
  return { policy: { ...policy, groups } as PolicyInput, timed: timedCount, total: n, boundaries: instants.size };
}

function run(engine: Engine, q: Queries, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) if (engine.can(q.users[i] as string, q.actions[i] as string, q.resources[i] as Resource)) n++;
  return n;
}

/** Measures `can()` with and without time-bound entries, in alternating rounds. */
export function timeBound(opts: { engine: Engine; w: Workload; q: Queries; baseBuildMs: number; log: (s: string) => void }): TimeBoundResult {
  const { engine, w, q, log } = opts;
  const t = withTimeBounds(w.policy);
  const built = timed(() => createEngine({ policy: t.policy }));
  const timedEngine = built.value;
  log(`time-bound: ${t.timed} of ${t.total} member entries bounded, build ${built.ms.toFixed(0)} ms`);
  let agree = true;
  for (let i = 0; i < q.users.length; i++) {
    const u = q.users[i] as string;
    const a = q.actions[i] as string;
    const r = q.resources[i] as Resource;
    if (engine.can(u, a, r) !== timedEngine.can(u, a, r)) agree = false;
  }
  run(timedEngine, q, 0, q.users.length);
  const base: number[] = [];
  const withTime: number[] = [];
  const passes = Math.max(1, Math.ceil(400_000 / q.users.length));
  for (let round = 0; round < 6; round++) {
    base.push(...nsPerOpBatches(q.users.length, 1_000, passes, (f, to) => run(engine, q, f, to)).samples);
    withTime.push(...nsPerOpBatches(q.users.length, 1_000, passes, (f, to) => run(timedEngine, q, f, to)).samples);
  }
  const result = {
    timedEntries: t.timed,
    memberEntries: t.total,
    boundaries: t.boundaries,
    buildMs: built.ms,
    baseBuildMs: opts.baseBuildMs,
    canPerOp: stats(withTime),
    baseCanPerOp: stats(base),
    agree,
  };
  log(`time-bound: can() median ${result.canPerOp.median.toFixed(0)} ns/op vs ${result.baseCanPerOp.median.toFixed(0)} ns/op without (${((result.canPerOp.median / result.baseCanPerOp.median - 1) * 100).toFixed(1)}%), answers ${agree ? 'agree' : 'DISAGREE'}`);
  return result;
}
