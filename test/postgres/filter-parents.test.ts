/*
 * SPEC 9, parent-controlled types, against a real PostgreSQL server: for random policies that
 * declare controlled types (one, or a two-level chain), the rows
 * `SELECT id FROM <child table> WHERE <toSql(filter(u, a, childType))>` are exactly the records of
 * the child type that `can(u, a, r)` allows, for every user (and an unknown one) and action; the
 * parent's condition is a sub-select on the parent's table through `mapping.parent`. Records of
 * the types with access of their own live in one table (with a type column), each controlled
 * type in a table of its own (id, parent_id). Children are stored without a tenant (in SQL a
 * child is in its parent's), so the generated children carry none. The cases, the layout and the
 * comparison are shared with MariaDB and SQLite (test/{mysql,sqlite}/filter-parents.test.ts)
 * through test/support/parent-cases.ts.
 */
import type pg from 'pg';
import { describe, expect, it } from 'vitest';
import { createEngine, type PolicyInput, type Resource } from '../../src/index.js';
import { toSql } from '../../src/adapters/postgres/index.js';
import { compareParents, everyRecord, newParentStats, parentLayout, parentProperty, type ParentStats } from '../support/parent-cases.js';
import { ident, usePostgres } from '../support/pg-context.js';

const db = usePostgres('purview_fpar');

let tableNo = 0;

async function checkCase(client: pg.PoolClient, policy: PolicyInput, resources: readonly Resource[], stats: ParentStats): Promise<void> {
  const records = everyRecord(resources);
  const layout = parentLayout(policy, records, tableNo++);
  try {
    await client.query(`CREATE TABLE ${ident(layout.own)} (id text, type text NOT NULL, tenant_id text, owner_user_id text, owner_group_id text, access_groups text[], attributes jsonb, PRIMARY KEY (type, id))`);
    for (const { table } of layout.children) await client.query(`CREATE TABLE ${ident(table)} (id text PRIMARY KEY, parent_id text)`);
    await client.query(
      `INSERT INTO ${ident(layout.own)} SELECT x->>'id', x->>'type', x->>'tenant', x->>'ownerUser', x->>'ownerGroup',
              CASE WHEN jsonb_typeof(x->'accessGroups') = 'array' THEN ARRAY(SELECT jsonb_array_elements_text(x->'accessGroups')) END,
              CASE WHEN jsonb_typeof(x->'attributes') = 'object' THEN x->'attributes' END
       FROM jsonb_array_elements($1::jsonb) x`,
      [JSON.stringify(layout.ownRows)],
    );
    for (const { table, rows } of layout.children) {
      await client.query(`INSERT INTO ${ident(table)} SELECT x->>'id', x->>'parent' FROM jsonb_array_elements($1::jsonb) x`, [JSON.stringify(rows)]);
    }
    await compareParents(policy, records, layout, (f, m, firstParam) => toSql(f, m, { firstParam }), async (branches) => {
      const params = branches.flatMap((b) => b.where.params);
      const sql = `SELECT k, array_agg(id ORDER BY id) AS ids FROM (${branches.map(({ k, where, table }) => `SELECT ${k} AS k, id FROM ${ident(table)} WHERE ${where.sql}`).join('\nUNION ALL\n')}) q GROUP BY k`;
      const result = await client.query<{ k: number; ids: string[] }>(sql, params);
      return result.rows.flatMap((row) => row.ids.map((id) => [Number(row.k), id] as const));
    }, stats);
  } finally {
    await client.query(`DROP TABLE ${layout.tables.map(ident).join(', ')}`);
  }
}

describe('toSql of a controlled type agrees with can() on a real PostgreSQL server', () => {
  it('rows of the child tables returned by WHERE <toSql(filter(u, a, child))> are exactly those can() allows', async () => {
    const schema = db.schema();
    const pool = db.pool('purview-filter-parents', 1);
    await pool.query(`CREATE SCHEMA ${ident(schema)}`);
    const client = await pool.connect();
    const stats = newParentStats();
    try {
      await client.query(`SET search_path TO ${ident(schema)}`);
      await parentProperty('filter-parents', stats, (policy, resources) => checkCase(client, policy, resources, stats));
    } finally {
      client.release();
    }
  });

  it('a filter of a controlled type needs mapping.parent, and its table has no tenant', () => {
    const engine = createEngine({
      policy: {
        users: [{ id: 'u1' }],
        resourceTypes: { account: { actions: { view: 'read' } }, contact: { actions: { view: 'read' }, controlledBy: 'account' } },
      },
    });
    const f = engine.filter('u1', 'view', 'contact');
    expect(() => toSql(f, {})).toThrow(expect.objectContaining({ name: 'InvalidInputError', path: ['mapping', 'parent'] }));
    expect(() => toSql(f, { tenant: 't', parent: { column: 'a', table: 'accounts', id: 'id', mapping: { ownerUser: 'o', ownerGroup: 'g' } } })).toThrow(
      expect.objectContaining({ name: 'InvalidInputError', path: ['mapping', 'tenant'] }),
    );
    const w = toSql(f, { parent: { column: 'account_id', table: 'accounts', id: 'id', mapping: { ownerUser: 'owner_user_id', ownerGroup: 'owner_group_id' } } });
    expect(w.sql).toBe('"account_id" IN (SELECT "id" FROM "accounts" WHERE "owner_user_id" = ANY($1::text[]))');
    expect(w.params).toEqual([['u1']]);
  });
});
