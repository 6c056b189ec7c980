import { describe, expect, it } from 'vitest';
import { createEngine, LimitError, type PolicyInput } from '../../src/index.js';

const types = { doc: { actions: { view: 'read' } } } as const;
const chain = (n: number): PolicyInput => ({
  resourceTypes: types,
  users: [{ id: 'u' }],
  groups: Array.from({ length: n }, (_, i) => ({ id: `g${i}`, members: i === n - 1 ? { users: ['u'] } : { groups: [`g${i + 1}`] } })),
});

describe('configurable limits fail with clear errors', () => {
  it('maxEntities', () => {
    expect(() => createEngine({ policy: chain(10), limits: { maxEntities: 5 } })).toThrow(LimitError);
    expect(() => createEngine({ policy: chain(10), limits: { maxEntities: 5 } })).toThrow(/the policy has 11 entities; the limit maxEntities is 5/);
  });
  it('maxGroupMembers, on load and on change', async () => {
    const policy: PolicyInput = { resourceTypes: types, users: [{ id: 'a' }, { id: 'b' }, { id: 'c' }], groups: [{ id: 'g', members: { users: ['a', 'b'] } }] };
    expect(() => createEngine({ policy, limits: { maxGroupMembers: 1 } })).toThrow(/group "g" has 2 members/);
    const engine = createEngine({ policy, limits: { maxGroupMembers: 2 } });
    await expect(engine.addMember('g', { user: 'c' })).rejects.toBeInstanceOf(LimitError);
    expect(engine.revision).toBe(0);
  });
  it('maxNestingDepth, on load and on change', async () => {
    expect(() => createEngine({ policy: chain(6), limits: { maxNestingDepth: 5 } })).toThrow(/6 levels of nested groups/);
    const engine = createEngine({ policy: chain(5), limits: { maxNestingDepth: 5 } });
    await expect(engine.update((d) => void d.groups.set('top', { id: 'top', tenant: 'default', members: { users: [], roles: [], rolesAndSubordinates: [], groups: ['g0'] } }))).rejects.toThrow(
      /would be 6 levels deep/,
    );
    // Nesting in the middle of the chain counts the levels above and below.
    await expect(engine.update((d) => void d.groups.set('mid', { id: 'mid', tenant: 'default', members: { users: [], roles: [], rolesAndSubordinates: [], groups: ['g3'] } }))).resolves.toBe(1);
    expect(engine.revision).toBe(1);
  });
});
