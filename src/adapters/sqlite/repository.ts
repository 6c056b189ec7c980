import Database from 'better-sqlite3';
import {
  ConflictError,
  InvalidInputError,
  RepositoryError,
  SchemaVersionError,
  type ChangeRecord,
  type PolicyRepository,
  type StoredPolicy,
} from '../../index.js';
import { checkAppendArgs, checkInitialPolicy, checkKeepLast, type SqlRepository, type SqlRepositoryOptions } from '../sql/checks.js';
import { Subscriptions } from '../sql/subscriptions.js';
import { decodeChangeText, decodePolicy, type Row } from '../sql/decode.js';
import { scopedRead } from '../sql/scoped-read.js';
import type { LoadTenantsOptions } from '../../ports/policy-repository.js';
import { q, readSqliteRows, readSqliteScopedPolicy, sqliteScopedDialect } from './read.js';
import { checkPollInterval, pollRevisions } from '../sql/poll.js';
import { checkStorable, planWrites, rowArrays, writesOf, type Columns, type Writes } from '../sql/rows.js';
import { SQLITE_MIGRATIONS, SQLITE_SCHEMA_VERSION } from './migrations.js';

/** Options of {@link sqliteRepository}. */
export interface SqliteRepositoryOptions extends SqlRepositoryOptions {
  /** The database file (created when missing). Every process that opens the same file shares the policy. */
  readonly path: string;
  /**
   * How often a subscription polls the change log for changes of other processes, in ms (default
   * 250). A follower hears another process's change within one interval; each poll is one indexed
   * read of the local file.
   */
  readonly pollIntervalMs?: number;
  /** How long a write waits for another process's write to finish before it fails, in ms (default 5,000). */
  readonly busyTimeoutMs?: number;
}

/** A {@link PolicyRepository} in an SQLite file. */
export interface SqliteRepository extends SqlRepository {
  /** The database file. */
  readonly path: string;
  /** The polling interval of subscriptions, in ms. */
  readonly pollIntervalMs: number;
  /** Creates or upgrades the tables, in one transaction; idempotent and safe from many processes at once. */
  migrate(): Promise<void>;
  /** Stops every subscription and closes the file. */
  close(): Promise<void>;
}

/** SQLite binds no booleans: true and false are stored as 1 and 0. */
const bindable = (v: unknown): unknown => (v === true ? 1 : v === false ? 0 : v);

/**
 * A {@link PolicyRepository} in one SQLite file through `better-sqlite3` (version 12): the
 * persistent embedded default. The policy is in the normalized tables of `purview/postgres` (in
 * SQLite's types), with a change log; the file is in WAL mode, so that readers never wait for a
 * writer. Every change is one `BEGIN IMMEDIATE` transaction with the revision check
 * (`ConflictError`); several processes on one machine may open the same file, and their engines
 * follow each other by polling the change log every `pollIntervalMs`.
 * @example
 * ```ts
 * import { openEngine } from 'purview';
 * import { sqliteRepository } from 'purview/sqlite';
 *
 * const engine = await openEngine({ repository: sqliteRepository({ path: 'policy.db', initialPolicy }) });
 * ```
 */
export function sqliteRepository(input: SqliteRepositoryOptions): SqliteRepository {
  const options = Object.setPrototypeOf({ ...input }, null) as SqliteRepositoryOptions;
  const { path } = options;
  if (typeof path !== 'string' || path.length === 0 || path.includes('\u0000')) {
    throw new InvalidInputError({ message: 'sqliteRepository needs { path }: the database file', path: ['path'] });
  }
  const pollIntervalMs = checkPollInterval(options.pollIntervalMs ?? 250);
  const busyTimeoutMs = options.busyTimeoutMs ?? 5_000;
  if (!Number.isSafeInteger(busyTimeoutMs) || busyTimeoutMs < 0) {
    throw new InvalidInputError({ message: `busyTimeoutMs must be a non-negative integer, got ${String(busyTimeoutMs)}`, path: ['busyTimeoutMs'] });
  }
  const initial = checkInitialPolicy(options, 'SQLite text');

  let db: Database.Database | undefined;
  let closed = false;
  const open = (): Database.Database => {
    if (closed) throw new RepositoryError({ message: `the SQLite repository of ${JSON.stringify(path)} is closed` });
    if (db !== undefined) return db;
    try {
      const made = new Database(path, { timeout: busyTimeoutMs });
      made.pragma('journal_mode = WAL');
      db = made;
      return made;
    } catch (e) {
      throw new RepositoryError({ message: `could not open the SQLite file ${JSON.stringify(path)}: ${e instanceof Error ? e.message : String(e)}`, cause: e });
    }
  };

  /** Runs `fn` in one `BEGIN IMMEDIATE` transaction (rolled back when it throws); SQLite's own failures become typed. */
  const immediate = <T>(fn: (d: Database.Database) => T): T => {
    const d = open();
    try {
      return d.transaction(() => fn(d)).immediate();
    } catch (e) {
      throw typed(e);
    }
  };

  /** Runs `fn` in one read transaction: a consistent snapshot of the file. */
  const snapshot = <T>(fn: (d: Database.Database) => T): T => {
    const d = open();
    try {
      return d.transaction(() => fn(d)).deferred();
    } catch (e) {
      throw typed(e);
    }
  };

  const appliedVersions = (d: Database.Database): number[] => {
    const exists = d.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'").get();
    if (exists === undefined) return [];
    return (d.prepare('SELECT version FROM schema_migrations').raw(true).all() as Row[]).map((r) => Number(r[0]));
  };

  const insertRows = (d: Database.Database, rows: Columns): void => {
    const { spec } = rows;
    const names = spec.columns.map(([n]) => q(n));
    const update = spec.columns.map(([n]) => n).filter((n) => !spec.key.includes(n));
    const conflict = update.length === 0 ? 'NOTHING' : `UPDATE SET ${update.map((n) => `${q(n)} = excluded.${q(n)}`).join(', ')}`;
    const statement = d.prepare(`INSERT INTO ${q(spec.table)} (${names.join(', ')}) VALUES (${names.map(() => '?').join(', ')}) ON CONFLICT (${spec.key.map(q).join(', ')}) DO ${conflict}`);
    for (const row of rowArrays(rows)) statement.run(row.map(bindable));
  };

  /** Writes what a change writes; the caller holds the transaction. */
  const writeRows = (d: Database.Database, w: Writes): void => {
    for (const s of planWrites(w)) {
      switch (s.step) {
        case 'deleteAll':
          d.prepare(`DELETE FROM ${q(s.table)}`).run();
          break;
        case 'setLevels': {
          const sets = (['accessLevels', 'defaultAccessLevel'] as const).filter((k) => s[k] !== undefined);
          const columns = sets.map((k) => (k === 'accessLevels' ? 'access_levels = ?' : 'default_access_level = ?'));
          d.prepare(`UPDATE policy_state SET ${columns.join(', ')}`).run(sets.map((k) => s[k]));
          break;
        }
        case 'deleteIn':
          d.prepare(`DELETE FROM ${q(s.table)} WHERE ${q(s.column)} IN (SELECT value FROM json_each(?))`).run(JSON.stringify(s.ids));
          break;
        case 'insert':
          insertRows(d, s.rows);
          break;
      }
    }
  };

  const migrate = (): void =>
    immediate((d) => {
      d.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
        version INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
      )`);
      const applied = new Set(appliedVersions(d));
      const newest = Math.max(0, ...applied);
      if (newest > SQLITE_SCHEMA_VERSION) throw new SchemaVersionError({ schema: path, found: newest, supported: SQLITE_SCHEMA_VERSION });
      for (const m of SQLITE_MIGRATIONS) {
        if (applied.has(m.version)) continue;
        for (const statement of m.statements) d.exec(statement);
        d.prepare('INSERT INTO schema_migrations (version, name) VALUES (?, ?)').run(m.version, m.name);
      }
      if (initial !== undefined) {
        const row = d.prepare('SELECT revision, initialized FROM policy_state').raw(true).get() as Row | undefined;
        if (row !== undefined && Number(row[1]) === 0 && Number(row[0]) === 0) {
          writeRows(d, writesOf({ revision: 0, replace: initial }));
          d.prepare("UPDATE policy_state SET initialized = 1, updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')").run();
        }
      }
    });

  let ready = false;
  const ensureReady = (): void => {
    if (ready) return;
    if (options.migrate === false) {
      const found = Math.max(0, ...snapshot(appliedVersions));
      if (found !== SQLITE_SCHEMA_VERSION) throw new SchemaVersionError({ schema: path, found, supported: SQLITE_SCHEMA_VERSION });
    } else migrate();
    ready = true;
  };

  const storedRevision = (d: Database.Database): number => Number((d.prepare('SELECT revision FROM policy_state').raw(true).get() as Row | undefined)?.[0] ?? 0);

  const subscriptions = new Subscriptions();

  const repository: SqliteRepository = {
    path,
    pollIntervalMs,
    migrate: async () => {
      migrate();
      ready = true;
    },

    revision: async () => {
      ensureReady();
      return snapshot(storedRevision);
    },

    load: async (): Promise<StoredPolicy> => {
      ensureReady();
      const rows = snapshot((d) => readSqliteRows(d, path));
      return decodePolicy(rows, path);
    },

    loadTenants: async (tenants: readonly string[], options?: LoadTenantsOptions): Promise<StoredPolicy> => {
      const read = scopedRead(tenants, sqliteScopedDialect, path, options);
      ensureReady();
      return snapshot((d) => readSqliteScopedPolicy(d, read, path));
    },

    append: async (change: ChangeRecord, expected: number): Promise<void> => {
      checkAppendArgs(change, expected);
      checkStorable(change, [], 'SQLite text');
      const writes = writesOf(change);
      const record = JSON.stringify(change);
      ensureReady();
      immediate((d) => {
        const row = d.prepare('SELECT revision FROM policy_state').raw(true).get() as Row | undefined;
        if (row === undefined) throw new InvalidInputError({ message: `table ${path}.policy_state has no row; run migrate()`, path: ['policy_state'] });
        const actual = Number(row[0]);
        if (actual !== expected) throw new ConflictError({ expected, actual });
        writeRows(d, writes);
        d.prepare('INSERT INTO change_log (revision, kind, record) VALUES (?, ?, ?)').run(change.revision, writes.replace ? 'replace' : 'ops', record);
        d.prepare("UPDATE policy_state SET revision = ?, initialized = 1, updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')").run(change.revision);
      });
    },

    changesSince: async (revision: number): Promise<readonly ChangeRecord[]> => {
      ensureReady();
      const from = Number.isFinite(revision) ? Math.max(0, Math.floor(revision)) : 0;
      const rows = snapshot((d) => d.prepare('SELECT revision, record FROM change_log WHERE revision > ? ORDER BY revision').raw(true).all(from) as Row[]);
      return rows.map(([raw, text]) => decodeChangeText(raw, text, path));
    },

    subscribe: async (onRevision, onError) => {
      ensureReady();
      const read = async (): Promise<number> => snapshot((d) => Number((d.prepare('SELECT COALESCE(MAX(revision), 0) FROM change_log').raw(true).get() as Row)[0]));
      const stop = await pollRevisions({ intervalMs: pollIntervalMs, read, onRevision, onError });
      return subscriptions.add(stop);
    },

    pruneChangeLog: async ({ keepLast }) => {
      checkKeepLast(keepLast);
      ensureReady();
      return immediate((d) => {
        const upTo = storedRevision(d) - keepLast;
        if (upTo <= 0) return 0;
        return d.prepare('DELETE FROM change_log WHERE revision <= ?').run(upTo).changes;
      });
    },

    close: async () => {
      await subscriptions.closeAll();
      closed = true;
      db?.close();
      db = undefined;
    },
  };
  return repository;
}

/** SQLite's failures (a busy file, a full disk, a corrupt file) as a RepositoryError; the library's own errors as they are. */
function typed(e: unknown): unknown {
  const code = e instanceof Error ? (e as { code?: unknown }).code : undefined;
  if (!(e instanceof Error) || typeof code !== 'string' || !code.startsWith('SQLITE_')) return e;
  return new RepositoryError({ message: `SQLite: ${e.message}`, cause: e });
}
