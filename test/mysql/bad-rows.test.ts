// The MariaDB/MySQL server: test/support/mariadb.ts (127.0.0.1:3306 or PURVIEW_MYSQL_URL; the
// machine's mariadbd is started when nothing answers). Each test gets a database of its own.
import { describe, expect, it } from 'vitest';
import { mysqlRepository } from '../../src/adapters/mysql/index.js';
import { GroupCycleError, InvalidInputError, openEngine, PurviewError, RoleCycleError } from '../../src/index.js';
import { smallPolicy } from '../../src/testing/fixtures.js';
import { useMariadb } from '../support/mariadb.js';

const my = useMariadb('purview_bad');
const lead = { type: 'lead', id: 'l1', owner: { group: 'sales' } } as const;

/** A database holding the small policy, tampered with behind the library's back. */
async function tampered(...statements: string[]): Promise<{ name: string; open: () => ReturnType<typeof openEngine> }> {
  const db = await my.fresh();
  const repository = mysqlRepository({ pool: db.pool, initialPolicy: smallPolicy() });
  await repository.migrate();
  for (const sql of statements) await db.admin.query(sql);
  return { name: db.name, open: () => openEngine({ repository, pollIntervalMs: 0 }) };
}

async function openError(open: () => Promise<unknown>): Promise<PurviewError> {
  try {
    await open();
  } catch (e) {
    expect(e).toBeInstanceOf(PurviewError);
    return e as PurviewError;
  }
  throw new Error('the engine opened on tampered rows');
}

describe('bad rows written behind the library’s back are typed errors on load (MySQL)', () => {
  it('a group cycle, a dangling member, a role cycle', async () => {
    const cycle = await tampered("INSERT INTO group_members (group_id, kind, position, member_id) VALUES ('sales', 'group', 0, 'team'), ('team', 'group', 0, 'sales')");
    expect(await openError(cycle.open)).toBeInstanceOf(GroupCycleError);
    const dangling = await tampered("INSERT INTO group_members (group_id, kind, position, member_id) VALUES ('sales', 'user', 7, 'ghost')");
    const e = await openError(dangling.open);
    expect(e).toBeInstanceOf(InvalidInputError);
    expect(e.ids).toContain('ghost');
    const roles = await tampered("UPDATE roles SET parent = 'rep' WHERE id = 'boss'");
    expect(await openError(roles.open)).toBeInstanceOf(RoleCycleError);
  });

  it('an unknown kind, a NULL where a value is needed, an orphan row, no policy_state: InvalidInputError naming table and row', async () => {
    const kind = await tampered(
      'ALTER TABLE group_members MODIFY kind VARCHAR(32) NOT NULL',
      "INSERT INTO group_members (group_id, kind, position, member_id) VALUES ('sales', 'robot', 0, 'r2d2')",
    );
    let e = await openError(kind.open);
    expect(e).toBeInstanceOf(InvalidInputError);
    expect(e.message).toContain(`${kind.name}.group_members`);
    expect(e.message).toContain('robot');

    const nul = await tampered('ALTER TABLE users MODIFY tenant VARBINARY(1024) NULL', "UPDATE users SET tenant = NULL WHERE id = 'u2'");
    e = await openError(nul.open);
    expect(e).toBeInstanceOf(InvalidInputError);
    expect(e.message).toContain(`${nul.name}.users`);
    expect(e.message).toContain('"u2"');
    expect(e.message).toContain('tenant');

    const orphan = await tampered("INSERT INTO group_members (group_id, kind, position, member_id) VALUES ('nowhere', 'user', 0, 'u1')");
    expect((await openError(orphan.open)).message).toContain('nowhere');

    const state = await tampered('DELETE FROM policy_state');
    expect((await openError(state.open)).message).toContain('policy_state');
  });

  it('garbage in JSON columns and booleans: InvalidInputError naming the row, never a crash', async () => {
    const level = await tampered(`UPDATE users SET access_level = '"superuser"' WHERE id = 'u1'`);
    expect(await openError(level.open)).toBeInstanceOf(InvalidInputError);
    const notJson = await tampered(`UPDATE users SET access_level = '{nope' WHERE id = 'u1'`);
    const e = await openError(notJson.open);
    expect(e).toBeInstanceOf(InvalidInputError);
    expect(e.message).toContain('users, row "u1": column access_level is not JSON');
    const list = await tampered(`INSERT INTO tenants (id, ceiling) VALUES ('default', '[1, 2]')`);
    expect((await openError(list.open)).message).toContain('ceiling');
    const bool = await tampered(`UPDATE resource_types SET hierarchy = 7`);
    expect((await openError(bool.open)).message).toContain('hierarchy');
  });

  it('a bad record in the change log while engines run: reported through onError, the engine recovers from the stored policy', async () => {
    const db = await my.fresh();
    const errors: unknown[] = [];
    const repository = mysqlRepository({ pool: db.pool, initialPolicy: smallPolicy(), pollIntervalMs: 20 });
    const engine = await openEngine({ repository, pollIntervalMs: 0, timeoutMs: 5_000, onError: (e) => errors.push(e) });
    expect(engine.can('u2', 'edit', lead)).toBe(false);
    const record = {
      revision: 1,
      ops: [{ op: 'put', collection: 'groups', entity: { id: 'sales', tenant: 'default', members: { users: ['u1', 'u2'], roles: [], rolesAndSubordinates: [], groups: ['sales'] } } }],
    };
    await db.admin.query("INSERT INTO change_log (revision, kind, record) VALUES (1, 'ops', ?)", [JSON.stringify(record)]);
    await db.admin.query('UPDATE policy_state SET revision = 1');
    await engine.waitFor(1);
    expect(errors.some((e) => e instanceof GroupCycleError)).toBe(true);
    expect(engine.revision).toBe(1);
    expect(engine.can('u2', 'edit', lead)).toBe(false);

    errors.length = 0;
    await db.admin.query(`INSERT INTO change_log (revision, kind, record) VALUES (2, 'ops', '{"hello": "world"}'), (3, 'ops', 'not json')`);
    await db.admin.query('UPDATE policy_state SET revision = 3');
    await engine.waitFor(3);
    expect(errors.some((e) => e instanceof InvalidInputError && e.message.includes('change_log'))).toBe(true);
    expect(engine.revision).toBe(3);
    expect(await engine.addMember('team', { user: 'u3' })).toBe(4);
    await engine.close();
  });
});
