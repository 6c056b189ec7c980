/*
 * Regressions of issue 10, items 1, 2 and 11 (b, c): what a recipe may do.
 *  - A recipe is synchronous and returns undefined or a whole policy: an async recipe or any other
 *    returned value is an InvalidInputError at ['recipe'] with nothing changed, locally or in the
 *    repository, and no unhandled rejection left behind.
 *  - A shared engine has no updateSync (in the types and at run time).
 *  - A recipe that calls a change of its own engine fails typed, with nothing half-applied.
 *  - A recipe cannot write the internals of the snapshot collections (count, shards).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createEngine,
  InvalidInputError,
  memoryRepository,
  openEngine,
  PurviewError,
  toPolicyInput,
  type Engine,
  type EngineBase,
  type PolicyDraft,
  type PolicyInput,
  type SharedEngine,
} from '../../src/index.js';

const policy: PolicyInput = {
  resourceTypes: { lead: { actions: { view: 'read', edit: 'readWrite' } } },
  users: [{ id: 'u1' }, { id: 'u2' }],
  groups: [{ id: 'sales', members: { users: ['u1'] } }],
};

let unhandled: unknown[] = [];
const onUnhandled = (e: unknown): void => void unhandled.push(e);
beforeEach(() => {
  unhandled = [];
  process.on('unhandledRejection', onUnhandled);
});
afterEach(() => {
  process.off('unhandledRejection', onUnhandled);
});
/** Lets pending promise jobs and a macrotask run, so that a late rejection would show. */
const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 5));

class Thing {
  users = [];
}

/** Recipes that break the recipe contract, each with what it is. */
const BAD: readonly [string, (d: PolicyDraft) => unknown][] = [
  ['an async recipe that reads the draft after an await', async (d) => {
    await null;
    d.users.get('u1');
  }],
  ['an async recipe that does nothing', async () => {}],
  ['an async recipe that changes the draft before its first await', async (d) => {
    d.users.delete('u2');
    await null;
  }],
  ['a recipe returning Promise.resolve()', () => Promise.resolve()],
  ['a recipe returning a promise that rejects later', () => new Promise((_, reject) => setTimeout(() => reject(new Error('late')), 1))],
  ['a recipe returning a promise that touches the revoked draft', (d) => (async () => {
    await null;
    d.users.delete('u1');
  })()],
  ['a recipe returning a thenable', () => ({ then: () => undefined })],
  ['a recipe returning new Date()', () => new Date()],
  ['a recipe returning a Map', () => new Map()],
  ['a recipe returning a class instance', () => new Thing()],
  ['a recipe returning a number', () => 42],
  ['a recipe returning a string', () => 'policy'],
  ['a recipe returning an array', () => []],
  ['a recipe returning null', () => null],
  ['a recipe returning a function', () => () => undefined],
  ['a recipe returning the users collection', (d) => d.users],
];

describe('a recipe is synchronous and returns undefined or a whole policy', () => {
  for (const [what, recipe] of BAD) {
    it(`${what}: InvalidInputError at ['recipe'], nothing changes (createEngine)`, async () => {
      const engine = createEngine({ policy });
      const before = engine.policy;
      let thrown: unknown;
      try {
        engine.updateSync(recipe as never);
      } catch (e) {
        thrown = e;
      }
      expect(thrown).toBeInstanceOf(InvalidInputError);
      expect((thrown as InvalidInputError).path).toEqual(['recipe']);
      await expect(engine.update(recipe as never)).rejects.toBeInstanceOf(InvalidInputError);
      expect(engine.policy).toBe(before);
      expect(engine.revision).toBe(0);
      await settle();
      expect(engine.policy).toBe(before);
      expect(unhandled).toEqual([]);
    });

    it(`${what}: InvalidInputError, nothing changes locally or in the repository (openEngine)`, async () => {
      const repository = memoryRepository(policy);
      const engine = await openEngine({ repository, pollIntervalMs: 0 });
      try {
        const before = engine.policy;
        const error = await engine.update(recipe as never).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(error).toBeInstanceOf(InvalidInputError);
        expect((error as InvalidInputError).path).toEqual(['recipe']);
        await settle();
        expect(engine.policy).toBe(before);
        expect(engine.revision).toBe(0);
        expect(repository.log()).toEqual([]);
        const fresh = await openEngine({ repository, pollIntervalMs: 0 });
        expect(toPolicyInput(fresh.policy)).toEqual(toPolicyInput(before));
        await fresh.close();
        expect(unhandled).toEqual([]);
      } finally {
        await engine.close();
      }
    });
  }

  it('a recipe that returns a whole policy replaces the policy (and reloads)', async () => {
    const engine = createEngine({ policy });
    const next = { ...policy, users: [{ id: 'u1' }, { id: 'u2' }, { id: 'u3' }] };
    expect(engine.updateSync(() => next as never)).toBe(1);
    expect([...engine.policy.users.keys()].sort()).toEqual(['u1', 'u2', 'u3']);
    const again = createEngine({ policy: toPolicyInput(engine.policy) });
    expect(again.policy.users.size).toBe(3);
  });

  it('a recipe that returns the draft itself is the same as returning nothing', () => {
    const engine = createEngine({ policy });
    expect(
      engine.updateSync((d) => {
        d.users.delete('u2');
        return d as never;
      }),
    ).toBe(1);
    expect(engine.policy.users.has('u2')).toBe(false);
  });

  it('a recipe that is not a function is an InvalidInputError', async () => {
    const engine = createEngine({ policy });
    expect(() => engine.updateSync(null as never)).toThrow(InvalidInputError);
    await expect(engine.update({} as never)).rejects.toBeInstanceOf(InvalidInputError);
    expect(engine.revision).toBe(0);
  });
});

describe('a shared engine has no updateSync', () => {
  it('in the types: SharedEngine is an EngineBase, not an Engine', async () => {
    const repository = memoryRepository(policy);
    const shared = await openEngine({ repository, pollIntervalMs: 0 });
    try {
      const base: EngineBase = shared; // both engines share the asynchronous interface
      expect(base.revision).toBe(0);
      // @ts-expect-error a shared engine has no synchronous write
      const sync: Engine['updateSync'] | undefined = (shared satisfies SharedEngine).updateSync;
      expect(typeof sync).toBe('function'); // present at run time only to refuse, see below
      // @ts-expect-error a SharedEngine is not an Engine
      const asEngine: Engine = shared;
      expect(asEngine).toBe(shared);
      const local: Engine = createEngine({ policy });
      expect(local.updateSync(() => undefined)).toBe(0);
    } finally {
      await shared.close();
    }
  });

  it('at run time: updateSync through a cast throws a typed error and changes nothing, here or in the repository', async () => {
    const repository = memoryRepository(policy);
    const a = await openEngine({ repository, pollIntervalMs: 0 });
    const b = await openEngine({ repository, pollIntervalMs: 0 });
    try {
      const before = a.policy;
      let thrown: unknown;
      try {
        (a as unknown as Engine).updateSync((d) => void d.users.delete('u2'));
      } catch (e) {
        thrown = e;
      }
      expect(thrown).toBeInstanceOf(PurviewError);
      expect((thrown as Error).message).toMatch(/await engine\.update/);
      expect(a.policy).toBe(before);
      expect(a.revision).toBe(0);
      expect(repository.log()).toEqual([]);
      // The instances have not forked: a write from a lands on b.
      const rev = await a.update((d) => void d.users.delete('u2'));
      await b.waitFor(rev);
      expect(b.policy.users.has('u2')).toBe(false);
      expect(Object.keys(a)).not.toContain('updateSync');
    } finally {
      await a.close();
      await b.close();
    }
  });
});

describe('a recipe must not change its own engine', () => {
  it('updateSync inside updateSync: a typed error, and neither change lands', () => {
    const engine = createEngine({ policy });
    const before = engine.policy;
    expect(() =>
      engine.updateSync((d) => {
        d.users.delete('u2');
        engine.updateSync((inner) => void inner.groups.get('sales')?.members.users.push('u2'));
      }),
    ).toThrow(InvalidInputError);
    expect(engine.policy).toBe(before);
    expect(engine.revision).toBe(0);
  });

  it('a recipe that swallows the inner error still fails, typed', async () => {
    const engine = createEngine({ policy });
    const before = engine.policy;
    let inner: unknown;
    await expect(
      engine.update((d) => {
        d.users.delete('u2');
        try {
          engine.updateSync((x) => void x.users.delete('u1'));
        } catch (e) {
          inner = e;
        }
      }),
    ).rejects.toBeInstanceOf(InvalidInputError);
    expect(inner).toBeInstanceOf(InvalidInputError);
    expect(engine.policy).toBe(before);
    expect(engine.revision).toBe(0);
  });

  it('update and commands from inside a recipe: rejected (observed, no unhandled rejection), and the outer change fails', async () => {
    const engine = createEngine({ policy });
    const before = engine.policy;
    const inner: Promise<number>[] = [];
    expect(() =>
      engine.updateSync((d) => {
        d.users.delete('u2');
        inner.push(engine.update((x) => void x.users.delete('u1')));
        inner.push(engine.addMember('sales', { user: 'u2' }));
        inner.push(engine.deleteGroup('sales'));
      }),
    ).toThrow(InvalidInputError);
    for (const p of inner) await expect(p).rejects.toBeInstanceOf(InvalidInputError);
    await settle();
    expect(engine.policy).toBe(before);
    expect(engine.revision).toBe(0);
    expect(unhandled).toEqual([]);
  });

  it('a change made after the recipe returns (a listener, a later call) is fine', async () => {
    const engine = createEngine({ policy });
    const off = engine.subscribe((r) => {
      if (r === 1) engine.updateSync((d) => void d.users.delete('u2'));
    });
    await engine.update((d) => void d.users.set('u3', { id: 'u3' } as never));
    off();
    expect(engine.revision).toBe(2);
    expect([...engine.policy.users.keys()].sort()).toEqual(['u1', 'u3']);
  });
});

describe('a recipe cannot write the internals of the collections', () => {
  const limits = { maxEntities: 5 };
  const WRITES: readonly [string, (d: PolicyDraft) => void][] = [
    ['count set to 0', (d) => void ((d.users as unknown as { count: number }).count = 0)],
    ['count set to 0 beside a legitimate set', (d) => {
      d.users.set('u3', { id: 'u3' } as never);
      (d.users as unknown as { count: number }).count = 0;
    }],
    ['count set to a string', (d) => void ((d.users as unknown as { count: unknown }).count = 'many')],
    ['count deleted', (d) => void delete (d.users as unknown as { count?: number }).count],
    ['shards replaced', (d) => void ((d.users as unknown as { shards: unknown }).shards = new Map())],
    ['a shard deleted', (d) => {
      const shards = (d.groups as unknown as { shards: Map<number, unknown> }).shards;
      shards.delete([...shards.keys()][0] as number);
    }],
    ['an entry put in the wrong bucket', (d) => {
      const shards = (d.users as unknown as { shards: Map<number, Map<number, Map<string, unknown>>> }).shards;
      for (const [o, shard] of shards) {
        for (const [i, bucket] of shard) {
          // an id that hashes elsewhere
          for (const id of ['zz', 'zy', 'zx']) if (!bucket.has(id)) bucket.set(id, { id, tenant: 'default', status: 'active', tenants: [] });
          void o;
          void i;
          return;
        }
      }
    }],
    ['a field added to a collection', (d) => void ((d.users as unknown as Record<string, unknown>).extra = 1)],
    ['size overwritten', (d) => void ((d.users as unknown as Record<string, unknown>).size = 0)],
  ];
  for (const [what, recipe] of WRITES) {
    it(`${what}: InvalidInputError, nothing changes`, () => {
      const engine = createEngine({ policy, limits });
      const before = engine.policy;
      expect(() => engine.updateSync(recipe)).toThrow(InvalidInputError);
      expect(engine.policy).toBe(before);
      expect(engine.revision).toBe(0);
      expect(engine.policy.users.size).toBe(2);
    });
  }

  it('the entity limit still holds after an attempt to reset count', () => {
    const engine = createEngine({ policy, limits });
    expect(() =>
      engine.updateSync((d) => {
        (d.users as unknown as { count: number }).count = 0;
      }),
    ).toThrow(InvalidInputError);
    engine.updateSync((d) => void d.users.set('u3', { id: 'u3' } as never)); // 4 entities
    engine.updateSync((d) => void d.users.set('u4', { id: 'u4' } as never)); // 5 entities
    expect(() => engine.updateSync((d) => void d.users.set('u5', { id: 'u5' } as never))).toThrow(PurviewError);
    expect(engine.policy.users.size).toBe(4);
  });

  it('set, delete and get on drafts keep working, with size right', () => {
    const engine = createEngine({ policy });
    const tenants = engine.policy.tenants.size;
    engine.updateSync((d) => {
      d.users.set('u3', { id: 'u3' } as never);
      d.users.set('u4', { id: 'u4' } as never);
      d.users.delete('u4');
      d.users.delete('u2');
      d.groups.get('sales')?.members.users.push('u3');
      d.tenants.set('acme', { id: 'acme' } as never);
      expect(d.users.size).toBe(2);
    });
    expect(engine.policy.users.size).toBe(2);
    expect(engine.policy.tenants.size).toBe(tenants + 1);
    expect(engine.membersOf('sales')).toEqual(['u1', 'u3']);
    // Many new entries across fresh shards and buckets.
    engine.updateSync((d) => {
      for (let i = 0; i < 500; i++) d.users.set(`n${i}`, { id: `n${i}` } as never);
    });
    expect(engine.policy.users.size).toBe(502);
    expect(createEngine({ policy: toPolicyInput(engine.policy) }).policy.users.size).toBe(502);
  });
});
