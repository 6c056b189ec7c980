/*
 * One process of bench/fleet.ts: an engine over the fleet schema in PostgreSQL, measured in a heap
 * of its own. Started by bench/fleet.ts (child_process.fork) with one JSON argument, a FleetJob:
 *
 *   full    openEngine({ repository }): load time, heap, RSS; answers every instance's sample and
 *           writes the answers to `answers` (JSON) for the scoped instances to compare with.
 *   scoped  openEngine({ repository, tenants: roots }): the same figures; answers its sample and
 *           compares with the full engine's answers, counting OutOfScopeError refusals; asserts that
 *           a record of a tenant it does not serve is refused.
 *   load    the figures only (the instances started concurrently).
 *   follow  a scoped engine that stays open: the parent writes through a full engine and sends each
 *           revision; this process waits for it (`waitFor`) and reports how long it took and whether
 *           it loaded its part again. Then it answers queries the parent compares with the writer.
 *
 * Reports to the parent with process.send (one message, or one per revision in follow mode).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import { openEngine, type PolicyRepository, type Resource, type SharedEngine } from '../src/index.js';
import { postgresRepository } from '../src/adapters/postgres/index.js';
import { testPool } from '../test/support/postgres.js';
import type { InstanceQueries } from './fleet-workload.js';

export interface FleetJob {
  readonly mode: 'full' | 'scoped' | 'load' | 'follow';
  readonly url: string;
  readonly schema: string;
  /** The root tenants served (scoped, load, follow). */
  readonly roots?: readonly string[];
  readonly instance?: number;
  /** The sample (JSON of InstanceQueries[]). */
  readonly queries?: string;
  /** The full engine's answers (JSON of Answers[]): written by full, read by scoped. */
  readonly answers?: string;
}

/** What a process measured while opening its engine. */
export interface LoadFigures {
  readonly mode: FleetJob['mode'];
  readonly instance: number | undefined;
  /** Whether the repository offers loadTenants (the WHERE-by-tenant read). */
  readonly loadTenants: boolean;
  readonly openMs: number;
  /** Time spent inside repository.load / loadTenants during the open. */
  readonly readMs: number;
  readonly heapBefore: number;
  readonly heapAfter: number;
  readonly rssAfter: number;
  /** Peak RSS of the process so far (VmHWM), bytes; -1 when /proc is not there. */
  readonly peakRss: number;
  readonly maxOldSpaceMb: number;
  readonly held: { readonly users: number; readonly groups: number; readonly roles: number; readonly sharingRules: number; readonly accessGroups: number; readonly tenants: number };
  readonly revision: number;
}

export interface CompareFigures {
  readonly checks: number;
  readonly compared: number;
  readonly refused: number;
  readonly mustRefused: number;
  readonly mismatches: number;
  readonly firstMismatches: readonly string[];
  readonly foreignRefused: boolean;
  readonly queryMs: number;
}

/** One instance's sample as the full engine answers it. */
export interface Answers {
  readonly checks: readonly Answer[];
  readonly can: readonly Answer[];
  readonly whoCan: readonly Answer[];
  readonly groupsOf: readonly Answer[];
}
export type Answer = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: string; readonly code?: string };

const AS_OF = { asOf: '2026-06-01T00:00:00Z' } as const;

/** A repository that counts (and times) whole and per-tenant loads; loadTenants only when the inner one has it. */
export function counting(repo: PolicyRepository): PolicyRepository & { readonly stats: { loads: number; loadTenants: number; readMs: number } } {
  const stats = { loads: 0, loadTenants: 0, readMs: 0 };
  const timed = async <T>(p: () => Promise<T>): Promise<T> => {
    const t = performance.now();
    try {
      return await p();
    } finally {
      stats.readMs += performance.now() - t;
    }
  };
  const inner = repo.loadTenants;
  return {
    stats,
    load: () => {
      stats.loads++;
      return timed(() => repo.load());
    },
    ...(typeof inner === 'function'
      ? {
          loadTenants: (tenants: readonly string[]) => {
            stats.loadTenants++;
            return timed(() => inner.call(repo, tenants));
          },
        }
      : {}),
    append: (c, e) => repo.append(c, e),
    changesSince: (r) => repo.changesSince(r),
    subscribe: (f, e) => repo.subscribe(f, e),
  };
}

const gc = (globalThis as { gc?: () => void }).gc;
function heap(): number {
  if (gc !== undefined) for (let i = 0; i < 3; i++) gc();
  return process.memoryUsage().heapUsed;
}
function peakRss(): number {
  try {
    const m = /VmHWM:\s+(\d+)\s+kB/.exec(readFileSync('/proc/self/status', 'utf8'));
    return m === null ? -1 : Number(m[1]) * 1024;
  } catch {
    return -1;
  }
}
function maxOldSpaceMb(): number {
  for (const a of process.execArgv) {
    const m = /^--max-old-space-size=(\d+)$/.exec(a);
    if (m !== null) return Number(m[1]);
  }
  return 0;
}

function run(f: () => unknown): Answer {
  try {
    // Through JSON: what is compared is what a caller could serialize.
    const v = f();
    return { ok: true, value: v === undefined ? null : (JSON.parse(JSON.stringify(v)) as unknown) };
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    return { ok: false, error: e instanceof Error ? e.name : String(e), ...(typeof code === 'string' ? { code } : {}) };
  }
}

function send(message: unknown): Promise<void> {
  return new Promise((resolve, reject) => {
    if (process.send === undefined) {
      process.stdout.write(`${JSON.stringify(message)}\n`);
      resolve();
      return;
    }
    process.send(message, (e: Error | null) => (e ? reject(e) : resolve()));
  });
}

async function open(job: FleetJob): Promise<{ engine: SharedEngine; repo: ReturnType<typeof counting>; close: () => Promise<void>; figures: LoadFigures }> {
  const pool = testPool(job.url, 4);
  const pg = postgresRepository({ pool, schema: job.schema });
  await pg.migrate(); // a no-op on a migrated schema; outside the timed open
  const repo = counting(pg);
  const heapBefore = heap();
  const t0 = performance.now();
  const scoped = job.mode !== 'full';
  const engine = await openEngine({ repository: repo, ...(scoped ? { tenants: job.roots ?? [] } : {}), timeoutMs: 120_000 });
  const openMs = performance.now() - t0;
  const heapAfter = heap();
  const p = engine.policy;
  const figures: LoadFigures = {
    mode: job.mode,
    instance: job.instance,
    loadTenants: typeof pg.loadTenants === 'function',
    openMs,
    readMs: repo.stats.readMs,
    heapBefore,
    heapAfter,
    rssAfter: process.memoryUsage().rss,
    peakRss: peakRss(),
    maxOldSpaceMb: maxOldSpaceMb(),
    held: { users: p.users.size, groups: p.groups.size, roles: p.roles.size, sharingRules: p.sharingRules.size, accessGroups: p.accessGroups.size, tenants: p.tenants.size },
    revision: engine.revision,
  };
  return {
    engine,
    repo,
    figures,
    close: async () => {
      await engine.close();
      await pg.close();
      await pool.end();
    },
  };
}

function answerAll(engine: SharedEngine, q: InstanceQueries): Answers {
  return {
    checks: q.checks.map((c) => run(() => engine.check(c.user, c.action, c.resource, AS_OF))),
    can: q.checks.map((c) => run(() => engine.can(c.user, c.action, c.resource, AS_OF))),
    whoCan: q.whoCan.map((c) => run(() => engine.whoCan(c.action, c.resource, AS_OF))),
    groupsOf: q.groupsOf.map((c) => run(() => engine.groupsOf(c.user, { ...AS_OF, paths: true }))),
  };
}

function compare(mine: Answers, full: Answers, q: InstanceQueries, foreignRefused: boolean, queryMs: number): CompareFigures {
  let compared = 0;
  let refused = 0;
  let mustRefused = 0;
  let mismatches = 0;
  const first: string[] = [];
  const one = (what: string, must: boolean, a: Answer | undefined, b: Answer | undefined): void => {
    if (a === undefined || b === undefined) {
      mismatches++;
      if (first.length < 5) first.push(`${what}: missing answer`);
      return;
    }
    if (!b.ok && b.error === 'OutOfScopeError') {
      refused++;
      if (must) {
        mustRefused++;
        mismatches++;
        if (first.length < 5) first.push(`${what}: must be answered, was refused`);
      }
      return;
    }
    compared++;
    if (!isDeepStrictEqual(a, b)) {
      mismatches++;
      if (first.length < 5) first.push(`${what}: full ${JSON.stringify(a).slice(0, 600)} / scoped ${JSON.stringify(b).slice(0, 600)}`);
    }
  };
  q.checks.forEach((c, i) => {
    const what = `(${JSON.stringify(c.user)}, ${c.action}, ${JSON.stringify(c.resource)})`;
    one(`check${what}`, c.must, full.checks[i], mine.checks[i]);
    one(`can${what}`, c.must, full.can[i], mine.can[i]);
  });
  q.whoCan.forEach((c, i) => one(`whoCan(${c.action}, ${JSON.stringify(c.resource)})`, c.must, full.whoCan[i], mine.whoCan[i]));
  q.groupsOf.forEach((c, i) => one(`groupsOf(${JSON.stringify(c.user)})`, c.must, full.groupsOf[i], mine.groupsOf[i]));
  if (!foreignRefused) {
    mismatches++;
    first.push(`check on ${JSON.stringify(q.foreign)} (a tenant this instance does not serve) was not refused with OutOfScopeError`);
  }
  return { checks: q.checks.length, compared, refused, mustRefused, mismatches, firstMismatches: first, foreignRefused, queryMs };
}

async function main(): Promise<void> {
  const job = JSON.parse(process.argv[2] ?? '{}') as FleetJob;
  const { engine, repo, figures, close } = await open(job);
  try {
    if (job.mode === 'load') {
      await send({ kind: 'loaded', figures });
      return;
    }
    const all = JSON.parse(readFileSync(job.queries as string, 'utf8')) as InstanceQueries[];
    if (job.mode === 'full') {
      const t = performance.now();
      const answers = all.map((q) => answerAll(engine, q));
      const queryMs = performance.now() - t;
      writeFileSync(job.answers as string, JSON.stringify(answers));
      await send({ kind: 'full', figures, queryMs, answered: all.reduce((n, q) => n + 2 * q.checks.length + q.whoCan.length + q.groupsOf.length, 0), peakRssEnd: peakRss() });
      return;
    }
    const q = all[job.instance as number] as InstanceQueries;
    if (job.mode === 'scoped') {
      const full = (JSON.parse(readFileSync(job.answers as string, 'utf8')) as Answers[])[job.instance as number] as Answers;
      const t = performance.now();
      const mine = answerAll(engine, q);
      const queryMs = performance.now() - t;
      const someUser = q.checks.find((c) => c.must)?.user ?? (q.checks[0]?.user as string);
      const foreign = run(() => engine.check(someUser, 'view', q.foreign, AS_OF));
      const foreignRefused = !foreign.ok && foreign.error === 'OutOfScopeError' && !engine.serves(q.foreign.tenant as string);
      await send({ kind: 'scoped', figures, compare: compare(mine, full, q, foreignRefused, queryMs), peakRssEnd: peakRss() });
      return;
    }
    // follow
    await send({ kind: 'ready', figures });
    // Loads are attributed to the change the parent waited for last (it waits for each reply before
    // the next write; a notification may make this engine reload before the 'wait' message arrives).
    let lastLoads = repo.stats.loads + repo.stats.loadTenants;
    await new Promise<void>((resolve) => {
      process.on('message', (m: { kind: string; revision?: number; checks?: { user: string; action: string; resource: Resource }[] }) => {
        void (async () => {
          if (m.kind === 'wait') {
            const t = performance.now();
            let error: string | undefined;
            try {
              await engine.waitFor(m.revision as number, { timeoutMs: 120_000 });
            } catch (e) {
              error = String(e);
            }
            const total = repo.stats.loads + repo.stats.loadTenants;
            await send({
              kind: 'reached',
              revision: m.revision,
              waitMs: performance.now() - t,
              reloaded: total > lastLoads,
              loads: repo.stats.loads,
              loadTenants: repo.stats.loadTenants,
              users: engine.policy.users.size,
              ...(error === undefined ? {} : { error }),
            });
            lastLoads = total;
          } else if (m.kind === 'verify') {
            const answers = (m.checks ?? []).map((c) => run(() => engine.check(c.user, c.action, c.resource, AS_OF)));
            await send({ kind: 'verified', answers, heap: heap(), peakRss: peakRss() });
          } else if (m.kind === 'stop') resolve();
        })();
      });
    });
  } finally {
    await close();
  }
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    process.stderr.write(`fleet-instance: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  },
);
