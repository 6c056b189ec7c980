/*
 * The benchmark suite. Prints a markdown report.
 *
 *   npm run bench -- --size large                  # tsx, no exact heap figures
 *   node --expose-gc --import tsx bench/run.ts --size large --peers casbin,cedar
 *
 * Options:
 *   --size small|medium|large   workload size (default medium)
 *   --seed N                    workload seed (default 42)
 *   --peers [all|none|casbin|cedar|casbin,cedar]   peers to compare (default all; bare --peers = all)
 *   --only build,can,reference,queries,time,shares,targets,changes,parents,hooks,scoped,http,peers   run only these sections (build always runs)
 *   --out FILE                  also write the markdown report to FILE
 *   --json FILE                 also write the raw figures as JSON
 */
import { timeBound, type TimeBoundResult } from './time-bound.js';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cpus, loadavg, totalmem } from 'node:os';
import { createEngine } from '../src/index.js';
import type { Engine } from '../src/engine/types.js';
import type { Resource } from '../src/model/resource.js';
import { refCheck } from '../test/reference/evaluator.js';
import {
  exactHeap,
  fmtBytes,
  fmtInt,
  fmtMs,
  fmtNs,
  fmtRatio,
  heapUsed,
  latencies,
  now,
  nsPerOpBatches,
  perfNow,
  stats,
  attribute,
  schedstat,
  GcRecorder,
  type Interval,
  table,
  timed,
  timedAsync,
  type Stats,
} from './measure.js';
import { casbinPeer } from './peers/casbin.js';
import { cedarPeer } from './peers/cedar.js';
import type { Peer } from './peers/peer.js';
import { sharesReport, sharesSection, type SharesResult } from './shares.js';
import { targets, targetsReport, type TargetsResult } from './targets.js';
import { parentsBench, type ParentsResult } from './parents.js';
import { hooksBench, type HooksResult } from './hooks.js';
import { scopedBench, type ScopedResult } from './scoped.js';
import { httpBench, type HttpResult } from './http.js';
import { ACTIONS, balancedQueries, candidate, generateWorkload, Rng, SIZES, type Queries, type SizeName, type Workload } from './workload.js';

/* ------------------------------------------------------------------------------------------ */
/* Options                                                                                      */

interface Options {
  size: SizeName;
  seed: number;
  peers: Set<string>;
  only: Set<string> | undefined;
  out: string | undefined;
  json: string | undefined;
}

function parseOptions(argv: readonly string[]): Options {
  const o: Options = { size: 'medium', seed: 42, peers: new Set(['casbin', 'cedar']), only: undefined, out: undefined, json: undefined };
  for (let i = 0; i < argv.length; i++) {
    const raw = argv[i] as string;
    const [flag, inline] = raw.includes('=') ? [raw.slice(0, raw.indexOf('=')), raw.slice(raw.indexOf('=') + 1)] : [raw, undefined];
    const next = (): string | undefined => {
      if (inline !== undefined) return inline;
      const v = argv[i + 1];
      if (v === undefined || v.startsWith('--')) return undefined;
      i++;
      return v;
    };
    switch (flag) {
      case '--size': {
        const v = next();
        if (v !== 'small' && v !== 'medium' && v !== 'large') throw new Error(`--size small|medium|large, got ${String(v)}`);
        o.size = v;
        break;
      }
      case '--seed':
        o.seed = Number(next() ?? '42');
        break;
      case '--peers': {
        const v = next() ?? 'all';
        o.peers = v === 'all' ? new Set(['casbin', 'cedar']) : v === 'none' ? new Set() : new Set(v.split(',').map((s) => s.trim()).filter((s) => s !== ''));
        for (const p of o.peers) if (p !== 'casbin' && p !== 'cedar') throw new Error(`unknown peer ${p}`);
        break;
      }
      case '--no-peers':
        o.peers = new Set();
        break;
      case '--only':
        o.only = new Set((next() ?? '').split(',').map((s) => s.trim()));
        break;
      case '--out':
        o.out = next();
        break;
      case '--json':
        o.json = next();
        break;
      default:
        throw new Error(`unknown option ${raw}`);
    }
  }
  return o;
}

const opts = parseOptions(process.argv.slice(2));
const runs = (section: string): boolean => opts.only === undefined || opts.only.has(section);

/** Iteration counts per size. */
const ITER = {
  small: { builds: 5, queries: 10_000, reference: 2_000, groupsOf: 2_000, whoCan: 200, changes: 500, warmChanges: 100, peerQueries: 2_000 },
  medium: { builds: 5, queries: 100_000, reference: 1_000, groupsOf: 2_000, whoCan: 50, changes: 500, warmChanges: 100, peerQueries: 2_000 },
  large: { builds: 3, queries: 100_000, reference: 300, groupsOf: 2_000, whoCan: 10, changes: 500, warmChanges: 100, peerQueries: 2_000 },
}[opts.size];

const gc = new GcRecorder();

const log = (msg: string): void => {
  process.stderr.write(`[bench ${opts.size}] ${msg}\n`);
};

/** A short hash of every file under ./src (run from the package root), to tell which version of the engine was measured. */
function srcFingerprint(): string {
  const h = createHash('sha256');
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else {
        h.update(path);
        h.update(readFileSync(path));
      }
    }
  };
  try {
    walk(join(process.cwd(), 'src'));
  } catch {
    return 'unknown';
  }
  return h.digest('hex').slice(0, 12);
}

/* ------------------------------------------------------------------------------------------ */
/* Results                                                                                      */

interface ChangeResult {
  kind: string;
  /** Changes the engine rejected (not measured). */
  rejected: number;
  change: Stats;
  /** The changes during which no GC pause ran and the thread was not preempted. */
  clean: Stats;
  gcShare: number;
  preemptShare: number;
  firstCan: Stats;
  otherCan: Stats;
  affectedUsers?: Stats;
}

interface PeerResult {
  name: string;
  notes: readonly string[];
  buildMs: number;
  heapBytes: number;
  externalBytes: number;
  perOp: Stats;
  queries: number;
  passes: number;
}

const results: {
  parents?: ParentsResult;
  hooks?: HooksResult;
  scoped?: ScopedResult;
  http?: HttpResult;
  size: SizeName;
  seed: number;
  machine: Record<string, string | number>;
  workload: Record<string, number>;
  generateMs?: number;
  build?: { runs: number[]; median: number };
  heap?: Record<string, number>;
  can?: { perOp: Stats; clean: Stats; gcShare: number; preemptShare: number; hot: Stats; hotQueries: number; sweep: { n: number; perOp: Stats }[]; queries: number; passes: number; batch: number; allowShare: number; candidates: number; coldPerOp: number; coldQueries: number };
  reference?: { sample: number; agree: number; ms: number };
  timeBound?: TimeBoundResult;
  groupsOf?: { latency: Stats; meanGroups: number };
  whoCan?: { first: number; latency: Stats; meanAllowed: number };
  changes?: ChangeResult[];
  shares?: SharesResult;
  targets?: TargetsResult;
  peers?: {
    queries: number;
    allowShare: number;
    purview: { buildMs: number; perOp: Stats; passes: number };
    results: PeerResult[];
    agreement: { all: number; byPeer: Record<string, number>; disagreements: string[] };
  };
} = {
  size: opts.size,
  seed: opts.seed,
  machine: {
    node: process.version,
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memory: totalmem(),
    exactHeap: exactHeap ? 1 : 0,
    loadAtStart: loadavg()[0] ?? 0,
    src: srcFingerprint(),
  },
  workload: { ...SIZES[opts.size] },
};

/* ------------------------------------------------------------------------------------------ */
/* Helpers                                                                                      */

function runQueries(engine: { can(u: string, a: string, r: Resource): boolean }, q: Queries, from: number, to: number): number {
  let allowed = 0;
  const { users, actions, resources } = q;
  for (let i = from; i < to; i++) if (engine.can(users[i] as string, actions[i] as string, resources[i] as Resource)) allowed++;
  return allowed;
}

/** A record owned by group `g`, or a synthetic one (records are supplied per call). */
function recordOfGroup(w: Workload, g: number): Resource {
  const i = w.groupRecord[g] as number;
  return i >= 0 ? (w.records[i] as Resource) : { type: 'account', id: `probe-${g}`, owner: { group: w.groupIds[g] as string } };
}

/* ------------------------------------------------------------------------------------------ */
/* Sections                                                                                     */

async function main(): Promise<void> {
  log(`generating workload (seed ${opts.seed})`);
  const gen = timed(() => generateWorkload(opts.size, opts.seed));
  const w = gen.value;
  results.generateMs = gen.ms;
  const memberships = w.policy.groups?.reduce((n, g) => n + (g.members?.users?.length ?? 0) + (g.members?.roles?.length ?? 0) + (g.members?.rolesAndSubordinates?.length ?? 0) + (g.members?.groups?.length ?? 0), 0) ?? 0;
  const groupOwned = w.records.reduce((n, r) => n + ('group' in r.owner! ? 1 : 0), 0);
  results.workload = {
    ...results.workload,
    memberEntries: memberships,
    roleDepth: w.roleDepth,
    groupOwnedRecords: groupOwned,
    listedRecords: w.records.reduce((n, r) => n + ((r.accessGroups?.length ?? 0) > 0 ? 1 : 0), 0),
  };
  log(`workload: ${fmtInt(w.userIds.length)} users, ${fmtInt(w.roleIds.length)} roles (depth ${w.roleDepth}), ${fmtInt(w.groupIds.length)} groups, ${fmtInt(memberships)} member entries, ${fmtInt(w.records.length)} records in ${fmtMs(gen.ms)}`);

  const heap: Record<string, number> = {};
  results.heap = heap;
  heap.base = heapUsed();

  // Build: createEngine from the plain policy, several times; keep the last engine.
  let engine: Engine | undefined;
  const buildRuns: number[] = [];
  for (let i = 0; i < ITER.builds; i++) {
    engine = undefined;
    heapUsed();
    const t = timed(() => createEngine({ policy: w.policy }));
    engine = t.value;
    buildRuns.push(t.ms);
    log(`build ${i + 1}/${ITER.builds}: ${fmtMs(t.ms)}`);
  }
  if (engine === undefined) throw new Error('no engine');
  results.build = { runs: buildRuns, median: stats(buildRuns).median };
  heap.afterBuild = heapUsed();

  const rng = new Rng(opts.seed + 1);
  let main: Queries | undefined;

  if (runs('can')) {
    // Cold: the first queries after the build compile each user's profile on first use.
    const coldN = Math.min(20_000, ITER.queries);
    const cold = Array.from({ length: coldN }, () => candidate(w, rng));
    const e = engine;
    const coldT = timed(() => {
      let n = 0;
      for (const q of cold) if (e.can(q.user, q.action, q.resource)) n++;
      return n;
    });
    log(`cold pass: ${fmtNs((coldT.ms * 1e6) / coldN)}/op over ${fmtInt(coldN)} queries`);

    const q = balancedQueries(w, ITER.queries, opts.seed + 2, (u, a, r) => e.can(u, a, r));
    main = q;
    log(`queries: ${fmtInt(q.users.length)} (${fmtInt(q.candidates)} candidates classified)`);
    // Warm-up, then batches of 1,000 queries.
    runQueries(e, q, 0, q.users.length);
    runQueries(e, q, 0, q.users.length);
    const batch = 1_000;
    const passes = Math.max(3, Math.ceil(2_000_000 / q.users.length));
    const r = nsPerOpBatches(q.users.length, batch, passes, (from, to) => runQueries(e, q, from, to));
    const allowShare = r.sink / (q.users.length * passes);
    // The same code on smaller working sets: the first n queries, repeated. When the cost grows
    // with n, it is memory latency (cache misses), not instructions.
    const sweep: { n: number; perOp: Stats }[] = [];
    for (const n of [10, 100, 1_000, 10_000, q.users.length]) {
      if (n > q.users.length || sweep.some((x) => x.n === n)) continue;
      // Each sample runs the set enough times for at least 1,000 calls (timer overhead stays < 1%).
      const reps = Math.ceil(1_000 / n);
      const repeat = (): number => {
        let k = 0;
        for (let i = 0; i < reps; i++) k += runQueries(e, q, 0, n);
        return k;
      };
      repeat();
      const samples: number[] = [];
      for (let i = Math.ceil(1_000_000 / (n * reps)); i > 0; i--) {
        const t0 = now();
        repeat();
        samples.push((now() - t0) / (n * reps));
      }
      const m = { perOp: stats(samples) };
      sweep.push({ n, perOp: m.perOp });
      log(`can() on a working set of ${fmtInt(n)} queries: median ${fmtNs(m.perOp.median)}/op`);
    }
    const hotN = Math.min(1_000, q.users.length);
    const hot = { perOp: (sweep.find((x) => x.n === hotN) as { perOp: Stats }).perOp };
    await gc.flush();
    const g = attribute(gc, r.samples, r.intervals, r.waits);
    results.can = { perOp: r.perOp, clean: g.clean, gcShare: g.gcShare, preemptShare: g.preemptShare, hot: hot.perOp, hotQueries: hotN, sweep, queries: q.users.length, passes, batch, allowShare, candidates: q.candidates, coldPerOp: (coldT.ms * 1e6) / coldN, coldQueries: coldN };
    log(`can(): median ${fmtNs(r.perOp.median)}/op, p99 ${fmtNs(r.perOp.p99)}/op, allowed ${(allowShare * 100).toFixed(1)}%; batches without GC or preemption: p99 ${fmtNs(g.clean.p99)}/op (GC in ${(g.gcShare * 100).toFixed(1)}%, preempted in ${(g.preemptShare * 100).toFixed(1)}% of batches)`);
    heap.afterQueries = heapUsed();
  }

  if (runs('reference')) {
    // Cross-check the full engine against the reference evaluator (test/reference) on a sample.
    const rrng = new Rng(opts.seed + 3);
    const sample = Array.from({ length: ITER.reference }, () => candidate(w, rrng));
    const e = engine;
    const t = timed(() => {
      let agree = 0;
      for (const s of sample) if (e.can(s.user, s.action, s.resource) === refCheck(w.policy, s.user, s.action, s.resource).allowed) agree++;
      return agree;
    });
    results.reference = { sample: sample.length, agree: t.value, ms: t.ms };
    log(`reference evaluator agrees on ${t.value}/${sample.length} (${fmtMs(t.ms)})`);
  }

  if (runs('queries')) {
    const e = engine;
    const users = Array.from({ length: ITER.groupsOf }, () => w.userIds[rng.int(w.userIds.length)] as string);
    let groups = 0;
    for (const u of users) groups += e.groupsOf(u).length; // warm
    const lat = latencies(users.length, (i) => e.groupsOf(users[i] as string));
    results.groupsOf = { latency: lat, meanGroups: groups / users.length };
    log(`groupsOf: median ${fmtMs(lat.median)}, p99 ${fmtMs(lat.p99)}, ${(groups / users.length).toFixed(1)} groups on average`);

    const recs = Array.from({ length: ITER.whoCan + 1 }, () => w.records[rng.int(w.records.length)] as Resource);
    const acts = recs.map(() => rng.pick(ACTIONS));
    const first = timed(() => e.whoCan(acts[0] as string, recs[0] as Resource));
    let allowed = 0;
    const wl = latencies(ITER.whoCan, (i) => {
      allowed += e.whoCan(acts[i + 1] as string, recs[i + 1] as Resource).length;
    });
    results.whoCan = { first: first.ms, latency: wl, meanAllowed: allowed / ITER.whoCan };
    log(`whoCan: first ${fmtMs(first.ms)}, then median ${fmtMs(wl.median)}, p99 ${fmtMs(wl.p99)}`);
    heap.afterWhoCan = heapUsed();
  }

  if (runs('time') && main !== undefined && results.build !== undefined) results.timeBound = timeBound({ engine, w, q: main, baseBuildMs: results.build.median, log });
  if (runs('shares')) results.shares = sharesSection(engine, w, opts.seed, ITER.queries, log);

  // Issue 11's targets, before `changes`: the closure baseline is built from the plain policy, so
  // the engine must still be at it (the section puts back every change it makes).
  if (runs('targets')) results.targets = await targets({ engine, w, size: opts.size, seed: opts.seed, main, buildRuns, heapBase: heap.base, log });

  if (runs('changes')) results.changes = await changes(engine, w, main);

  if (runs('parents')) {
    results.parents = parentsBench(w, opts.seed + 9);
    log(`parents: can() ${results.parents.can.map((x) => `${x.type} ${fmtNs(x.perOp.median)}`).join(', ')}`);
  }

  if (runs('hooks')) {
    const e = engine;
    const hq = main ?? balancedQueries(w, ITER.queries, opts.seed + 2, (u, a, r) => e.can(u, a, r));
    results.hooks = hooksBench(w.policy, hq, opts.seed + 10);
    log(`hooks: can() ${results.hooks.variants.map((x) => `${x.name} ${fmtNs(x.perOp.median)}`).join(', ')}`);
  }

  if (runs('scoped')) {
    const e = engine;
    const sq = main ?? balancedQueries(w, ITER.queries, opts.seed + 2, (u, a, r) => e.can(u, a, r));
    results.scoped = await scopedBench(w.policy, sq);
    log(`scoped: ${results.scoped.variants.map((x) => `${x.name} can ${fmtNs(x.can.median)} check ${fmtNs(x.check.median)}`).join(', ')}`);
  }

  if (runs('http')) {
    const e = engine;
    const hq = main ?? balancedQueries(w, ITER.queries, opts.seed + 2, (u, a, r) => e.can(u, a, r));
    results.http = await httpBench(e, hq, 4_000, 4, log);
  }

  engine = undefined;

  if (opts.peers.size > 0 && runs('peers')) results.peers = await peers(w);

  results.machine.loadAtEnd = loadavg()[0] ?? 0;
  const md = report();
  process.stdout.write(md + '\n');
  if (opts.out !== undefined) writeFileSync(opts.out, md + '\n');
  if (opts.json !== undefined) writeFileSync(opts.json, JSON.stringify(results, null, 2) + '\n');
}

/** Latency of each kind of single change, and of the first can() calls after it. */
async function changes(engine: Engine, w: Workload, main: Queries | undefined): Promise<ChangeResult[]> {
  // Each kind runs `warm` unmeasured changes first (the first runs of a code path compile it),
  // then K measured ones.
  const warm = ITER.warmChanges;
  const K = ITER.changes + warm;
  const rng = new Rng(opts.seed + 4);
  const out: ChangeResult[] = [];
  const mainQ = main ?? balancedQueries(w, 2_000, opts.seed + 2, (u, a, r) => engine.can(u, a, r));
  const other = (): number => {
    const i = rng.int(mainQ.users.length);
    const t0 = now();
    engine.can(mainQ.users[i] as string, mainQ.actions[i] as string, mainQ.resources[i] as Resource);
    return (now() - t0) / 1e6;
  };
  const probe = (user: string, resource: Resource): number => {
    const t0 = now();
    engine.can(user, 'view', resource);
    return (now() - t0) / 1e6;
  };

  async function kind(name: string, steps: { apply: () => Promise<unknown>; probes: () => number; affected?: () => number }[]): Promise<void> {
    const change: number[] = [];
    const waits: number[] = [];
    const intervals: Interval[] = [];
    const firstCan: number[] = [];
    const otherCan: number[] = [];
    const affected: number[] = [];
    let rejected = 0;
    for (const [i, s] of steps.entries()) {
      const measured = i >= warm;
      if (measured && s.affected !== undefined) affected.push(s.affected());
      const s0 = schedstat();
      const start = perfNow();
      let t: { ms: number };
      try {
        t = await timedAsync(s.apply);
      } catch (e) {
        // A change the engine rejects (a limit, a cycle) is reported, not measured.
        rejected++;
        if (rejected === 1) log(`${name}: rejected: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
        continue;
      }
      const end = perfNow();
      const s1 = schedstat();
      const first = s.probes();
      const others = [other(), other()];
      if (!measured) continue;
      intervals.push({ start, end });
      waits.push(s0 === undefined || s1 === undefined ? 0 : s1.wait - s0.wait);
      change.push(t.ms);
      firstCan.push(first);
      otherCan.push(...others);
    }
    await gc.flush();
    const g = attribute(gc, change, intervals, waits);
    out.push({ kind: name, rejected, change: stats(change), clean: g.clean, gcShare: g.gcShare, preemptShare: g.preemptShare, firstCan: stats(firstCan), otherCan: stats(otherCan), ...(affected.length > 0 ? { affectedUsers: stats(affected) } : {}) });
    const r = out[out.length - 1] as ChangeResult;
    log(`${name}: median ${fmtMs(r.change.median)}, p99 ${fmtMs(r.change.p99)} (without GC or preemption p99 ${fmtMs(r.clean.p99)}; GC in ${(r.gcShare * 100).toFixed(0)}%, preempted in ${(r.preemptShare * 100).toFixed(0)}%), first can() after: median ${fmtMs(r.firstCan.median)}, p99 ${fmtMs(r.firstCan.p99)}`);
  }

  const G = w.groupIds.length;
  const U = w.userIds.length;
  for (let i = 0; i < 50; i++) other();

  // addMember(group, { user }): a user that the group does not list yet.
  {
    const seen = new Set<string>();
    const steps: { apply: () => Promise<unknown>; probes: () => number }[] = [];
    while (steps.length < K) {
      const g = rng.int(G);
      const u = rng.int(U);
      const key = `${g}/${u}`;
      if (seen.has(key) || (w.groupUsers[g] as number[]).includes(u)) continue;
      seen.add(key);
      const gid = w.groupIds[g] as string;
      const uid = w.userIds[u] as string;
      steps.push({ apply: () => engine.addMember(gid, { user: uid }), probes: () => probe(uid, recordOfGroup(w, g)) });
    }
    await kind('addMember (user)', steps);
  }
  // removeMember(group, { user }): a user the group lists.
  {
    const seen = new Set<string>();
    const steps: { apply: () => Promise<unknown>; probes: () => number }[] = [];
    while (steps.length < K) {
      const g = rng.int(G);
      const list = w.groupUsers[g] as number[];
      if (list.length === 0) continue;
      const u = rng.pick(list);
      const key = `${g}/${u}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const gid = w.groupIds[g] as string;
      const uid = w.userIds[u] as string;
      steps.push({ apply: () => engine.removeMember(gid, { user: uid }), probes: () => probe(uid, recordOfGroup(w, g)) });
    }
    await kind('removeMember (user)', steps);
  }
  // Nest: addMember(parent, { group: child }) with the child from a deeper level (never a cycle).
  const probeMembers = (child: number, parent: number): number => {
    let total = 0;
    const members = (w.groupUsers[child] as number[]).slice(0, 3);
    const res = recordOfGroup(w, parent);
    for (const u of members) total += probe(w.userIds[u] as string, res);
    return members.length === 0 ? probe(w.userIds[rng.int(U)] as string, res) : total;
  };
  {
    const seen = new Set<string>();
    const steps: { apply: () => Promise<unknown>; probes: () => number; affected: () => number }[] = [];
    while (steps.length < K) {
      const p = rng.int(G);
      const c = rng.int(G);
      if ((w.groupLevel[c] as number) <= (w.groupLevel[p] as number)) continue;
      const key = `${p}/${c}`;
      if (seen.has(key) || (w.groupChildren[p] as number[]).includes(c)) continue;
      seen.add(key);
      const pid = w.groupIds[p] as string;
      const cid = w.groupIds[c] as string;
      steps.push({ apply: () => engine.addMember(pid, { group: cid }), probes: () => probeMembers(c, p), affected: () => engine.membersOf(cid).length });
    }
    await kind('nest a group', steps);
  }
  // Un-nest: removeMember(parent, { group: child }) for a nesting of the generated policy.
  {
    const edges: [number, number][] = [];
    for (let p = 0; p < G; p++) for (const c of w.groupChildren[p] as number[]) edges.push([p, c]);
    rng.shuffle(edges);
    const steps = edges.slice(0, K).map(([p, c]) => {
      const pid = w.groupIds[p] as string;
      const cid = w.groupIds[c] as string;
      return { apply: () => engine.removeMember(pid, { group: cid }), probes: () => probeMembers(c, p), affected: () => engine.membersOf(cid).length };
    });
    await kind('un-nest a group', steps);
  }
  // setRole(user, role).
  {
    const steps = Array.from({ length: K }, () => {
      const u = w.userIds[rng.int(U)] as string;
      const r = w.roleIds[rng.int(w.roleIds.length)] as string;
      const res = w.records[rng.int(w.records.length)] as Resource;
      return { apply: () => engine.setRole(u, r), probes: () => probe(u, res) };
    });
    await kind('setRole', steps);
  }
  // setStatus: deactivate, then reactivate the same users.
  {
    const picked = Array.from({ length: K }, () => w.userIds[rng.int(U)] as string);
    const uniq = [...new Set(picked)];
    const res = uniq.map(() => w.records[rng.int(w.records.length)] as Resource);
    await kind(
      'setStatus (deactivate)',
      uniq.map((u, i) => ({ apply: () => engine.setStatus(u, 'inactive'), probes: () => probe(u, res[i] as Resource) })),
    );
    await kind(
      'setStatus (reactivate)',
      uniq.map((u, i) => ({ apply: () => engine.setStatus(u, 'active'), probes: () => probe(u, res[i] as Resource) })),
    );
  }
  return out;
}

/** purview (core policy) against the peers, on the same queries, answers cross-checked. */
async function peers(w: Workload): Promise<NonNullable<typeof results.peers>> {
  const h0 = heapUsed();
  const built = timed(() => createEngine({ policy: w.core }));
  const core = built.value;
  log(`purview core engine built in ${fmtMs(built.ms)} (${fmtBytes(heapUsed() - h0)})`);
  const n = ITER.peerQueries;
  const q = balancedQueries(w, n, opts.seed + 5, (u, a, r) => core.can(u, a, r));
  const allowShare = q.expected.filter((x) => x).length / n;
  runQueries(core, q, 0, n);
  const purviewPasses = Math.max(20, Math.ceil(1_000_000 / n));
  const pv = nsPerOpBatches(n, 1_000, purviewPasses, (from, to) => runQueries(core, q, from, to));
  log(`purview (core) on the peer queries: median ${fmtNs(pv.perOp.median)}/op`);

  const answers = new Map<string, boolean[]>();
  answers.set('purview', q.users.map((u, i) => core.can(u, q.actions[i] as string, q.resources[i] as Resource)));
  const out: PeerResult[] = [];
  const usersInQueries = new Set(q.users);

  const makers: [string, () => Promise<Peer>][] = [];
  if (opts.peers.has('casbin')) makers.push(['casbin', () => casbinPeer(w.core)]);
  if (opts.peers.has('cedar')) makers.push(['cedar', async () => cedarPeer(w.core)]);
  for (const [name, make] of makers) {
    const m0 = process.memoryUsage();
    const hb = heapUsed();
    const t0 = now();
    const peer = await make();
    const buildMs = (now() - t0) / 1e6;
    peer.prepare?.(usersInQueries);
    const ha = heapUsed();
    const m1 = process.memoryUsage();
    log(`${name}: built in ${fmtMs(buildMs)}`);
    answers.set(name, q.users.map((u, i) => peer.can(u, q.actions[i] as string, q.resources[i] as Resource)));
    const batch = 100;
    const passes = 2;
    const r = nsPerOpBatches(n, batch, passes, (from, to) => runQueries(peer, q, from, to));
    log(`${name}: median ${fmtNs(r.perOp.median)}/op, p99 ${fmtNs(r.perOp.p99)}/op`);
    const notes = [...peer.notes];
    if (name === 'cedar') {
      const c = peer as Awaited<ReturnType<typeof cedarPeer>>;
      notes.push(`principal slices: ${c.sliceSize().toFixed(1)} entities on average; policy evaluation errors: ${c.errors()}`);
    }
    out.push({ name, notes, buildMs, heapBytes: ha - hb, externalBytes: m1.external + m1.arrayBuffers - (m0.external + m0.arrayBuffers), perOp: r.perOp, queries: n, passes });
  }

  // Agreement: every engine's answer on every query.
  const names = [...answers.keys()];
  const base = answers.get('purview') as boolean[];
  let all = 0;
  const byPeer: Record<string, number> = {};
  const disagreements: string[] = [];
  for (const name of names) byPeer[name] = 0;
  for (let i = 0; i < n; i++) {
    let same = true;
    for (const name of names) {
      const a = (answers.get(name) as boolean[])[i];
      if (a === base[i]) byPeer[name] = (byPeer[name] ?? 0) + 1;
      else same = false;
    }
    if (same) all++;
    else if (disagreements.length < 5) {
      const res = q.resources[i] as Resource;
      disagreements.push(`${q.users[i]} ${q.actions[i]} ${res.type}:${res.id} owner ${JSON.stringify(res.owner)}: ${names.map((nm) => `${nm}=${String((answers.get(nm) as boolean[])[i])}`).join(' ')}`);
    }
  }
  log(`agreement: ${all}/${n}`);
  for (const d of disagreements) log(`  disagreement: ${d}`);
  return { queries: n, allowShare, purview: { buildMs: built.ms, perOp: pv.perOp, passes: purviewPasses }, results: out, agreement: { all, byPeer, disagreements } };
}

/* ------------------------------------------------------------------------------------------ */
/* Report                                                                                       */

function report(): string {
  const r = results;
  const lines: string[] = [];
  const P = SIZES[r.size];
  lines.push(`## ${r.size} (seed ${r.seed})`);
  lines.push('');
  lines.push(
    `${fmtInt(P.users)} users, ${fmtInt(P.roles)} roles (tree depth ${r.workload.roleDepth}), ${fmtInt(P.groups)} groups in ${P.depth} levels (${fmtInt(r.workload.memberEntries ?? 0)} member entries), ` +
      `${fmtInt(P.records)} records (${fmtInt(r.workload.groupOwnedRecords ?? 0)} group-owned, ${fmtInt(r.workload.listedRecords ?? 0)} listed in an access group), ${P.sharingRules} sharing rules, ${P.accessGroups} access groups. ` +
      `Node ${r.machine.node}, ${r.machine.cores} × ${r.machine.cpu}, load average ${Number(r.machine.loadAtStart).toFixed(1)} at start and ${Number(r.machine.loadAtEnd).toFixed(1)} at end; src/ fingerprint ${r.machine.src}${exactHeap ? '' : '; heap figures approximate (run with --expose-gc)'}.`,
  );
  lines.push('');
  const rows: string[][] = [];
  if (r.can) {
    rows.push(['`can()` ns/op, median of batches', fmtNs(r.can.perOp.median), `${fmtInt(r.can.queries)} queries × ${r.can.passes} passes, batches of ${fmtInt(r.can.batch)}; ${(r.can.allowShare * 100).toFixed(1)}% allowed`]);
    rows.push(['`can()` ns/op, p99 of batches', fmtNs(r.can.perOp.p99), `min ${fmtNs(r.can.perOp.min)}, max ${fmtNs(r.can.perOp.max)}; a GC pause fell in ${(r.can.gcShare * 100).toFixed(1)}% of batches, the thread was preempted in ${(r.can.preemptShare * 100).toFixed(1)}%`]);
    rows.push(['`can()` ns/op, p99 of batches without GC or preemption', fmtNs(r.can.clean.p99), `median ${fmtNs(r.can.clean.median)}, ${fmtInt(r.can.clean.n)} batches`]);
    rows.push(['`can()` ns/op, working set of 1,000 queries', fmtNs(r.can.hot.median), `p99 ${fmtNs(r.can.hot.p99)}; the first ${fmtInt(r.can.hotQueries)} queries repeated (see the working-set table)`]);
    rows.push(['`can()` cold, first queries after build', fmtNs(r.can.coldPerOp), `mean over ${fmtInt(r.can.coldQueries)} queries: compiles each user's profile on first use`]);
  }
  if (r.build) rows.push(['build from a plain policy (`createEngine`)', fmtMs(r.build.median), `median of ${r.build.runs.length}: ${r.build.runs.map(fmtMs).join(', ')}`]);
  const h = r.heap ?? {};
  if (h.base !== undefined && h.afterBuild !== undefined) rows.push(['heap: policy + index after build', fmtBytes(h.afterBuild - h.base), 'heapUsed delta, records and the plain input excluded']);
  if (h.base !== undefined && h.afterQueries !== undefined) rows.push(['heap: after the `can()` runs', fmtBytes(h.afterQueries - h.base), 'plus the compiled profiles of the users queried']);
  if (h.base !== undefined && h.afterWhoCan !== undefined) rows.push(['heap: after `whoCan` (every profile compiled)', fmtBytes(h.afterWhoCan - h.base), 'the upper bound']);
  if (h.base !== undefined) rows.push(['heap: workload (records + plain policy)', fmtBytes(h.base), 'held by the benchmark, not the engine']);
  if (r.groupsOf) rows.push(['`groupsOf(user)`', fmtMs(r.groupsOf.latency.median), `p99 ${fmtMs(r.groupsOf.latency.p99)}; ${r.groupsOf.meanGroups.toFixed(1)} groups per user on average`]);
  if (r.whoCan) rows.push(['`whoCan(action, resource)`', fmtMs(r.whoCan.latency.median), `p99 ${fmtMs(r.whoCan.latency.p99)}; first call ${fmtMs(r.whoCan.first)}; ${r.whoCan.meanAllowed.toFixed(1)} users allowed on average`]);
  if (r.timeBound) {
    const tb = r.timeBound;
    rows.push([
      '`can()` ns/op with 10% of member entries time-bound',
      fmtNs(tb.canPerOp.median),
      `${fmtNs(tb.baseCanPerOp.median)} without, measured in alternating rounds (${((tb.canPerOp.median / tb.baseCanPerOp.median - 1) * 100).toFixed(1)}%); ${fmtInt(tb.timedEntries)} of ${fmtInt(tb.memberEntries)} entries, ${fmtInt(tb.boundaries)} instants, none near the run; answers ${tb.agree ? 'agree' : 'DISAGREE'}`,
    ]);
    rows.push(['build with 10% of member entries time-bound', fmtMs(tb.buildMs), `${fmtMs(tb.baseBuildMs)} without (the structure, the timeline and the view of the current interval)`]);
  }
  if (r.reference) rows.push(['cross-check: full policy vs reference evaluator', `${r.reference.agree}/${r.reference.sample}`, `random queries, test/reference/evaluator.ts (${fmtMs(r.reference.ms)})`]);
  lines.push(table(['figure', 'value', 'notes'], rows));
  lines.push('');
  if (r.can) {
    lines.push('`can()` ns/op (median) by working set: the first n queries of the set, repeated. Growth with n is memory latency, not instructions:');
    lines.push('');
    lines.push(table(r.can.sweep.map((x) => `${fmtInt(x.n)}`), [r.can.sweep.map((x) => fmtNs(x.perOp.median))]));
    lines.push('');
  }

  if (r.parents) {
    const p = r.parents;
    lines.push(`Parent-controlled types (a two-level chain: ${fmtInt(p.records.contacts)} contacts controlled by their account, ${fmtInt(p.records.notes)} notes by their contact; ${fmtInt(p.records.accounts)} accounts):`);
    lines.push('');
    lines.push(
      table(
        ['type', '`can()` ns/op, median', 'p99', 'allowed', '`filter(view)` median', 'p99', 'records admitted (median of 20 users, of 2,000)'],
        p.can.map((c, i) => {
          const f = p.filter[i];
          return [c.type, fmtNs(c.perOp.median), fmtNs(c.perOp.p99), `${(c.allowShare * 100).toFixed(1)}%`, f === undefined ? '' : fmtMs(f.latency.median), f === undefined ? '' : fmtMs(f.latency.p99), f === undefined ? '' : fmtInt(f.meanAdmitted)];
        }),
      ),
    );
    lines.push('');
  }

  if (r.hooks) {
    const h = r.hooks;
    const base = h.variants[0]?.perOp.median ?? NaN;
    lines.push(`The decision hook (\`onDecision\`): \`engine.can()\` on the same ${fmtInt(h.queries)} queries, ${h.rounds} interleaved rounds per engine (ns/op over rounds):`);
    lines.push('');
    lines.push(table(['engine', 'median', 'p99', 'vs no hook', 'decisions reported'], h.variants.map((v) => [v.name, fmtNs(v.perOp.median), fmtNs(v.perOp.p99), fmtRatio(v.perOp.median / base), fmtInt(v.reported)])));
    lines.push('');
  }

  if (r.scoped) {
    const x = r.scoped;
    const base = x.variants[0];
    lines.push(`A tenant-scoped engine's guards (\`openEngine({ tenants })\`, serving every record here, so the difference is the guards alone): \`can()\` and \`check()\` on the same ${fmtInt(x.queries)} queries, ${x.rounds} interleaved rounds (ns/op over rounds):`);
    lines.push('');
    lines.push(table(['engine', 'can median', 'can p99', 'check median', 'vs full (can)'], x.variants.map((v) => [v.name, fmtNs(v.can.median), fmtNs(v.can.p99), fmtNs(v.check.median), fmtRatio(v.can.median / (base?.can.median ?? NaN))])));
    lines.push('');
  }

  if (r.http) {
    const h = r.http;
    lines.push(`Web middleware (\`purview/express\`, \`purview/fastify\` \`authorize\`) against a bare handler calling \`can()\` (and \`check()\` for the denial code of a 403), real HTTP on loopback, ${fmtInt(h.requests)} requests per route and round, ${h.rounds} alternating rounds (µs; server = first hook to response written):`);
    lines.push('');
    const rows: string[][] = [];
    for (const x of h.routes) {
      if (x.route === 'bare') continue;
      const b = h.routes.find((y) => y.framework === x.framework && y.outcome === x.outcome && y.route === 'bare');
      if (b === undefined) continue;
      rows.push([x.framework, x.route === 'pv' ? '`authorize` + handler' : '`guard`', x.outcome, b.server.median.toFixed(2), x.server.median.toFixed(2), (x.server.median - b.server.median).toFixed(2), b.roundTrip.median.toFixed(1), x.roundTrip.median.toFixed(1), (x.roundTrip.median - b.roundTrip.median).toFixed(1)]);
    }
    lines.push(table(['framework', 'route', 'requests', 'server, bare', 'server, purview', 'added', 'round trip, bare', 'round trip, purview', 'added'], rows));
    lines.push('');
  }

  if (r.changes) {
    lines.push(`Single changes (${ITER.changes} of each after ${ITER.warmChanges} unmeasured, commands awaited one at a time), and the first \`can()\` after each by an affected user (lazy recompute; for nesting, the total of the first calls of up to three direct members of the nested group) and by other users:`);
    lines.push('');
    lines.push(
      table(
        ['change', 'median', 'p99', 'max', 'p99 without GC / preemption', 'GC / preempted', 'first can() after, median', 'p99', 'other users\' can(), median', 'p99', 'users affected (median / max)'],
        r.changes.map((c) => [
          c.rejected > 0 ? `${c.kind} (${c.rejected} rejected)` : c.kind,
          fmtMs(c.change.median),
          fmtMs(c.change.p99),
          fmtMs(c.change.max),
          fmtMs(c.clean.p99),
          `${(c.gcShare * 100).toFixed(0)}% / ${(c.preemptShare * 100).toFixed(0)}%`,
          fmtMs(c.firstCan.median),
          fmtMs(c.firstCan.p99),
          fmtMs(c.otherCan.median),
          fmtMs(c.otherCan.p99),
          c.affectedUsers === undefined ? '1' : `${fmtInt(c.affectedUsers.median)} / ${fmtInt(c.affectedUsers.max)}`,
        ]),
      ),
    );
    lines.push('');
  }

  if (r.shares) {
    lines.push(sharesReport(r.shares));
    lines.push('');
  }

  if (r.targets) {
    lines.push(targetsReport(r.targets, r.size));
    lines.push('');
  }

  if (r.peers) {
    const p = r.peers;
    lines.push(`Peers, on the core subset (owner, owning group at any depth, role hierarchy; no sharing rules or access groups), ${fmtInt(p.queries)} queries, ${(p.allowShare * 100).toFixed(0)}% allowed:`);
    lines.push('');
    const peerRows: string[][] = [
      ['purview (core policy)', fmtNs(p.purview.perOp.median), fmtNs(p.purview.perOp.p99), '1x', fmtMs(p.purview.buildMs), '', `${p.purview.passes} passes`],
    ];
    for (const x of p.results) {
      peerRows.push([
        x.name,
        fmtNs(x.perOp.median),
        fmtNs(x.perOp.p99),
        fmtRatio(x.perOp.median / p.purview.perOp.median),
        fmtMs(x.buildMs),
        `${fmtBytes(x.heapBytes)} heap${x.externalBytes > 1024 * 1024 ? ` + ${fmtBytes(x.externalBytes)} external` : ''}`,
        `${x.passes} passes, batches of 100; ${x.notes.join('; ')}`,
      ]);
    }
    lines.push(table(['engine', 'ns/op median', 'p99', 'slower than purview', 'build', 'memory', 'notes'], peerRows));
    lines.push('');
    lines.push(`Agreement: all engines give the same answer on ${p.agreement.all}/${p.queries} queries (${Object.entries(p.agreement.byPeer).map(([k, v]) => `${k} ${v}`).join(', ')}).`);
    for (const d of p.agreement.disagreements) lines.push(`- disagreement: ${d}`);
    lines.push('');
  }

  // Targets (stated for the large workload).
  const tRows: string[][] = [];
  const verdict = (ok: boolean): string => (ok ? 'met' : '**missed**');
  if (r.can) tRows.push(['`can()` median ≤ 300 ns', fmtNs(r.can.perOp.median), verdict(r.can.perOp.median <= 300), `working set of 1,000 queries: ${fmtNs(r.can.hot.median)}; of 10: ${fmtNs(r.can.sweep[0]?.perOp.median ?? NaN)}`]);
  if (r.peers) {
    for (const x of r.peers.results) {
      const need = x.name === 'casbin' ? 50 : 1000;
      const ratio = x.perOp.median / r.peers.purview.perOp.median;
      tRows.push([`≥ ${need}x ${x.name}`, fmtRatio(ratio), verdict(ratio >= need), `${fmtNs(x.perOp.median)} vs ${fmtNs(r.peers.purview.perOp.median)} on the same ${fmtInt(r.peers.queries)} queries`]);
    }
  }
  if (r.build) tRows.push(['build ≤ 2 s', fmtMs(r.build.median), verdict(r.build.median <= 2000), `slowest of ${r.build.runs.length}: ${fmtMs(Math.max(...r.build.runs))}`]);
  const worstHeap = h.afterWhoCan ?? h.afterQueries ?? h.afterBuild;
  if (worstHeap !== undefined && h.base !== undefined) tRows.push(['heap (policy + index) ≤ 1 GB', fmtBytes(worstHeap - h.base), verdict(worstHeap - h.base <= 1024 ** 3), h.afterWhoCan !== undefined ? 'every profile compiled (after whoCan)' : 'after build and queries']);
  for (const c of r.changes ?? []) {
    if (c.kind.startsWith('addMember') || c.kind.startsWith('removeMember') || c.kind.includes('nest')) tRows.push([`${c.kind} p99 ≤ 1 ms`, fmtMs(c.change.p99), verdict(c.change.p99 <= 1), `without GC or preemption: ${fmtMs(c.clean.p99)}`]);
  }
  if (tRows.length > 0) {
    lines.push(`Targets${r.size === 'large' ? '' : ' (stated for the large workload; shown here for reference)'}:`);
    lines.push('');
    lines.push(table(['target', 'measured', 'verdict', 'note'], tRows));
  }
  return lines.join('\n');
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
