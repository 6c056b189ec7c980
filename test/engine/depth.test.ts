import { describe, expect, it } from 'vitest';
import { createEngine, type PolicyInput } from '../../src/index.js';

const N = 100_000;
const types = { doc: { actions: { view: 'read', edit: 'readWrite' } } } as const;

describe('deep graphs load and resolve without a stack overflow', () => {
  it('a chain of 100,000 nested groups', async () => {
    // g0 contains g1 contains g2 ... : the user listed in the innermost group is a member of all.
    const groups = Array.from({ length: N }, (_, i) => ({
      id: `g${i}`,
      members: i === N - 1 ? { users: ['deep'] } : { groups: [`g${i + 1}`] },
    }));
    const engine = createEngine({ policy: { resourceTypes: types, users: [{ id: 'deep' }, { id: 'other' }], groups } });
    const top = { type: 'doc', id: 'd', owner: { group: 'g0' } };
    expect(engine.can('deep', 'edit', top)).toBe(true);
    expect(engine.can('other', 'view', top)).toBe(false);
    expect(engine.groupsOf('deep')).toHaveLength(N);
    expect(engine.membersOf('g0')).toEqual(['deep']);
    const d = engine.check('deep', 'edit', top);
    expect(d.reasons[0]?.path).toHaveLength(N + 1);
    // Closing the chain into a cycle is rejected with the whole cycle, in order.
    await expect(engine.addMember(`g${N - 1}`, { group: 'g0' })).rejects.toMatchObject({ name: 'GroupCycleError' });
    expect(engine.revision).toBe(0);
  });

  it('a chain of 100,000 roles', async () => {
    const roles = Array.from({ length: N }, (_, i) => (i === 0 ? { id: 'r0' } : { id: `r${i}`, parent: `r${i - 1}` }));
    const policy: PolicyInput = {
      resourceTypes: types,
      roles,
      users: [{ id: 'boss', role: 'r0' }, { id: 'intern', role: `r${N - 1}` }],
      groups: [{ id: 'all', members: { rolesAndSubordinates: ['r0'] } }],
    };
    const engine = createEngine({ policy });
    const doc = { type: 'doc', id: 'd', owner: { user: 'intern' } };
    expect(engine.can('boss', 'edit', doc)).toBe(true); // hierarchy, 100,000 levels up
    expect(engine.can('intern', 'edit', { ...doc, owner: { user: 'boss' } })).toBe(false);
    expect(engine.groupsOf('intern')).toEqual(['all']);
    expect(engine.membersOf('all')).toEqual(['boss', 'intern']);
    await expect(engine.update((d) => void (d.roles.get('r0')!.parent = `r${N - 1}`))).rejects.toMatchObject({ name: 'RoleCycleError' });
  });

  it('a policy file with a 100,000-long role cycle is rejected, not overflowed', () => {
    const roles = Array.from({ length: N }, (_, i) => ({ id: `r${i}`, parent: `r${(i + 1) % N}` }));
    expect(() => createEngine({ policy: { resourceTypes: types, roles } })).toThrow(/role hierarchy has a cycle/);
  });
});
