/*
 * The memory resource store reads records' own properties only: a record of a controlled type has
 * no owner, and an `owner` that another library put on Object.prototype must not make it a group's
 * (found by the pollution fuzz, seed -227384016: deleteGroup refused, "group owns 1 record(s)").
 * No server.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createEngine, memoryResourceStore, type Resource } from '../../src/index.js';

const proto = Object.prototype as Record<string, unknown>;
afterEach(() => {
  delete proto.owner;
});

describe('memoryResourceStore under a polluted Object.prototype', () => {
  it('a record without an own owner is owned by nobody, and deleteGroup goes ahead', async () => {
    const contact = { type: 'contact', id: 'c0', parent: { type: 'account', id: 'a0', owner: { user: 'ann' } } } as unknown as Resource;
    const store = memoryResourceStore([contact]);
    const engine = createEngine({
      policy: {
        resourceTypes: { account: { actions: { view: 'read' } }, contact: { actions: { view: 'read' }, controlledBy: 'account' } },
        users: [{ id: 'ann' }],
        groups: [{ id: 'sales' }],
      },
      resources: store,
    });
    proto.owner = { group: 'sales' };
    expect(await store.ownedBy({ group: 'sales' })).toEqual([]);
    await expect(engine.deleteGroup('sales')).resolves.toBe(1);
  });
});
