/*
 * Regression of issue 10, item 11 (a), without a database: a follower that meets a change record it
 * cannot apply reports a typed error through onError and recovers from the repository's stored
 * policy, so that its writes do not fail with ConflictError forever. (test/postgres/bad-change-log
 * shows the same with hand-edited change_log rows.)
 */
import { describe, expect, it } from 'vitest';
import { memoryRepository, openEngine, PurviewError, toPolicyInput, type ChangeRecord, type PolicyInput, type PolicyRepository, type SharedEngine } from '../../src/index.js';

const policy: PolicyInput = {
  resourceTypes: { lead: { actions: { view: 'read' } } },
  users: [{ id: 'u1' }, { id: 'u2' }],
  groups: [{ id: 'sales', members: { users: ['u1'] } }],
};

describe('a follower that meets a change record it cannot apply', () => {
  it('reports a typed error, reloads the stored policy and writes again', async () => {
    const base = memoryRepository(policy);
    let writer: SharedEngine | undefined;
    // The log's record 1 is replaced by one that does not apply; the stored policy (load) is right.
    const tampered: PolicyRepository = {
      ...base,
      load: async () => (writer === undefined || writer.revision === 0 ? base.load() : { policy: toPolicyInput(writer.policy), revision: writer.revision }),
      changesSince: async (from) =>
        (await base.changesSince(from)).map((c): ChangeRecord => (c.revision === 1 ? { revision: 1, ops: [{ op: 'put', collection: 'users', entity: { id: '' } as never }] } : c)),
    };
    writer = await openEngine({ repository: base, pollIntervalMs: 0 });
    const errors: unknown[] = [];
    const follower = await openEngine({ repository: tampered, pollIntervalMs: 0, onError: (e) => void errors.push(e) });
    try {
      expect(await writer.addMember('sales', { user: 'u2' })).toBe(1);
      await follower.refresh();
      expect(errors.length).toBeGreaterThan(0);
      expect(errors.every((e) => e instanceof PurviewError)).toBe(true);
      expect(follower.revision).toBe(1);
      expect(follower.membersOf('sales')).toEqual(['u1', 'u2']);
      expect(await follower.removeMember('sales', { user: 'u1' })).toBe(2);
      await writer.refresh();
      expect(writer.membersOf('sales')).toEqual(['u2']);
    } finally {
      await writer.close();
      await follower.close();
    }
  });

  it('with nothing newer to reload, reports the typed error and stays where it is (no loop, nothing skipped)', async () => {
    const base = memoryRepository(policy);
    const tampered: PolicyRepository = {
      ...base,
      changesSince: async (from) => (await base.changesSince(from)).map((c): ChangeRecord => ({ revision: c.revision, ops: [{ op: 'explode' } as never] })),
    };
    const writer = await openEngine({ repository: base, pollIntervalMs: 0 });
    const errors: unknown[] = [];
    const follower = await openEngine({ repository: tampered, pollIntervalMs: 0, onError: (e) => void errors.push(e) });
    try {
      await writer.addMember('sales', { user: 'u2' });
      await follower.refresh();
      expect(errors.length).toBeGreaterThan(0);
      expect(errors.every((e) => e instanceof PurviewError)).toBe(true);
      expect(follower.revision).toBe(0);
    } finally {
      await writer.close();
      await follower.close();
    }
  });
});

describe('a follower that cannot follow refuses to answer (found by review)', () => {
  it('with stricter limits than the writer, it fails closed instead of allowing from a revoked policy', async () => {
    const { memoryRepository, openEngine, RepositoryError } = await import('../../src/index.js');
    const repo = memoryRepository({
      users: [{ id: 'u' }, { id: 'a' }, { id: 'b' }, { id: 'c' }],
      groups: [
        { id: 'sales', members: { users: ['u'] } },
        { id: 'big', members: {} },
      ],
      resourceTypes: { lead: { actions: { view: 'read' } } },
    });
    const errors: unknown[] = [];
    const writer = await openEngine({ repository: repo, pollIntervalMs: 0 });
    const strict = await openEngine({ repository: repo, pollIntervalMs: 0, limits: { maxGroupMembers: 2 }, onError: (e) => errors.push(e) });
    const lead = { type: 'lead', id: 'l', owner: { group: 'sales' } } as const;
    try {
      expect(strict.can('u', 'view', lead)).toBe(true);
      await writer.update((d) => void d.groups.get('big')?.members.users.push('a', 'b', 'c')); // over strict's limit
      await writer.removeMember('sales', { user: 'u' }); // revokes u
      await strict.refresh();
      expect(writer.can('u', 'view', lead)).toBe(false);
      // Before: strict stayed at revision 0 and kept answering true for good.
      expect(() => strict.can('u', 'view', lead)).toThrow(RepositoryError);
      expect(() => strict.check('u', 'view', lead)).toThrow(/cannot follow the shared policy/);
      expect(() => strict.for('u')).toThrow(RepositoryError);
      await expect(strict.at({})).rejects.toBeInstanceOf(RepositoryError);
      expect(errors.some((e) => e instanceof RepositoryError)).toBe(true);
      // It keeps refusing while it cannot follow (this log replays from revision 0, whose first
      // change it can never take), and its own writes are refused too, never applied locally.
      await strict.refresh();
      expect(() => strict.can('u', 'view', lead)).toThrow(RepositoryError);
      await expect(strict.addMember('sales', { user: 'a' })).rejects.toBeInstanceOf(Error);
      expect(strict.revision).toBe(0);
    } finally {
      await Promise.all([writer.close(), strict.close()]);
    }
  });
});
