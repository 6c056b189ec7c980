import { describe, expect, it } from 'vitest';
import { ConflictError, openEngine, type SharedEngine } from '../../src/index.js';
import { smallPolicy } from '../../src/testing/fixtures.js';
import { ident, policyHash, reaches, usePostgres } from '../support/pg-context.js';

const pg = usePostgres('purview_shared');
const lead = { type: 'lead', id: 'l1', owner: { group: 'sales' } } as const;

/** An engine with its own pool, as a separate application instance would have. */
async function instance(schema: string, name: string, extra: { pollIntervalMs?: number } = {}): Promise<SharedEngine> {
  const repository = pg.repository({ schema, pool: pg.pool(name, 4), initialPolicy: smallPolicy() });
  return openEngine({ repository, pollIntervalMs: extra.pollIntervalMs ?? 0, timeoutMs: 10_000 });
}

async function revisions(schema: string): Promise<number[]> {
  const r = await pg.admin.query<{ revision: string }>(`SELECT revision FROM ${ident(schema)}.change_log ORDER BY revision`);
  return r.rows.map((x) => Number(x.revision));
}

describe('engines sharing one PostgreSQL database', () => {
  it('a write through one engine is visible on another with at({ atLeast }) and waitFor', async () => {
    const schema = pg.schema();
    const a = await instance(schema, 'app-a');
    const b = await instance(schema, 'app-b');
    expect(b.can('u2', 'edit', lead)).toBe(false);
    const rev = await a.addMember('sales', { user: 'u2' });
    expect(rev).toBe(1);
    const view = await b.at({ atLeast: rev });
    expect(view.can('u2', 'edit', lead)).toBe(true);
    const rev2 = await b.removeMember('sales', { user: 'u2' });
    await a.waitFor(rev2);
    expect(a.can('u2', 'edit', lead)).toBe(false);
    expect(policyHash(a.policy)).toBe(policyHash(b.policy));
    await a.close();
    await b.close();
  });

  it('followers apply other writers’ changes on NOTIFY alone (no polling, no waiting)', async () => {
    const schema = pg.schema();
    const a = await instance(schema, 'app-a');
    const b = await instance(schema, 'app-b');
    const c = await instance(schema, 'app-c');
    for (let i = 0; i < 5; i++) {
      const rev = await a.update((d) => void d.groups.get('team')?.members.users.push(i % 2 === 0 ? 'u2' : 'u3'));
      await Promise.all([reaches(b, rev, 5_000), reaches(c, rev, 5_000)]);
      await a.update((d) => {
        const team = d.groups.get('team');
        if (team !== undefined) team.members.users = [];
      });
    }
    await Promise.all([reaches(b, a.revision, 5_000), reaches(c, a.revision, 5_000)]);
    expect(policyHash(b.policy)).toBe(policyHash(a.policy));
    expect(policyHash(c.policy)).toBe(policyHash(a.policy));
    await Promise.all([a.close(), b.close(), c.close()]);
  });

  it('concurrent conflicting updates: exactly one wins, the others get ConflictError, nothing half-written', async () => {
    const schema = pg.schema();
    const engines = await Promise.all(['w0', 'w1', 'w2', 'w3', 'w4'].map((n) => instance(schema, n)));
    expect(new Set(engines.map((e) => e.revision))).toEqual(new Set([0]));
    // Every engine writes at revision 0 at once, each a different change to the same group.
    const settled = await Promise.allSettled(engines.map((e, i) => e.update((d) => void d.groups.get('team')?.members.users.push(['u1', 'u2', 'u3', 'u1', 'u2'][i] as string))));
    const winners = settled.flatMap((r, i) => (r.status === 'fulfilled' ? [i] : []));
    expect(winners).toHaveLength(1);
    for (const r of settled) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(ConflictError);
    expect(await revisions(schema)).toEqual([1]);
    const members = await pg.admin.query(`SELECT member_id FROM ${ident(schema)}.group_members WHERE group_id = 'team'`);
    expect(members.rows).toHaveLength(1);
    for (const e of engines) await e.waitFor(1);
    expect(new Set(engines.map((e) => policyHash(e.policy))).size).toBe(1);
    await Promise.all(engines.map((e) => e.close()));
  });

  it('writers that retry on conflict: nothing lost, revisions 1..n without gaps or repeats', async () => {
    const schema = pg.schema();
    const writers = await Promise.all(['r0', 'r1', 'r2', 'r3'].map((n) => instance(schema, n)));
    const perWriter = 8;
    let conflicts = 0;
    await Promise.all(
      writers.map(async (engine, w) => {
        for (let k = 0; k < perWriter; k++) {
          const id = `w${w}-${k}`;
          for (;;) {
            try {
              await engine.update((d) => {
                d.users.set(id, { id, tenant: 'default', status: 'active', tenants: [] });
                d.groups.get('sales')?.members.users.push(id);
              });
              break;
            } catch (e) {
              if (!(e instanceof ConflictError)) throw e;
              conflicts++;
              await engine.refresh();
            }
          }
        }
      }),
    );
    const n = writers.length * perWriter;
    expect(await revisions(schema)).toEqual(Array.from({ length: n }, (_, i) => i + 1));
    const state = await pg.admin.query<{ revision: string }>(`SELECT revision FROM ${ident(schema)}.policy_state`);
    expect(Number(state.rows[0]?.revision)).toBe(n);
    for (const e of writers) await e.waitFor(n);
    const hashes = new Set(writers.map((e) => policyHash(e.policy)));
    expect(hashes.size).toBe(1);
    const sales = (writers[0] as SharedEngine).membersOf('sales');
    for (let w = 0; w < writers.length; w++) for (let k = 0; k < perWriter; k++) expect(sales).toContain(`w${w}-${k}`);
    const rows = await pg.admin.query<{ n: string }>(`SELECT count(*) AS n FROM ${ident(schema)}.group_members WHERE group_id = 'sales' AND kind = 'user'`);
    expect(Number(rows.rows[0]?.n)).toBe(n + 1); // u1 was there from the start
    // A restarted instance loads exactly the same snapshot.
    const restarted = await instance(schema, 'restarted');
    expect(restarted.revision).toBe(n);
    expect(policyHash(restarted.policy)).toBe([...hashes][0]);
    expect(conflicts).toBeGreaterThan(0);
    await Promise.all([...writers, restarted].map((e) => e.close()));
  });

  it('repository-level race: ten appends at one revision from ten pools, one lands', async () => {
    const schema = pg.schema();
    const repos = Array.from({ length: 10 }, (_, i) => pg.repository({ schema, pool: pg.pool(`race-${i}`, 2), initialPolicy: smallPolicy() }));
    await Promise.all(repos.map((r) => r.migrate()));
    const settled = await Promise.allSettled(
      repos.map((r, i) => r.append({ revision: 1, ops: [{ op: 'put', collection: 'roles', entity: { id: `role-${i}`, tenant: 'default' } }] }, 0)),
    );
    expect(settled.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of settled) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(ConflictError);
    const roles = await pg.admin.query(`SELECT id FROM ${ident(schema)}.roles WHERE id LIKE 'role-%'`);
    expect(roles.rows).toHaveLength(1);
    expect(await revisions(schema)).toEqual([1]);
  });

  it('without LISTEN/NOTIFY (notify: false, as on CockroachDB) followers keep up by polling the change log', async () => {
    const schema = pg.schema();
    const open = (name: string) =>
      openEngine({ repository: pg.repository({ schema, pool: pg.pool(name, 2), initialPolicy: smallPolicy(), notify: false }), pollIntervalMs: 50 });
    const a = await open('poll-a');
    const b = await open('poll-b');
    const rev = await a.addMember('sales', { user: 'u2' });
    await reaches(b, rev, 5_000);
    expect(b.can('u2', 'edit', lead)).toBe(true);
    const listening = await pg.admin.query(`SELECT pid FROM pg_stat_activity WHERE application_name LIKE 'poll-%' AND query LIKE 'LISTEN%'`);
    expect(listening.rows).toEqual([]);
    await Promise.all([a.close(), b.close()]);
  });

  it('schemas are independent: engines on another schema hear nothing and see nothing', async () => {
    const s1 = pg.schema();
    const s2 = pg.schema();
    const a = await instance(s1, 'iso-a');
    const b = await instance(s2, 'iso-b');
    let heard = 0;
    const stop = b.subscribe(() => void heard++);
    await a.addMember('sales', { user: 'u2' });
    await new Promise((r) => setTimeout(r, 200));
    stop();
    expect(heard).toBe(0);
    expect(b.revision).toBe(0);
    expect(b.membersOf('sales')).toEqual(['u1']);
    await Promise.all([a.close(), b.close()]);
  });
});
