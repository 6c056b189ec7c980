import type { LoadTenantsOptions } from '../../ports/policy-repository.js';
import type { ClientBase, Pool, PoolClient } from 'pg';
import {
  ConflictError,
  InvalidInputError,
  RepositoryError,
  SchemaVersionError,
  type ChangeRecord,
  type PolicyRepository,
  type StoredPolicy,
} from '../../index.js';
import { listen, type ListenConnection } from './listener.js';
import { MIGRATIONS, SCHEMA_VERSION } from './migrations.js';
import { checkAppendArgs, checkInitialPolicy, checkKeepLast, type SqlRepository, type SqlRepositoryOptions } from '../sql/checks.js';
import { Subscriptions } from '../sql/subscriptions.js';
import { decodeChange } from '../sql/decode.js';
import { postgresScopedDialect, readPolicy, readScopedPolicy } from './read.js';
import { scopedRead } from '../sql/scoped-read.js';
import { ALL_TABLES, COLLECTION_TABLES, TABLES, checkStorable, writesOf, type Columns, type TableSpec, type Writes } from '../sql/rows.js';
import { checkIdentifier, quoteIdent } from './sql.js';

/** Options of {@link postgresRepository}. */
export interface PostgresRepositoryOptions extends SqlRepositoryOptions {
  /** The caller's `pg` pool. The repository borrows connections from it and never ends it. */
  readonly pool: Pool;
  /** The schema that holds the tables (default `purview`); created by the migrations. */
  readonly schema?: string;
  /** The LISTEN/NOTIFY channel (default `<schema>_changes`). Engines on one schema must agree on it. */
  readonly channel?: string;
  /**
   * Makes the connection that LISTENs: a new, unconnected `pg.Client` (for example one that goes
   * around a transaction-mode PgBouncer, where LISTEN does not work). By default a client is made
   * with the pool's own options, or, failing that, one is borrowed from the pool for good.
   */
  readonly listenClient?: () => ClientBase | Promise<ClientBase>;
  /**
   * Whether to use LISTEN/NOTIFY (default true). Set false on databases without it (CockroachDB;
   * YugabyteDB before 2025.2.3 or with it disabled): appends then notify nobody and `subscribe`
   * hears nothing, so engines follow the change log through `openEngine`'s `pollIntervalMs` alone.
   */
  readonly notify?: boolean;
  /** Backoff of reconnects after a lost LISTEN connection, in ms (default 100, doubling up to 5,000). */
  readonly reconnectDelayMs?: { readonly initial?: number; readonly max?: number };
}

/** A {@link PolicyRepository} in PostgreSQL. */
export interface PostgresRepository extends SqlRepository {
  /** The schema name (unquoted). */
  readonly schema: string;
  /** The notification channel (unquoted). */
  readonly channel: string;
  /**
   * Creates or upgrades the tables: each versioned migration once, all in one transaction under an
   * advisory lock, recorded in `<schema>.schema_migrations`. Idempotent and safe to run from many
   * processes at once; runs by itself on first use unless `migrate: false`.
   */
  migrate(): Promise<void>;
  /** Stops every subscription's LISTEN connection. The pool stays open: it is the caller's. */
  close(): Promise<void>;
}

/** The advisory lock key of a schema's migrations: "purv" in the high 32 bits, a hash of the schema name in the low ones. */
function advisoryKey(schema: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < schema.length; i++) h = Math.imul(h ^ schema.charCodeAt(i), 0x01000193);
  return ((BigInt(0x70757276) << 32n) | BigInt(h >>> 0)).toString();
}

/**
 * A {@link PolicyRepository} in PostgreSQL: the policy in normalized tables (tenants, roles, users,
 * groups, group members by kind, resource types, sharing rules, access groups, grants), a change
 * log with revisions, and LISTEN/NOTIFY to tell other engines that something changed. Every
 * change is one transaction; every value is a bound parameter.
 * @example
 * ```ts
 * import pg from 'pg';
 * import { openEngine } from 'purview';
 * import { postgresRepository } from 'purview/postgres';
 *
 * const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL });
 * const engine = await openEngine({ repository: postgresRepository({ pool }) });
 * ```
 */
export function postgresRepository(input: PostgresRepositoryOptions): PostgresRepository {
  // Own properties only: an inherited `schema` or `initialPolicy` must never count.
  const options = Object.setPrototypeOf({ ...input }, null) as PostgresRepositoryOptions;
  const { pool } = options;
  if (pool === undefined || pool === null || typeof (pool as { connect?: unknown }).connect !== 'function') {
    throw new InvalidInputError({ message: 'postgresRepository needs { pool }: a pg.Pool', path: ['pool'] });
  }
  const schemaName = options.schema ?? 'purview';
  checkIdentifier(schemaName, 'schema');
  const channel = options.channel ?? `${schemaName}_changes`;
  checkIdentifier(channel, 'channel');
  const s = quoteIdent(schemaName, 'schema');
  const listenSql = `LISTEN ${quoteIdent(channel, 'channel')}`;
  const notify = options.notify ?? true;
  const initialDelayMs = options.reconnectDelayMs?.initial ?? 100;
  const maxDelayMs = options.reconnectDelayMs?.max ?? 5_000;

  const initial = checkInitialPolicy(options);

  /** Runs `fn` on a pooled connection; a connection that broke is destroyed, not returned to the pool. */
  const withClient = async <T>(fn: (client: PoolClient, destroy: (e: Error) => void) => Promise<T>): Promise<T> => {
    const client = await pool.connect();
    let broken: Error | undefined;
    const destroy = (e: Error): void => {
      broken ??= e;
    };
    client.on('error', destroy);
    try {
      return await fn(client, destroy);
    } catch (e) {
      if (isConnectionFailure(e)) destroy(e as Error);
      throw e;
    } finally {
      client.removeListener('error', destroy);
      client.release(broken);
    }
  };

  /** Runs `fn` in a transaction: COMMIT on success, ROLLBACK (or a destroyed connection) on failure. */
  const transaction = <T>(fn: (client: PoolClient) => Promise<T>, begin = 'BEGIN'): Promise<T> =>
    withClient(async (client, destroy) => {
      await client.query(begin);
      let result: T;
      try {
        result = await fn(client);
      } catch (e) {
        // A connection that cannot even roll back is unusable; the server rolls back when it closes.
        await client.query('ROLLBACK').catch((rollbackError: unknown) => destroy(rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError))));
        throw e;
      }
      await client.query('COMMIT');
      return result;
    });

  const migrate = (): Promise<void> =>
    transaction(async (c) => {
      await c.query('SELECT pg_advisory_xact_lock($1::bigint)', [advisoryKey(schemaName)]);
      await c.query(`CREATE SCHEMA IF NOT EXISTS ${s}`);
      await c.query(
        `CREATE TABLE IF NOT EXISTS ${s}.schema_migrations (
          version integer PRIMARY KEY,
          name text NOT NULL,
          applied_at timestamptz NOT NULL DEFAULT now()
        )`,
      );
      const applied = new Set((await c.query<{ version: number }>(`SELECT version FROM ${s}.schema_migrations`)).rows.map((r) => r.version));
      const newest = Math.max(0, ...applied);
      if (newest > SCHEMA_VERSION) {
        throw new SchemaVersionError({ schema: schemaName, found: newest, supported: SCHEMA_VERSION });
      }
      for (const m of MIGRATIONS) {
        if (applied.has(m.version)) continue;
        for (const statement of m.statements(s)) await c.query(statement);
        await c.query(`INSERT INTO ${s}.schema_migrations (version, name) VALUES ($1, $2)`, [m.version, m.name]);
      }
      if (initial !== undefined) {
        const state = await c.query<{ revision: string; initialized: boolean }>(
          `SELECT revision, initialized FROM ${s}.policy_state FOR UPDATE`,
        );
        const row = state.rows[0];
        if (row !== undefined && !row.initialized && Number(row.revision) === 0) {
          await writeRows(c, writesOf({ revision: 0, replace: initial }));
          await c.query(`UPDATE ${s}.policy_state SET initialized = true, updated_at = now()`);
        }
      }
    });

  let ready: Promise<void> | undefined;
  // With migrate: false the caller migrates; the first use still checks that it did.
  const checkVersion = async (): Promise<void> => {
    let found = 0;
    try {
      const r = await pool.query<{ version: number | null }>(`SELECT max(version) AS version FROM ${s}.schema_migrations`);
      found = r.rows[0]?.version ?? 0;
    } catch (e) {
      if ((e as { code?: unknown }).code !== '42P01') throw e; // undefined_table: never migrated
    }
    if (found !== SCHEMA_VERSION) throw new SchemaVersionError({ schema: schemaName, found, supported: SCHEMA_VERSION });
  };

  const ensureReady = (): Promise<void> => {
    if (ready === undefined) {
      ready = options.migrate === false ? checkVersion() : migrate();
      ready.catch(() => {
        ready = undefined; // try again on next use
      });
    }
    return ready;
  };

  const insertSql = (spec: TableSpec): string => {
    const names = spec.columns.map(([n]) => n);
    const params = spec.columns.map(([, t], i) => `$${i + 1}::${t === 'textlist' ? 'jsonb' : t}[]`);
    const select = spec.columns.map(([, t], i) =>
      t === 'textlist'
        ? `CASE WHEN c${i} IS NULL THEN NULL ELSE ARRAY(SELECT e FROM jsonb_array_elements_text(c${i}) WITH ORDINALITY AS x(e, n) ORDER BY n) END`
        : `c${i}`,
    );
    const update = names.filter((n) => !spec.key.includes(n)).map((n) => `${n} = EXCLUDED.${n}`);
    return (
      `INSERT INTO ${s}.${spec.table} (${names.join(', ')}) ` +
      `SELECT ${select.join(', ')} FROM unnest(${params.join(', ')}) AS u(${names.map((_, i) => `c${i}`).join(', ')}) ` +
      `ON CONFLICT (${spec.key.join(', ')}) DO ${update.length === 0 ? 'NOTHING' : `UPDATE SET ${update.join(', ')}`}`
    );
  };

  const insertRows = async (c: ClientBase, rows: Columns): Promise<void> => {
    if (rows.size === 0) return;
    await c.query(insertSql(rows.spec), rows.values);
  };

  /** Writes what a change writes; the caller holds the transaction and the revision lock. */
  const writeRows = async (c: ClientBase, w: Writes): Promise<void> => {
    if (w.replace) {
      for (const t of ALL_TABLES) await c.query(`DELETE FROM ${s}.${TABLES[t].table}`);
      await c.query(`UPDATE ${s}.policy_state SET access_levels = $1::jsonb, default_access_level = $2::jsonb`, [
        w.accessLevels ?? null,
        w.defaultAccessLevel ?? null,
      ]);
    } else {
      if (w.accessLevels !== undefined) await c.query(`UPDATE ${s}.policy_state SET access_levels = $1::jsonb`, [w.accessLevels]);
      if (w.defaultAccessLevel !== undefined) await c.query(`UPDATE ${s}.policy_state SET default_access_level = $1::jsonb`, [w.defaultAccessLevel]);
      for (const [collection, ids] of w.removed) {
        if (ids.length === 0) continue;
        const { entity, children } = COLLECTION_TABLES[collection];
        for (const t of children) await c.query(`DELETE FROM ${s}.${TABLES[t].table} WHERE ${TABLES[t].owner} = ANY($1::text[])`, [ids]);
        // Rows that are written again are upserted below; only the deleted ones must go.
        const puts = new Set(w.rows.get(entity)?.values[0] as string[] | undefined);
        const gone = ids.filter((id) => !puts.has(id));
        if (gone.length > 0) await c.query(`DELETE FROM ${s}.${TABLES[entity].table} WHERE ${TABLES[entity].owner} = ANY($1::text[])`, [gone]);
      }
    }
    for (const t of ALL_TABLES) {
      const rows = w.rows.get(t);
      if (rows !== undefined) await insertRows(c, rows);
    }
  };

  const subscriptions = new Subscriptions();

  const listenConnection = async (): Promise<ListenConnection> => {
    const quiet = (): void => undefined;
    const made = options.listenClient?.();
    const poolish = pool as unknown as { Client?: new (o: unknown) => ClientBase & { end(): Promise<void> }; options?: unknown };
    if (made !== undefined || (typeof poolish.Client === 'function' && poolish.options !== undefined)) {
      const client = (made !== undefined ? await made : new (poolish.Client as NonNullable<typeof poolish.Client>)(poolish.options)) as ClientBase & {
        end(): Promise<void>;
      };
      client.on('error', quiet);
      try {
        await client.connect();
      } catch (e) {
        await client.end().catch(() => undefined);
        throw e;
      }
      let released = false;
      return {
        client,
        release: async () => {
          if (released) return;
          released = true;
          await client.end();
        },
      };
    }
    const client = await pool.connect();
    client.on('error', quiet);
    let released = false;
    return {
      client,
      release: () => {
        if (!released) {
          released = true;
          client.release(true); // destroy: the connection has LISTEN state
        }
        return Promise.resolve();
      },
    };
  };

  const storedRevision = async (c: ClientBase): Promise<number> => {
    const r = await c.query<{ revision: string }>(`SELECT revision FROM ${s}.policy_state`);
    return Number(r.rows[0]?.revision ?? 0);
  };

  const repository: PostgresRepository = {
    schema: schemaName,
    channel,
    migrate: async () => {
      await migrate();
      ready = Promise.resolve();
    },

    revision: async () => {
      await ensureReady();
      return withClient(storedRevision);
    },

    load: async (): Promise<StoredPolicy> => {
      await ensureReady();
      return withClient((c) => readPolicy(c, s, schemaName));
    },

    loadTenants: async (tenants: readonly string[], options?: LoadTenantsOptions): Promise<StoredPolicy> => {
      const read = scopedRead(tenants, postgresScopedDialect(s), schemaName, options);
      await ensureReady();
      return withClient((c) => readScopedPolicy(c, read));
    },

    append: async (change: ChangeRecord, expected: number): Promise<void> => {
      checkAppendArgs(change, expected);
      checkStorable(change, []);
      const writes = writesOf(change);
      const record = JSON.stringify(change);
      await ensureReady();
      await transaction(async (c) => {
        const state = await c.query<{ revision: string }>(`SELECT revision FROM ${s}.policy_state FOR UPDATE`);
        const row = state.rows[0];
        if (row === undefined) throw new InvalidInputError({ message: `table ${schemaName}.policy_state has no row; run migrate()`, path: ['policy_state'] });
        const actual = Number(row.revision);
        if (actual !== expected) throw new ConflictError({ expected, actual });
        await writeRows(c, writes);
        await c.query(`INSERT INTO ${s}.change_log (revision, kind, record) VALUES ($1, $2, $3::json)`, [
          change.revision,
          writes.replace ? 'replace' : 'ops',
          record,
        ]);
        await c.query(`UPDATE ${s}.policy_state SET revision = $1, initialized = true, updated_at = now()`, [change.revision]);
        if (notify) await c.query('SELECT pg_notify($1, $2)', [channel, String(change.revision)]);
      });
    },

    changesSince: async (revision: number): Promise<readonly ChangeRecord[]> => {
      await ensureReady();
      const from = Number.isFinite(revision) ? Math.max(0, Math.floor(revision)) : 0;
      const result = await withClient((c) =>
        c.query<{ revision: string; record: unknown }>(`SELECT revision, record FROM ${s}.change_log WHERE revision > $1 ORDER BY revision`, [from]),
      );
      return result.rows.map(({ revision: raw, record }) => decodeChange(raw, record, schemaName));
    },

    subscribe: async (onRevision, onError) => {
      await ensureReady();
      if (!notify) return () => Promise.resolve();
      let stop: () => Promise<void>;
      try {
        stop = await listen({
          connect: listenConnection,
          channel,
          // One round trip, LISTEN first: any commit after it is notified, and the engine reads the log after this resolves.
          start: async (c) => {
            const results = (await c.query(`${listenSql}; SELECT revision FROM ${s}.policy_state`)) as unknown as { rows: { revision?: string }[] }[];
            return Number((Array.isArray(results) ? results[1]?.rows[0]?.revision : undefined) ?? 0);
          },
          onRevision,
          onError: onError ?? (() => undefined),
          initialDelayMs,
          maxDelayMs,
        });
      } catch (e) {
        const why = e instanceof Error ? e.message : String(e);
        throw new RepositoryError({
          message: `could not LISTEN on channel ${JSON.stringify(channel)}: ${why}. On a database without LISTEN/NOTIFY, pass notify: false and rely on pollIntervalMs`,
          cause: e,
        });
      }
      return subscriptions.add(stop);
    },

    pruneChangeLog: async ({ keepLast }) => {
      checkKeepLast(keepLast);
      await ensureReady();
      return transaction(async (c) => {
        // Serialize with writers, so that the newest record is never the one deleted.
        const revision = await c.query<{ revision: string }>(`SELECT revision FROM ${s}.policy_state FOR UPDATE`);
        const upTo = Number(revision.rows[0]?.revision ?? 0) - keepLast;
        if (upTo <= 0) return 0;
        const r = await c.query(`DELETE FROM ${s}.change_log WHERE revision <= $1`, [upTo]);
        return r.rowCount ?? 0;
      });
    },

    close: async () => {
      await subscriptions.closeAll();
    },
  };
  return repository;
}

/** Whether an error means the connection itself is gone (as opposed to an SQL error). */
function isConnectionFailure(e: unknown): boolean {
  if (!(e instanceof Error)) return false;
  const code = (e as { code?: unknown }).code;
  // 57P01 admin_shutdown (pg_terminate_backend), 57P02/57P03, class 08: connection exceptions.
  if (typeof code === 'string') return code.startsWith('08') || code.startsWith('57P');
  return /terminat|ECONNRESET|EPIPE|not queryable|Connection/i.test(e.message);
}
