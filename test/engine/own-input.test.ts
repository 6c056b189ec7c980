/*
 * Regression tests for issue 10, items 5, 8, 10, 14, 1 (normalizePolicy part) and 17 (holes):
 * caller data is read own properties only, copied once at the boundary, with `null` in optional
 * resource fields absent, and malformed query options refused.
 */
import { describe, expect, it, vi } from 'vitest';
import {
  createEngine,
  InvalidInputError,
  memoryRepository,
  memoryResourceStore,
  normalizePolicy,
  openEngine,
  StaleSnapshotError,
  toPolicyInput,
  toPredicate,
  type PolicyInput,
  type Resource,
} from '../../src/index.js';
import { toSql } from '../../src/adapters/postgres/to-sql.js';

/** Sets `key` on Object.prototype (or another prototype) for the duration of `f`, always restoring it. */
function polluting<T>(key: string, value: unknown, f: () => T, proto: object = Object.prototype): T {
  const before = Object.getOwnPropertyDescriptor(proto, key);
  Object.defineProperty(proto, key, { value, writable: true, configurable: true, enumerable: false });
  try {
    return f();
  } finally {
    if (before === undefined) delete (proto as Record<string, unknown>)[key];
    else Object.defineProperty(proto, key, before);
  }
}

async function pollutingAsync<T>(key: string, value: unknown, f: () => Promise<T>): Promise<T> {
  const before = Object.getOwnPropertyDescriptor(Object.prototype, key);
  Object.defineProperty(Object.prototype, key, { value, writable: true, configurable: true, enumerable: false });
  try {
    return await f();
  } finally {
    if (before === undefined) delete (Object.prototype as unknown as Record<string, unknown>)[key];
    else Object.defineProperty(Object.prototype, key, before);
  }
}

const lead = (extra: Partial<Resource> = {}): Resource => ({ type: 'lead', id: 'l1', owner: { user: 'ann' }, ...extra });

const basePolicy: PolicyInput = {
  resourceTypes: { lead: { actions: { view: 'read', edit: 'readWrite' } } },
  tenants: [{ id: 'acme' }],
  roles: [{ id: 'ceo' }, { id: 'rep', parent: 'ceo' }],
  users: [{ id: 'ann', role: 'rep' }, { id: 'mallory' }, { id: 'bob' }],
  groups: [{ id: 'sales', members: { users: ['bob'] } }, { id: 'other' }],
  accessGroups: [{ id: 'ag', grants: [{ to: { user: 'mallory' }, level: 'readWrite' }] }],
};

describe('item 5: inherited properties are never read as input', () => {
  it('Object.prototype.accessGroups does not let mallory edit every record', () => {
    const engine = createEngine({ policy: basePolicy });
    expect(engine.can('mallory', 'edit', lead())).toBe(false);
    polluting('accessGroups', ['ag'], () => {
      expect(engine.can('mallory', 'edit', lead())).toBe(false);
      expect(engine.check('mallory', 'edit', lead()).allowed).toBe(false);
      expect(engine.whoCan('edit', lead())).toEqual(['ann']);
      expect(toPredicate(engine.filter('mallory', 'edit', 'lead'))(lead())).toBe(false);
    });
  });

  it('Object.prototype.segment does not put every record into an access group without one', () => {
    // A filter carries the instant it was built at (for record shares): both filters at one instant.
    vi.useFakeTimers({ toFake: ['Date'], now: Date.parse('2026-01-01T00:00:00Z') });
    try {
      const clean = JSON.stringify(createEngine({ policy: basePolicy }).filter('mallory', 'edit', 'lead'));
      polluting('segment', { all: [] }, () => {
        const engine = createEngine({ policy: basePolicy });
        expect(engine.can('mallory', 'edit', lead())).toBe(false);
        expect(JSON.stringify(engine.filter('mallory', 'edit', 'lead'))).toBe(clean);
      });
    } finally {
      vi.useRealTimers();
    }
  });

  it('Object.prototype.attributes and .equals do not make a segment match', () => {
    const policy: PolicyInput = {
      ...basePolicy,
      accessGroups: [{ id: 'ag', segment: { all: [{ attribute: 'region', in: ['EU'] }] }, grants: [{ to: { user: 'mallory' }, level: 'readWrite' }] }],
    };
    const engine = createEngine({ policy });
    polluting('attributes', { region: 'EU' }, () => {
      expect(engine.can('mallory', 'edit', lead())).toBe(false);
      expect(toPredicate(engine.filter('mallory', 'edit', 'lead'))(lead())).toBe(false);
    });
    polluting('equals', 'EU', () => {
      expect(engine.can('mallory', 'edit', lead({ attributes: { region: 'US' } }))).toBe(false);
    });
  });

  it('Object.prototype.role gives a role-less user no hierarchy access', () => {
    polluting('role', 'ceo', () => {
      const engine = createEngine({ policy: basePolicy });
      expect(engine.can('mallory', 'edit', lead())).toBe(false);
      expect(engine.check('mallory', 'edit', lead()).reasons).toEqual([]);
    });
  });

  it('Object.prototype.readActions does not let a read-only twin edit', () => {
    const policy: PolicyInput = {
      ...basePolicy,
      accessLevels: { standard: ['lead:*'] },
      users: [{ id: 'ann', role: 'rep' }, { id: 'mallory', accessLevel: 'standard:readOnly' }, { id: 'bob' }],
      accessGroups: [{ id: 'ag', grants: [{ to: { user: 'mallory' }, level: 'readWrite' }] }],
    };
    const r = lead({ accessGroups: ['ag'] });
    expect(createEngine({ policy }).check('mallory', 'edit', r).denial).toBe('capability');
    polluting('readActions', ['view', 'edit'], () => {
      expect(createEngine({ policy }).check('mallory', 'edit', r).denial).toBe('capability');
    });
  });

  it('Object.prototype.tenant and .accessLevel change nothing', () => {
    const policy: PolicyInput = { ...basePolicy, accessLevels: { standard: ['lead:view'] }, defaultAccessLevel: 'minimum' };
    const engine = createEngine({ policy });
    const before = JSON.stringify([engine.check('ann', 'view', lead()), engine.check('bob', 'view', lead({ tenant: 'acme' }))]);
    polluting('tenant', 'acme', () => {
      expect(JSON.stringify([engine.check('ann', 'view', lead()), engine.check('bob', 'view', lead({ tenant: 'acme' }))])).toBe(before);
    });
    polluting('accessLevel', 'full', () => {
      expect(JSON.stringify([engine.check('ann', 'view', lead()), engine.check('bob', 'view', lead({ tenant: 'acme' }))])).toBe(before);
      expect(createEngine({ policy }).check('ann', 'view', lead()).allowed).toBe(false);
    });
  });

  it('Object.prototype.user does not turn deleteGroup({ transferTo: { group } }) into a transfer to a user', async () => {
    const resources = memoryResourceStore([{ type: 'lead', id: 'l1', owner: { group: 'sales' } }]);
    const engine = createEngine({ policy: basePolicy, resources });
    await pollutingAsync('user', 'mallory', () => engine.deleteGroup('sales', { transferTo: { group: 'other' } }));
    expect(resources.all().map((r) => r.owner)).toEqual([{ group: 'other' }]);
  });

  it('inherited command options are not read (transferTo, reassignTo)', async () => {
    const resources = memoryResourceStore([{ type: 'lead', id: 'l1', owner: { group: 'sales' } }]);
    const engine = createEngine({ policy: basePolicy, resources });
    await expect(pollutingAsync('transferTo', { user: 'mallory' }, () => engine.deleteGroup('sales', {}))).rejects.toThrow(InvalidInputError);
    expect(resources.all().map((r) => r.owner)).toEqual([{ group: 'sales' }]);
    await expect(pollutingAsync('reassignTo', 'ceo', () => engine.deleteRole('rep', {} as never))).rejects.toThrow(InvalidInputError);
  });

  it('inherited engine options are not read (policy, revision, limits)', () => {
    polluting('policy', basePolicy, () => {
      expect(() => createEngine({} as never)).toThrow(InvalidInputError);
    });
    polluting('revision', 7, () => {
      expect(createEngine({ policy: basePolicy }).revision).toBe(0);
    });
    polluting('maxEntities', 1, () => {
      expect(() => createEngine({ policy: basePolicy, limits: {} })).not.toThrow();
    });
  });

  it('a follower never applies an inherited `replace` of a change record', async () => {
    const repository = memoryRepository(basePolicy);
    const writer = await openEngine({ repository, pollIntervalMs: 0 });
    await writer.addMember('sales', { user: 'ann' });
    const hostile: PolicyInput = { resourceTypes: { lead: { actions: { view: 'read', edit: 'readWrite' } } }, users: [{ id: 'mallory' }] };
    const follower = await pollutingAsync('replace', hostile, () => openEngine({ repository, pollIntervalMs: 0 }));
    expect(JSON.stringify(toPolicyInput(follower.policy))).toBe(JSON.stringify(toPolicyInput(writer.policy)));
    expect(follower.policy.users.has('ann')).toBe(true);
    await follower.close();
    await writer.close();
  });

  it('a hole in a list is never filled from Array.prototype', () => {
    const engine = createEngine({ policy: basePolicy });
    const holey: string[] = [];
    holey[1] = 'other';
    polluting('0', 'ag', () => {
      expect(() => engine.can('mallory', 'edit', lead({ accessGroups: holey }))).toThrow(InvalidInputError);
      expect(toPredicate(engine.filter('mallory', 'edit', 'lead'))(lead({ accessGroups: holey }))).toBe(false);
      const members: string[] = [];
      members[1] = 'bob';
      expect(() => createEngine({ policy: { ...basePolicy, groups: [{ id: 'g', members: { users: members } }] } })).toThrow(InvalidInputError);
    }, Array.prototype);
    Array.prototype.length = 0;
  });

  it('toSql reads its mapping own properties only', () => {
    const engine = createEngine({ policy: { ...basePolicy, accessGroups: [] } });
    const f = engine.filter('ann', 'view', 'lead');
    const clean = toSql(f, { ownerUser: 'ou', ownerGroup: 'og', shares: false });
    polluting('tenant', 'evil_column', () => {
      expect(toSql(f, { ownerUser: 'ou', ownerGroup: 'og', shares: false })).toEqual(clean);
    });
  });

  it('a resource that is not plain data (a class instance, an object inheriting its fields) is refused', () => {
    const engine = createEngine({ policy: basePolicy });
    class Lead {
      type = 'lead';
      id = 'l1';
      owner = { user: 'ann' };
    }
    expect(() => engine.can('ann', 'view', new Lead())).toThrow(InvalidInputError);
    expect(() => engine.can('ann', 'view', Object.create(lead()) as Resource)).toThrow(InvalidInputError);
    expect(engine.can('ann', 'view', Object.assign(Object.create(null) as object, lead()) as Resource)).toBe(true);
  });
});

describe('item 14: null in optional resource fields is absent', () => {
  const engine = createEngine({ policy: { ...basePolicy, accessGroups: [{ id: 'ag', segment: { all: [] }, grants: [{ to: { user: 'mallory' }, level: 'read' }] }] } });
  const row = { type: 'lead', id: 'l1', tenant: null, owner: { user: 'ann', group: null }, accessGroups: null, attributes: null } as unknown as Resource;
  const plain = lead();

  it('check, can, whoCan, effectiveOwners and explain take a database row with NULL columns', () => {
    for (const u of ['ann', 'mallory', 'bob']) {
      expect(engine.check(u, 'view', row)).toEqual(engine.check(u, 'view', plain));
      expect(engine.can(u, 'edit', row)).toBe(engine.can(u, 'edit', plain));
      expect(engine.explain(u, 'view', row)).toBe(engine.explain(u, 'view', plain));
    }
    expect(engine.whoCan('view', row)).toEqual(engine.whoCan('view', plain));
    expect(engine.effectiveOwners(row)).toEqual(['ann']);
    expect(engine.effectiveOwners({ type: 'lead', id: 'l1', owner: { user: null, group: 'sales' } } as unknown as Resource)).toEqual(['bob']);
    expect(engine.check('ann', 'view', row).resource.tenant).toBe('default');
  });

  it('toPredicate agrees with check on rows with NULL columns, and a null attribute is an absent one', () => {
    for (const u of ['ann', 'mallory', 'bob']) {
      const pred = toPredicate(engine.filter(u, 'view', 'lead'));
      expect(pred(row)).toBe(engine.can(u, 'view', row));
    }
    const withNullAttr = lead({ attributes: { region: null } as never });
    expect(engine.can('mallory', 'view', withNullAttr)).toBe(true);
  });

  it('required fields stay required: an owner with both or neither set, a null type or id', () => {
    expect(() => engine.can('ann', 'view', { ...plain, owner: { user: null, group: null } } as never)).toThrow(InvalidInputError);
    expect(() => engine.can('ann', 'view', { ...plain, owner: { user: 'ann', group: 'sales' } })).toThrow(InvalidInputError);
    expect(() => engine.can('ann', 'view', { ...plain, owner: null } as never)).toThrow(InvalidInputError);
    expect(() => engine.can('ann', 'view', { ...plain, id: null } as never)).toThrow(InvalidInputError);
    expect(() => engine.can('ann', 'view', { ...plain, type: null } as never)).toThrow(InvalidInputError);
    expect(() => engine.effectiveOwners({ ...plain, owner: { user: null, group: null } } as never)).toThrow(InvalidInputError);
  });
});

describe('item 10: malformed query options are InvalidInputError', () => {
  const engine = createEngine({ policy: basePolicy });
  const bad: readonly [string, unknown][] = [
    ['atLeast NaN', { atLeast: Number.NaN }],
    ['atLeast negative', { atLeast: -1 }],
    ['atLeast fraction', { atLeast: 0.5 }],
    ['atLeast string', { atLeast: '1' }],
    ['atLeast Infinity', { atLeast: Infinity }],
    ['unknown key', { atleast: 1 }],
    ['not an object', 5],
    ['null', null],
    ['an array', []],
  ];

  it.each(bad)('%s: every query of the engine and of a snapshot refuses it, with the path', (_, options) => {
    for (const q of [engine, engine.snapshot()]) {
      const calls: (() => unknown)[] = [
        () => q.can('ann', 'view', lead(), options as never),
        () => q.check('ann', 'view', lead(), options as never),
        () => q.explain('ann', 'view', lead(), options as never),
        () => q.groupsOf('ann', options as never),
        () => q.membersOf('sales', options as never),
        () => q.effectiveOwners(lead(), options as never),
        () => q.whoCan('view', lead(), options as never),
        () => q.filter('ann', 'view', 'lead', options as never),
      ];
      for (const call of calls) {
        let error: unknown;
        try {
          call();
        } catch (e) {
          error = e;
        }
        expect(error).toBeInstanceOf(InvalidInputError);
        expect((error as InvalidInputError).path[0]).toBe('options');
      }
    }
  });

  it('paths and format are checked; valid options still work', () => {
    expect(() => engine.groupsOf('bob', { paths: 'yes' } as never)).toThrow(InvalidInputError);
    expect(() => engine.explain('ann', 'view', lead(), { format: 'xml' } as never)).toThrow(InvalidInputError);
    expect(() => engine.can('ann', 'view', lead(), { paths: true } as never)).toThrow(InvalidInputError);
    expect(engine.groupsOf('bob', { paths: true })).toEqual([{ group: 'sales', path: expect.any(Array) }]);
    expect(engine.can('ann', 'view', lead(), { atLeast: 0 })).toBe(true);
    expect(engine.can('ann', 'view', lead(), {})).toBe(true);
    expect(engine.can('ann', 'view', lead(), { atLeast: undefined } as never)).toBe(true);
    expect(() => engine.can('ann', 'view', lead(), { atLeast: 1 })).toThrow(StaleSnapshotError);
    expect(JSON.parse(engine.explain('ann', 'view', lead(), { format: 'json' })).allowed).toBe(true);
  });

  it('a shared engine refuses bad at() and waitFor() options at once instead of waiting the timeout', async () => {
    const shared = await openEngine({ repository: memoryRepository(basePolicy), pollIntervalMs: 0, timeoutMs: 60_000 });
    try {
      const started = Date.now();
      await expect(shared.at({ atLeast: Number.NaN })).rejects.toThrow(InvalidInputError);
      await expect(shared.at({ atLeast: 1, timeoutMs: -5 })).rejects.toThrow(InvalidInputError);
      await expect(shared.at({ atLeast: 0, timeoutMs: Number.NaN })).rejects.toThrow(InvalidInputError);
      await expect(shared.at({ atLeast: 0, paths: true } as never)).rejects.toThrow(InvalidInputError);
      await expect(shared.at(null as never)).rejects.toThrow(InvalidInputError);
      await expect(shared.waitFor(Number.NaN)).rejects.toThrow(InvalidInputError);
      await expect(shared.waitFor(1, { timeoutMs: 'soon' } as never)).rejects.toThrow(InvalidInputError);
      await expect(shared.waitFor(0, { atLeast: 1 } as never)).rejects.toThrow(InvalidInputError);
      // Refused at once: far below the 60 s timeout, whatever the machine's load.
      expect(Date.now() - started).toBeLessThan(30_000);
      expect((await shared.at({ atLeast: 0 })).revision).toBe(0);
      await expect(shared.waitFor(0)).resolves.toBeUndefined();
    } finally {
      await shared.close();
    }
  });
});

describe('item 8: snapshots hold plain data, copied at the boundary', () => {
  it('an entity with a getter is stored as plain data (its value), not as the object the recipe wrote', () => {
    const engine = createEngine({ policy: basePolicy });
    engine.updateSync((d) => {
      // Complete and already normal but for the accessor, so that nothing but a copy removes it.
      const user = { id: 'eve', tenant: 'default', status: 'active', tenants: [] } as Record<string, unknown>;
      Object.defineProperty(user, 'role', { enumerable: true, get: () => 'rep' });
      d.users.set('eve', user as never);
    });
    const stored = engine.policy.users.get('eve');
    expect(Object.getOwnPropertyDescriptor(stored, 'role')?.get).toBeUndefined();
    expect(Object.getOwnPropertyDescriptor(stored, 'role')?.value).toBe('rep');
    expect(createEngine({ policy: toPolicyInput(engine.policy) }).policy.users.get('eve')?.role).toBe('rep');
  });

  it('a getter that answers differently each time: what lands is what was validated, and it reloads', () => {
    const engine = createEngine({ policy: basePolicy });
    let reads = 0;
    const landed = (() => {
      try {
        engine.updateSync((d) => {
          const g = d.groups.get('sales');
          if (g === undefined) return;
          const members = { roles: [], rolesAndSubordinates: [], groups: [] } as Record<string, unknown>;
          // Valid on every other read only: a user that exists, then one that does not.
          Object.defineProperty(members, 'users', { enumerable: true, get: () => (++reads % 2 === 1 ? ['bob'] : ['ghost']) });
          g.members = members as never;
        });
        return true;
      } catch (e) {
        expect(e).toBeInstanceOf(InvalidInputError);
        return false;
      }
    })();
    const members = engine.policy.groups.get('sales')?.members;
    expect(Object.getOwnPropertyDescriptor(members, 'users')?.get).toBeUndefined();
    expect(members?.users).toEqual(['bob']);
    expect(engine.revision).toBe(landed ? 1 : 0);
    expect(() => createEngine({ policy: toPolicyInput(engine.policy) })).not.toThrow();
  });

  it('a non-plain entity (a class instance) is refused', () => {
    const engine = createEngine({ policy: basePolicy });
    class Fancy {
      id = 'eve';
    }
    expect(() => engine.updateSync((d) => void d.users.set('eve', new Fancy() as never))).toThrow(InvalidInputError);
    expect(engine.policy.users.has('eve')).toBe(false);
  });
});

describe('item 1 (part): normalizePolicy takes plain data or a Policy, nothing else', () => {
  it.each([
    ['a Date', new Date()],
    ['a Map', new Map()],
    ['a class instance', new (class Thing {})()],
    ['a promise', Promise.resolve({ resourceTypes: {} })],
    ['an array', []],
    ['an object inheriting a policy', Object.create({ resourceTypes: { lead: { actions: { view: 'read' } } } }) as object],
  ])('%s is InvalidInputError, not an empty policy', (_, value) => {
    expect(() => normalizePolicy(value)).toThrow(InvalidInputError);
    expect(() => createEngine({ policy: value as never })).toThrow(InvalidInputError);
  });

  it('plain data, null-prototype data and a Policy are accepted', () => {
    const engine = createEngine({ policy: basePolicy });
    expect(normalizePolicy(engine.policy).users.size).toBe(3);
    expect(normalizePolicy(JSON.parse(JSON.stringify(basePolicy))).users.size).toBe(3);
    expect(normalizePolicy(Object.assign(Object.create(null) as object, basePolicy)).users.size).toBe(3);
  });
});

describe('item 17 (part): a segment list with a hole', () => {
  it('is refused on input, so that nothing that cannot reload is ever held', () => {
    const equals: string[] = ['x'];
    equals[2] = 'y';
    const policy: PolicyInput = { ...basePolicy, accessGroups: [{ id: 'ag', segment: { all: [{ attribute: 'tags', equals }] }, grants: [] }] };
    expect(() => createEngine({ policy })).toThrow(InvalidInputError);
    const engine = createEngine({ policy: basePolicy });
    expect(() =>
      engine.updateSync((d) => {
        d.accessGroups.set('ag2', { id: 'ag2', tenant: 'default', segment: { all: [{ attribute: 'tags', equals }] }, grants: [] });
      }),
    ).toThrow(InvalidInputError);
    expect(() => createEngine({ policy: toPolicyInput(engine.policy) })).not.toThrow();
  });
});
