// The MariaDB/MySQL server: test/support/mariadb.ts (127.0.0.1:3306 or PURVIEW_MYSQL_URL; the
// machine's mariadbd is started when nothing answers). Each test gets a database of its own.
import { describe, expect, it } from 'vitest';
import { mysqlRepository, MYSQL_SCHEMA_VERSION } from '../../src/adapters/mysql/index.js';
import { InvalidInputError, openEngine, SchemaVersionError } from '../../src/index.js';
import { conformancePolicy, smallPolicy } from '../../src/testing/fixtures.js';
import { mysqlPool, useMariadb } from '../support/mariadb.js';

const my = useMariadb('purview_schema');

describe('the MySQL schema', () => {
  it('migrations run once, even when many repositories start at once', async () => {
    const db = await my.fresh(12);
    const repositories = Array.from({ length: 6 }, () => mysqlRepository({ pool: db.pool, initialPolicy: smallPolicy() }));
    await Promise.all(repositories.map((r) => r.migrate()));
    const [rows] = await db.admin.query('SELECT version, name FROM schema_migrations');
    expect((rows as { version: number }[]).map((r) => r.version)).toEqual([MYSQL_SCHEMA_VERSION]);
    const [state] = await db.admin.query('SELECT revision, initialized FROM policy_state');
    expect(state).toEqual([{ revision: 0, initialized: 1 }]);
    expect(await repositories[0]?.revision()).toBe(0);
    const [users] = await db.admin.query('SELECT COUNT(*) AS n FROM users');
    expect((users as { n: number }[])[0]?.n).toBe(smallPolicy().users?.length);
  });

  it('a schema newer than the library is refused with a SchemaVersionError naming the database and versions', async () => {
    const db = await my.fresh();
    await mysqlRepository({ pool: db.pool }).migrate();
    await db.admin.query("INSERT INTO schema_migrations (version, name) VALUES (99, 'from the future')");
    for (const repository of [mysqlRepository({ pool: db.pool }), mysqlRepository({ pool: db.pool, migrate: false })]) {
      const e = await repository.load().then(
        () => undefined,
        (x: unknown) => x,
      );
      expect(e).toBeInstanceOf(SchemaVersionError);
      expect(e).toMatchObject({ schema: db.name, found: 99, supported: MYSQL_SCHEMA_VERSION, code: 'schema-version' });
      expect((e as Error).message).toContain('upgrade purview');
    }
  });

  it('with migrate: false, unmigrated tables are a SchemaVersionError that says to run the migration', async () => {
    const db = await my.fresh();
    const e = await mysqlRepository({ pool: db.pool, migrate: false })
      .load()
      .then(
        () => undefined,
        (x: unknown) => x,
      );
    expect(e).toBeInstanceOf(SchemaVersionError);
    expect(e).toMatchObject({ found: 0 });
    expect((e as Error).message).toContain('migrate()');
  });

  it('the initial policy is stored once at revision 0 and never overwrites a stored policy', async () => {
    const db = await my.fresh();
    const engine = await openEngine({ repository: mysqlRepository({ pool: db.pool, initialPolicy: smallPolicy() }), pollIntervalMs: 0 });
    await engine.addMember('sales', { user: 'u3' });
    await engine.close();
    const again = await openEngine({ repository: mysqlRepository({ pool: db.pool, initialPolicy: conformancePolicy() }), pollIntervalMs: 0 });
    expect(again.revision).toBe(1);
    expect(again.policy.users.has('ann')).toBe(false);
    expect(again.policy.groups.get('sales')?.members.users).toContain('u3');
    await again.close();
  });

  it('the tables are normalized and readable with plain SQL; ids differing only in case or trailing space stay apart', async () => {
    const db = await my.fresh();
    const policy = smallPolicy();
    const repository = mysqlRepository({ pool: db.pool, initialPolicy: policy });
    const engine = await openEngine({ repository, pollIntervalMs: 0 });
    await engine.update((d) => {
      for (const id of ['Casey', 'casey', 'casey ']) d.users.set(id, { id, tenant: 'default', status: 'active', tenants: [] });
      const sales = d.groups.get('sales');
      if (sales !== undefined) sales.members.users = [...sales.members.users, 'Casey', 'casey '];
    });
    const [rows] = await db.admin.query("SELECT CAST(group_id AS CHAR) AS g FROM group_members WHERE kind = 'user' AND member_id = 'casey '");
    expect(rows).toEqual([{ g: 'sales' }]);
    const fresh = await openEngine({ repository: mysqlRepository({ pool: db.pool }), pollIntervalMs: 0 });
    expect([...fresh.policy.users.keys()].filter((id) => id.toLowerCase().startsWith('casey')).sort()).toEqual(['Casey', 'casey', 'casey ']);
    expect(fresh.policy.groups.get('sales')?.members.users).toEqual(engine.policy.groups.get('sales')?.members.users);
    await Promise.all([engine.close(), fresh.close()]);
  });

  it('rejects what the tables cannot hold (NUL, unpaired surrogates) and over-long ids before anything is stored', async () => {
    const db = await my.fresh();
    const repository = mysqlRepository({ pool: db.pool, initialPolicy: smallPolicy() });
    const engine = await openEngine({ repository, pollIntervalMs: 0 });
    for (const id of ['nul\u0000id', 'lone\ud800', `long-${'é'.repeat(600)}`]) {
      const e = await engine
        .update((d) => {
          d.users.set(id, { id, tenant: 'default', status: 'active', tenants: [] });
        })
        .then(
          () => undefined,
          (x: unknown) => x,
        );
      expect(e).toBeInstanceOf(InvalidInputError);
    }
    expect(await repository.revision()).toBe(0);
    const [log] = await db.admin.query('SELECT COUNT(*) AS n FROM change_log');
    expect((log as { n: number }[])[0]?.n).toBe(0);
    await engine.close();
  });

  it('the longest ids the core allows (256 characters of three UTF-8 bytes) are stored and read back, even without strict mode', async () => {
    const db = await my.fresh();
    const pool = mysqlPool({ database: db.name, connectionLimit: 1 });
    pool.on('connection', (c) => {
      c.query("SET SESSION sql_mode = ''"); // a server that would truncate silently
    });
    try {
      const repository = mysqlRepository({ pool, initialPolicy: smallPolicy() });
      const id = '€'.repeat(256);
      expect(Buffer.byteLength(id)).toBe(768);
      await repository.append({ revision: 1, ops: [{ op: 'put', collection: 'users', entity: { id, tenant: 'default', status: 'active', tenants: [] } }] }, 0);
      const { policy } = await repository.load();
      expect(policy.users?.some((u) => u.id === id)).toBe(true);
    } finally {
      await pool.end();
    }
  });

  it('a database option: created by the migrations when missing, names quoted', async () => {
    const db = await my.fresh();
    const other = `${db.name}_x\`y`;
    const repository = mysqlRepository({ pool: db.pool, database: other, initialPolicy: smallPolicy() });
    try {
      const engine = await openEngine({ repository, pollIntervalMs: 0 });
      expect(engine.revision).toBe(0);
      const [rows] = await db.admin.query('SELECT COUNT(*) AS n FROM information_schema.tables WHERE table_schema = ?', [other]);
      expect((rows as { n: number }[])[0]?.n).toBeGreaterThan(10);
      await engine.close();
    } finally {
      await db.admin.query(`DROP DATABASE IF EXISTS \`${other.replace(/`/g, '``')}\``);
    }
    expect(() => mysqlRepository({ pool: db.pool, database: 'x'.repeat(65) })).toThrow(InvalidInputError);
    expect(() => mysqlRepository({ pool: undefined as never })).toThrow(/mysql2\/promise/);
  });

  it('pruning the change log keeps the newest records; engines further behind reload the snapshot', async () => {
    const db = await my.fresh();
    const repository = mysqlRepository({ pool: db.pool, initialPolicy: smallPolicy() });
    const engine = await openEngine({ repository, pollIntervalMs: 0 });
    for (const u of ['u1', 'u2', 'u3']) await engine.addMember('team', { user: u });
    expect(await repository.pruneChangeLog({ keepLast: 1 })).toBe(2);
    expect((await repository.changesSince(0)).map((c) => c.revision)).toEqual([3]);
    await expect(repository.pruneChangeLog({ keepLast: 0 })).rejects.toBeInstanceOf(InvalidInputError);
    const late = await openEngine({ repository: mysqlRepository({ pool: db.pool }), pollIntervalMs: 0 });
    expect(late.revision).toBe(3);
    await Promise.all([engine.close(), late.close()]);
  });
});
