/*
 * A fleet split by tenant, on one PostgreSQL server: a generated multi-client policy
 * (bench/fleet-workload.ts) stored once, then opened
 *   - by one engine holding everything (`openEngine({ repository })`), and
 *   - by N instances, each serving a share of the root tenants (`openEngine({ repository, tenants })`),
 * each in a process of its own (bench/fleet-instance.ts), so that every heap figure is one engine's.
 * Per process: the open (load, validation, index) time, heap after a full GC, RSS and peak RSS.
 * The full engine answers a sample of queries for every instance (check as JSON, can, whoCan,
 * groupsOf); each instance answers its sample and must give the same answers, or refuse with
 * OutOfScopeError where the query is out of its scope (never where it must answer); any mismatch
 * fails the run. Then the N instances are started all at once (wall time until all have loaded),
 * and one instance follows ~20 changes written by a full engine in this process (the time until
 * it has each revision, and whether it had to load its part again).
 *
 *   node --expose-gc --import tsx bench/fleet.ts [--tenants 1000 --users 1000000 --instances 4]
 *     [--seed 42] [--agency local|random] [--checks 20000 --whocan 200 --groupsof 500] [--keep]
 *     [--full-heap-mb 12288 --scoped-heap-mb 6144]
 *   npm run bench:fleet -- --tenants 40 --users 40000
 *
 * The instances serve consecutive runs of root tenants with about equal numbers of users. With
 * `--agency local` (the default) agency users act in clients of their own partner network (8
 * consecutive roots), so a network mostly sits on one instance; with `--agency random` they act
 * in any clients, and then each instance holds almost the whole policy (the tenants an agency user
 * acts in are held with all their users).
 *
 * At 1,000 tenants and 1,000,000 users the full engine's heap is about 1 GiB and its peak RSS about
 * 2 GiB, so the default heap limits are enough; the flags above only raise them for larger runs. The
 * whole run takes 3 to 6 minutes (storing the policy is about a minute of it).
 *
 * PostgreSQL from test/support/postgres.ts. The policy goes into a schema of its own, dropped at
 * the end; with --keep it is kept (named after the sizes and seed) and reused by the next run with
 * the same sizes and seed. Prints a Markdown table; writes the figures to
 * bench/results/fleet-<date>[-<tenants>x<users>].json and .md.
 */
import { fork } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import { openEngine, type Recipe, type Resource, type SharedEngine } from '../src/index.js';
import { postgresRepository } from '../src/adapters/postgres/index.js';
import { dropSchema, schemaName, testDatabase, testPool } from '../test/support/postgres.js';
import { generateFleet, heldOf, NETWORK_ROOTS, sampleQueries, splitRoots, tenantIndex, rootOf, type Fleet } from './fleet-workload.js';
import type { CompareFigures, FleetJob, LoadFigures } from './fleet-instance.js';
import { fmtBytes, fmtInt, fmtMs, table } from './measure.js';

const here = dirname(fileURLToPath(import.meta.url));
const arg = (name: string, def: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? def : (process.argv[i + 1] as string);
};
const TENANTS = Number(arg('tenants', '1000'));
const USERS = Number(arg('users', '1000000'));
const INSTANCES = Number(arg('instances', '4'));
const SEED = Number(arg('seed', '42'));
const CHECKS = Number(arg('checks', '20000'));
const WHOCAN = Number(arg('whocan', '200'));
const GROUPSOF = Number(arg('groupsof', '500'));
const KEEP = process.argv.includes('--keep');
const FULL_HEAP_MB = Number(arg('full-heap-mb', '12288'));
const SCOPED_HEAP_MB = Number(arg('scoped-heap-mb', '6144'));
const AGENCY = arg('agency', 'local') as 'local' | 'random';
if (AGENCY !== 'local' && AGENCY !== 'random') throw new Error('--agency local|random');
const log = (m: string): void => void process.stderr.write(`[bench fleet ${TENANTS}x${USERS}] ${m}\n`);
const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)] as number;

/* ------------------------------------------------------------------------------------------ */
/* Child processes                                                                              */

interface Child {
  /** Resolves with the next message of the given kind. */
  next<T>(kind: string): Promise<T>;
  send(m: unknown): void;
  exited: Promise<number>;
}

function start(job: FleetJob, heapMb: number): Child {
  const child = fork(join(here, 'fleet-instance.ts'), [JSON.stringify(job)], {
    execArgv: ['--expose-gc', '--import', 'tsx', `--max-old-space-size=${heapMb}`],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const inbox: { kind: string }[] = [];
  const waiting: { kind: string; resolve: (m: never) => void; reject: (e: Error) => void }[] = [];
  let exit: number | undefined;
  const deliver = (): void => {
    for (let i = 0; i < waiting.length; i++) {
      const w = waiting[i]!;
      const j = inbox.findIndex((m) => m.kind === w.kind);
      if (j >= 0) {
        waiting.splice(i--, 1);
        w.resolve(inbox.splice(j, 1)[0] as never);
      } else if (exit !== undefined) {
        waiting.splice(i--, 1);
        w.reject(new Error(`the ${job.mode} process (instance ${job.instance ?? '-'}) exited with ${exit} before sending ${w.kind}`));
      }
    }
  };
  child.on('message', (m: { kind: string }) => {
    inbox.push(m);
    deliver();
  });
  const exited = new Promise<number>((resolve) =>
    child.on('exit', (code, signal) => {
      exit = code ?? (signal === null ? 1 : 128);
      if (signal !== null) log(`${job.mode} process (instance ${job.instance ?? '-'}) killed by ${signal}`);
      deliver();
      resolve(exit);
    }),
  );
  return {
    next: <T>(kind: string) => new Promise<T>((resolve, reject) => {
      waiting.push({ kind, resolve: resolve as (m: never) => void, reject });
      deliver();
    }),
    send: (m) => child.send(m as never),
    exited,
  };
}

/* ------------------------------------------------------------------------------------------ */
/* The changes an instance follows                                                              */

interface PlannedChange {
  readonly what: string;
  readonly recipe: (w: SharedEngine) => Promise<number>;
  /** A query about the changed user afterwards (compared between writer and instance). */
  readonly probe: { user: string; action: string; resource: Resource };
  /** Whether the instance must answer the probe. */
  readonly mustProbe: boolean;
}

/** ~20 changes: addMember and setStatus in served tenants, a user of another client given a served tenant (a reload), and changes elsewhere. */
function planChanges(f: Fleet, writer: SharedEngine, served: readonly number[], foreign: readonly number[], elsewhereTenants: readonly number[], seedRecord: (t: number, owner: string) => Resource): PlannedChange[] {
  const p = writer.policy;
  const out: PlannedChange[] = [];
  const usersOf = (t: number): string[] => {
    const list: string[] = [];
    for (let u = f.tenantUserStart[t] as number; u < (f.tenantUserStart[t + 1] as number) && list.length < 50; u++) list.push(f.userIds[u] as string);
    return list;
  };
  const idOf = (e: string | { id: string }): string => (typeof e === 'string' ? e : e.id);
  const addMember = (t: number, k: number): PlannedChange | undefined => {
    const groups = f.tenantGroups[t] as string[];
    const g = groups[k % groups.length] as string;
    const members = new Set((p.groups.get(g)?.members.users ?? []).map(idOf));
    const u = usersOf(t).find((x) => !members.has(x) && p.users.get(x)?.tenant === f.tenantIds[t]);
    if (u === undefined) return undefined;
    return { what: `addMember(${g}, ${u})`, recipe: (w) => w.addMember(g, { user: u }), probe: { user: u, action: 'edit', resource: { type: 'lead', id: `probe-${out.length}`, tenant: f.tenantIds[t] as string, owner: { group: g } } }, mustProbe: served.includes(t) };
  };
  const setStatus = (t: number, k: number): PlannedChange => {
    const users = usersOf(t);
    const u = users[(k * 7) % users.length] as string;
    const next = p.users.get(u)?.status === 'inactive' ? 'active' : 'inactive';
    return { what: `setStatus(${u}, ${next})`, recipe: (w) => w.setStatus(u, next), probe: { user: u, action: 'view', resource: seedRecord(t, u) }, mustProbe: true };
  };
  const grantTenant = (from: number, to: number, k: number): PlannedChange | undefined => {
    const u = usersOf(from).find((x, i) => i >= k && (p.users.get(x)?.tenants.length ?? 1) === 0);
    if (u === undefined) return undefined;
    const target = f.tenantIds[to] as string;
    const recipe: Recipe = (d) => {
      const x = d.users.get(u);
      if (x !== undefined && !x.tenants.includes(target)) x.tenants = [...x.tenants, target];
    };
    // The user now acts in the served tenant: the instance must hold it and answer about its record there.
    return { what: `user ${u} of ${f.tenantIds[from] as string} given tenant ${target}`, recipe: (w) => w.update(recipe), probe: { user: u, action: 'delete', resource: seedRecord(to, u) }, mustProbe: true };
  };
  for (let k = 0; k < 5; k++) {
    const t = served[k % served.length] as number;
    const a = addMember(t, k);
    if (a !== undefined) out.push(a);
    out.push(setStatus(served[(k + 1) % served.length] as number, k));
    const g = grantTenant(foreign[(3 * k) % foreign.length] as number, served[(k + 2) % served.length] as number, k);
    if (g !== undefined) out.push(g);
    const elsewhere = addMember(elsewhereTenants[(5 * k + 1) % elsewhereTenants.length] as number, k);
    if (elsewhere !== undefined) out.push(elsewhere);
  }
  return out;
}

/* ------------------------------------------------------------------------------------------ */

interface InstanceRow {
  readonly load: LoadFigures;
  readonly compare: CompareFigures;
  readonly servedTenants: number;
  readonly roots: number;
  /** Tenants whose roles, groups and rules it holds (by the generator's count of the scope rule). */
  readonly heldTenants: number;
}

async function main(): Promise<void> {
  const machine: Record<string, string | number> = { node: process.version, cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, memory: totalmem(), loadAtStart: loadavg()[0] ?? 0 };
  let t = performance.now();
  const fleet = generateFleet({ tenants: TENANTS, users: USERS, seed: SEED, agency: AGENCY });
  const generateMs = performance.now() - t;
  log(`generated in ${fmtMs(generateMs)}: ${fmtInt(fleet.tenantIds.length)} tenants (${fleet.roots.length} roots), ${fmtInt(USERS)} users, ${fmtInt(fleet.counts.groups)} groups, ${fmtInt(fleet.counts.memberEntries)} member entries, ${fleet.counts.agencyUsers} agency users`);
  t = performance.now();
  const sample = sampleQueries(fleet, INSTANCES, { checks: CHECKS, whoCan: WHOCAN, groupsOf: GROUPSOF }, SEED);
  const sampleMs = performance.now() - t;
  const work = mkdtempSync(join(tmpdir(), 'purview-bench-fleet-'));
  const queriesFile = join(work, 'queries.json');
  const answersFile = join(work, 'answers.json');
  writeFileSync(queriesFile, JSON.stringify(sample));

  const db = await testDatabase();
  const pool = testPool(db.url, 4);
  const schema = KEEP ? `purview_bench_fleet_t${TENANTS}_u${USERS}_s${SEED}_${AGENCY}` : schemaName('purview_bench_fleet');
  const signature = `purview bench/fleet.ts v2 tenants=${TENANTS} users=${USERS} seed=${SEED} agency=${AGENCY}`;
  const results: Record<string, unknown> = {
    kind: 'fleet',
    params: { tenants: TENANTS, users: USERS, instances: INSTANCES, seed: SEED, agency: AGENCY, checks: CHECKS, whoCan: WHOCAN, groupsOf: GROUPSOF, fullHeapMb: FULL_HEAP_MB, scopedHeapMb: SCOPED_HEAP_MB },
    machine,
    workload: { tenants: fleet.tenantIds.length, roots: fleet.roots.length, users: USERS, ...fleet.counts },
    generateMs,
    sampleMs,
  };
  let failed = false;
  try {
    // Store the policy once (or reuse a kept schema of the same sizes and seed).
    const comment = await pool.query<{ c: string | null }>(`SELECT obj_description(oid, 'pg_namespace') AS c FROM pg_namespace WHERE nspname = $1`, [schema]);
    let storeMs: number | undefined;
    if (KEEP && comment.rows[0]?.c === signature) log(`reusing schema ${schema}`);
    else {
      await dropSchema(pool, schema);
      log(`storing into ${schema}`);
      t = performance.now();
      const repo = postgresRepository({ pool, schema, initialPolicy: fleet.policy });
      await repo.migrate();
      storeMs = performance.now() - t;
      await repo.close();
      await pool.query(`COMMENT ON SCHEMA "${schema}" IS '${signature}'`);
      log(`stored in ${fmtMs(storeMs)}`);
    }
    results.storeMs = storeMs ?? null;
    (fleet as { policy?: unknown }).policy = undefined; // the plain policy is no longer needed here
    machine.postgres = (await pool.query<{ v: string }>("SELECT current_setting('server_version') AS v")).rows[0]?.v ?? 'unknown';
    const sizes = await pool.query<{ t: string; bytes: string }>(`SELECT pg_size_pretty(sum(pg_total_relation_size(c.oid))) AS t, sum(pg_total_relation_size(c.oid)) AS bytes FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relkind IN ('r', 'i', 't')`, [schema]);
    results.storedBytes = Number(sizes.rows[0]?.bytes ?? 0);

    const split = splitRoots(fleet, INSTANCES);
    const servedOf = split.map((roots) => {
      const set = new Set(roots.map((r) => tenantIndex(fleet, r)));
      return fleet.tenantIds.map((_, i) => i).filter((i) => set.has(rootOf(fleet, i)));
    });
    const predicted = split.map((roots) => heldOf(fleet, roots));
    results.predictedHeld = predicted.map((h) => ({ served: h.served, tenants: h.tenants, users: h.users }));
    const base = { url: db.url, schema, queries: queriesFile, answers: answersFile };

    // (a) one engine holding everything.
    log(`full engine (max-old-space-size ${FULL_HEAP_MB} MB)`);
    const fullChild = start({ ...base, mode: 'full' }, FULL_HEAP_MB);
    const full = await fullChild.next<{ figures: LoadFigures; queryMs: number; answered: number; peakRssEnd: number }>('full');
    await fullChild.exited;
    log(`full: open ${fmtMs(full.figures.openMs)}, heap ${fmtBytes(full.figures.heapAfter)}, peak RSS ${fmtBytes(full.figures.peakRss)}; ${fmtInt(full.answered)} answers in ${fmtMs(full.queryMs)}`);
    results.full = full;
    const loadPath = full.figures.loadTenants ? 'loadTenants' : 'fallback (load() + scoping)';
    log(`load path of the scoped instances: ${loadPath}`);

    // (b) the instances, one after another.
    const rows: InstanceRow[] = [];
    for (let k = 0; k < INSTANCES; k++) {
      const roots = split[k] as string[];
      const child = start({ ...base, mode: 'scoped', roots, instance: k }, SCOPED_HEAP_MB);
      const m = await child.next<{ figures: LoadFigures; compare: CompareFigures; peakRssEnd: number }>('scoped');
      await child.exited;
      rows.push({ load: m.figures, compare: m.compare, servedTenants: (servedOf[k] as number[]).length, roots: roots.length, heldTenants: (predicted[k] as { tenants: number }).tenants });
      if ((predicted[k] as { users: number }).users !== m.figures.held.users) log(`  note: instance ${k} holds ${m.figures.held.users} users, the generator's count of the scope rule says ${(predicted[k] as { users: number }).users}`);
      log(`instance ${k}: open ${fmtMs(m.figures.openMs)}, heap ${fmtBytes(m.figures.heapAfter)}, ${fmtInt(m.figures.held.users)} users held; ${fmtInt(m.compare.compared)} compared, ${fmtInt(m.compare.refused)} refused, ${m.compare.mismatches} mismatches`);
      for (const d of m.compare.firstMismatches) log(`  MISMATCH ${d}`);
      if (m.compare.mismatches > 0) failed = true;
    }
    results.instances = rows;

    // All instances started at once.
    t = performance.now();
    const together = Array.from({ length: INSTANCES }, (_, k) => start({ ...base, mode: 'load', roots: split[k] as string[], instance: k }, SCOPED_HEAP_MB));
    const loaded = await Promise.all(together.map((c) => c.next<{ figures: LoadFigures }>('loaded')));
    const concurrentMs = performance.now() - t;
    await Promise.all(together.map((c) => c.exited));
    results.concurrent = { wallMs: concurrentMs, figures: loaded.map((m) => m.figures) };
    log(`all ${INSTANCES} at once: ${fmtMs(concurrentMs)} from the first start until all had loaded`);

    // Following: a writer here, instance 0 in a process of its own.
    const follower = start({ ...base, mode: 'follow', roots: split[0] as string[], instance: 0 }, SCOPED_HEAP_MB);
    const ready = await follower.next<{ figures: LoadFigures }>('ready');
    const wpg = postgresRepository({ pool, schema });
    const writer = await openEngine({ repository: wpg, timeoutMs: 120_000 });
    const served0 = servedOf[0] as number[];
    const held0 = (predicted[0] as { held: ReadonlySet<number> }).held;
    // Tenants instance 0 does not hold: a user of one given a served tenant makes its part grow.
    const foreign0 = fleet.tenantIds.map((_, i) => i).filter((i) => !held0.has(i));
    if (foreign0.length === 0) log('  note: instance 0 holds every tenant; no change can make its part grow');
    const elsewhere0 = fleet.tenantIds.map((_, i) => i).filter((i) => !served0.includes(i));
    let probeSerial = 0;
    const seedRecord = (ti: number, owner: string): Resource => ({ type: 'account', id: `probe-rec-${probeSerial++}`, tenant: fleet.tenantIds[ti] as string, owner: { user: owner } });
    const plan = planChanges(fleet, writer, served0, foreign0.length > 0 ? foreign0 : elsewhere0, elsewhere0, seedRecord);
    const follows: { what: string; revision: number; writeMs: number; waitMs: number; untilMs: number; reloaded: boolean; users: number; loads: number; loadTenants: number; error?: string }[] = [];
    for (const change of plan) {
      const t0 = performance.now();
      const revision = await change.recipe(writer);
      const t1 = performance.now();
      follower.send({ kind: 'wait', revision });
      const r = await follower.next<{ waitMs: number; reloaded: boolean; users: number; loads: number; loadTenants: number; error?: string }>('reached');
      follows.push({ what: change.what, revision, writeMs: t1 - t0, waitMs: r.waitMs, untilMs: performance.now() - t1, reloaded: r.reloaded, users: r.users, loads: r.loads, loadTenants: r.loadTenants, ...(r.error === undefined ? {} : { error: r.error }) });
      if (r.error !== undefined) {
        failed = true;
        log(`  FOLLOW ERROR at ${change.what}: ${r.error}`);
      }
    }
    // The instance's answers about the changed users equal the writer's.
    const probes = plan.map((c) => c.probe);
    follower.send({ kind: 'verify', checks: probes });
    const verified = await follower.next<{ answers: ({ ok: true; value: unknown } | { ok: false; error: string })[]; heap: number; peakRss: number }>('verified');
    let probeMismatches = 0;
    plan.forEach((c, i) => {
      const a = verified.answers[i];
      let expected: unknown;
      try {
        expected = JSON.parse(JSON.stringify(writer.check(c.probe.user, c.probe.action, c.probe.resource, { asOf: '2026-06-01T00:00:00Z' })));
      } catch (e) {
        expected = { error: String(e) };
      }
      const refused = a !== undefined && !a.ok && a.error === 'OutOfScopeError';
      if (refused && !c.mustProbe) return;
      if (a === undefined || !a.ok || !isDeepStrictEqual(a.value, expected)) {
        probeMismatches++;
        log(`  PROBE MISMATCH after ${c.what}: writer ${JSON.stringify(expected).slice(0, 300)} / instance ${JSON.stringify(a).slice(0, 300)}`);
      }
    });
    if (probeMismatches > 0) failed = true;
    follower.send({ kind: 'stop' });
    await follower.exited;
    await writer.close();
    await wpg.close();
    const waits = follows.map((x) => x.untilMs);
    const reloads = follows.filter((x) => x.reloaded);
    results.follow = { instance: 0, readyFigures: ready.figures, changes: follows, probes: probes.length, probeMismatches, heapAfter: verified.heap, peakRss: verified.peakRss };
    log(`following: ${follows.length} changes, until the instance has it median ${fmtMs(median(waits))}, max ${fmtMs(Math.max(...waits))}; ${reloads.length} reloads; ${probeMismatches} probe mismatches`);

    // Report.
    machine.loadAtEnd = loadavg()[0] ?? 0;
    results.parentPeakRss = parentPeakRss();
    const md = report(machine, fleet, full, rows, loadPath, concurrentMs, loaded.map((m) => m.figures), follows, probeMismatches, storeMs, Number(results.storedBytes));
    process.stdout.write(`${md}\n`);
    const date = new Date().toISOString().slice(0, 10);
    const name = `fleet-${date}${TENANTS === 1000 && USERS === 1_000_000 && INSTANCES === 4 ? '' : `-${TENANTS}x${USERS}x${INSTANCES}`}${AGENCY === 'random' ? '-random' : ''}`;
    const out = join(here, 'results');
    mkdirSync(out, { recursive: true });
    writeFileSync(join(out, `${name}.json`), `${JSON.stringify({ ...results, failed }, null, 1)}\n`);
    writeFileSync(join(out, `${name}.md`), `${md}\n`);
    log(`wrote bench/results/${name}.json and .md`);
  } finally {
    rmSync(work, { recursive: true, force: true });
    if (!KEEP) await dropSchema(pool, schema).catch(() => undefined);
    await pool.end();
    await db.stop();
  }
  if (failed) {
    log('FAILED: an instance answered differently from the full engine (see above)');
    process.exitCode = 1;
  }
}

/** This process's peak RSS (VmHWM), bytes; -1 without /proc. */
function parentPeakRss(): number {
  try {
    const m = /VmHWM:\s+(\d+)\s+kB/.exec(readFileSync('/proc/self/status', 'utf8'));
    return m === null ? -1 : Number(m[1]) * 1024;
  } catch {
    return -1;
  }
}

function report(
  machine: Readonly<Record<string, string | number>>,
  fleet: Fleet,
  full: { figures: LoadFigures; queryMs: number; answered: number },
  rows: readonly InstanceRow[],
  loadPath: string,
  concurrentMs: number,
  concurrent: readonly LoadFigures[],
  follows: readonly { what: string; untilMs: number; waitMs: number; writeMs: number; reloaded: boolean }[],
  probeMismatches: number,
  storeMs: number | undefined,
  storedBytes: number,
): string {
  const f = full.figures;
  const header = ['engine', 'root tenants (served tenants)', 'tenants held', 'users held', 'groups held', 'open (load + index)', 'of which repository read', 'heap after GC', 'RSS after load', 'peak RSS', 'queries compared', 'refused (OutOfScopeError)'];
  const line = (name: string, roots: string, heldTenants: string, l: LoadFigures, compared: string, refused: string): string[] => [
    name,
    roots,
    heldTenants,
    fmtInt(l.held.users),
    fmtInt(l.held.groups),
    fmtMs(l.openMs),
    fmtMs(l.readMs),
    fmtBytes(l.heapAfter),
    fmtBytes(l.rssAfter),
    l.peakRss < 0 ? 'n/a' : fmtBytes(l.peakRss),
    compared,
    refused,
  ];
  const sum = (g: (r: InstanceRow) => number): number => rows.reduce((a, r) => a + g(r), 0);
  const maxOf = (g: (r: InstanceRow) => number): number => Math.max(...rows.map(g));
  const table1 = table(header, [
    line('single engine (everything)', `${fleet.roots.length} (${fleet.tenantIds.length})`, fmtInt(fleet.tenantIds.length), f, `answers ${fmtInt(full.answered)}`, '-'),
    ...rows.map((r, k) => line(`instance ${k}`, `${r.roots} (${r.servedTenants})`, fmtInt(r.heldTenants), r.load, fmtInt(r.compare.compared), fmtInt(r.compare.refused))),
    [
      `**${rows.length} instances, total**`,
      `${sum((r) => r.roots)} (${sum((r) => r.servedTenants)})`,
      fmtInt(sum((r) => r.heldTenants)),
      fmtInt(sum((r) => r.load.held.users)),
      fmtInt(sum((r) => r.load.held.groups)),
      `${fmtMs(sum((r) => r.load.openMs))} (max ${fmtMs(maxOf((r) => r.load.openMs))})`,
      fmtMs(sum((r) => r.load.readMs)),
      `${fmtBytes(sum((r) => r.load.heapAfter))} (max ${fmtBytes(maxOf((r) => r.load.heapAfter))})`,
      fmtBytes(sum((r) => r.load.rssAfter)),
      `max ${fmtBytes(maxOf((r) => r.load.peakRss))}`,
      fmtInt(sum((r) => r.compare.compared)),
      fmtInt(sum((r) => r.compare.refused)),
    ],
  ]);
  const mismatches = sum((r) => r.compare.mismatches);
  const waits = follows.map((x) => x.untilMs);
  const reloads = follows.filter((x) => x.reloaded).length;
  const c = fleet.counts;
  return [
    `## fleet: ${fmtInt(fleet.tenantIds.length)} tenants, ${fmtInt(fleet.params.users)} users, ${rows.length} instances (seed ${fleet.params.seed})`,
    '',
    `${fmtInt(fleet.tenantIds.length)} tenants (${fmtInt(fleet.roots.length)} client roots, the rest their sub-accounts), ${fmtInt(fleet.params.users)} users (${fmtInt(c.agencyUsers)} agency users acting in 2-5 other clients' tenants, ${fleet.params.agency === 'random' ? 'any clients' : `clients of their partner network of ${NETWORK_ROOTS} roots`}; ${fmtInt(c.inactive)} inactive), ${fmtInt(c.roles)} roles, ${fmtInt(c.groups)} groups (${fmtInt(c.memberEntries)} member entries), ${fmtInt(c.sharingRules)} sharing rules, ${fmtInt(c.accessGroups)} access groups, access levels. Node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? 'unknown'}, load average ${Number(machine.loadAtStart).toFixed(1)} at start and ${Number(machine.loadAtEnd).toFixed(1)} at end; one PostgreSQL ${String(machine.postgres)} server on the same machine; each engine in a process of its own (heap after a full GC; the process's baseline heap before opening was ${fmtBytes(f.heapBefore)}).`,
    '',
    `Stored once: ${storeMs === undefined ? 'reused a kept schema' : fmtMs(storeMs)} (${fmtBytes(storedBytes)} in PostgreSQL with indexes). Scoped instances loaded by: **${loadPath}**. Children ran with --max-old-space-size ${FULL_HEAP_MB} MB (full) and ${SCOPED_HEAP_MB} MB (scoped).`,
    '',
    table1,
    '',
    `Correctness: ${fmtInt(sum((r) => r.compare.compared))} answers compared (check as JSON, can, whoCan, groupsOf), ${mismatches} differences; ${fmtInt(sum((r) => r.compare.refused))} queries refused with OutOfScopeError (records of other instances' tenants, users acting in none of the instance's tenants), none of them one the instance must answer; each instance refused a record of a tenant it does not serve: ${rows.every((r) => r.compare.foreignRefused) ? 'yes' : 'NO'}. Full engine: ${fmtInt(full.answered)} answers in ${fmtMs(full.queryMs)}; instances: ${rows.map((r) => fmtMs(r.compare.queryMs)).join(', ')}.`,
    '',
    `All ${rows.length} instances started at once (2 cores): ${fmtMs(concurrentMs)} from the first start until all had loaded (opens ${concurrent.map((l) => fmtMs(l.openMs)).join(', ')}).`,
    '',
    `Following (instance 0, ${follows.length} changes written by a full engine in another process): until the instance has the revision, median ${fmtMs(median(waits))}, max ${fmtMs(Math.max(...waits))}; the write itself median ${fmtMs(median(follows.map((x) => x.writeMs)))}; ${reloads} of them made the instance load its part again (a user of another client given one of its tenants): median ${reloads > 0 ? fmtMs(median(follows.filter((x) => x.reloaded).map((x) => x.untilMs))) : '-'}, the others median ${fmtMs(median(follows.filter((x) => !x.reloaded).map((x) => x.untilMs)))}. Answers about the changed users after the changes equal the writer's: ${probeMismatches === 0 ? 'yes' : `NO (${probeMismatches} differ)`}.`,
  ].join('\n');
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
