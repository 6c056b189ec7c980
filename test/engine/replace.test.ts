/*
 * engine.replace(policy): a new policy version applied over the current one (issue 13), in memory
 * and on a shared engine over the in-memory repository (no server). It lands as one revision
 * described entity by entity in the change log, a second application changes nothing, and a
 * rejected version changes nothing.
 */
import { describe, expect, it } from 'vitest';
import { createEngine, GroupCycleError, memoryRepository, openEngine, toPolicyInput, type PolicyInput } from '../../src/index.js';

const v1: PolicyInput = {
  resourceTypes: { lead: { actions: { view: 'read', edit: 'readWrite' } } },
  users: [{ id: 'ann' }, { id: 'bob' }, { id: 'cy' }],
  groups: [
    { id: 'sales', members: { users: ['ann'] } },
    { id: 'team', members: { users: ['bob'] } },
  ],
};
const v2: PolicyInput = {
  ...v1,
  users: [{ id: 'ann' }, { id: 'bob' }, { id: 'dee' }],
  groups: [
    { id: 'sales', members: { users: ['ann'], groups: ['team'] } },
    { id: 'team', members: { users: ['bob', { id: 'dee', until: '2027-01-01T00:00:00Z' }] } },
  ],
};
const lead = { type: 'lead', id: 'l1', owner: { group: 'sales' } } as const;

describe('engine.replace', () => {
  it('lands a new version as one revision, entity by entity; the same version again changes nothing', async () => {
    const repository = memoryRepository(v1);
    const engine = await openEngine({ repository, clock: () => Date.parse('2026-06-01T00:00:00Z') });
    const follower = await openEngine({ repository, clock: () => Date.parse('2026-06-01T00:00:00Z') });
    try {
      const r = await engine.replace(v2);
      expect(r).toBe(1);
      const records = await repository.changesSince(0);
      expect(records).toHaveLength(1);
      const record = records[0] as { ops?: { op: string; collection: string }[]; replace?: unknown };
      expect(record.replace).toBeUndefined();
      // cy removed, dee added, sales and team changed; ann and bob untouched.
      expect(record.ops?.map((o) => `${o.op} ${o.collection}`).sort()).toEqual(['delete users', 'put groups', 'put groups', 'put users']);
      await follower.waitFor(r);
      expect(follower.whoCan('edit', lead)).toEqual(['ann', 'bob', 'dee']);
      expect(await engine.replace(v2)).toBe(1);
      expect(await engine.replace(toPolicyInput(engine.policy))).toBe(1);
      expect(await repository.changesSince(0)).toHaveLength(1);
    } finally {
      await engine.close();
      await follower.close();
    }
  });

  it('a resource-type change recompiles and is still recorded entity by entity', async () => {
    const repository = memoryRepository(v1);
    const engine = await openEngine({ repository });
    try {
      await engine.replace({ ...v1, resourceTypes: { lead: { actions: { view: 'read', edit: 'readWrite' }, default: 'publicRead' } } });
      const [record] = await repository.changesSince(0);
      expect((record as { ops?: { collection: string }[] }).ops?.map((o) => o.collection)).toEqual(['resourceTypes']);
      expect(engine.can('cy', 'view', lead)).toBe(true);
    } finally {
      await engine.close();
    }
  });

  it('a rejected version changes nothing', async () => {
    const engine = createEngine({ policy: v1 });
    const bad: PolicyInput = { ...v1, groups: [{ id: 'sales', members: { groups: ['team'] } }, { id: 'team', members: { groups: ['sales'] } }] };
    await expect(engine.replace(bad)).rejects.toThrowError(GroupCycleError);
    await expect(engine.replace({ ...v1, users: [{ id: 'ann', status: 'away' }] } as never)).rejects.toThrowError(/status/);
    expect(engine.revision).toBe(0);
    expect(toPolicyInput(engine.policy)).toEqual(toPolicyInput(createEngine({ policy: v1 }).policy));
  });
});
