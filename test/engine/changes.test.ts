import { describe, expect, it } from 'vitest';
import { slowTransfers } from '../support/slow-store.js';
import {
  createEngine,
  InvalidInputError,
  memoryResourceStore,
  StaleSnapshotError,
  toPolicyInput,
  type PolicyInput,
} from '../../src/index.js';

const policy: PolicyInput = {
  resourceTypes: {
    lead: { actions: { view: 'read', edit: 'readWrite', delete: 'full' } },
    credential: { actions: { reveal: 'read', rotate: 'readWrite' } },
  },
  roles: [{ id: 'ceo' }, { id: 'sales', parent: 'ceo' }, { id: 'assistant', parent: 'sales' }],
  users: [
    { id: 'ann', role: 'ceo' },
    { id: 'bob', role: 'sales' },
    { id: 'cy', role: 'assistant' },
    { id: 'dee' },
  ],
  groups: [
    { id: 'team-a', members: { users: ['bob'] } },
    { id: 'sales', members: { groups: ['team-a'], roles: ['assistant'] } },
  ],
  sharingRules: [{ id: 'share', resourceType: 'lead', from: { group: 'sales' }, to: { role: 'ceo' }, level: 'read' }],
  accessGroups: [
    { id: 'general', resourceTypes: ['credential'], grants: [{ to: { user: 'dee' }, level: 'readWrite' }] },
    { id: 'it', resourceTypes: ['credential'], grants: [{ to: { group: 'team-a' }, level: 'read' }] },
  ],
};
const lead = { type: 'lead', id: 'l1', owner: { group: 'sales' } } as const;

describe('changes', () => {
  it('a rejected change leaves the snapshot exactly as it was', async () => {
    const engine = createEngine({ policy });
    const before = engine.policy;
    await expect(engine.update((d) => void d.groups.get('team-a')!.members.groups.push('sales'))).rejects.toMatchObject({ name: 'GroupCycleError' });
    await expect(engine.update((d) => void d.groups.get('team-a')!.members.users.push('ghost'))).rejects.toBeInstanceOf(InvalidInputError);
    await expect(engine.update((d) => void ((d.users.get('bob') as { status: string }).status = 'asleep'))).rejects.toBeInstanceOf(InvalidInputError);
    await expect(engine.update((d) => void d.users.delete('bob'))).rejects.toThrow(/names user "bob", which does not exist/);
    expect(engine.policy).toBe(before);
    expect(engine.revision).toBe(0);
    expect(engine.can('bob', 'edit', lead)).toBe(true);
  });

  it('revisions count landed changes; a no-op keeps the revision', async () => {
    const engine = createEngine({ policy });
    expect(await engine.addMember('team-a', { user: 'dee' })).toBe(1);
    expect(await engine.addMember('team-a', { user: 'dee' })).toBe(1);
    expect(engine.can('dee', 'edit', lead)).toBe(true);
    expect(await engine.removeMember('team-a', { user: 'dee' })).toBe(2);
    expect(engine.can('dee', 'edit', lead)).toBe(false);
  });

  it('a pinned snapshot keeps answering from its own revision', async () => {
    const engine = createEngine({ policy });
    const pinned = engine.snapshot();
    await engine.removeMember('team-a', { user: 'bob' });
    expect(engine.can('bob', 'edit', lead)).toBe(false);
    expect(pinned.can('bob', 'edit', lead)).toBe(true);
    expect(pinned.groupsOf('bob')).toEqual(['sales', 'team-a']);
    expect(pinned.revision).toBe(0);
    expect(() => pinned.check('bob', 'view', lead, { atLeast: 1 })).toThrow(StaleSnapshotError);
    expect(engine.check('bob', 'view', lead, { atLeast: 1 }).revision).toBe(1);
  });

  it('setStatus and setRole', async () => {
    const engine = createEngine({ policy });
    await engine.setStatus('bob', 'inactive');
    expect(engine.check('bob', 'view', lead).denial).toBe('inactive-user');
    expect(engine.groupsOf('bob')).toEqual(['sales', 'team-a']);
    expect(engine.whoCan('view', lead)).not.toContain('bob');
    await engine.setStatus('bob', 'active');
    expect(engine.can('bob', 'view', lead)).toBe(true);
    await engine.setRole('dee', 'assistant');
    expect(engine.groupsOf('dee')).toEqual(['sales']);
    await engine.setRole('dee', undefined);
    expect(engine.groupsOf('dee')).toEqual([]);
    await expect(engine.setRole('dee', 'nope')).rejects.toBeInstanceOf(InvalidInputError);
  });

  it('deleteGroup transfers the records it owns, and refuses without transferTo', async () => {
    const resources = memoryResourceStore([lead, { type: 'lead', id: 'l2', owner: { user: 'bob' } }]);
    const engine = createEngine({ policy, resources });
    await expect(engine.deleteGroup('sales')).rejects.toThrow(/owns 1 record/);
    expect(engine.revision).toBe(0);
    await engine.deleteGroup('sales', { transferTo: { user: 'ann' } });
    expect(engine.policy.groups.has('sales')).toBe(false);
    expect(engine.policy.sharingRules.has('share')).toBe(false);
    expect((await resources.get('lead', 'l1'))?.owner).toEqual({ user: 'ann' });
    // team-a owns nothing: it can go without transferTo, and leaves the grants that named it.
    await engine.deleteGroup('team-a');
    expect(engine.policy.accessGroups.get('it')?.grants).toEqual([]);
  });

  it('a deleteGroup whose policy change is invalid moves no record', async () => {
    const resources = memoryResourceStore([lead]);
    const engine = createEngine({ policy, resources });
    await expect(engine.deleteGroup('sales', { transferTo: { group: 'ghost' } })).rejects.toBeInstanceOf(InvalidInputError);
    expect((await resources.get('lead', 'l1'))?.owner).toEqual({ group: 'sales' });
  });

  it('deleteRole reassigns users and child roles', async () => {
    const engine = createEngine({ policy });
    await engine.deleteRole('sales', { reassignTo: 'ceo' });
    expect(engine.policy.users.get('bob')?.role).toBe('ceo');
    expect(engine.policy.roles.get('assistant')?.parent).toBe('ceo');
    await expect(engine.deleteRole('assistant', { reassignTo: 'assistant' })).rejects.toBeInstanceOf(InvalidInputError);
    await expect(engine.deleteRole('nope', { reassignTo: 'ceo' })).rejects.toBeInstanceOf(InvalidInputError);
  });

  it('moveResource moves a credential between access groups', async () => {
    const cred = { type: 'credential', id: 'c1', owner: { user: 'ann' }, accessGroups: ['general'] };
    const resources = memoryResourceStore([cred]);
    const engine = createEngine({ policy, resources });
    expect(engine.can('dee', 'rotate', cred)).toBe(true);
    expect(engine.can('bob', 'reveal', cred)).toBe(false);
    const moved = await engine.moveResource(cred, { from: 'general', to: 'it' });
    expect(moved.accessGroups).toEqual(['it']);
    expect(engine.can('dee', 'reveal', moved)).toBe(false);
    expect(engine.can('bob', 'reveal', moved)).toBe(true);
    await expect(engine.moveResource(cred, { from: 'general', to: 'it' })).rejects.toThrow(/not in access group "general"/);
    await expect(engine.moveResource(cred, { to: 'ghost' })).rejects.toBeInstanceOf(InvalidInputError);
  });

  it('subscribers hear every landed revision, and only those', async () => {
    const engine = createEngine({ policy });
    const heard: number[] = [];
    const stop = engine.subscribe((r) => heard.push(r));
    await engine.addMember('team-a', { user: 'dee' });
    await engine.addMember('team-a', { group: 'sales' }).catch(() => undefined);
    stop();
    await engine.removeMember('team-a', { user: 'dee' });
    expect(heard).toEqual([1]);
  });

  it('recipes may add entities with defaults left out, and the result round-trips', async () => {
    const engine = createEngine({ policy });
    await engine.update((d) => {
      d.users.set('eve', { id: 'eve', role: 'assistant' } as never);
      d.groups.set('new', { id: 'new', members: { users: ['eve'] } } as never);
    });
    expect(engine.policy.users.get('eve')).toEqual({ id: 'eve', tenant: 'default', status: 'active', role: 'assistant', tenants: [] });
    expect(engine.groupsOf('eve')).toEqual(['new', 'sales']);
    const again = createEngine({ policy: toPolicyInput(engine.policy) });
    expect(again.groupsOf('eve')).toEqual(['new', 'sales']);
  });

  it('changing tenants or resource types takes the full path and still validates', async () => {
    const engine = createEngine({ policy });
    await engine.update((d) => void d.tenants.set('client', { id: 'client' }));
    expect(engine.revision).toBe(1);
    await expect(engine.update((d) => void d.resourceTypes.delete('credential'))).rejects.toThrow(/resource type "credential" is not declared/);
    expect(engine.revision).toBe(1);
  });
});

describe('snapshots are immutable and concurrent commands stay consistent', () => {
  it('the initial policy is frozen, entities inside Maps included', () => {
    const engine = createEngine({ policy });
    const bob = engine.policy.users.get('bob') as { status: string };
    expect(() => {
      bob.status = 'inactive';
    }).toThrow(TypeError);
    expect(() => (engine.policy.users as unknown as Map<string, unknown>).set('x', {})).toThrow();
    expect(engine.can('bob', 'view', lead)).toBe(true);
  });

  it('deleteGroup recomputes its change when another lands while records move', async () => {
    const mem = memoryResourceStore([lead]);
    const slow = slowTransfers(mem);
    const engine = createEngine({ policy, resources: slow });
    const deleting = engine.deleteGroup('sales', { transferTo: { group: 'team-a' } });
    await new Promise((r) => setTimeout(r, 2));
    await engine.addMember('team-a', { user: 'dee' });
    await deleting;
    expect(engine.policy.groups.has('sales')).toBe(false);
    expect(engine.policy.groups.get('team-a')?.members.users).toEqual(['bob', 'dee']);
    expect((await mem.get('lead', 'l1'))?.owner).toEqual({ group: 'team-a' });
  });

  it('a deleteGroup that fails after moving records gives them back', async () => {
    const mem = memoryResourceStore([lead]);
    const slow = slowTransfers(mem);
    const engine = createEngine({ policy, resources: slow });
    const deleting = engine.deleteGroup('sales', { transferTo: { user: 'ann' } });
    await new Promise((r) => setTimeout(r, 2));
    await engine.update((d) => void d.users.delete('ann')); // the new owner disappears meanwhile
    await expect(deleting).rejects.toBeInstanceOf(InvalidInputError);
    expect(engine.policy.groups.has('sales')).toBe(true);
    expect((await mem.get('lead', 'l1'))?.owner).toEqual({ group: 'sales' });
  });
});
