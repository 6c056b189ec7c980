// The MariaDB/MySQL server: test/support/mariadb.ts (127.0.0.1:3306 or PURVIEW_MYSQL_URL; the
// machine's mariadbd is started when nothing answers). Each test gets a database of its own.
import type mysql from 'mysql2/promise';
import { describe, expect, it } from 'vitest';
import { mysqlRepository } from '../../src/adapters/mysql/index.js';
import { ConflictError, openEngine, RepositoryError, type SharedEngine } from '../../src/index.js';
import { conformancePolicy, smallPolicy } from '../../src/testing/fixtures.js';
import { ALL_TABLES, TABLES as SPECS } from '../../src/adapters/sql/rows.js';
import { mysqlPool, useMariadb } from '../support/mariadb.js';
import { eventually, policyHash, reaches } from '../support/pg-context.js';

const my = useMariadb('purview_fail');

/** Every table the repository writes. */
const TABLES = ['policy_state', ...ALL_TABLES.map((t) => SPECS[t].table), 'change_log'];

/** Every row of every table, as text: two equal dumps mean nothing changed. */
async function dump(admin: mysql.Connection): Promise<string> {
  const parts: string[] = [];
  for (const t of TABLES) {
    const [rows] = await admin.query({ sql: `SELECT * FROM \`${t}\``, rowsAsArray: true });
    parts.push(`${t}:\n${(rows as unknown[][]).map((r) => JSON.stringify(r)).sort().join('\n')}`);
  }
  return parts.join('\n');
}

const scalar = async (admin: mysql.Connection, sql: string, values: unknown[] = []): Promise<unknown> => {
  const [rows] = await admin.query({ sql, values, rowsAsArray: true });
  return (rows as unknown[][])[0]?.[0];
};

describe('failures against a real MariaDB server', () => {
  it('a connection killed mid-change leaves no partial state; a restarted engine loads the same snapshot', async () => {
    const db = await my.fresh();
    const pool = mysqlPool({ database: db.name, connectionLimit: 2 });
    const a = await openEngine({ repository: mysqlRepository({ pool, initialPolicy: conformancePolicy(), pollIntervalMs: 50 }), pollIntervalMs: 0 });
    try {
      await a.addMember('sales', { user: 'ann' });
      const hashBefore = policyHash(a.policy);
      const revBefore = a.revision;
      const dumpBefore = await dump(db.admin);

      // Hold the next change-log row, so that the append stops after writing the entity tables, before it logs and commits.
      const blocker = db.admin;
      await blocker.query('START TRANSACTION');
      await blocker.query("INSERT INTO change_log (revision, kind, record) VALUES (?, 'ops', '{}')", [revBefore + 1]);
      const blockerId = await scalar(blocker, 'SELECT CONNECTION_ID()');
      const settled = a
        .update((d) => {
          d.users.set('zed', { id: 'zed', tenant: 'default', status: 'active', tenants: [], role: 'rep' });
          const sales = d.groups.get('sales');
          if (sales !== undefined) sales.members.users = ['zed'];
          d.groups.delete('empty');
          d.sharingRules.delete('r1');
        })
        .then(
          () => 'landed',
          (e: unknown) => e,
        );
      const victim = await eventually(
        () => scalar(blocker, "SELECT ID FROM information_schema.PROCESSLIST WHERE INFO LIKE 'INSERT INTO %change_log%' AND ID <> ?", [blockerId]),
        10_000,
        'the append to block on the change log',
      );
      await blocker.query(`KILL CONNECTION ${Number(victim)}`);
      const outcome = await settled;
      expect(outcome).toBeInstanceOf(RepositoryError);
      expect(outcome).not.toBeInstanceOf(ConflictError);
      await blocker.query('ROLLBACK');

      // Neither in the log nor in the tables.
      expect(await dump(db.admin)).toBe(dumpBefore);
      expect(a.revision).toBe(revBefore);
      expect(policyHash(a.policy)).toBe(hashBefore);
      const restarted = await openEngine({ repository: mysqlRepository({ pool: db.pool }), pollIntervalMs: 0 });
      expect(restarted.revision).toBe(revBefore);
      expect(policyHash(restarted.policy)).toBe(hashBefore);
      await restarted.close();

      // The engine and its pool carry on: the same kind of write now lands.
      expect(await a.addMember('sales', { user: 'cy' })).toBe(revBefore + 1);
    } finally {
      await a.close();
      await pool.end();
    }
  });

  it('connections killed at random moments of large changes: each change is in the log and the tables, or in neither', async () => {
    const db = await my.fresh();
    const pool = mysqlPool({ database: db.name, connectionLimit: 1 });
    const repository = mysqlRepository({ pool, initialPolicy: smallPolicy() });
    try {
      let expected = await repository.revision();
      let landed = 0;
      let killed = 0;
      for (let round = 0; round < 12; round++) {
        const id = await scalar(db.admin, 'SELECT CONNECTION_ID()');
        const own = Number(await (async () => {
          const [rows] = await pool.query({ sql: 'SELECT CONNECTION_ID()', rowsAsArray: true });
          return (rows as unknown[][])[0]?.[0];
        })());
        expect(own).not.toBe(id);
        const users = Array.from({ length: 1500 }, (_, i) => ({ id: `r${round}-${i}`, tenant: 'default', status: 'active' as const, tenants: [] }));
        const append = repository.append({ revision: expected + 1, ops: users.map((entity) => ({ op: 'put' as const, collection: 'users' as const, entity })) }, expected).then(
          () => true,
          (e: unknown) => {
            expect(e).toBeInstanceOf(RepositoryError);
            return false;
          },
        );
        await new Promise((r) => setTimeout(r, Math.random() * 40));
        await db.admin.query(`KILL CONNECTION ${own}`).catch(() => undefined);
        const ok = await append;
        const rev = Number(await scalar(db.admin, 'SELECT revision FROM policy_state'));
        const logged = Number(await scalar(db.admin, 'SELECT COUNT(*) FROM change_log WHERE revision = ?', [expected + 1]));
        const rows = Number(await scalar(db.admin, 'SELECT COUNT(*) FROM users WHERE id LIKE ?', [`r${round}-%`]));
        // Either all of it or none of it (a kill after COMMIT may still report a failure: then it is all there).
        if (logged === 1) {
          expect([rev, rows]).toEqual([expected + 1, 1500]);
          expected += 1;
          landed++;
        } else {
          expect([rev, rows, ok]).toEqual([expected, 0, false]);
          killed++;
        }
      }
      expect(killed).toBeGreaterThan(0);
      const engine = await openEngine({ repository: mysqlRepository({ pool: db.pool }), pollIntervalMs: 0 });
      expect(engine.revision).toBe(expected);
      expect(engine.policy.users.size).toBe((smallPolicy().users?.length ?? 0) + landed * 1500);
      await engine.close();
    } finally {
      await pool.end();
    }
  });

  it('a follower whose connections are killed recovers and converges', async () => {
    const db = await my.fresh();
    const followerPool = mysqlPool({ database: db.name, connectionLimit: 2 });
    const errors: unknown[] = [];
    const writer = await openEngine({ repository: mysqlRepository({ pool: db.pool, initialPolicy: conformancePolicy(), pollIntervalMs: 50 }), pollIntervalMs: 0 });
    let follower: SharedEngine | undefined;
    try {
      follower = await openEngine({ repository: mysqlRepository({ pool: followerPool, pollIntervalMs: 50 }), pollIntervalMs: 0, onError: (e) => errors.push(e) });
      const r1 = await writer.addMember('team-a', { user: 'ann' });
      await reaches(follower, r1, 5_000);
      const [rows] = await db.admin.query({ sql: 'SELECT ID FROM information_schema.PROCESSLIST WHERE DB = ? AND ID <> CONNECTION_ID()', values: [db.name], rowsAsArray: true });
      for (const [id] of rows as unknown[][]) await db.admin.query(`KILL CONNECTION ${Number(id)}`).catch(() => undefined);
      const r2 = await writer.setStatus('bob', 'inactive');
      await reaches(follower, r2, 10_000);
      expect(policyHash(follower.policy)).toBe(policyHash(writer.policy));
    } finally {
      await Promise.all([writer.close(), follower?.close()]);
      await followerPool.end();
    }
  });
});
