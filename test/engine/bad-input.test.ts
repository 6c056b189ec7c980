import { describe, expect, it } from 'vitest';
import {
  createEngine,
  GroupCycleError,
  InvalidInputError,
  PurviewError,
  RoleCycleError,
  TenantError,
  type PolicyInput,
} from '../../src/index.js';

const types = { lead: { actions: { view: 'read', edit: 'readWrite', delete: 'full' } } } as const;
const base = (extra: Partial<PolicyInput> = {}): PolicyInput => ({ resourceTypes: types, ...extra });

function thrown(fn: () => unknown): PurviewError {
  try {
    fn();
  } catch (e) {
    if (e instanceof PurviewError) return e;
    throw new Error(`expected a PurviewError, got ${String(e)}`);
  }
  throw new Error('expected a throw');
}

describe('malformed policies get typed errors that say what to fix', () => {
  const cases: [string, unknown, string, RegExp][] = [
    ['not an object', 42, 'invalid-input', /expected a policy object/],
    ['unknown top-level key', { resourceTypes: types, usres: [] }, 'invalid-input', /unknown field "usres"/],
    ['duplicate user id', base({ users: [{ id: 'u' }, { id: 'u' }] }), 'invalid-input', /duplicate id "u"/],
    ['empty id', base({ users: [{ id: '' }] }), 'invalid-input', /must not be empty/],
    ['10,000-character id', base({ users: [{ id: 'x'.repeat(10_000) }] }), 'invalid-input', /at most 256/],
    ['numeric id', { resourceTypes: types, users: [{ id: 7 }] }, 'invalid-input', /expected user id \(a string\)/],
    ['unknown role', base({ users: [{ id: 'u', role: 'nope' }] }), 'invalid-input', /role "nope" of user "u" does not exist/],
    ['unknown member', base({ groups: [{ id: 'g', members: { users: ['ghost'] } }] }), 'invalid-input', /names user "ghost", which does not exist/],
    ['unknown level', { resourceTypes: types, accessLevels: {}, users: [{ id: 'u', accessLevel: 'godlike' }] }, 'invalid-input', /unknown access level "godlike"/],
    ['level without accessLevels', base({ users: [{ id: 'u', accessLevel: 'standard' }] }), 'invalid-input', /declares no accessLevels/],
    ['level 10 without custom', { resourceTypes: types, accessLevels: {}, users: [{ id: 'u', accessLevel: 10 }] }, 'invalid-input', /level 10 is a custom level/],
    ['capability on unknown type', { resourceTypes: types, accessLevels: { minimum: ['deal:view'] } }, 'invalid-input', /resource type "deal" is not declared/],
    ['type name with a colon', { resourceTypes: { 'a:b': { actions: { v: 'read' } } } }, 'invalid-input', /must not contain ":"/],
    ['type without actions', { resourceTypes: { lead: { actions: {} } } }, 'invalid-input', /at least one action/],
    ['bad action level', { resourceTypes: { lead: { actions: { view: 'admin' } } } }, 'invalid-input', /expected one of none, read, readWrite, full/],
    ['rule from a user', base({ users: [{ id: 'u' }], sharingRules: [{ id: 'r', resourceType: 'lead', from: { user: 'u' }, to: { user: 'u' }, level: 'read' } as never] }), 'invalid-input', /not a user/],
    ['segment with two operators', base({ accessGroups: [{ id: 'a', segment: { all: [{ attribute: 'x', equals: 1, in: [1] } as never] } }] }), 'invalid-input', /exactly one of equals, in, contains/],
    ['__proto__ as an unknown key', JSON.parse('{"resourceTypes":{},"__proto__":{"x":1}}'), 'invalid-input', /unknown field "__proto__"/],
  ];
  for (const [name, policy, code, message] of cases) {
    it(name, () => {
      const e = thrown(() => createEngine({ policy: policy as PolicyInput }));
      expect(e).toBeInstanceOf(InvalidInputError);
      expect(e.code).toBe(code);
      expect(e.message).toMatch(message);
    });
  }

  it('errors carry the path of the problem', () => {
    const e = thrown(() => createEngine({ policy: base({ groups: [{ id: 'g', members: { users: ['ghost'] } }] }) }));
    expect(e.path).toEqual(['groups', 'g', 'members', 'users', 0]);
    expect(e.ids).toEqual(['ghost']);
    expect(e.toJSON()).toMatchObject({ name: 'InvalidInputError', code: 'invalid-input' });
  });
});

describe('cycles of every length are rejected with the cycle in order', () => {
  it('a group containing itself (length 1)', () => {
    const e = thrown(() => createEngine({ policy: base({ groups: [{ id: 'g', members: { groups: ['g'] } }] }) }));
    expect(e).toBeInstanceOf(GroupCycleError);
    expect((e as GroupCycleError).cycle).toEqual(['g', 'g']);
  });
  it('two groups (length 2)', () => {
    const e = thrown(() =>
      createEngine({ policy: base({ groups: [{ id: 'a', members: { groups: ['b'] } }, { id: 'b', members: { groups: ['a'] } }] }) }),
    );
    expect((e as GroupCycleError).cycle).toEqual(['a', 'b', 'a']);
  });
  it('a long group cycle (length 500)', () => {
    const groups = Array.from({ length: 500 }, (_, i) => ({ id: `g${i}`, members: { groups: [`g${(i + 1) % 500}`] } }));
    const e = thrown(() => createEngine({ policy: base({ groups }) }));
    expect(e).toBeInstanceOf(GroupCycleError);
    expect((e as GroupCycleError).cycle).toHaveLength(501);
  });
  it('role cycles of length 1, 2 and long', () => {
    for (const roles of [
      [{ id: 'r', parent: 'r' }],
      [{ id: 'a', parent: 'b' }, { id: 'b', parent: 'a' }],
      Array.from({ length: 300 }, (_, i) => ({ id: `r${i}`, parent: `r${(i + 1) % 300}` })),
    ]) {
      const e = thrown(() => createEngine({ policy: base({ roles }) }));
      expect(e).toBeInstanceOf(RoleCycleError);
      expect((e as RoleCycleError).cycle.length).toBe(roles.length + 1);
    }
  });
});

describe('tenant rules', () => {
  const tenants = [{ id: 'agency' }, { id: 'client-a', parent: 'agency' }, { id: 'client-b', parent: 'agency' }];
  it('a group reaching across tenants is rejected', () => {
    const e = thrown(() =>
      createEngine({ policy: base({ tenants, users: [{ id: 'u', tenant: 'client-a' }], groups: [{ id: 'g', tenant: 'client-b', members: { users: ['u'] } }] }) }),
    );
    expect(e).toBeInstanceOf(TenantError);
    expect(e.message).toMatch(/same tenant/);
  });
  it('a ceiling wider than the parent\'s is rejected', () => {
    const e = thrown(() =>
      createEngine({ policy: base({ tenants: [{ id: 'p', ceiling: ['lead:view'] }, { id: 'c', parent: 'p', ceiling: ['lead:view', 'lead:edit'] }] }) }),
    );
    expect(e).toBeInstanceOf(TenantError);
    expect(e.message).toMatch(/lead:edit/);
  });
  it('a user may be listed in groups of tenants it may act in', () => {
    const engine = createEngine({
      policy: base({ tenants, users: [{ id: 'u', tenant: 'agency' }], groups: [{ id: 'g', tenant: 'client-a', members: { users: ['u'] } }] }),
    });
    expect(engine.can('u', 'edit', { type: 'lead', id: 'l', tenant: 'client-a', owner: { group: 'g' } })).toBe(true);
  });
});

describe('odd ids are plain ids', () => {
  const ids = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'a:b', ' ', 'valueOf'];
  it('every query works with them and nothing leaks through the prototype', () => {
    const engine = createEngine({
      policy: base({
        roles: ids.map((id) => ({ id })),
        users: ids.map((id) => ({ id, role: id })),
        groups: ids.map((id) => ({ id, members: { users: [id], roles: [id] } })),
      }),
    });
    for (const id of ids) {
      expect(engine.groupsOf(id)).toEqual([id]);
      expect(engine.membersOf(id)).toEqual([id]);
      expect(engine.whoCan('edit', { type: 'lead', id: 'l', owner: { group: id } })).toEqual([id]);
    }
    // A user named like a prototype member that does not exist is a deny, not a crash or an allow.
    const other = createEngine({ policy: base({ users: [{ id: 'u' }] }) });
    for (const id of ids) expect(other.check(id, 'view', { type: 'lead', id: 'l', owner: { user: 'u' } }).denial).toBe('unknown-user');
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });
});

describe('malformed requests throw InvalidInputError; unknown users and owners deny', () => {
  const engine = createEngine({ policy: base({ users: [{ id: 'u' }], groups: [{ id: 'g', members: { users: ['u'] } }] }) });
  const lead = { type: 'lead', id: 'l', owner: { group: 'g' } };
  const bad: [string, () => unknown][] = [
    ['undeclared action', () => engine.check('u', 'fly', lead)],
    ['undeclared type', () => engine.check('u', 'view', { ...lead, type: 'deal' })],
    ['action named like a prototype member', () => engine.can('u', 'constructor', lead)],
    ['type named __proto__', () => engine.can('u', 'view', { ...lead, type: '__proto__' })],
    ['null resource', () => engine.can('u', 'view', null as never)],
    ['owner with both user and group', () => engine.can('u', 'view', { ...lead, owner: { user: 'u', group: 'g' } as never })],
    ['owner missing', () => engine.can('u', 'view', { type: 'lead', id: 'l' } as never)],
    ['numeric user', () => engine.can(5 as never, 'view', lead)],
    ['empty user id', () => engine.can('', 'view', lead)],
    ['10,000-character user id', () => engine.can('u'.repeat(10_000), 'view', lead)],
    ['accessGroups not a list', () => engine.can('u', 'view', { ...lead, accessGroups: 'a' as never })],
  ];
  for (const [name, fn] of bad) it(name, () => expect(fn).toThrow(InvalidInputError));
  it('unknown user and unknown owner are denies', () => {
    expect(engine.check('nobody', 'view', lead).denial).toBe('unknown-user');
    expect(engine.check('u', 'view', { ...lead, owner: { group: 'ghost' } }).denial).toBe('record-access');
    expect(engine.check('u', 'view', { ...lead, owner: { user: 'ghost' } }).allowed).toBe(false);
    expect(engine.check('u', 'view', { ...lead, tenant: 'nowhere' }).denial).toBe('tenant');
  });
});
