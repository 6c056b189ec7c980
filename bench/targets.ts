/*
 * Issue 11's benchmark targets, each measured against a baseline taken in the same run:
 *
 *  1. `can()` against an interned-integer closure (bench/closure-baseline.ts) on the same 100,000
 *     queries, in interleaved batches;
 *  2. `engine.for(user).can()`, 50 checks per bound user, against the closure on the same calls;
 *  3. `whoCan(action, record)` against `can()` for every user on the same record;
 *  4. a pinned snapshot queried after a change landed against building from the plain policy;
 *  5. the p99 of a single membership change (GC included) against 1,000 closure checks;
 *  6. the first checks after a sharing-rule edit against the same checks warm;
 *  7. build and heap, reported against the previous figures in bench/results/<size>.json.
 *
 * Public API only (createEngine's engine and its methods), plus bench/measure.ts.
 *
 * Run: node --expose-gc --import tsx bench/run.ts --size small --peers none --only targets
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { levelRank, toPolicyInput } from '../src/index.js';
import type { Engine } from '../src/engine/types.js';
import type { Resource } from '../src/model/resource.js';
import type { SharingRuleInput } from '../src/model/policy-input.js';
import { CLOSURE_SOURCES, ClosureBaseline } from './closure-baseline.js';
import { exactHeap, fmtBytes, fmtInt, fmtMs, fmtNs, GcRecorder, heapUsed, now, perfNow, schedstat, stats, table, timed, type Interval, type Stats } from './measure.js';
import { ACTIONS, balancedQueries, Rng, type Queries, type SizeName, type Workload } from './workload.js';

/* ------------------------------------------------------------------------------------------ */
/* Inputs and results                                                                           */

export interface TargetsInput {
  readonly engine: Engine;
  readonly w: Workload;
  readonly size: SizeName;
  readonly seed: number;
  /** The `can` section's queries, when it ran (reused when it has 100,000 of them). */
  readonly main: Queries | undefined;
  /** The build section's runs (createEngine from the plain policy), in ms. */
  readonly buildRuns: readonly number[];
  /** heapUsed before the first build (the workload alone). */
  readonly heapBase: number;
  readonly log: (msg: string) => void;
}

/** One row of the targets table. */
export interface TargetRow {
  readonly target: string;
  readonly purview: string;
  readonly baseline: string;
  /** purview / baseline; undefined when there is no baseline. */
  readonly ratio: number | undefined;
  /** The ratio the target asks for at most (`undefined`: report only). */
  readonly targetRatio: number | undefined;
  /** Whether the ratio is strictly below the target (target 2) instead of at most. */
  readonly strict?: boolean;
  readonly met: boolean | undefined;
  readonly note: string;
}

export interface TargetsResult {
  readonly rows: TargetRow[];
  readonly closure: {
    readonly buildMs: number;
    readonly heapBytes: number;
    readonly covers: string;
    readonly queries: number;
    /** Queries where the closure's answer equals "a source it implements allows" (from check()). */
    readonly agreeCovered: number;
    /** Queries where the closure's answer equals can(). */
    readonly agreeCan: number;
    /** can() allows, only through sources the closure does not implement. */
    readonly allowedUncovered: number;
    /** The closure allows, can() denies (must be 0). */
    readonly closureOnly: number;
  };
  readonly can: { readonly purview: Stats; readonly closure: Stats; readonly pairedRatio: Stats; readonly batches: number; readonly passes: number; readonly allowShare: number };
  readonly bound: { readonly sessions: number; readonly checksPerSession: number; readonly purview: Stats; readonly closure: Stats; readonly pairedRatio: Stats; readonly unbound: Stats; readonly boundOverUnbound: Stats; readonly allowShare: number; readonly agree: number };
  readonly whoCan: { readonly records: number; readonly users: number; readonly whoCanMs: number[]; readonly loopMs: number[]; readonly ratio: number; readonly agree: number; readonly meanAllowed: number };
  readonly snapshot: { readonly samples: number; readonly totalMs: Stats; readonly snapshotMs: Stats; readonly changeMs: Stats; readonly firstCanMs: Stats; readonly secondCanMs: Stats; readonly buildMs: number; readonly consistent: number };
  readonly membership: {
    readonly samples: number;
    readonly all: Stats;
    readonly add: Stats;
    readonly remove: Stats;
    readonly gcShare: number;
    readonly preemptShare: number;
    /** The samples without a GC pause or preemption inside. */
    readonly quiet: Stats;
    readonly closure1000Ms: number;
  };
  readonly sharingEdit: { readonly rule: string; readonly reached: number; readonly owned: number; readonly checks: number; readonly cycles: number; readonly coldMs: number[]; readonly warmMs: number[]; readonly editMs: number[]; readonly ratio: Stats; readonly allowedByLevel: Record<string, number> } | undefined;
  readonly build: { readonly medianMs: number; readonly runs: readonly number[]; readonly previousMs: number | undefined; readonly previousSrc: string | undefined };
  readonly heap: { readonly exact: boolean; readonly bytes: number; readonly previousBytes: number | undefined };
}

/** Counts per size (100,000 queries at every size, as the targets ask). */
const COUNTS = {
  small: { queries: 100_000, sessions: 2_000, whoCanRecords: 20, whoCanReps: 3, snapshots: 20, warmPairs: 100, pairs: 500, sharingChecks: 1_000, sharingCycles: 6 },
  medium: { queries: 100_000, sessions: 2_000, whoCanRecords: 20, whoCanReps: 3, snapshots: 10, warmPairs: 100, pairs: 500, sharingChecks: 1_000, sharingCycles: 6 },
  large: { queries: 100_000, sessions: 2_000, whoCanRecords: 20, whoCanReps: 3, snapshots: 5, warmPairs: 100, pairs: 500, sharingChecks: 1_000, sharingCycles: 6 },
} as const;

const CHECKS_PER_SESSION = 50;
const BATCH = 1_000;

/* ------------------------------------------------------------------------------------------ */
/* Monomorphic loops (one call site per engine, so that neither is penalized by the other)       */

function runCan(e: Engine, q: Queries, from: number, to: number): number {
  let n = 0;
  const { users, actions, resources } = q;
  for (let i = from; i < to; i++) if (e.can(users[i] as string, actions[i] as string, resources[i] as Resource)) n++;
  return n;
}

function runClosure(c: ClosureBaseline, q: Queries, from: number, to: number): number {
  let n = 0;
  const { users, actions, resources } = q;
  for (let i = from; i < to; i++) if (c.can(users[i] as string, actions[i] as string, resources[i] as Resource)) n++;
  return n;
}

interface Sessions {
  readonly users: string[];
  /** CHECKS_PER_SESSION per session, flat. */
  readonly actions: string[];
  readonly resources: Resource[];
}

function runBound(e: Engine, s: Sessions, from: number, to: number): number {
  let n = 0;
  for (let k = from; k < to; k++) {
    const me = e.for(s.users[k] as string);
    const base = k * CHECKS_PER_SESSION;
    for (let j = base; j < base + CHECKS_PER_SESSION; j++) if (me.can(s.actions[j] as string, s.resources[j] as Resource)) n++;
  }
  return n;
}

function runBoundClosure(c: ClosureBaseline, s: Sessions, from: number, to: number): number {
  let n = 0;
  for (let k = from; k < to; k++) {
    const user = s.users[k] as string;
    const base = k * CHECKS_PER_SESSION;
    for (let j = base; j < base + CHECKS_PER_SESSION; j++) if (c.can(user, s.actions[j] as string, s.resources[j] as Resource)) n++;
  }
  return n;
}

/**
 * Times `a` and `b` on the same slices, interleaved: each slice runs both, the order alternating
 * from slice to slice, so that drift in the machine's speed falls on both alike. Returns ns per
 * unit of each slice and the paired ratio a / b per slice.
 */
function interleaved(
  count: number,
  slice: number,
  passes: number,
  unitsPerItem: number,
  a: (from: number, to: number) => number,
  b: (from: number, to: number) => number,
): { a: Stats; b: Stats; ratio: Stats; sinkA: number; sinkB: number; slices: number } {
  const as: number[] = [];
  const bs: number[] = [];
  const rs: number[] = [];
  let sinkA = 0;
  let sinkB = 0;
  let k = 0;
  for (let p = 0; p < passes; p++) {
    for (let from = 0; from < count; from += slice, k++) {
      const to = Math.min(count, from + slice);
      const units = (to - from) * unitsPerItem;
      let ta: number;
      let tb: number;
      if (k % 2 === 0) {
        let t0 = now();
        sinkA += a(from, to);
        ta = now() - t0;
        t0 = now();
        sinkB += b(from, to);
        tb = now() - t0;
      } else {
        let t0 = now();
        sinkB += b(from, to);
        tb = now() - t0;
        t0 = now();
        sinkA += a(from, to);
        ta = now() - t0;
      }
      as.push(ta / units);
      bs.push(tb / units);
      rs.push(ta / tb);
    }
  }
  return { a: stats(as), b: stats(bs), ratio: stats(rs), sinkA, sinkB, slices: k };
}

/** A record owned by group `g`: one of the workload's, or a synthetic one (records are supplied per call). */
function recordOfGroup(w: Workload, g: number): Resource {
  const i = w.groupRecord[g] as number;
  return i >= 0 ? (w.records[i] as Resource) : { type: 'account', id: `probe-${g}`, owner: { group: w.groupIds[g] as string } };
}

/** The previous figures of this size (bench/results/<size>.json), when the file is there. */
function previousFigures(size: SizeName): { buildMs: number | undefined; heapBytes: number | undefined; src: string | undefined } {
  const path = fileURLToPath(new URL(`./results/${size}.json`, import.meta.url));
  const none = { buildMs: undefined, heapBytes: undefined, src: undefined };
  if (!existsSync(path)) return none;
  try {
    const r = JSON.parse(readFileSync(path, 'utf8')) as { build?: { median?: unknown }; heap?: Record<string, unknown>; machine?: { src?: unknown } };
    const num = (x: unknown): number | undefined => (typeof x === 'number' && Number.isFinite(x) ? x : undefined);
    const base = num(r.heap?.base);
    const top = num(r.heap?.afterWhoCan) ?? num(r.heap?.afterQueries);
    return {
      buildMs: num(r.build?.median),
      heapBytes: base !== undefined && top !== undefined ? top - base : undefined,
      src: typeof r.machine?.src === 'string' ? r.machine.src : undefined,
    };
  } catch {
    return none;
  }
}

/* ------------------------------------------------------------------------------------------ */
/* The section                                                                                  */

export async function targets(input: TargetsInput): Promise<TargetsResult> {
  const { engine, w, size, seed, log } = input;
  const C = COUNTS[size];
  const rows: TargetRow[] = [];
  const rng = new Rng(seed + 11);
  // Every change this section makes is put back; checked at the end against the policy it started from.
  const startPolicy = engine.policy;
  const previous = previousFigures(size);

  // 7 (heap first, before this section allocates anything): a can() per user compiles every profile.
  {
    let sink = 0;
    w.userIds.forEach((u, i) => {
      if (engine.can(u, 'view', w.records[i % w.records.length] as Resource)) sink++;
    });
    void sink;
  }
  const heapBytes = heapUsed() - input.heapBase;
  log(`targets: heap after a can() per user: ${fmtBytes(heapBytes)}${exactHeap ? '' : ' (approximate)'}`);

  // The closure.
  const h0 = heapUsed();
  const cb = timed(() => new ClosureBaseline(w.policy));
  const closure = cb.value;
  const closureHeap = heapUsed() - h0;
  log(`targets: closure built in ${fmtMs(cb.ms)} (${fmtBytes(closureHeap)})`);

  // 1. can() against the closure, same queries, interleaved batches.
  const q: Queries = input.main !== undefined && input.main.users.length === C.queries ? input.main : balancedQueries(w, C.queries, seed + 2, (u, a, r) => engine.can(u, a, r));
  const n = q.users.length;
  let agreeCovered = 0;
  let agreeCan = 0;
  let allowedUncovered = 0;
  let closureOnly = 0;
  for (let i = 0; i < n; i++) {
    const u = q.users[i] as string;
    const a = q.actions[i] as string;
    const r = q.resources[i] as Resource;
    const d = engine.check(u, a, r);
    const need = levelRank(d.required);
    const covered = d.allowed && d.reasons.some((x) => CLOSURE_SOURCES.has(x.source) && levelRank(x.level) >= need);
    const c = closure.can(u, a, r);
    if (c === covered) agreeCovered++;
    if (c === engine.can(u, a, r)) agreeCan++;
    if (d.allowed && !covered) allowedUncovered++;
    if (c && !d.allowed) closureOnly++;
  }
  log(`targets: closure agrees on ${fmtInt(agreeCovered)}/${fmtInt(n)} queries by the rules it implements; with can() on ${fmtInt(agreeCan)}/${fmtInt(n)}; can() allows ${fmtInt(allowedUncovered)} through sharing rules / access groups only; closure-only allows: ${closureOnly}`);
  for (let k = 0; k < 2; k++) {
    runCan(engine, q, 0, n);
    runClosure(closure, q, 0, n);
  }
  const passes = Math.max(3, Math.ceil(1_000_000 / n));
  const t1 = interleaved(n, BATCH, passes, 1, (f, t) => runCan(engine, q, f, t), (f, t) => runClosure(closure, q, f, t));
  log(`targets: can() ${fmtNs(t1.a.median)}/op vs closure ${fmtNs(t1.b.median)}/op, paired ratio median ${t1.ratio.median.toFixed(2)}`);
  const covers = 'owner, group-owner (nesting, roles, rolesAndSubordinates; capped by groupOwnerLevel), role hierarchy; not sharing rules, access groups, org defaults, status, tenants, access levels';
  rows.push({
    target: '1. `can()` vs interned-integer closure',
    purview: `${fmtNs(t1.a.median)}/op`,
    baseline: `${fmtNs(t1.b.median)}/op`,
    ratio: t1.ratio.median,
    targetRatio: 1.25,
    met: t1.ratio.median <= 1.25,
    note: `median of ${fmtInt(t1.slices)} paired batches of ${fmtInt(BATCH)} (${fmtInt(n)} queries × ${passes} passes, order alternating); paired ratio p99 ${t1.ratio.p99.toFixed(2)}. Closure covers ${covers}; it agrees with \`check()\` on ${fmtInt(agreeCovered)}/${fmtInt(n)} queries by those rules (${fmtInt(agreeCan)}/${fmtInt(n)} with \`can()\` outright: ${fmtInt(allowedUncovered)} allowed only through sharing rules or access groups; ${closureOnly} allowed by the closure alone)`,
  });

  // 2. engine.for(user).can(): 50 checks per bound user.
  const byGroup = new Map<string, number[]>();
  const byUser = new Map<string, number[]>();
  w.records.forEach((r, i) => {
    const key = 'group' in r.owner! ? r.owner!.group : r.owner!.user;
    const m = 'group' in r.owner! ? byGroup : byUser;
    const list = m.get(key);
    if (list === undefined) m.set(key, [i]);
    else list.push(i);
  });
  const sessions: Sessions = { users: [], actions: [], resources: [] };
  for (let k = 0; k < C.sessions; k++) {
    const u = w.userIds[rng.int(w.userIds.length)] as string;
    sessions.users.push(u);
    // About half the records related to the user (its own, its groups'), the rest at random.
    const groups = [...closure.groupsOf(u)];
    const own = byUser.get(u) ?? [];
    for (let j = 0; j < CHECKS_PER_SESSION; j++) {
      let rec: Resource | undefined;
      if (j % 2 === 0) {
        for (let tries = 0; tries < 20 && rec === undefined; tries++) {
          if (own.length > 0 && (groups.length === 0 || rng.chance(0.3))) rec = w.records[rng.pick(own)];
          else if (groups.length > 0) {
            const list = byGroup.get(w.groupIds[rng.pick(groups)] as string);
            if (list !== undefined) rec = w.records[rng.pick(list)];
          } else break;
        }
      }
      sessions.resources.push(rec ?? (w.records[rng.int(w.records.length)] as Resource));
      sessions.actions.push(rng.pick(ACTIONS));
    }
  }
  let boundAgree = 0;
  let boundAllowed = 0;
  for (let k = 0; k < C.sessions; k++) {
    const u = sessions.users[k] as string;
    const me = engine.for(u);
    for (let j = k * CHECKS_PER_SESSION; j < (k + 1) * CHECKS_PER_SESSION; j++) {
      const a = sessions.actions[j] as string;
      const r = sessions.resources[j] as Resource;
      const x = me.can(a, r);
      if (x) boundAllowed++;
      if (x === engine.can(u, a, r)) boundAgree++;
    }
  }
  const checks = C.sessions * CHECKS_PER_SESSION;
  for (let k = 0; k < 2; k++) {
    runBound(engine, sessions, 0, C.sessions);
    runBoundClosure(closure, sessions, 0, C.sessions);
  }
  const sessionsPerSlice = Math.max(1, Math.round(BATCH / CHECKS_PER_SESSION));
  const t2 = interleaved(C.sessions, sessionsPerSlice, Math.max(3, Math.ceil(1_000_000 / checks)), CHECKS_PER_SESSION, (f, t) => runBound(engine, sessions, f, t), (f, t) => runBoundClosure(closure, sessions, f, t));
  // For reference: the bound view against engine.can(user, ...) on the same calls.
  const runUnbound = (f: number, t: number): number => {
    let x = 0;
    for (let k = f; k < t; k++) {
      const u = sessions.users[k] as string;
      for (let j = k * CHECKS_PER_SESSION; j < (k + 1) * CHECKS_PER_SESSION; j++) if (engine.can(u, sessions.actions[j] as string, sessions.resources[j] as Resource)) x++;
    }
    return x;
  };
  runUnbound(0, C.sessions);
  const t2u = interleaved(C.sessions, sessionsPerSlice, 3, CHECKS_PER_SESSION, (f, t) => runBound(engine, sessions, f, t), runUnbound);
  log(`targets: for(user).can() ${fmtNs(t2.a.median)}/check vs closure ${fmtNs(t2.b.median)}/check, paired ratio ${t2.ratio.median.toFixed(2)}; vs engine.can() on the same calls ${fmtNs(t2u.b.median)}/check (bound / unbound ${t2u.ratio.median.toFixed(2)})`);
  rows.push({
    target: '2. `engine.for(user).can()`, 50 checks per bound user, vs closure',
    purview: `${fmtNs(t2.a.median)}/check`,
    baseline: `${fmtNs(t2.b.median)}/check`,
    ratio: t2.ratio.median,
    targetRatio: 1,
    strict: true,
    met: t2.ratio.median < 1,
    note: `${fmtInt(C.sessions)} sessions (a random user, bound once, the \`for()\` call timed; 50 records, every other one owned by the user or one of its groups); the closure answers the same (user, action, record) calls unbound; batches of ${sessionsPerSlice} sessions, paired; ${((boundAllowed / checks) * 100).toFixed(0)}% allowed; bound view agrees with \`engine.can()\` on ${fmtInt(boundAgree)}/${fmtInt(checks)}; for reference, \`engine.can(user, ...)\` on the same calls: ${fmtNs(t2u.b.median)}/check (bound / unbound, paired: ${t2u.ratio.median.toFixed(2)})`,
  });

  // 3. whoCan(action, record) vs can() for every user.
  const whoCanMs: number[] = [];
  const loopMs: number[] = [];
  let whoAgree = 0;
  let allowedSum = 0;
  const users = w.userIds;
  const loop = (a: string, r: Resource): string[] => {
    const out: string[] = [];
    for (const u of users) if (engine.can(u, a, r)) out.push(u);
    return out;
  };
  // Warm-up on other records: the first calls compile what whoCan needs, and the JIT the loops.
  for (let k = 0; k < 5; k++) {
    const r0 = w.records[(k * 7919) % w.records.length] as Resource;
    const a0 = ACTIONS[k % ACTIONS.length] as string;
    engine.whoCan(a0, r0);
    loop(a0, r0);
  }
  for (let k = 0; k < C.whoCanRecords; k++) {
    const r = w.records[rng.int(w.records.length)] as Resource;
    const a = rng.pick(ACTIONS);
    const ws: number[] = [];
    const ls: number[] = [];
    let who: string[] = [];
    let all: string[] = [];
    for (let rep = 0; rep < C.whoCanReps; rep++) {
      const order = (k + rep) % 2 === 0;
      if (order) {
        const x = timed(() => engine.whoCan(a, r));
        const y = timed(() => loop(a, r));
        ws.push(x.ms);
        ls.push(y.ms);
        who = x.value;
        all = y.value;
      } else {
        const y = timed(() => loop(a, r));
        const x = timed(() => engine.whoCan(a, r));
        ws.push(x.ms);
        ls.push(y.ms);
        who = x.value;
        all = y.value;
      }
    }
    const sorted = [...all].sort();
    if (sorted.length === who.length && sorted.every((u, i) => u === who[i])) whoAgree++;
    allowedSum += who.length;
    whoCanMs.push(stats(ws).median);
    loopMs.push(stats(ls).median);
  }
  const sumW = whoCanMs.reduce((s, x) => s + x, 0);
  const sumL = loopMs.reduce((s, x) => s + x, 0);
  const ratio3 = sumW / sumL;
  log(`targets: whoCan ${fmtMs(sumW / C.whoCanRecords)} vs can() × ${fmtInt(users.length)} users ${fmtMs(sumL / C.whoCanRecords)} per record (ratio ${ratio3.toFixed(3)}); answers agree on ${whoAgree}/${C.whoCanRecords}`);
  rows.push({
    target: '3. `whoCan(action, record)` vs `can()` for every user',
    purview: `${fmtMs(sumW / C.whoCanRecords)}/record`,
    baseline: `${fmtMs(sumL / C.whoCanRecords)}/record`,
    ratio: ratio3,
    targetRatio: 1 / 20,
    met: ratio3 <= 1 / 20,
    note: `${C.whoCanRecords} random records and actions, median of ${C.whoCanReps} interleaved runs each, ratio of the totals; ${fmtInt(users.length)} users; ${(allowedSum / C.whoCanRecords).toFixed(1)} allowed on average; the two answers are the same list on ${whoAgree}/${C.whoCanRecords}`,
  });

  // 4. A pinned snapshot, queried after a change landed, vs building from the plain policy.
  const buildMedian = stats(input.buildRuns).median;
  const snapTotal: number[] = [];
  const snapSnap: number[] = [];
  const snapChange: number[] = [];
  const snapFirst: number[] = [];
  const snapSecond: number[] = [];
  let consistent = 0;
  for (let k = 0; k < C.snapshots; k++) {
    // A user who is not a member of group g, and a record g owns: the change makes it a member.
    let g = 0;
    let ui = 0;
    for (let tries = 0; tries < 1_000; tries++) {
      g = rng.int(w.groupIds.length);
      ui = rng.int(users.length);
      if (!closure.groupsOf(users[ui] as string).has(g)) break;
    }
    const gid = w.groupIds[g] as string;
    const uid = users[ui] as string;
    const rec = recordOfGroup(w, g);
    const before = engine.can(uid, 'view', rec);
    const t0 = now();
    const s = engine.snapshot();
    const t1s = now();
    engine.updateSync((d) => {
      const grp = d.groups.get(gid);
      if (grp === undefined) throw new Error(`no group ${gid}`);
      grp.members.users.push(uid);
    });
    const t2s = now();
    const first = s.can(uid, 'view', rec);
    const t3s = now();
    const second = s.can(uid, 'edit', rec);
    const t4s = now();
    void second;
    const after = engine.can(uid, 'view', rec);
    if (first === before && after) consistent++;
    snapTotal.push((t3s - t0) / 1e6);
    snapSnap.push((t1s - t0) / 1e6);
    snapChange.push((t2s - t1s) / 1e6);
    snapFirst.push((t3s - t2s) / 1e6);
    snapSecond.push((t4s - t3s) / 1e6);
    // Put the policy back as it was.
    engine.updateSync((d) => {
      const grp = d.groups.get(gid);
      if (grp === undefined) throw new Error(`no group ${gid}`);
      const i = grp.members.users.lastIndexOf(uid);
      if (i >= 0) grp.members.users.splice(i, 1);
    });
  }
  const st = stats(snapTotal);
  const ratio4 = st.median / buildMedian;
  log(`targets: snapshot + change + first can() on the old snapshot: median ${fmtMs(st.median)} (first can() ${fmtMs(stats(snapFirst).median)}) vs build ${fmtMs(buildMedian)}; consistent ${consistent}/${C.snapshots}`);
  rows.push({
    target: '4. pinned snapshot: `snapshot()` + one change + first `can()` on the old snapshot, vs build',
    purview: fmtMs(st.median),
    baseline: fmtMs(buildMedian),
    ratio: ratio4,
    targetRatio: 1 / 100,
    met: ratio4 <= 1 / 100,
    note: `median of ${C.snapshots} (p99 ${fmtMs(st.p99)}): snapshot() ${fmtMs(stats(snapSnap).median)}, the change (updateSync: a user into a group it was not in) ${fmtMs(stats(snapChange).median)}, the first can() on the old snapshot ${fmtMs(stats(snapFirst).median)}, a second one ${fmtMs(stats(snapSecond).median)}; baseline: createEngine from the plain policy, median of the ${input.buildRuns.length} builds of the build section; the old snapshot answered as before the change and the engine as after it in ${consistent}/${C.snapshots}`,
  });

  // 5. A single membership change, p99 with GC included, vs 1,000 closure checks.
  const gcr = new GcRecorder();
  const add: number[] = [];
  const remove: number[] = [];
  const spans: Interval[] = [];
  const preempted: boolean[] = [];
  const wait = (): number => schedstat()?.wait ?? 0;
  const seen = new Set<string>();
  for (let k = 0; k < C.warmPairs + C.pairs; k++) {
    let g = 0;
    let u = 0;
    for (let tries = 0; tries < 1_000; tries++) {
      g = rng.int(w.groupIds.length);
      u = rng.int(users.length);
      if (!seen.has(`${g}/${u}`) && !(w.groupUsers[g] as number[]).includes(u)) break;
    }
    seen.add(`${g}/${u}`);
    const gid = w.groupIds[g] as string;
    const member = { user: users[u] as string };
    const w0 = wait();
    const a0 = perfNow();
    const ta = now();
    await engine.addMember(gid, member);
    const tb = now();
    const a1 = perfNow();
    const w1 = wait();
    await engine.removeMember(gid, member);
    const tc = now();
    const a2 = perfNow();
    const w2 = wait();
    if (k < C.warmPairs) continue;
    add.push((tb - ta) / 1e6);
    remove.push((tc - tb) / 1e6);
    spans.push({ start: a0, end: a1 }, { start: a1, end: a2 });
    preempted.push(w1 > w0, w2 > w1);
  }
  await gcr.flush();
  const samples = add.flatMap((x, i) => [x, remove[i] as number]);
  const withGc = spans.map((iv) => gcr.pauseIn(iv) > 0);
  const gcHit = withGc.filter((x) => x).length;
  const preemptHit = preempted.filter((x) => x).length;
  const quiet = stats(samples.filter((_, i) => !withGc[i] && !preempted[i]));
  gcr.stop();
  const allChanges = stats([...add, ...remove]);
  const closure1000Ms = (t1.b.median * 1_000) / 1e6;
  const ratio5 = allChanges.p99 / closure1000Ms;
  log(`targets: membership change p99 ${fmtMs(allChanges.p99)} (median ${fmtMs(allChanges.median)}, GC in ${gcHit}/${add.length + remove.length}) vs 1,000 closure checks ${fmtMs(closure1000Ms)}`);
  rows.push({
    target: '5. single membership change, p99 (GC included) vs 1,000 closure checks',
    purview: fmtMs(allChanges.p99),
    baseline: fmtMs(closure1000Ms),
    ratio: ratio5,
    targetRatio: 1,
    met: ratio5 <= 1,
    note: `${C.pairs} addMember + ${C.pairs} removeMember (user into a group that does not list it, then out again), each awaited, after ${C.warmPairs} unmeasured pairs; wall clock, no forced GC; median ${fmtMs(allChanges.median)}, max ${fmtMs(allChanges.max)}; addMember p99 ${fmtMs(stats(add).p99)}, removeMember p99 ${fmtMs(stats(remove).p99)}; a GC pause fell in ${gcHit} of ${fmtInt(samples.length)} and the thread was preempted in ${preemptHit}; p99 of the other ${fmtInt(quiet.n)}: ${fmtMs(quiet.p99)}; baseline: 1,000 × the closure's median ns/op of target 1`,
  });

  // 6. The first checks after a sharing-rule edit vs the same checks warm.
  let sharingEdit: TargetsResult['sharingEdit'];
  {
    const rules = (w.policy.sharingRules ?? []).map((rule) => ({ rule, reached: closure.usersOf(rule.to) })).sort((x, y) => y.reached.length - x.reached.length);
    let pick: { rule: SharingRuleInput; reached: string[]; owned: Resource[] } | undefined;
    for (const { rule, reached } of rules.slice(0, 5)) {
      if (reached.length === 0) continue;
      const owned = w.records.filter((r) => r.type === rule.resourceType && closure.ownedBy(rule.from, r.owner!));
      if (owned.length > 0) {
        pick = { rule, reached, owned };
        break;
      }
    }
    if (pick === undefined) {
      log('targets: no sharing rule reaches users and owns records; target 6 skipped');
    } else {
      const { rule, reached, owned } = pick;
      const N = C.sharingChecks;
      const order = rng.shuffle([...reached]);
      const cu: string[] = [];
      const ca: string[] = [];
      const cr: Resource[] = [];
      for (let i = 0; i < N; i++) {
        cu.push(order[i % order.length] as string);
        ca.push(i % 2 === 0 ? 'view' : 'edit');
        cr.push(owned[rng.int(owned.length)] as Resource);
      }
      const cq: Queries = { users: cu, actions: ca, resources: cr, expected: [] };
      const coldMs: number[] = [];
      const warmMs: number[] = [];
      const editMs: number[] = [];
      const allowedByLevel: Record<string, number> = {};
      let level = rule.level;
      for (let c = 0; c < C.sharingCycles; c++) {
        const next: 'read' | 'readWrite' = level === 'read' ? 'readWrite' : 'read';
        const te = timed(() =>
          engine.updateSync((d) => {
            const r = d.sharingRules.get(rule.id);
            if (r === undefined) throw new Error(`no sharing rule ${rule.id}`);
            r.level = next;
          }),
        );
        level = next;
        editMs.push(te.ms);
        const cold = timed(() => runCan(engine, cq, 0, N));
        const warm = timed(() => runCan(engine, cq, 0, N));
        coldMs.push(cold.ms);
        warmMs.push(warm.ms);
        allowedByLevel[level] = cold.value;
        if (warm.value !== cold.value) log(`targets: sharing edit: cold and warm passes disagree (${cold.value} vs ${warm.value})`);
      }
      if (level !== rule.level) {
        engine.updateSync((d) => {
          const r = d.sharingRules.get(rule.id);
          if (r !== undefined) r.level = rule.level;
        });
      }
      const ratios = stats(coldMs.map((x, i) => x / (warmMs[i] as number)));
      sharingEdit = { rule: rule.id, reached: reached.length, owned: owned.length, checks: N, cycles: C.sharingCycles, coldMs, warmMs, editMs, ratio: ratios, allowedByLevel };
      log(`targets: sharing edit (${rule.id}, ${reached.length} users reached): first ${N} checks ${fmtMs(stats(coldMs).median)} vs warm ${fmtMs(stats(warmMs).median)}, ratio ${ratios.median.toFixed(2)}`);
      rows.push({
        target: `6. first ${fmtInt(N)} \`can()\` after a sharing-rule edit vs the same checks warm`,
        purview: `${fmtNs((stats(coldMs).median * 1e6) / N)}/op`,
        baseline: `${fmtNs((stats(warmMs).median * 1e6) / N)}/op`,
        ratio: ratios.median,
        targetRatio: 5,
        met: ratios.median <= 5,
        note: `rule ${rule.id} (${rule.resourceType}, from ${JSON.stringify(rule.from)} to ${JSON.stringify(rule.to)}) reaches ${fmtInt(reached.length)} users, its from owns ${fmtInt(owned.length)} records; ${C.sharingCycles} edits of its level (read ⇄ readWrite, updateSync, median ${fmtMs(stats(editMs).median)}, not timed in the ratio), each followed by ${fmtInt(N)} checks (reached users in turn, records its from owns, view / edit alternating) then the same checks again; median of the per-edit ratios (max ${ratios.max.toFixed(2)}); allowed: ${Object.entries(allowedByLevel).map(([l, x]) => `${x} at ${l}`).join(', ')}`,
      });
    }
  }

  const restored = JSON.stringify(toPolicyInput(engine.policy)) === JSON.stringify(toPolicyInput(startPolicy));
  log(`targets: policy put back as it was: ${restored ? 'yes' : 'NO'}`);
  if (!restored) throw new Error('the targets section left the policy changed; the sections after it (and the closure) would measure another policy');

  // 7. Build and heap, reported against the previous figures.
  rows.push({
    target: '7a. build from a plain policy (`createEngine`)',
    purview: fmtMs(buildMedian),
    baseline: previous.buildMs === undefined ? 'n/a' : fmtMs(previous.buildMs),
    ratio: previous.buildMs === undefined ? undefined : buildMedian / previous.buildMs,
    targetRatio: undefined,
    met: undefined,
    note: `median of the build section's ${input.buildRuns.length} runs (${input.buildRuns.map(fmtMs).join(', ')}); baseline: build median in bench/results/${size}.json${previous.src === undefined ? '' : ` (src ${previous.src})`}, another run on whatever machine wrote it`,
  });
  rows.push({
    target: '7b. heap, every profile compiled',
    purview: fmtBytes(heapBytes),
    baseline: previous.heapBytes === undefined ? 'n/a' : fmtBytes(previous.heapBytes),
    ratio: previous.heapBytes === undefined ? undefined : heapBytes / previous.heapBytes,
    targetRatio: undefined,
    met: undefined,
    note: `heapUsed after a can() per user, minus the workload's${exactHeap ? ' (full GC before each reading)' : ' (approximate: no --expose-gc)'}; includes what earlier sections of this run still hold (run --only targets for the cleanest figure); baseline: afterWhoCan - base in bench/results/${size}.json`,
  });

  return {
    rows,
    closure: { buildMs: cb.ms, heapBytes: closureHeap, covers, queries: n, agreeCovered, agreeCan, allowedUncovered, closureOnly },
    can: { purview: t1.a, closure: t1.b, pairedRatio: t1.ratio, batches: t1.slices, passes, allowShare: t1.sinkA / (n * passes) },
    bound: { sessions: C.sessions, checksPerSession: CHECKS_PER_SESSION, purview: t2.a, closure: t2.b, pairedRatio: t2.ratio, unbound: t2u.b, boundOverUnbound: t2u.ratio, allowShare: boundAllowed / checks, agree: boundAgree },
    whoCan: { records: C.whoCanRecords, users: users.length, whoCanMs, loopMs, ratio: ratio3, agree: whoAgree, meanAllowed: allowedSum / C.whoCanRecords },
    snapshot: { samples: C.snapshots, totalMs: st, snapshotMs: stats(snapSnap), changeMs: stats(snapChange), firstCanMs: stats(snapFirst), secondCanMs: stats(snapSecond), buildMs: buildMedian, consistent },
    membership: { samples: samples.length, all: allChanges, add: stats(add), remove: stats(remove), gcShare: gcHit / Math.max(1, samples.length), preemptShare: preemptHit / Math.max(1, samples.length), quiet, closure1000Ms },
    sharingEdit,
    build: { medianMs: buildMedian, runs: input.buildRuns, previousMs: previous.buildMs, previousSrc: previous.src },
    heap: { exact: exactHeap, bytes: heapBytes, previousBytes: previous.heapBytes },
  };
}

/* ------------------------------------------------------------------------------------------ */
/* Report                                                                                       */

function fmtX(x: number | undefined): string {
  if (x === undefined || !Number.isFinite(x)) return 'n/a';
  if (x >= 100) return `${Math.round(x).toLocaleString('en-US')}x`;
  if (x >= 0.5) return `${x.toFixed(2)}x`;
  return `${x.toPrecision(2)}x (1/${fmtInt(Math.round(1 / x))})`;
}

function fmtTarget(row: TargetRow): string {
  const t = row.targetRatio;
  if (t === undefined) return 'report only';
  const op = row.strict === true ? '<' : '≤';
  return t < 1 ? `${op} 1/${fmtInt(Math.round(1 / t))}` : `${op} ${t}x`;
}

/** The targets table (markdown) and its notes. */
export function targetsReport(r: TargetsResult, size: SizeName): string {
  const lines: string[] = [];
  lines.push(`Targets of issue 11, each against a baseline measured in the same run (${size}):`);
  lines.push('');
  lines.push(
    table(
      ['target', 'purview', 'baseline', 'ratio', 'target ratio', 'met?'],
      r.rows.map((x) => [x.target, x.purview, x.baseline, fmtX(x.ratio), fmtTarget(x), x.met === undefined ? '—' : x.met ? 'yes' : '**no**']),
    ),
  );
  lines.push('');
  lines.push('Notes:');
  lines.push('');
  for (const x of r.rows) lines.push(`- ${x.target.split(' ')[0]} ${x.note}`);
  lines.push(`- The closure (bench/closure-baseline.ts) was built in ${fmtMs(r.closure.buildMs)} and holds ${fmtBytes(r.closure.heapBytes)}.`);
  return lines.join('\n');
}
