/*
 * deleteRole with a descendant as the role to reassign to (found by review: it failed with a
 * confusing RoleCycleError, "rep" -> "rep").
 */
import { describe, expect, it } from 'vitest';
import { createEngine, InvalidInputError, toPolicyInput, type PolicyInput } from '../../src/index.js';

const policy: PolicyInput = {
  resourceTypes: { lead: { actions: { view: 'read', edit: 'readWrite' } } },
  roles: [{ id: 'ceo' }, { id: 'vp', parent: 'ceo' }, { id: 'rep', parent: 'vp' }, { id: 'other', parent: 'vp' }, { id: 'intern', parent: 'rep' }],
  users: [
    { id: 'boss', role: 'ceo' },
    { id: 'vera', role: 'vp' },
    { id: 'ray', role: 'rep' },
    { id: 'otto', role: 'other' },
    { id: 'ida', role: 'intern' },
  ],
};

describe('deleteRole(role, { reassignTo: a direct child })', () => {
  it('the child takes the deleted role\'s place: its parent, its users and its other children', async () => {
    const engine = createEngine({ policy });
    await engine.deleteRole('vp', { reassignTo: 'rep' });
    const roles = engine.policy.roles;
    expect(roles.has('vp')).toBe(false);
    expect(roles.get('rep')?.parent).toBe('ceo');
    expect(roles.get('other')?.parent).toBe('rep');
    expect(roles.get('intern')?.parent).toBe('rep');
    expect(engine.policy.users.get('vera')?.role).toBe('rep');
    // The hierarchy still holds: the ceo is above everyone, rep above otto and ida.
    expect(engine.can('boss', 'edit', { type: 'lead', id: 'l', owner: { user: 'ida' } })).toBe(true);
    expect(engine.can('ray', 'edit', { type: 'lead', id: 'l', owner: { user: 'otto' } })).toBe(true);
    expect(engine.can('otto', 'edit', { type: 'lead', id: 'l', owner: { user: 'ray' } })).toBe(false);
    expect(() => createEngine({ policy: toPolicyInput(engine.policy) })).not.toThrow();
  });

  it('a root role\'s child becomes a root', async () => {
    const engine = createEngine({ policy });
    await engine.deleteRole('ceo', { reassignTo: 'vp' });
    expect(engine.policy.roles.get('vp')?.parent).toBeUndefined();
    expect(engine.policy.users.get('boss')?.role).toBe('vp');
  });

  it('a role further below is refused with a message that says what to do, and nothing changes', async () => {
    const engine = createEngine({ policy });
    const before = engine.policy;
    const error = await engine.deleteRole('vp', { reassignTo: 'intern' }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(InvalidInputError);
    expect((error as Error).message).toMatch(/below role "vp" but not directly/);
    expect(engine.policy).toBe(before);
  });
});
