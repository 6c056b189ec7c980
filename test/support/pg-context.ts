/*
 * Per-test-file PostgreSQL context: one server (see postgres.ts), schemas with a random suffix
 * that are dropped when the file ends, pools that are ended, and helpers the tests share.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll } from 'vitest';
import pg from 'pg';
import { toPolicyInput, type Policy, type PolicyInput } from '../../src/index.js';
import { postgresRepository, type PostgresRepository, type PostgresRepositoryOptions } from '../../src/adapters/postgres/index.js';
import { dropSchema, schemaName, testDatabase, type TestDatabase } from './postgres.js';

export interface PgContext {
  readonly url: string;
  readonly source: TestDatabase['source'];
  /** An admin pool for inspecting and tampering with the database. */
  readonly admin: pg.Pool;
  /** A new pool (ended when the file ends); `name` becomes its application_name. */
  pool(name?: string, max?: number): pg.Pool;
  /** A new schema name (dropped when the file ends). */
  schema(): string;
  /** A repository on `schema` over `pool` (closed when the file ends). */
  repository(options: Partial<PostgresRepositoryOptions> & { readonly schema: string }): PostgresRepository;
}

/** Registers beforeAll/afterAll hooks and returns the context the tests of one file share. */
export function usePostgres(prefix = 'purview_t'): PgContext {
  let db: TestDatabase | undefined;
  let admin: pg.Pool | undefined;
  const pools: pg.Pool[] = [];
  const schemas: string[] = [];
  const repositories: PostgresRepository[] = [];
  const base = schemaName(prefix);

  beforeAll(async () => {
    db = await testDatabase();
    admin = new pg.Pool({ connectionString: db.url, max: 4, application_name: 'purview-test-admin' });
    admin.on('error', () => undefined);
  });

  afterAll(async () => {
    await Promise.allSettled(repositories.map((r) => r.close()));
    if (admin !== undefined) {
      for (const s of schemas) await dropSchema(admin, s).catch(() => undefined);
    }
    await Promise.allSettled(pools.map((p) => p.end()));
    await admin?.end();
    await db?.stop();
  });

  const need = <T>(v: T | undefined): T => {
    if (v === undefined) throw new Error('usePostgres: the database is not ready (use it inside tests)');
    return v;
  };

  const ctx: PgContext = {
    get url() {
      return need(db).url;
    },
    get source() {
      return need(db).source;
    },
    get admin() {
      return need(admin);
    },
    pool: (name = 'purview-test', max = 10) => {
      const pool = new pg.Pool({ connectionString: need(db).url, max, application_name: name });
      pool.on('error', () => undefined); // idle clients of terminated backends
      pools.push(pool);
      return pool;
    },
    schema: () => {
      const s = `${base}_${schemas.length}`;
      schemas.push(s);
      return s;
    },
    repository: (options) => {
      const repository = postgresRepository({ pool: options.pool ?? ctx.pool(), ...options });
      repositories.push(repository);
      return repository;
    },
  };
  return ctx;
}

/** sha256 of the canonical JSON of a policy. */
export function policyHash(policy: Policy): string {
  return createHash('sha256').update(JSON.stringify(toPolicyInput(policy))).digest('hex');
}

/** Quotes an identifier for test SQL. */
export const ident = (name: string): string => `"${name.replace(/"/g, '""')}"`;

/** Polls `probe` until it returns a value (not undefined), or fails after `timeoutMs`. */
export async function eventually<T>(probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 10_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Resolves when `engine` reports a revision >= `revision` on its own (no refresh nudges). */
export function reaches(engine: { revision: number; subscribe(l: (r: number) => void): () => void }, revision: number, timeoutMs = 10_000): Promise<void> {
  if (engine.revision >= revision) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      stop();
      reject(new Error(`engine stayed at revision ${engine.revision}, wanted ${revision}`));
    }, timeoutMs);
    const stop = engine.subscribe((r) => {
      if (r >= revision) {
        clearTimeout(timer);
        stop();
        resolve();
      }
    });
  });
}

export type { PolicyInput };
