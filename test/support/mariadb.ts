/*
 * A MariaDB (or MySQL) server for the tests, found or started:
 *   1. PURVIEW_MYSQL_URL when set (mysql://user:password@host:port/database);
 *   2. else the local server at 127.0.0.1:3306, user root with an empty password, database `test`;
 *   3. else, when nothing answers there and the machine has /usr/sbin/mariadbd (the Debian package
 *      mariadb-server; scripts/ensure-mariadb.sh installs it in CI), that server is started with
 *      start-stop-daemon and waited for;
 *   4. else the tests fail with a message that says how to get a server.
 * Each test takes a fresh database of its own (freshDatabase) and drops it afterwards.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import mysql from 'mysql2/promise';
import { afterEach } from 'vitest';

const DEFAULT_URL = 'mysql://root@127.0.0.1:3306/test';
const MARIADBD = '/usr/sbin/mariadbd';

/** The server's connection string. */
export function mysqlUrl(): string {
  return process.env.PURVIEW_MYSQL_URL ?? DEFAULT_URL;
}

async function reachable(url: string): Promise<unknown> {
  try {
    const c = await mysql.createConnection({ uri: url, connectTimeout: 2_000 });
    await c.query('SELECT 1');
    await c.end();
    return undefined;
  } catch (e) {
    return e;
  }
}

let checked: Promise<void> | undefined;

/** Makes sure a server answers at {@link mysqlUrl}, starting the machine's MariaDB when none does. */
export function ensureMysqlServer(): Promise<void> {
  checked ??= (async () => {
    const url = mysqlUrl();
    const first = await reachable(url);
    if (first === undefined) return;
    const refused = (first as { code?: unknown }).code === 'ECONNREFUSED';
    if (process.env.PURVIEW_MYSQL_URL === undefined && refused && existsSync(MARIADBD)) {
      const run = (file: string, args: string[]): void => {
        try {
          execFileSync(file, args, { stdio: 'ignore' });
        } catch {
          // Not root, or already there: the wait below tells whether the server came up.
        }
      };
      run('mkdir', ['-p', '/run/mysqld']);
      run('chown', ['mysql:mysql', '/run/mysqld']);
      run('start-stop-daemon', ['--start', '--oknodo', '--background', '--exec', MARIADBD]);
      for (let i = 0; i < 60; i++) {
        await new Promise((r) => setTimeout(r, 500));
        if ((await reachable(url)) === undefined) return;
      }
    }
    const why = first instanceof Error ? first.message : String(first);
    throw new Error(
      `no MySQL/MariaDB server answers at ${url} (${why}). Start one (scripts/ensure-mariadb.sh installs and starts mariadb-server), ` +
        'or point PURVIEW_MYSQL_URL at a server where the user may create and drop databases.',
    );
  })();
  return checked;
}

/** A pool on the server (no default database unless `database`). */
export function mysqlPool(options: { readonly database?: string; readonly connectionLimit?: number } = {}): mysql.Pool {
  const url = new URL(mysqlUrl());
  return mysql.createPool({
    host: url.hostname,
    port: Number(url.port || 3306),
    user: decodeURIComponent(url.username || 'root'),
    password: decodeURIComponent(url.password),
    ...(options.database === undefined ? {} : { database: options.database }),
    connectionLimit: options.connectionLimit ?? 10,
    multipleStatements: false,
  });
}

/** A fresh database name with `prefix` (letters, digits and underscores). */
export function databaseName(prefix = 'purview_test'): string {
  return `${prefix}_${process.pid}_${randomBytes(4).toString('hex')}`;
}

/** A fresh, empty database and a pool whose default database it is; `drop()` drops it and ends the pool. */
export interface FreshDatabase {
  readonly name: string;
  readonly pool: mysql.Pool;
  drop(): Promise<void>;
}

export async function freshDatabase(prefix?: string, connectionLimit?: number): Promise<FreshDatabase> {
  await ensureMysqlServer();
  const name = databaseName(prefix);
  const admin = await mysql.createConnection({ uri: mysqlUrl() });
  await admin.query(`CREATE DATABASE \`${name}\``);
  await admin.end();
  const pool = mysqlPool({ database: name, ...(connectionLimit === undefined ? {} : { connectionLimit }) });
  return {
    name,
    pool,
    drop: async () => {
      await pool.end().catch(() => undefined);
      const c = await mysql.createConnection({ uri: mysqlUrl() });
      await c.query(`DROP DATABASE IF EXISTS \`${name}\``);
      await c.end();
    },
  };
}

/**
 * For a test file: `fresh()` makes a database of the test's own (with a pool on it and an admin
 * connection to tamper with it), and every database made is dropped after each test.
 */
export function useMariadb(prefix: string): {
  fresh(connectionLimit?: number): Promise<FreshDatabase & { readonly admin: mysql.Connection }>;
} {
  const made: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const drop of made.splice(0).reverse()) await drop();
  });
  return {
    fresh: async (connectionLimit) => {
      const db = await freshDatabase(prefix, connectionLimit);
      const admin = await mysql.createConnection({ uri: mysqlUrl(), database: db.name });
      made.push(async () => {
        await admin.end().catch(() => undefined);
        await db.drop();
      });
      return { ...db, admin };
    },
  };
}
