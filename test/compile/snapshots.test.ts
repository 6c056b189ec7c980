/*
 * The compiled snapshot is immutable and shared (issue 11): pinning a snapshot is holding a
 * reference, so neither queries on an old snapshot nor a rejected change ever compile the policy
 * again. Counts come from a test-only counter of the internal compile module (not the public API).
 */
import { describe, expect, it } from 'vitest';
import { createEngine, GroupCycleError, InvalidInputError, type PolicyInput } from '../../src/index.js';
import * as apply from '../../src/compile/apply.js';
import { PVec } from '../../src/compile/pvec.js';
import { editIdMap, IdMap } from '../../src/model/id-map.js';

const builds = (): number => (apply as { compileStats?: { builds: number } }).compileStats?.builds ?? NaN;

const policy: PolicyInput = {
  resourceTypes: { doc: { actions: { view: 'read', edit: 'readWrite' }, groupOwnerLevel: 'readWrite' } },
  roles: [{ id: 'boss' }, { id: 'clerk', parent: 'boss' }],
  users: [{ id: 'ann', role: 'boss' }, { id: 'bob', role: 'clerk' }, { id: 'cy' }],
  groups: [{ id: 'sales', members: { users: ['bob'] } }, { id: 'all', members: { groups: ['sales'] } }],
};
const doc = { type: 'doc', id: 'd1', owner: { group: 'all' } };

describe('compiled snapshots are pinned by reference', () => {
  it('an old snapshot keeps answering for its revision after many changes, without a rebuild', async () => {
    const engine = createEngine({ policy });
    const before = builds();
    const pinned = engine.snapshot();
    const view = engine.for('bob');
    expect(pinned.can('bob', 'edit', doc)).toBe(true);
    for (let i = 0; i < 20; i++) {
      await engine.removeMember('sales', { user: 'bob' });
      await engine.addMember('sales', { user: 'cy' });
      expect(engine.can('bob', 'edit', doc)).toBe(false);
      expect(pinned.can('bob', 'edit', doc)).toBe(true);
      expect(pinned.can('cy', 'edit', doc)).toBe(false);
      expect(view.can('edit', doc)).toBe(true);
      await engine.addMember('sales', { user: 'bob' });
      await engine.removeMember('sales', { user: 'cy' });
    }
    expect(pinned.revision).toBe(0);
    expect(pinned.groupsOf('bob')).toEqual(['all', 'sales']);
    expect(builds() - before).toBe(0);
  });

  it('a rejected change leaves the current snapshot in place, without a rebuild', () => {
    const engine = createEngine({ policy });
    const before = builds();
    expect(() => engine.updateSync((d) => void d.groups.get('sales')?.members.groups.push('all'))).toThrow(GroupCycleError);
    expect(() => engine.updateSync((d) => void d.groups.get('sales')?.members.users.push('nobody'))).toThrow(InvalidInputError);
    expect(engine.revision).toBe(0);
    expect(engine.can('bob', 'edit', doc)).toBe(true);
    expect(builds() - before).toBe(0);
  });

  it('a change of resource types compiles the policy once (a whole-frame change)', () => {
    const engine = createEngine({ policy });
    const before = builds();
    engine.updateSync((d) => {
      const t = d.resourceTypes.get('doc');
      if (t !== undefined) t.groupOwnerLevel = 'read';
    });
    expect(builds() - before).toBe(1);
    expect(engine.can('bob', 'edit', doc)).toBe(false);
    expect(engine.can('bob', 'view', doc)).toBe(true);
  });
});

describe('persistent building blocks', () => {
  it('a PVec edit shares what it does not touch and never changes the base', () => {
    const ed = PVec.empty<string>().edit();
    for (let i = 0; i < 1000; i++) ed.set(i, `v${i}`);
    const base = ed.build();
    const e2 = base.edit();
    e2.set(5, 'changed');
    e2.set(999, undefined);
    const next = e2.build();
    expect(base.get(5)).toBe('v5');
    expect(base.get(999)).toBe('v999');
    expect(next.get(5)).toBe('changed');
    expect(next.get(999)).toBeUndefined();
    expect(next.get(500)).toBe('v500');
    // Untouched chunks are the same arrays; touched ones are copies.
    expect(next.chunks[2]).toBe(base.chunks[2]);
    expect(next.chunks[0]).not.toBe(base.chunks[0]);
    // Reading past the end never reaches Array.prototype.
    expect(base.get(1 << 20)).toBeUndefined();
  });

  it('editIdMap leaves the base map as it was and shares untouched shards', () => {
    const base = new IdMap<number>(Array.from({ length: 5000 }, (_, i) => [`k${i}`, i] as const));
    const next = editIdMap(base, new Map([['k1', -1], ['new', 7]]), new Set(['k2', 'absent']));
    expect(base.get('k1')).toBe(1);
    expect(base.has('k2')).toBe(true);
    expect(base.has('new')).toBe(false);
    expect(base.size).toBe(5000);
    expect(next.get('k1')).toBe(-1);
    expect(next.has('k2')).toBe(false);
    expect(next.get('new')).toBe(7);
    expect(next.size).toBe(5000);
    let shared = 0;
    for (const [outer, shard] of next.shards) if (base.shards.get(outer) === shard) shared++;
    expect(shared).toBeGreaterThan(50);
    expect(() => (next.shards as Map<number, unknown>).set(99, new Map())).toThrow();
  });
});
