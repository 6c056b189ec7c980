import { describe, expect, it } from 'vitest';
import {
  GroupCycleError,
  InvalidInputError,
  openEngine,
  PurviewError,
  RoleCycleError,
  TenantError,
} from '../../src/index.js';
import { smallPolicy } from '../../src/testing/fixtures.js';
import { ident, usePostgres } from '../support/pg-context.js';

const pg = usePostgres('purview_bad');
const lead = { type: 'lead', id: 'l1', owner: { group: 'sales' } } as const;

/** A schema holding the small policy, and `sql` to tamper with it behind the library's back. */
async function tampered(...statements: string[]): Promise<{ schema: string; open: () => ReturnType<typeof openEngine> }> {
  const schema = pg.schema();
  const repository = pg.repository({ schema, initialPolicy: smallPolicy() });
  await repository.migrate();
  for (const sql of statements) await pg.admin.query(sql.replace(/\bS\./g, `${ident(schema)}.`));
  return { schema, open: () => openEngine({ repository, pollIntervalMs: 0 }) };
}

async function openError(open: () => Promise<unknown>): Promise<PurviewError> {
  const error = await open().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(PurviewError);
  return error as PurviewError;
}

describe('bad rows written behind the library’s back are typed errors on load', () => {
  it('a group cycle: GroupCycleError naming the cycle', async () => {
    const { open } = await tampered(
      `INSERT INTO S.group_members (group_id, kind, position, member_id) VALUES ('sales', 'group', 0, 'team'), ('team', 'group', 0, 'sales')`,
    );
    const e = await openError(open);
    expect(e).toBeInstanceOf(GroupCycleError);
    expect([...(e as GroupCycleError).cycle].sort()).toEqual(['sales', 'sales', 'team'].sort());
  });

  it('a dangling member: InvalidInputError naming it', async () => {
    const { open } = await tampered(`INSERT INTO S.group_members (group_id, kind, position, member_id) VALUES ('sales', 'user', 7, 'ghost')`);
    const e = await openError(open);
    expect(e).toBeInstanceOf(InvalidInputError);
    expect(e.message).toContain('ghost');
    expect(e.ids).toContain('ghost');
  });

  it('a user with a role that does not exist, a role cycle, a cross-tenant group', async () => {
    const a = await tampered(`UPDATE S.users SET role = 'nope' WHERE id = 'u2'`);
    expect(await openError(a.open)).toBeInstanceOf(InvalidInputError);
    const b = await tampered(`UPDATE S.roles SET parent = 'rep' WHERE id = 'boss'`);
    expect(await openError(b.open)).toBeInstanceOf(RoleCycleError);
    const c = await tampered(`INSERT INTO S.tenants (id) VALUES ('default'), ('other')`, `UPDATE S.groups SET tenant = 'other' WHERE id = 'sales'`);
    expect(await openError(c.open)).toBeInstanceOf(TenantError);
  });

  it('an unknown member kind, a NULL where a value is needed, an orphan row: InvalidInputError naming table and row', async () => {
    const kind = await tampered(
      `ALTER TABLE S.group_members DROP CONSTRAINT group_members_kind_check`,
      `INSERT INTO S.group_members (group_id, kind, position, member_id) VALUES ('sales', 'robot', 0, 'r2d2')`,
    );
    let e = await openError(kind.open);
    expect(e).toBeInstanceOf(InvalidInputError);
    expect(e.message).toContain(`${kind.schema}.group_members`);
    expect(e.message).toContain('robot');

    const nul = await tampered(`ALTER TABLE S.users ALTER COLUMN tenant DROP NOT NULL`, `UPDATE S.users SET tenant = NULL WHERE id = 'u2'`);
    e = await openError(nul.open);
    expect(e).toBeInstanceOf(InvalidInputError);
    expect(e.message).toContain(`${nul.schema}.users`);
    expect(e.message).toContain('"u2"');
    expect(e.message).toContain('tenant');

    const orphan = await tampered(`INSERT INTO S.group_members (group_id, kind, position, member_id) VALUES ('nowhere', 'user', 0, 'u1')`);
    e = await openError(orphan.open);
    expect(e).toBeInstanceOf(InvalidInputError);
    expect(e.message).toContain('nowhere');

    const grant = await tampered(`INSERT INTO S.access_group_grants (access_group_id, position, principal_kind, principal_id, level) VALUES ('ag', 0, 'user', 'u1', 'read')`);
    expect((await openError(grant.open)).message).toContain('access_groups');

    const state = await tampered(`DELETE FROM S.policy_state`);
    expect((await openError(state.open)).message).toContain('policy_state');
  });

  it('garbage in JSON columns: InvalidInputError, never a crash', async () => {
    const level = await tampered(`UPDATE S.users SET access_level = '"superuser"' WHERE id = 'u1'`);
    expect(await openError(level.open)).toBeInstanceOf(InvalidInputError);
    const segment = await tampered(
      `INSERT INTO S.access_groups (id, tenant, segment) VALUES ('ag', 'default', '{"all": [{"attribute": "x", "near": 1}]}')`,
    );
    expect(await openError(segment.open)).toBeInstanceOf(InvalidInputError);
  });

  it('a bad record in the change log while engines run: reported through onError, the engine recovers from the stored policy', async () => {
    const schema = pg.schema();
    const s = ident(schema);
    const errors: unknown[] = [];
    const repository = pg.repository({ schema, initialPolicy: smallPolicy() });
    const engine = await openEngine({ repository, pollIntervalMs: 0, timeoutMs: 5_000, onError: (e) => errors.push(e) });
    expect(engine.can('u2', 'edit', lead)).toBe(false);
    // Revision 1: a put that makes u2 a member of sales and nests sales in itself (the tables say otherwise).
    const record = {
      revision: 1,
      ops: [{ op: 'put', collection: 'groups', entity: { id: 'sales', tenant: 'default', members: { users: ['u1', 'u2'], roles: [], rolesAndSubordinates: [], groups: ['sales'] } } }],
    };
    await pg.admin.query(`INSERT INTO ${s}.change_log (revision, kind, record) VALUES (1, 'ops', $1)`, [JSON.stringify(record)]);
    await pg.admin.query(`UPDATE ${s}.policy_state SET revision = 1`);
    await pg.admin.query(`SELECT pg_notify($1, '1')`, [repository.channel]);
    // The record is refused (typed, through onError); the engine reloads the stored policy instead of staying behind.
    await engine.waitFor(1);
    expect(errors.some((e) => e instanceof GroupCycleError)).toBe(true);
    expect(engine.revision).toBe(1);
    expect(engine.can('u2', 'edit', lead)).toBe(false);
    expect(engine.check('u2', 'edit', lead, { atLeast: 1 }).allowed).toBe(false);

    // A record that is not a change record at all.
    errors.length = 0;
    await pg.admin.query(`INSERT INTO ${s}.change_log (revision, kind, record) VALUES (2, 'ops', '{"hello": "world"}')`);
    await pg.admin.query(`UPDATE ${s}.policy_state SET revision = 2`);
    await engine.refresh();
    expect(errors.some((e) => e instanceof InvalidInputError && e.message.includes('change_log'))).toBe(true);
    expect(engine.revision).toBe(2);
    // Writes work: the engine is not wedged behind the bad rows.
    expect(await engine.addMember('team', { user: 'u3' })).toBe(3);
    await engine.close();
  });
});
