import type { LoadTenantsOptions } from '../../ports/policy-repository.js';
import type { Pool, PoolConnection } from 'mysql2/promise';
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
import { decodeChangeText, type Row } from '../sql/decode.js';
import { checkPollInterval, pollRevisions } from '../sql/poll.js';
import { checkStorable, planWrites, rowArrays, writesOf, type Columns, type Writes } from '../sql/rows.js';
import { MAX_ID_BYTES, MYSQL_MIGRATIONS, MYSQL_SCHEMA_VERSION } from './migrations.js';
import { mysqlScopedDialect, readMysqlPolicy, readMysqlScopedPolicy } from './read.js';
import { missingOf, requestedTenants, scopedRead } from '../sql/scoped-read.js';
import { checkMysqlIdentifier, quoteMysqlIdent } from './sql.js';

/** Options of {@link mysqlRepository}. */
export interface MysqlRepositoryOptions extends SqlRepositoryOptions {
  /** The caller's `mysql2/promise` pool. The repository borrows connections from it and never ends it. */
  readonly pool: Pool;
  /**
   * The database that holds the tables (default: the pool's own database). When given, the
   * migrations create it if it is missing.
   */
  readonly database?: string;
  /**
   * How often a subscription polls the change log for revisions of other writers, in ms (default
   * 500). MySQL has no LISTEN/NOTIFY: a follower hears another engine's change within one interval
   * (plus a round trip), on average half of it. Each subscription costs one indexed
   * `SELECT MAX(revision)` per interval.
   */
  readonly pollIntervalMs?: number;
}

/** A {@link PolicyRepository} in MySQL or MariaDB. */
export interface MysqlRepository extends SqlRepository {
  /** The database name as given (undefined: the pool's own database). */
  readonly database: string | undefined;
  /** The polling interval of subscriptions, in ms. */
  readonly pollIntervalMs: number;
  /**
   * Creates or upgrades the tables: each versioned migration once, under a named lock
   * (GET_LOCK), recorded in `schema_migrations`. Idempotent and safe to run from many processes at
   * once; runs by itself on first use unless `migrate: false`.
   */
  migrate(): Promise<void>;
  /** Stops every subscription's polling. The pool stays open: it is the caller's. */
  close(): Promise<void>;
}

/** Rows per INSERT and ids per DELETE ... IN (...), to stay far below max_allowed_packet. */
const BATCH = 500;

/** Attempts of a call whose connection turned out dead before anything was done on it. */
const RETRIES = 3;

/** The name of the migration lock of a database (GET_LOCK names are at most 64 characters). */
function lockName(database: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < database.length; i++) h = Math.imul(h ^ database.charCodeAt(i), 0x01000193);
  return `purview_migrate_${(h >>> 0).toString(16)}`;
}

/** Whether an error means the connection itself is gone (as opposed to an SQL error). */
function isConnectionFailure(e: unknown): boolean {
  if (typeof e !== 'object' || e === null) return false;
  const { fatal, code, errno } = e as { fatal?: unknown; code?: unknown; errno?: unknown };
  if (fatal === true) return true;
  // 1927 ER_CONNECTION_KILLED (MariaDB), 1053 ER_SERVER_SHUTDOWN, 2013 lost connection.
  if (errno === 1927 || errno === 1053 || errno === 2013) return true;
  return typeof code === 'string' && /^(PROTOCOL_CONNECTION_LOST|ECONNRESET|EPIPE|ECONNREFUSED|ER_CONNECTION_KILLED)$/.test(code);
}

/** A driver error as a typed one where it says something the caller can fix or retry. */
function typed(e: unknown): unknown {
  if (e instanceof InvalidInputError || e instanceof ConflictError || e instanceof SchemaVersionError || e instanceof RepositoryError) return e;
  const { code, errno, message } = (e ?? {}) as { code?: unknown; errno?: unknown; message?: unknown };
  if (code === 'ER_DATA_TOO_LONG' || errno === 1406) {
    return new InvalidInputError({
      message: `a value is too long for the MySQL tables (ids are at most ${MAX_ID_BYTES} bytes of UTF-8, more than the 256 characters the core allows): ${String(message)}`,
      path: [],
    });
  }
  if (isConnectionFailure(e)) return new RepositoryError({ message: `the MySQL connection was lost: ${String(message)}; nothing of this call was committed unless the log says so`, cause: e });
  return e;
}

/**
 * A {@link PolicyRepository} in MySQL 8 or MariaDB 10.11 through `mysql2`: the policy in the
 * normalized tables of `purview/postgres` (adapted), a change log with revisions, and followers
 * that poll the change log every `pollIntervalMs`. Every change is one transaction that first
 * locks the revision row (`SELECT ... FOR UPDATE`), so that exactly one of two racing writers
 * wins and the other gets `ConflictError`; every value is escaped by the driver.
 * @example
 * ```ts
 * import mysql from 'mysql2/promise';
 * import { openEngine } from 'purview';
 * import { mysqlRepository } from 'purview/mysql';
 *
 * const pool = mysql.createPool({ uri: process.env.DATABASE_URL });
 * const engine = await openEngine({ repository: mysqlRepository({ pool }) });
 * ```
 */
export function mysqlRepository(input: MysqlRepositoryOptions): MysqlRepository {
  // Own properties only: an inherited `database` or `initialPolicy` must never count.
  const options = Object.setPrototypeOf({ ...input }, null) as MysqlRepositoryOptions;
  const { pool } = options;
  if (pool === undefined || pool === null || typeof (pool as { getConnection?: unknown }).getConnection !== 'function') {
    throw new InvalidInputError({ message: "mysqlRepository needs { pool }: a pool from mysql2/promise (mysql.createPool from 'mysql2/promise')", path: ['pool'] });
  }
  if (options.database !== undefined) checkMysqlIdentifier(options.database, 'database');
  const pollIntervalMs = checkPollInterval(options.pollIntervalMs ?? 500);

  const initial = checkInitialPolicy(options, 'MySQL utf8mb4');

  /** The database's name and its quoted qualifier (`db`.), known once the repository is ready. */
  let target: { readonly name: string; readonly d: string } | undefined;

  /** Runs `fn` on a pooled connection; a connection that broke is destroyed, not returned to the pool. */
  const withConnection = async <T>(fn: (c: PoolConnection, destroy: () => void) => Promise<T>): Promise<T> => {
    let c: PoolConnection;
    try {
      c = await pool.getConnection();
    } catch (e) {
      throw typed(e);
    }
    let broken = false;
    try {
      return await fn(c, () => {
        broken = true;
      });
    } catch (e) {
      if (isConnectionFailure(e)) broken = true;
      throw typed(e);
    } finally {
      if (broken) c.destroy();
      else c.release();
    }
  };

  /**
   * Runs `fn` again on a fresh connection when the pool handed out one that the server had already
   * closed (an idle connection killed, a failover) and nothing was done on it yet.
   */
  const retrying = async <T>(fn: (started: () => void) => Promise<T>): Promise<T> => {
    for (let attempt = 1; ; attempt++) {
      let started = false;
      try {
        return await fn(() => {
          started = true;
        });
      } catch (e) {
        if (started || attempt >= RETRIES || !(e instanceof RepositoryError)) throw e;
      }
    }
  };

  /** Runs an idempotent read, once more on a fresh connection when the connection was lost. */
  const read = <T>(fn: (c: PoolConnection) => Promise<T>): Promise<T> => retrying(() => withConnection(fn));

  /** Runs `fn` in a transaction: COMMIT on success, ROLLBACK (or a destroyed connection) on failure. */
  const transaction = <T>(fn: (c: PoolConnection) => Promise<T>): Promise<T> =>
    retrying((started) =>
      withConnection(async (c, destroy) => {
        await c.query('START TRANSACTION');
        started();
        let result: T;
        try {
          result = await fn(c);
        } catch (e) {
          // A connection that cannot even roll back is unusable; the server rolls back when it closes.
          await c.query('ROLLBACK').catch(destroy);
          throw e;
        }
        await c.query('COMMIT');
        return result;
      }),
    );

  const resolveTarget = async (c: PoolConnection): Promise<{ name: string; d: string }> => {
    if (target !== undefined) return target;
    let name = options.database;
    if (name === undefined) {
      const [rows] = await c.query({ sql: 'SELECT DATABASE()', rowsAsArray: true });
      const found = (rows as Row[])[0]?.[0];
      if (typeof found !== 'string' || found.length === 0) {
        throw new InvalidInputError({ message: 'mysqlRepository: the pool has no default database; pass { database } or connect with one', path: ['database'] });
      }
      name = found;
    }
    target = { name, d: `${quoteMysqlIdent(name, 'database')}.` };
    return target;
  };

  const appliedVersions = async (c: PoolConnection, d: string): Promise<number[]> => {
    try {
      const [rows] = await c.query({ sql: `SELECT \`version\` FROM ${d}\`schema_migrations\``, rowsAsArray: true });
      return (rows as Row[]).map((r) => Number(r[0]));
    } catch (e) {
      if ((e as { errno?: unknown }).errno === 1146) return []; // ER_NO_SUCH_TABLE: never migrated
      throw e;
    }
  };

  const migrate = (): Promise<void> =>
    withConnection(async (c) => {
      if (options.database !== undefined) await c.query(`CREATE DATABASE IF NOT EXISTS ${quoteMysqlIdent(options.database, 'database')}`);
      const { name, d } = await resolveTarget(c);
      const lock = lockName(name);
      const [got] = await c.query({ sql: 'SELECT GET_LOCK(?, 60)', values: [lock], rowsAsArray: true });
      if (Number((got as Row[])[0]?.[0]) !== 1) throw new RepositoryError({ message: `could not take the migration lock of database ${JSON.stringify(name)} within 60 s` });
      try {
        await c.query(
          `CREATE TABLE IF NOT EXISTS ${d}\`schema_migrations\` (
            \`version\` INT NOT NULL PRIMARY KEY,
            \`name\` VARCHAR(255) NOT NULL,
            \`applied_at\` TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6)
          ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`,
        );
        const applied = new Set(await appliedVersions(c, d));
        const newest = Math.max(0, ...applied);
        if (newest > MYSQL_SCHEMA_VERSION) throw new SchemaVersionError({ schema: name, found: newest, supported: MYSQL_SCHEMA_VERSION });
        for (const m of MYSQL_MIGRATIONS) {
          if (applied.has(m.version)) continue;
          for (const statement of m.statements(d)) await c.query(statement);
          await c.query(`INSERT INTO ${d}\`schema_migrations\` (\`version\`, \`name\`) VALUES (?, ?)`, [m.version, m.name]);
        }
        if (initial !== undefined) {
          const policy = initial;
          await c.query('START TRANSACTION');
          try {
            const [rows] = await c.query({ sql: `SELECT \`revision\`, \`initialized\` FROM ${d}\`policy_state\` FOR UPDATE`, rowsAsArray: true });
            const row = (rows as Row[])[0];
            if (row !== undefined && Number(row[1]) === 0 && Number(row[0]) === 0) {
              await writeRows(c, d, writesOf({ revision: 0, replace: policy }));
              await c.query(`UPDATE ${d}\`policy_state\` SET \`initialized\` = TRUE, \`updated_at\` = CURRENT_TIMESTAMP(6)`);
            }
            await c.query('COMMIT');
          } catch (e) {
            await c.query('ROLLBACK').catch(() => undefined);
            throw e;
          }
        }
      } finally {
        await c.query({ sql: 'SELECT RELEASE_LOCK(?)', values: [lock] }).catch(() => undefined);
      }
    });

  let ready: Promise<void> | undefined;
  // With migrate: false the caller migrates; the first use still checks that it did.
  const checkVersion = (): Promise<void> =>
    withConnection(async (c) => {
      const { name, d } = await resolveTarget(c);
      const found = Math.max(0, ...(await appliedVersions(c, d)));
      if (found !== MYSQL_SCHEMA_VERSION) throw new SchemaVersionError({ schema: name, found, supported: MYSQL_SCHEMA_VERSION });
    });

  const ensureReady = async (): Promise<{ name: string; d: string }> => {
    if (ready === undefined) {
      ready = options.migrate === false ? checkVersion() : migrate();
      ready.catch(() => {
        ready = undefined; // try again on next use
      });
    }
    await ready;
    return target as { name: string; d: string };
  };

  const insertRows = async (c: PoolConnection, d: string, rows: Columns): Promise<void> => {
    const { spec } = rows;
    const names = spec.columns.map(([n]) => `\`${n}\``);
    const update = spec.columns.map(([n]) => n).filter((n) => !spec.key.includes(n));
    const onDuplicate = (update.length === 0 ? [spec.key[0] as string] : update).map((n) => `\`${n}\` = VALUES(\`${n}\`)`).join(', ');
    const sql = `INSERT INTO ${d}\`${spec.table}\` (${names.join(', ')}) VALUES ? ON DUPLICATE KEY UPDATE ${onDuplicate}`;
    for (let start = 0; start < rows.size; start += BATCH) await c.query(sql, [rowArrays(rows, start, start + BATCH)]);
  };

  /** Writes what a change writes; the caller holds the transaction and the revision lock. */
  const writeRows = async (c: PoolConnection, d: string, w: Writes): Promise<void> => {
    for (const s of planWrites(w)) {
      switch (s.step) {
        case 'deleteAll':
          await c.query(`DELETE FROM ${d}\`${s.table}\``);
          break;
        case 'setLevels': {
          const sets = (['accessLevels', 'defaultAccessLevel'] as const).filter((k) => s[k] !== undefined);
          const columns = sets.map((k) => (k === 'accessLevels' ? '`access_levels` = ?' : '`default_access_level` = ?'));
          await c.query(`UPDATE ${d}\`policy_state\` SET ${columns.join(', ')}`, sets.map((k) => s[k]));
          break;
        }
        case 'deleteIn':
          for (let start = 0; start < s.ids.length; start += BATCH) {
            await c.query(`DELETE FROM ${d}\`${s.table}\` WHERE \`${s.column}\` IN (?)`, [s.ids.slice(start, start + BATCH)]);
          }
          break;
        case 'insert':
          await insertRows(c, d, s.rows);
          break;
      }
    }
  };

  const storedRevision = async (c: PoolConnection, d: string): Promise<number> => {
    const [rows] = await c.query({ sql: `SELECT \`revision\` FROM ${d}\`policy_state\``, rowsAsArray: true });
    return Number((rows as Row[])[0]?.[0] ?? 0);
  };

  const logRevision = async (d: string): Promise<number> =>
    read(async (c) => {
      const [rows] = await c.query({ sql: `SELECT COALESCE(MAX(\`revision\`), 0) FROM ${d}\`change_log\``, rowsAsArray: true });
      return Number((rows as Row[])[0]?.[0] ?? 0);
    });

  const subscriptions = new Subscriptions();

  const repository: MysqlRepository = {
    database: options.database,
    pollIntervalMs,
    migrate: async () => {
      await migrate();
      ready = Promise.resolve();
    },

    revision: async () => {
      const { d } = await ensureReady();
      return read((c) => storedRevision(c, d));
    },

    load: async (): Promise<StoredPolicy> => {
      const { name, d } = await ensureReady();
      return read((c) => readMysqlPolicy(c, d, name));
    },

    loadTenants: async (tenants: readonly string[], options?: LoadTenantsOptions): Promise<StoredPolicy> => {
      const asked = requestedTenants(tenants);
      missingOf(options);
      const { name, d } = await ensureReady();
      // A fresh read per attempt: a retried read starts over.
      return read((c) => readMysqlScopedPolicy(c, scopedRead(asked, mysqlScopedDialect(d), name, options), name)).catch((e: unknown) => {
        // The tenant sets travel in the query text: thousands of long tenant ids can exceed the server's packet size.
        if ((e as { code?: unknown } | null)?.code === 'ER_NET_PACKET_TOO_LARGE') {
          throw new RepositoryError({
            message: `loadTenants: the query for ${asked.length} tenants is larger than the server's max_allowed_packet; raise max_allowed_packet (SET GLOBAL max_allowed_packet = ...) or open the engine for fewer tenants`,
            path: ['tenants'],
            cause: e,
          });
        }
        throw e;
      });
    },

    append: async (change: ChangeRecord, expected: number): Promise<void> => {
      checkAppendArgs(change, expected);
      checkStorable(change, [], 'MySQL utf8mb4');
      const writes = writesOf(change);
      const record = JSON.stringify(change);
      const { name, d } = await ensureReady();
      await transaction(async (c) => {
        const [rows] = await c.query({ sql: `SELECT \`revision\` FROM ${d}\`policy_state\` FOR UPDATE`, rowsAsArray: true });
        const row = (rows as Row[])[0];
        if (row === undefined) throw new InvalidInputError({ message: `table ${name}.policy_state has no row; run migrate()`, path: ['policy_state'] });
        const actual = Number(row[0]);
        if (actual !== expected) throw new ConflictError({ expected, actual });
        await writeRows(c, d, writes);
        await c.query(`INSERT INTO ${d}\`change_log\` (\`revision\`, \`kind\`, \`record\`) VALUES (?, ?, ?)`, [change.revision, writes.replace ? 'replace' : 'ops', record]);
        await c.query(`UPDATE ${d}\`policy_state\` SET \`revision\` = ?, \`initialized\` = TRUE, \`updated_at\` = CURRENT_TIMESTAMP(6)`, [change.revision]);
      });
    },

    changesSince: async (revision: number): Promise<readonly ChangeRecord[]> => {
      const { name, d } = await ensureReady();
      const from = Number.isFinite(revision) ? Math.max(0, Math.floor(revision)) : 0;
      const rows = await read(async (c) => {
        const [r] = await c.query({ sql: `SELECT \`revision\`, \`record\` FROM ${d}\`change_log\` WHERE \`revision\` > ? ORDER BY \`revision\``, values: [from], rowsAsArray: true });
        return r as Row[];
      });
      return rows.map(([raw, text]) => decodeChangeText(raw, text, name));
    },

    subscribe: async (onRevision, onError) => {
      const { d } = await ensureReady();
      const stop = await pollRevisions({ intervalMs: pollIntervalMs, read: () => logRevision(d), onRevision, onError });
      return subscriptions.add(stop);
    },

    pruneChangeLog: async ({ keepLast }) => {
      checkKeepLast(keepLast);
      const { d } = await ensureReady();
      return transaction(async (c) => {
        // Serialize with writers, so that the newest record is never the one deleted.
        const [rows] = await c.query({ sql: `SELECT \`revision\` FROM ${d}\`policy_state\` FOR UPDATE`, rowsAsArray: true });
        const upTo = Number((rows as Row[])[0]?.[0] ?? 0) - keepLast;
        if (upTo <= 0) return 0;
        const [result] = await c.query(`DELETE FROM ${d}\`change_log\` WHERE \`revision\` <= ?`, [upTo]);
        return (result as { affectedRows?: number }).affectedRows ?? 0;
      });
    },

    close: async () => {
      await subscriptions.closeAll();
    },
  };
  return repository;
}
