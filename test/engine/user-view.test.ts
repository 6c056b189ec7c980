/*
 * engine.for(user): the queries of one user, pinned to one snapshot. In-memory engines, snapshots
 * and shared engines (openEngine over memoryRepository) all have it.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createEngine, InvalidInputError, memoryRepository, openEngine, toPredicate, type PolicyInput, type Resource } from '../../src/index.js';

const policy: PolicyInput = {
  resourceTypes: { lead: { actions: { view: 'read', edit: 'readWrite' } } },
  roles: [{ id: 'boss' }, { id: 'rep', parent: 'boss' }],
  users: [
    { id: 'ann', role: 'boss' },
    { id: 'bob', role: 'rep' },
    { id: 'cy', status: 'inactive' },
  ],
  groups: [
    { id: 'team', members: { users: ['bob'] } },
    { id: 'sales', members: { groups: ['team'] } },
  ],
};
const leads: Resource[] = [
  { type: 'lead', id: 'l1', owner: { group: 'sales' } },
  { type: 'lead', id: 'l2', owner: { user: 'bob' } },
  { type: 'lead', id: 'l3', owner: { user: 'ann' } },
];

describe('engine.for(user)', () => {
  // A filter carries the instant it was built at (for record shares): every answer at one instant.
  beforeAll(() => void vi.useFakeTimers({ toFake: ['Date'], now: Date.parse('2026-01-01T00:00:00Z') }));
  afterAll(() => void vi.useRealTimers());

  it('answers as the engine does for that user, for every action and record', () => {
    const engine = createEngine({ policy });
    for (const user of ['ann', 'bob', 'cy', 'nobody', '__proto__']) {
      const me = engine.for(user);
      expect(me.user).toBe(user);
      expect(me.revision).toBe(engine.revision);
      for (const action of ['view', 'edit']) {
        for (const lead of leads) {
          expect(me.can(action, lead)).toBe(engine.can(user, action, lead));
          expect(me.check(action, lead)).toEqual(engine.check(user, action, lead));
          expect(me.explain(action, lead)).toBe(engine.explain(user, action, lead));
        }
        const f = me.filter(action, 'lead');
        expect(f).toEqual(engine.filter(user, action, 'lead'));
        expect(leads.filter(toPredicate(f)).map((l) => l.id)).toEqual(leads.filter((l) => engine.can(user, action, l)).map((l) => l.id));
      }
      expect(me.groups()).toEqual(engine.groupsOf(user));
      expect(me.groups({ paths: true })).toEqual(engine.groupsOf(user, { paths: true }));
    }
  });

  it('stays on the snapshot it was made on while changes land', async () => {
    const engine = createEngine({ policy });
    const before = engine.for('bob');
    await engine.removeMember('team', { user: 'bob' });
    const after = engine.for('bob');
    expect(before.revision).toBe(0);
    expect(after.revision).toBe(1);
    expect(before.can('edit', leads[0] as Resource)).toBe(true);
    expect(after.can('edit', leads[0] as Resource)).toBe(false);
    expect(before.groups()).toEqual(['sales', 'team']);
    expect(after.groups()).toEqual([]);
  });

  it('is there on pinned snapshots too', () => {
    const engine = createEngine({ policy });
    const snap = engine.snapshot();
    engine.updateSync((d) => {
      d.users.get('bob')!.status = 'inactive';
    });
    expect(snap.for('bob').can('view', leads[1] as Resource)).toBe(true);
    expect(engine.for('bob').can('view', leads[1] as Resource)).toBe(false);
  });

  it('checks the user id once, when the view is made', () => {
    const engine = createEngine({ policy });
    for (const bad of ['', 5, null, undefined, 'x'.repeat(257)]) {
      expect(() => engine.for(bad as never)).toThrow(InvalidInputError);
    }
  });

  it('checks the other arguments and the options as the engine does', () => {
    const me = createEngine({ policy }).for('bob');
    expect(() => me.can('fly', leads[0] as Resource)).toThrow(InvalidInputError);
    expect(() => me.can('view', { type: 'lead', id: 'l', owner: {} } as never)).toThrow(InvalidInputError);
    expect(() => me.check('view', leads[0] as Resource, { atLeast: Number.NaN })).toThrow(InvalidInputError);
  });

  it('is there on shared engines', async () => {
    const repository = memoryRepository(policy);
    const engine = await openEngine({ repository });
    try {
      expect(engine.for('bob').can('edit', leads[0] as Resource)).toBe(true);
      expect(engine.for('ann').can('edit', leads[1] as Resource)).toBe(true); // ann's role is above bob's
    } finally {
      await engine.close();
    }
  });
});
