import { describe, expect, it } from 'vitest';
import { ConflictError, memoryRepository, openEngine, StaleSnapshotError, toPolicyInput, type PolicyInput } from '../../src/index.js';

const policy: PolicyInput = {
  resourceTypes: { lead: { actions: { view: 'read', edit: 'readWrite' } } },
  users: [{ id: 'u1' }, { id: 'u2' }],
  groups: [{ id: 'sales', members: { users: ['u1'] } }],
};
const lead = { type: 'lead', id: 'l1', owner: { group: 'sales' } } as const;

describe('engines sharing a repository', () => {
  it('a write through one is visible on the other with waitFor / at', async () => {
    const repository = memoryRepository(policy);
    const a = await openEngine({ repository, pollIntervalMs: 0 });
    const b = await openEngine({ repository, pollIntervalMs: 0 });
    const rev = await a.addMember('sales', { user: 'u2' });
    expect(rev).toBe(1);
    expect(a.can('u2', 'edit', lead)).toBe(true);
    const view = await b.at({ atLeast: rev });
    expect(view.can('u2', 'edit', lead)).toBe(true);
    expect(b.revision).toBe(1);
    await a.close();
    await b.close();
  });

  it('conflicting writers: exactly one wins, the other gets ConflictError and nothing half-written', async () => {
    const repository = memoryRepository(policy);
    const a = await openEngine({ repository, pollIntervalMs: 0 });
    const b = await openEngine({ repository, pollIntervalMs: 0 });
    const results = await Promise.allSettled([a.addMember('sales', { user: 'u2' }), b.removeMember('sales', { user: 'u1' })]);
    // b may or may not have caught up before its own write: either both land in order, or one conflicts.
    const rejected = results.filter((r) => r.status === 'rejected');
    for (const r of rejected) expect((r as PromiseRejectedResult).reason).toBeInstanceOf(ConflictError);
    expect(repository.log().map((c) => c.revision)).toEqual(repository.log().map((_, i) => i + 1));
    await b.refresh();
    await a.refresh();
    expect(toPolicyInput(a.policy)).toEqual(toPolicyInput(b.policy));
    expect(a.revision).toBe(b.revision);
    await a.close();
    await b.close();
  });

  it('waiting for a revision that never comes fails clearly instead of answering stale', async () => {
    const repository = memoryRepository(policy);
    const a = await openEngine({ repository, pollIntervalMs: 0 });
    await expect(a.waitFor(5, { timeoutMs: 50 })).rejects.toBeInstanceOf(StaleSnapshotError);
    expect(() => a.check('u1', 'view', lead, { atLeast: 5 })).toThrow(StaleSnapshotError);
    await a.close();
  });

  it('a new engine replays the log, including changes to tenants (whole-policy records)', async () => {
    const repository = memoryRepository(policy);
    const a = await openEngine({ repository, pollIntervalMs: 0 });
    await a.update((d) => void d.tenants.set('client', { id: 'client' }));
    await a.addMember('sales', { user: 'u2' });
    await a.setStatus('u1', 'inactive');
    const c = await openEngine({ repository, pollIntervalMs: 0 });
    expect(c.revision).toBe(3);
    expect(toPolicyInput(c.policy)).toEqual(toPolicyInput(a.policy));
    expect(c.check('u1', 'view', lead).denial).toBe('inactive-user');
    await a.close();
    await c.close();
  });
});

describe('frame changes are logged entity by entity', () => {
  it('tenants, resource types and access levels travel as ops, and replay to the same policy', async () => {
    const repository = memoryRepository(policy);
    const a = await openEngine({ repository, pollIntervalMs: 0 });
    await a.update((d) => void d.tenants.set('client', { id: 'client' }));
    await a.update((d) => {
      d.resourceTypes.set('deal', { name: 'deal', actions: new Map([['view', 'read']]), default: 'private', hierarchy: true, groupOwnerLevel: 'full' } as never);
    });
    await a.update((d) => {
      d.accessLevels = { minimum: ['lead:view'] };
      d.defaultAccessLevel = 'minimum';
    });
    await a.update((d) => void d.tenants.delete('client'));
    const log = repository.log();
    expect(log.every((r) => 'ops' in r)).toBe(true);
    expect(log.flatMap((r) => ('ops' in r ? r.ops.map((o) => ('collection' in o ? `${o.op}:${o.collection}` : `${o.op}:${o.field}`)) : []))).toEqual([
      'put:tenants',
      'put:resourceTypes',
      'set:accessLevels',
      'set:defaultAccessLevel',
      'delete:tenants',
    ]);
    const b = await openEngine({ repository, pollIntervalMs: 0 });
    expect(toPolicyInput(b.policy)).toEqual(toPolicyInput(a.policy));
    expect(b.check('u2', 'edit', lead).denial).toBe('capability');
    await a.close();
    await b.close();
  });

  it('a recipe that replaces a whole collection is logged as the whole policy', async () => {
    const repository = memoryRepository(policy);
    const a = await openEngine({ repository, pollIntervalMs: 0 });
    await a.update((d) => {
      (d as unknown as { sharingRules: unknown }).sharingRules = new Map();
    });
    expect('replace' in (repository.log()[0] ?? {})).toBe(true);
    await a.close();
  });
});
