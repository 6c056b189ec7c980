import { describe, expect, it } from 'vitest';
import { createEngine, GroupCycleError, InvalidInputError, SchemaVersionError, openEngine, type PolicyRepository } from '../../src/index.js';
import { MIGRATIONS, SCHEMA_VERSION, postgresRepository } from '../../src/adapters/postgres/index.js';
import { conformancePolicy, smallPolicy } from '../../src/testing/fixtures.js';
import { ident, policyHash, usePostgres } from '../support/pg-context.js';

const pg = usePostgres('purview_schema');

describe('the PostgreSQL schema', () => {
  it('migrations run once, in a transaction, even when many processes start at once', async () => {
    const schema = pg.schema();
    const repos = Array.from({ length: 6 }, (_, i) => pg.repository({ schema, pool: pg.pool(`migrate-${i}`, 2) }));
    await Promise.all(repos.map((r) => r.migrate()));
    await Promise.all(repos.map((r) => r.migrate()));
    const applied = await pg.admin.query<{ version: number }>(`SELECT version FROM ${ident(schema)}.schema_migrations ORDER BY version`);
    expect(applied.rows.map((r) => r.version)).toEqual(MIGRATIONS.map((m) => m.version));
    const state = await pg.admin.query(`SELECT * FROM ${ident(schema)}.policy_state`);
    expect(state.rows).toHaveLength(1);
    // Migrating on first use: a repository that was never migrated explicitly loads an empty policy.
    const lazy = pg.repository({ schema: pg.schema() });
    const stored = await lazy.load();
    expect(stored.revision).toBe(0);
    expect(stored.policy.users).toEqual([]);
  });

  it('a schema newer than the library is refused, not used', async () => {
    const schema = pg.schema();
    const repo = pg.repository({ schema });
    await repo.migrate();
    await pg.admin.query(`INSERT INTO ${ident(schema)}.schema_migrations (version, name) VALUES ($1, 'from the future')`, [SCHEMA_VERSION + 1]);
    const again = pg.repository({ schema });
    await expect(again.load()).rejects.toBeInstanceOf(SchemaVersionError);
    await expect(again.load()).rejects.toMatchObject({ code: 'schema-version', found: SCHEMA_VERSION + 1, supported: SCHEMA_VERSION });
  });

  it('with migrate: false, an unmigrated schema is a SchemaVersionError that says to run the migration', async () => {
    const schema = pg.schema();
    const repo = pg.repository({ schema, migrate: false });
    const error = await repo.load().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(SchemaVersionError);
    expect(error).toMatchObject({ code: 'schema-version', found: 0, supported: SCHEMA_VERSION });
    expect((error as Error).message).toMatch(/migrate\(\)/);
    await repo.migrate();
    await expect(repo.load()).resolves.toMatchObject({ revision: 0 });
  });

  it('the initial policy is validated, stored once at revision 0, and never overwrites a stored policy', async () => {
    expect(() =>
      postgresRepository({
        pool: pg.admin,
        schema: 'never_created',
        initialPolicy: { ...smallPolicy(), groups: [{ id: 'a', members: { groups: ['b'] } }, { id: 'b', members: { groups: ['a'] } }] },
      }),
    ).toThrow(GroupCycleError);
    const schema = pg.schema();
    const first = pg.repository({ schema, initialPolicy: conformancePolicy() });
    const loaded = await first.load();
    expect(loaded.revision).toBe(0);
    expect(policyHash(createEngine({ policy: loaded.policy }).policy)).toBe(policyHash(createEngine({ policy: conformancePolicy() }).policy));
    const second = pg.repository({ schema, initialPolicy: smallPolicy() });
    const again = await second.load();
    expect(policyHash(createEngine({ policy: again.policy }).policy)).toBe(policyHash(createEngine({ policy: conformancePolicy() }).policy));
  });

  it('the tables are normalized: a DBA can query memberships, grants and rules with plain SQL', async () => {
    const schema = pg.schema();
    const s = ident(schema);
    const repo = pg.repository({ schema, initialPolicy: conformancePolicy() });
    await repo.migrate();
    const groupsOf = await pg.admin.query<{ group_id: string }>(
      `SELECT group_id FROM ${s}.group_members WHERE kind = 'user' AND member_id = $1 ORDER BY group_id`,
      ['toString'],
    );
    expect(groupsOf.rows.map((r) => r.group_id)).toEqual(['__proto__']);
    const nested = await pg.admin.query<{ member_id: string }>(`SELECT member_id FROM ${s}.group_members WHERE group_id = 'sales' AND kind = 'group' ORDER BY position`);
    expect(nested.rows.map((r) => r.member_id)).toEqual(['team-a', 'a:b c']);
    const inactive = await pg.admin.query(`SELECT id FROM ${s}.users WHERE status = 'inactive'`);
    expect(inactive.rows).toEqual([{ id: 'cy' }]);
    const grants = await pg.admin.query(`SELECT principal_kind, principal_id, level FROM ${s}.access_group_grants WHERE access_group_id = 'vault-emea' ORDER BY position`);
    expect(grants.rows[0]).toEqual({ principal_kind: 'user', principal_id: 'ann', level: 'full' });
    const rule = await pg.admin.query(`SELECT from_kind, from_id, to_kind, to_id, level FROM ${s}.sharing_rules WHERE id = 'r1'`);
    expect(rule.rows[0]).toEqual({ from_kind: 'roleAndSubordinates', from_id: 'vp', to_kind: 'group', to_id: 'sales', level: 'read' });
    const ceilings = await pg.admin.query(`SELECT ceiling FROM ${s}.tenants WHERE id = 'client-a'`);
    expect(ceilings.rows[0]).toEqual({ ceiling: ['lead:view', 'lead:edit', 'account:view', 'note:read'] });
    const actions = await pg.admin.query(`SELECT action, level FROM ${s}.resource_type_actions WHERE resource_type = '__proto__' ORDER BY position`);
    expect(actions.rows.map((r) => r.action)).toEqual(['toString', '__proto__', 'constructor']);
    // Changes are rows too: after a write the member rows follow.
    const engine = await openEngine({ repository: repo, pollIntervalMs: 0 });
    await engine.addMember('sales', { group: 'empty' });
    const after = await pg.admin.query(`SELECT member_id FROM ${s}.group_members WHERE group_id = 'sales' AND kind = 'group' ORDER BY position`);
    expect(after.rows.map((r) => r.member_id)).toEqual(['team-a', 'a:b c', 'empty']);
    const log = await pg.admin.query(`SELECT revision, kind, record->'ops'->0->>'collection' AS collection FROM ${s}.change_log`);
    expect(log.rows).toEqual([{ revision: '1', kind: 'ops', collection: 'groups' }]);
    await engine.close();
  });

  it('any schema name works (quoted identifiers), and values never reach SQL text', async () => {
    const schema = `${pg.schema()} "odd"; name`;
    const repo = pg.repository({ schema, initialPolicy: conformancePolicy() });
    const engine = await openEngine({ repository: repo, pollIntervalMs: 0 });
    const nasty = `x'); DROP SCHEMA ${ident(schema)} CASCADE; --`;
    await engine.update((d) => void d.users.set(nasty, { id: nasty, tenant: 'default', status: 'active', tenants: [] }));
    const again = await openEngine({ repository: pg.repository({ schema }), pollIntervalMs: 0 });
    expect(again.policy.users.has(nasty)).toBe(true);
    expect(policyHash(again.policy)).toBe(policyHash(engine.policy));
    await pg.admin.query(`DROP SCHEMA ${ident(schema)} CASCADE`);
    await Promise.all([engine.close(), again.close()]);
  });

  it('rejects what PostgreSQL cannot store (NUL, unpaired surrogates) before writing anything', async () => {
    const schema = pg.schema();
    const repo = pg.repository({ schema, initialPolicy: smallPolicy() });
    const engine = await openEngine({ repository: repo, pollIntervalMs: 0 });
    for (const id of ['nul\u0000id', 'half\ud800']) {
      await expect(engine.update((d) => void d.users.set(id, { id, tenant: 'default', status: 'active', tenants: [] }))).rejects.toBeInstanceOf(InvalidInputError);
    }
    expect(await repo.changesSince(0)).toEqual([]);
    expect(engine.revision).toBe(0);
    expect(() => postgresRepository({ pool: pg.admin, schema: 'x'.repeat(64) })).toThrow(InvalidInputError);
    await engine.close();
  });

  it('pruning the change log: engines that fall behind it reload the snapshot', async () => {
    const schema = pg.schema();
    const repo = pg.repository({ schema, initialPolicy: smallPolicy() });
    const writer = await openEngine({ repository: repo, pollIntervalMs: 0 });
    // A follower that hears nothing and never polls: it only moves when asked to.
    const deaf: PolicyRepository = {
      load: () => repo.load(),
      append: (c, e) => repo.append(c, e),
      changesSince: (r) => repo.changesSince(r),
      subscribe: () => Promise.resolve(() => Promise.resolve()),
    };
    const behind = await openEngine({ repository: deaf, pollIntervalMs: 0 });
    for (const u of ['u2', 'u3']) await writer.addMember('team', { user: u });
    await writer.setStatus('u1', 'inactive');
    await writer.update((d) => void d.tenants.set('t2', { id: 't2' }));
    await writer.removeMember('team', { user: 'u2' });
    expect(behind.revision).toBe(0);
    expect(await repo.pruneChangeLog({ keepLast: 2 })).toBe(3);
    expect((await repo.changesSince(0)).map((c) => c.revision)).toEqual([4, 5]);
    await behind.refresh();
    expect(behind.revision).toBe(5);
    expect(policyHash(behind.policy)).toBe(policyHash(writer.policy));
    await expect(repo.pruneChangeLog({ keepLast: 0 })).rejects.toBeInstanceOf(InvalidInputError);
    await Promise.all([writer.close(), behind.close()]);
  });
});
