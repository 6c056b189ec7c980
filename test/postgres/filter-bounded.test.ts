/*
 * A user in 10,000 groups gets one query with a bounded number of parameters: each id set is one
 * array parameter, so the SQL text and the parameter count do not grow with the groups; and the
 * query returns exactly the rows can() allows, on a 20,000-row table.
 */
import { describe, expect, it } from 'vitest';
import { createEngine, toPredicate, type PolicyInput, type Resource } from '../../src/index.js';
import { toSql, type SqlMapping } from '../../src/adapters/postgres/index.js';
import { ident, usePostgres } from '../support/pg-context.js';

const db = usePostgres('purview_fbound');

const GROUPS = 10_000;
const ROWS = 20_000;

/**
 * 10,000 groups in tenant `acme`: `big` is a direct member of the even ones and of `hub`, which
 * every odd one nests, so `big` is in all 10,001. Access groups grant some of the groups read
 * access (a listed one, and one with a segment); a sharing rule shares the records of `g1` with
 * `g2`; `amy` is in two groups, for comparison.
 */
function policy(): PolicyInput {
  const groups: NonNullable<PolicyInput['groups']>[number][] = [{ id: 'hub', tenant: 'acme', members: { users: ['big'] } }];
  for (let i = 0; i < GROUPS; i++) {
    groups.push({ id: `g${i}`, tenant: 'acme', members: i % 2 === 0 ? { users: ['big', ...(i < 4 ? ['amy'] : [])] } : { groups: ['hub'] } });
  }
  return {
    tenants: [{ id: 'acme' }, { id: 'other' }],
    users: [
      { id: 'big', tenant: 'acme' },
      { id: 'amy', tenant: 'acme' },
      { id: 'zed', tenant: 'other' },
    ],
    groups,
    resourceTypes: { lead: { actions: { view: 'read', edit: 'readWrite' } } },
    sharingRules: [{ id: 's1', tenant: 'acme', resourceType: 'lead', from: { group: 'g1' }, to: { group: 'g2' }, level: 'read' }],
    accessGroups: [
      { id: 'vip', tenant: 'acme', grants: [{ to: { group: 'g9998' }, level: 'read' }] },
      { id: 'eu', tenant: 'acme', segment: { all: [{ attribute: 'region', equals: 'EU' }] }, grants: [{ to: { group: 'g7' }, level: 'readWrite' }] },
    ],
  };
}

const mapping: SqlMapping = {
  ownerUser: 'owner_user_id',
  ownerGroup: 'owner_group_id',
  tenant: 'tenant_id',
  accessGroups: 'access_groups',
  attributes: 'attributes',
  // These records are never shared one by one (see docs/record-shares.md for a share table).
  shares: false,
};

const ms = (t0: bigint): number => Number(process.hrtime.bigint() - t0) / 1e6;

describe('a user in 10,000 groups', () => {
  it('gets one query with at most 10 parameters that returns exactly the rows can() allows', async () => {
    const engine = createEngine({ policy: policy() });
    expect(engine.groupsOf('big')).toHaveLength(GROUPS + 1);

    const schema = db.schema();
    const pool = db.pool('purview-filter-bounded', 1);
    const table = `${ident(schema)}.leads`;
    await pool.query(`CREATE SCHEMA ${ident(schema)}`);
    await pool.query(`CREATE TABLE ${table} (id text PRIMARY KEY, tenant_id text, owner_user_id text, owner_group_id text, access_groups text[], attributes jsonb)`);
    // Rows owned by groups g0..g11999 (the last 2,000 do not exist), by users, listed in access
    // groups, in region EU; 1 in 5 in tenant `other`.
    await pool.query(
      `INSERT INTO ${table}
       SELECT 'l' || lpad(i::text, 6, '0'),
              CASE WHEN i % 10 IN (6, 9) THEN 'other' ELSE 'acme' END,
              CASE WHEN i % 3 = 0 THEN (ARRAY['big', 'amy', 'zed', 'ghost'])[1 + i % 4] END,
              CASE WHEN i % 3 <> 0 THEN 'g' || ((i * 7) % 12000) END,
              CASE WHEN i % 5 = 0 THEN ARRAY['vip'] WHEN i % 5 = 1 THEN ARRAY['x', 'vip2'] END,
              CASE WHEN i % 4 = 0 THEN '{"region": "EU"}'::jsonb ELSE '{"region": "US"}'::jsonb END
       FROM generate_series(0, ${ROWS - 1}) i`,
    );
    await pool.query(`ANALYZE ${table}`);
    const { rows } = await pool.query<{ id: string; tenant_id: string; owner_user_id: string | null; owner_group_id: string | null; access_groups: string[] | null; attributes: Record<string, string> }>(
      `SELECT * FROM ${table}`,
    );
    const resources: Resource[] = rows.map((r) => ({
      type: 'lead',
      id: r.id,
      tenant: r.tenant_id,
      owner: r.owner_user_id !== null ? { user: r.owner_user_id } : { group: r.owner_group_id as string },
      ...(r.access_groups === null ? {} : { accessGroups: r.access_groups }),
      attributes: r.attributes,
    }));

    const figures: Record<string, unknown> = {};
    for (const user of ['big', 'amy', 'zed']) {
      for (const action of ['view', 'edit']) {
        let t0 = process.hrtime.bigint();
        const filter = engine.filter(user, action, 'lead');
        const filterMs = ms(t0);
        t0 = process.hrtime.bigint();
        const w = toSql(filter, mapping);
        const toSqlMs = ms(t0);
        expect(w.params.length, `${user} ${action}: ${w.sql}`).toBeLessThanOrEqual(10);
        expect(w.sql.length, w.sql).toBeLessThan(1_000);
        if (user === 'big') {
          const owners = filter.anyOf.find((c) => c.kind === 'ownerGroup' && c.tenant === undefined);
          expect(owners?.kind === 'ownerGroup' ? owners.ids.length : 0).toBe(GROUPS + 1);
          // A placeholder per clause (a tenant's reused), never one per id.
          expect(new Set(w.sql.match(/\$\d+/g)).size).toBe(w.params.length);
          expect(w.sql.match(/\$\d+/g)?.length ?? 0).toBeLessThanOrEqual(2 * filter.anyOf.length + 1);
        }
        t0 = process.hrtime.bigint();
        const result = await pool.query<{ id: string }>(`SELECT id FROM ${table} WHERE ${w.sql} ORDER BY id`, w.params);
        const queryMs = ms(t0);
        const expected = resources.filter((r) => engine.can(user, action, r)).map((r) => r.id).sort();
        const actual = result.rows.map((r) => r.id);
        expect(actual.length, `${user} ${action}`).toBe(expected.length);
        expect(actual).toEqual(expected);
        const pass = toPredicate(filter);
        expect(resources.filter(pass).map((r) => r.id).sort()).toEqual(expected);
        figures[`${user} ${action}`] = { rows: actual.length, params: w.params.length, sqlChars: w.sql.length, filterMs: +filterMs.toFixed(2), toSqlMs: +toSqlMs.toFixed(2), queryMs: +queryMs.toFixed(1) };
      }
    }
    // big reaches most of the table through its groups, amy a little, zed (another tenant) its own.
    expect((figures['big view'] as { rows: number }).rows).toBeGreaterThan(8_000);
    expect((figures['amy view'] as { rows: number }).rows).toBeGreaterThan(100);
    expect((figures['zed view'] as { rows: number }).rows).toBeGreaterThan(100);
    console.log(`filter-bounded: ${JSON.stringify(figures)}`);
  });
});
