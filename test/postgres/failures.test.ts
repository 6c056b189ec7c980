import { describe, expect, it } from 'vitest';
import { ConflictError, openEngine, type SharedEngine } from '../../src/index.js';
import { conformancePolicy } from '../../src/testing/fixtures.js';
import { eventually, ident, policyHash, reaches, usePostgres } from '../support/pg-context.js';

const pg = usePostgres('purview_fail');

async function instance(schema: string, name: string, onError?: (e: unknown) => void): Promise<SharedEngine> {
  const repository = pg.repository({ schema, pool: pg.pool(name, 4), initialPolicy: conformancePolicy(), reconnectDelayMs: { initial: 50, max: 500 } });
  return openEngine({ repository, pollIntervalMs: 0, timeoutMs: 10_000, ...(onError === undefined ? {} : { onError }) });
}

/** Every row of every table, as text: two equal dumps mean nothing changed. */
async function dump(schema: string): Promise<string> {
  const s = ident(schema);
  const tables = [
    'policy_state',
    'tenants',
    'roles',
    'users',
    'user_tenants',
    'groups',
    'group_members',
    'resource_types',
    'resource_type_actions',
    'sharing_rules',
    'access_groups',
    'access_group_grants',
    'change_log',
  ];
  const parts: string[] = [];
  for (const t of tables) {
    const r = await pg.admin.query<{ j: string }>(`SELECT coalesce(string_agg(x::text, E'\\n' ORDER BY x::text), '') AS j FROM ${s}.${t} x`);
    parts.push(`${t}:\n${r.rows[0]?.j ?? ''}`);
  }
  return parts.join('\n');
}

describe('failures against a real PostgreSQL server', () => {
  it('a connection killed mid-transaction leaves no partial state; a restarted engine loads the same snapshot', async () => {
    const schema = pg.schema();
    const s = ident(schema);
    const a = await instance(schema, 'victim');
    await a.addMember('sales', { user: 'ann' });
    const hashBefore = policyHash(a.policy);
    const revBefore = a.revision;
    const dumpBefore = await dump(schema);

    // Hold the change log so that the next append stops after writing the entity tables, before it logs and commits.
    const blocker = await pg.admin.connect();
    await blocker.query('BEGIN');
    await blocker.query(`LOCK TABLE ${s}.change_log IN EXCLUSIVE MODE`);
    const write = a.update((d) => {
      d.users.set('zed', { id: 'zed', tenant: 'default', status: 'active', tenants: [], role: 'rep' });
      const sales = d.groups.get('sales');
      if (sales !== undefined) sales.members.users = ['zed'];
      d.groups.delete('empty');
      d.sharingRules.delete('r1');
    });
    const settled = write.then(
      () => 'landed',
      (e: unknown) => e,
    );
    const pid = await eventually(async () => {
      const r = await pg.admin.query<{ pid: number }>(
        `SELECT pid FROM pg_stat_activity WHERE application_name = 'victim' AND wait_event_type = 'Lock' AND query LIKE 'INSERT INTO %change_log%'`,
      );
      return r.rows[0]?.pid;
    }, 10_000, 'the append to block on the change log');
    // Mid-transaction: the users, groups and members are written but invisible to everyone else.
    expect(await dump(schema)).toBe(dumpBefore);
    await pg.admin.query('SELECT pg_terminate_backend($1)', [pid]);
    const outcome = await settled;
    expect(outcome).toBeInstanceOf(Error);
    expect(outcome).not.toBeInstanceOf(ConflictError);
    await blocker.query('ROLLBACK');
    blocker.release();

    expect(await dump(schema)).toBe(dumpBefore);
    expect(a.revision).toBe(revBefore);
    expect(policyHash(a.policy)).toBe(hashBefore);
    const restarted = await instance(schema, 'restarted');
    expect(restarted.revision).toBe(revBefore);
    expect(policyHash(restarted.policy)).toBe(hashBefore);

    // The engine and its pool carry on: the same write now lands and reaches the other instance.
    const rev = await a.addMember('sales', { user: 'cy' });
    expect(rev).toBe(revBefore + 1);
    await restarted.waitFor(rev);
    expect(policyHash(restarted.policy)).toBe(policyHash(a.policy));
    await Promise.all([a.close(), restarted.close()]);
  });

  it('a killed LISTEN connection is reported, reconnected, and the follower catches up on what it missed', async () => {
    const schema = pg.schema();
    const errors: unknown[] = [];
    const writer = await instance(schema, 'writer');
    const follower = await instance(schema, 'follower', (e) => errors.push(e));
    const listenPid = async (): Promise<number | undefined> => {
      const r = await pg.admin.query<{ pid: number }>(
        `SELECT pid FROM pg_stat_activity WHERE application_name = 'follower' AND query LIKE 'LISTEN %' AND state = 'idle'`,
      );
      return r.rows[0]?.pid;
    };
    const first = await eventually(listenPid, 5_000, 'the LISTEN connection');
    await pg.admin.query('SELECT pg_terminate_backend($1)', [first]);
    // Written while the follower may well be disconnected: it must catch up from its last revision.
    const r1 = await writer.addMember('team-a', { user: 'ann' });
    const r2 = await writer.setStatus('bob', 'inactive');
    await reaches(follower, r2, 10_000);
    expect(errors.length).toBeGreaterThan(0);
    const second = await eventually(async () => {
      const pid = await listenPid();
      return pid !== undefined && pid !== first ? pid : undefined;
    }, 5_000, 'a new LISTEN connection');
    expect(second).not.toBe(first);
    // And it hears notifications on the new connection.
    const r3 = await writer.removeMember('team-a', { user: 'ann' });
    await reaches(follower, r3, 5_000);
    expect(r3).toBe(r1 + 2);
    expect(policyHash(follower.policy)).toBe(policyHash(writer.policy));
    await Promise.all([writer.close(), follower.close()]);
  });

  it('every connection of an instance dropped at once (a failover): it recovers and converges', async () => {
    const schema = pg.schema();
    const errors: unknown[] = [];
    const writer = await instance(schema, 'steady');
    const shaken = await instance(schema, 'shaken', (e) => errors.push(e));
    await shaken.addMember('sales', { user: 'ann' });
    await writer.waitFor(shaken.revision);
    await pg.admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'shaken'`);
    const rev = await writer.addMember('empty', { user: 'bob' });
    await reaches(shaken, rev, 10_000);
    // Its own writes work again once the pool has replaced the dead connections.
    let own: number | undefined;
    for (let attempt = 0; attempt < 5 && own === undefined; attempt++) {
      own = await shaken.removeMember('empty', { user: 'bob' }).catch(async () => {
        await new Promise((r) => setTimeout(r, 100));
        return undefined;
      });
    }
    expect(own).toBe(rev + 1);
    await writer.waitFor(rev + 1);
    expect(policyHash(writer.policy)).toBe(policyHash(shaken.policy));
    expect(errors.length).toBeGreaterThan(0);
    await Promise.all([writer.close(), shaken.close()]);
  });
});
