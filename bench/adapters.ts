/*
 * What each repository adapter costs on a benchmark workload, all three measured in one run on the
 * same policy: storing the initial policy (once), `repository.load()`, `openEngine` (load,
 * validation, index build, subscription), an entity change (`addMember` then `removeMember`, one
 * transaction each: the writer's latency), and the time until a second engine on the same store has
 * it (PostgreSQL by LISTEN/NOTIFY; MySQL and SQLite by polling the change log, here every 50 ms).
 *
 *   npx tsx bench/adapters.ts [--size small|medium|large] [--changes 40]
 *
 * Servers: PostgreSQL from test/support/postgres.ts (PURVIEW_PG_URL, else 127.0.0.1:5432, else
 * embedded), MariaDB at PURVIEW_MYSQL_URL or 127.0.0.1:3306 (root, no password), SQLite a file in the OS temp
 * dir. Each adapter works in a schema / database / file of its own and drops it at the end. Prints
 * a Markdown table; run it on a quiet machine.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openEngine, type PolicyInput, type PolicyRepository, type SharedEngine } from '../src/index.js';
import { postgresRepository } from '../src/adapters/postgres/index.js';
import { mysqlRepository } from '../src/adapters/mysql/index.js';
import { sqliteRepository } from '../src/adapters/sqlite/index.js';
import { dropSchema, schemaName, testDatabase, testPool } from '../test/support/postgres.js';
import { randomBytes } from 'node:crypto';
import mysql from 'mysql2/promise';
import { generateWorkload, type SizeName } from './workload.js';

const arg = (name: string, def: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? def : (process.argv[i + 1] as string);
};
const size = arg('size', 'medium') as SizeName;
const CHANGES = Number(arg('changes', '40'));
const POLL_MS = 50;

const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)] as number;
const p95 = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) * 0.95)] as number;
const now = (): number => performance.now();
const fmt = (ms: number): string => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(ms < 10 ? 1 : 0)} ms`);

/** A fresh database on the MariaDB server (PURVIEW_MYSQL_URL, else root@127.0.0.1:3306) and a pool on it. */
async function freshMysql(): Promise<{ pool: mysql.Pool; drop(): Promise<void> }> {
  const url = new URL(process.env.PURVIEW_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/test');
  const conn = { host: url.hostname, port: Number(url.port || 3306), user: decodeURIComponent(url.username || 'root'), password: decodeURIComponent(url.password) };
  const name = `purview_bench_${randomBytes(4).toString('hex')}`;
  const admin = await mysql.createConnection(conn);
  await admin.query(`CREATE DATABASE \`${name}\``);
  await admin.end();
  const pool = mysql.createPool({ ...conn, database: name, connectionLimit: 8 });
  return {
    pool,
    drop: async () => {
      await pool.end().catch(() => undefined);
      const c = await mysql.createConnection(conn);
      await c.query(`DROP DATABASE IF EXISTS \`${name}\``);
      await c.end();
    },
  };
}

interface Made {
  readonly repository: () => PolicyRepository;
  /** Opens the store with the initial policy in it (the first repository migrates and stores it). */
  readonly seed: () => Promise<void>;
  readonly cleanup: () => Promise<void>;
}

/**
 * Waits until `engine` reports `revision` (by notification or its own polling). The timer also
 * keeps the process alive while it waits: the engines' own polling timers are unref'd.
 */
function reaches(engine: SharedEngine, revision: number, timeoutMs = 60_000): Promise<void> {
  if (engine.revision >= revision) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      stop();
      reject(new Error(`the second engine stayed at revision ${engine.revision}, wanted ${revision}, for ${timeoutMs} ms`));
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

async function measure(name: string, made: Made, policy: PolicyInput, group: string, user: string): Promise<string[]> {
  process.stderr.write(`[bench adapters ${size}] ${name}\n`);
  let t = now();
  await made.seed();
  const seedMs = now() - t;
  const repo = made.repository();
  t = now();
  await repo.load();
  const loadMs = now() - t;
  t = now();
  const writer = await openEngine({ repository: made.repository(), pollIntervalMs: POLL_MS });
  const openMs = now() - t;
  const follower = await openEngine({ repository: made.repository(), pollIntervalMs: POLL_MS });
  const write: number[] = [];
  const follow: number[] = [];
  try {
    for (let i = 0; i < CHANGES; i++) {
      const change = i % 2 === 0 ? () => writer.addMember(group, { user }) : () => writer.removeMember(group, { user });
      const t0 = now();
      const rev = await change();
      write.push(now() - t0);
      await reaches(follower, rev);
      follow.push(now() - t0);
    }
  } finally {
    await Promise.allSettled([writer.close(), follower.close()]);
    await (repo as { close?: () => Promise<void> }).close?.();
    await made.cleanup();
  }
  void policy;
  return [name, fmt(seedMs), fmt(loadMs), fmt(openMs), `${fmt(median(write))} / ${fmt(p95(write))}`, `${fmt(median(follow))} / ${fmt(p95(follow))}`];
}

async function main(): Promise<void> {
  const w = generateWorkload(size, 42);
  const policy = w.policy;
  // A group with members, and a user who is not one of them (the change adds and removes it).
  const gi = w.groupUsers.findIndex((m) => m.length > 0);
  const group = w.groupIds[gi] as string;
  const user = w.userIds.find((_, i) => !(w.groupUsers[gi] as number[]).includes(i)) as string;
  const rows: string[][] = [];
  const closers: (() => Promise<unknown>)[] = [];
  try {
    // PostgreSQL
    const pg = await testDatabase();
    closers.push(() => pg.stop());
    const pool = testPool(pg.url, 8);
    closers.push(() => pool.end());
    const schema = schemaName('purview_bench_adapters');
    const pgRepos: { close(): Promise<void> }[] = [];
    rows.push(
      await measure(
        'PostgreSQL 15 (`postgresRepository`, LISTEN/NOTIFY)',
        {
          repository: () => {
            const r = postgresRepository({ pool, schema, initialPolicy: policy });
            pgRepos.push(r);
            return r;
          },
          seed: async () => void (await postgresRepository({ pool, schema, initialPolicy: policy }).load()),
          cleanup: async () => {
            await Promise.allSettled(pgRepos.map((r) => r.close()));
            await dropSchema(pool, schema);
          },
        },
        policy,
        group,
        user,
      ),
    );
    // MariaDB
    const my = await freshMysql();
    const myRepos: { close(): Promise<void> }[] = [];
    rows.push(
      await measure(
        `MariaDB (\`mysqlRepository\`, polling every ${POLL_MS} ms)`,
        {
          repository: () => {
            const r = mysqlRepository({ pool: my.pool, initialPolicy: policy, pollIntervalMs: POLL_MS });
            myRepos.push(r);
            return r;
          },
          seed: async () => void (await mysqlRepository({ pool: my.pool, initialPolicy: policy }).load()),
          cleanup: async () => {
            await Promise.allSettled(myRepos.map((r) => r.close()));
            await my.drop();
          },
        },
        policy,
        group,
        user,
      ),
    );
    // SQLite
    const dir = mkdtempSync(join(tmpdir(), 'purview-bench-sqlite-'));
    const path = join(dir, 'policy.db');
    const sqRepos: { close(): Promise<void> }[] = [];
    rows.push(
      await measure(
        `SQLite (\`sqliteRepository\`, WAL, polling every ${POLL_MS} ms)`,
        {
          repository: () => {
            const r = sqliteRepository({ path, initialPolicy: policy, pollIntervalMs: POLL_MS });
            sqRepos.push(r);
            return r;
          },
          seed: async () => {
            const r = sqliteRepository({ path, initialPolicy: policy });
            await r.load();
            await r.close();
          },
          cleanup: async () => {
            await Promise.allSettled(sqRepos.map((r) => r.close()));
            rmSync(dir, { recursive: true, force: true });
          },
        },
        policy,
        group,
        user,
      ),
    );
  } finally {
    for (const c of closers.reverse()) await c().catch(() => undefined);
  }
  const head = ['store', 'storing the initial policy', '`load()`', '`openEngine`', 'a change, writer (median / p95)', 'until a second engine has it (median / p95)'];
  console.log(`${size} workload: ${w.userIds.length.toLocaleString('en-US')} users, ${w.groupIds.length.toLocaleString('en-US')} groups; ${CHANGES} changes; node ${process.version}\n`);
  console.log(`| ${head.join(' | ')} |\n| ${head.map(() => '---').join(' | ')} |`);
  for (const r of rows) console.log(`| ${r.join(' | ')} |`);
}

await main();
