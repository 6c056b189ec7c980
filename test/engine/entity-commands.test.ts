/*
 * The entity commands (issue 13): create, modify and remove every kind of entity, each validated
 * and emitting the operations a recipe would (compared with the recipe doing the same change on a
 * twin engine). In memory, no server.
 */
import { describe, expect, it } from 'vitest';
import { createEngine, InvalidInputError, memoryRepository, openEngine, toPolicyInput, type PolicyInput } from '../../src/index.js';

const base: PolicyInput = {
  resourceTypes: { lead: { actions: { view: 'read', edit: 'readWrite' } } },
  tenants: [{ id: 'acme' }],
  roles: [{ id: 'rep' }, { id: 'boss' }],
  users: [{ id: 'ann', role: 'rep' }, { id: 'bob' }],
  groups: [{ id: 'sales', members: { users: ['ann', 'bob', { id: 'bob', until: '2030-01-01T00:00:00Z' }] } }],
  accessGroups: [{ id: 'vip', grants: [{ to: { user: 'bob' }, level: 'read' }, { to: { role: 'rep' }, level: 'read' }] }],
};
const lead = { type: 'lead', id: 'l1', owner: { group: 'sales' } } as const;
const same = (a: { policy: unknown }, b: { policy: unknown }): void => expect(toPolicyInput(a.policy as never)).toEqual(toPolicyInput(b.policy as never));

describe('entity commands', () => {
  it('create, modify and remove each do what the recipe does', async () => {
    const engine = createEngine({ policy: base });
    const twin = createEngine({ policy: base });
    await engine.create('users', { id: 'zed', role: 'boss' });
    twin.updateSync((d) => void d.users.set('zed', { id: 'zed', role: 'boss' }));
    same(engine, twin);
    await engine.modify('users', 'zed', { role: undefined, status: 'inactive' });
    twin.updateSync((d) => {
      const z = d.users.get('zed');
      if (z !== undefined) {
        delete z.role;
        z.status = 'inactive';
      }
    });
    same(engine, twin);
    await engine.create('sharingRules', { id: 'r', resourceType: 'lead', from: { role: 'rep' }, to: { role: 'boss' }, level: 'read', until: '2027-01-01T00:00:00Z' });
    await engine.create('tenants', { id: 'beta', parent: 'acme' });
    await engine.create('resourceTypes', { name: 'ticket', actions: { view: 'read' }, default: 'publicRead' });
    expect(engine.can('bob', 'view', { type: 'ticket', id: 't', owner: { user: 'ann' } })).toBe(true);
    await engine.modify('resourceTypes', 'ticket', { default: undefined });
    expect(engine.can('bob', 'view', { type: 'ticket', id: 't', owner: { user: 'ann' } })).toBe(false);
    await engine.remove('resourceTypes', 'ticket');
    expect(engine.policy.resourceTypes.has('ticket')).toBe(false);
    await engine.remove('sharingRules', 'r');
    await engine.remove('tenants', 'beta');
    // Removing a user takes it out of every group entry and grant that names it.
    const r = await engine.remove('users', 'bob');
    expect(engine.policy.groups.get('sales')?.members.users).toEqual(['ann']);
    expect(engine.policy.accessGroups.get('vip')?.grants).toEqual([{ to: { role: 'rep' }, level: 'read' }]);
    expect(engine.whoCan('edit', lead)).toEqual(['ann']);
    expect(await engine.remove('users', 'bob')).toBe(r);
  });

  it('refuses what cannot be done, typed, and changes nothing', async () => {
    const engine = createEngine({ policy: base });
    const before = toPolicyInput(engine.policy);
    await expect(engine.create('users', { id: 'ann' })).rejects.toThrowError(/already has "ann"/);
    await expect(engine.modify('users', 'nobody', { role: 'rep' })).rejects.toThrowError(/has no "nobody"/);
    await expect(engine.create('users', { id: 'x', role: 'ghost' })).rejects.toThrowError(InvalidInputError);
    await expect(engine.modify('users', 'ann', { id: 'other' } as never)).rejects.toThrowError(/cannot change/);
    await expect(engine.remove('tenants', 'acme')).resolves.toBe(1);
    await expect(engine.create('groups', { id: 'g2', members: { groups: ['g2'] } })).rejects.toThrowError(/contain itself|cycle/);
    await expect(engine.remove('roles' as never, 'rep')).rejects.toThrowError(/deleteRole/);
    await expect(engine.create('widgets' as never, { id: 'w' } as never)).rejects.toThrowError(/kind of entity/);
    await expect(engine.create('resourceTypes', { name: 'bad', actions: {} })).rejects.toThrowError(InvalidInputError);
    expect(engine.revision).toBe(1);
    expect(toPolicyInput(engine.policy)).toEqual({ ...before, tenants: [] });
  });

  it('a draft takes a new entity with its defaults left out', () => {
    const engine = createEngine({ policy: base });
    engine.updateSync((d) => {
      d.users.set('zed', { id: 'zed' });
      d.groups.set('team', { id: 'team', members: { users: ['zed'] } });
    });
    expect(engine.groupsOf('zed')).toEqual(['team']);
  });

  it('on a shared engine, through the repository', async () => {
    const repository = memoryRepository(base);
    const a = await openEngine({ repository });
    const b = await openEngine({ repository });
    try {
      const r = await a.create('groups', { id: 'team', members: { users: ['bob'] } });
      await b.waitFor(r);
      expect(b.groupsOf('bob')).toEqual(['sales', 'team']);
    } finally {
      await a.close();
      await b.close();
    }
  });
});
