/*
 * Incremental change detection compares entity fields structurally. Ids may hold any character,
 * NUL and `:` included, so `['a\0b']` and `['a', 'b']` are different lists: a change from one to
 * the other must invalidate what the engine cached and be validated like any other change.
 */
import { describe, expect, it } from 'vitest';
import { createEngine, toPolicyInput, type Engine, type PolicyInput, type Resource } from '../../src/index.js';
import { sameData } from '../../src/model/same-data.js';

const NUL = 'a\u0000b';

/** A fresh engine on what the live engine holds: the two must answer alike. */
function fresh(engine: Engine): Engine {
  return createEngine({ policy: toPolicyInput(engine.policy) });
}

describe('nesting changes between lists that join to the same string', () => {
  // `outer` nests `a\0b`; a sharing rule shares records owned by `outer` (and groups nested in it)
  // with `boss`. A record owned by group `a\0b` is shared while `a\0b` is nested in `outer`.
  const policy: PolicyInput = {
    resourceTypes: { lead: { actions: { view: 'read' } } },
    roles: [{ id: 'boss' }],
    users: [{ id: 'boss', role: 'boss' }, { id: 'u' }],
    groups: [
      { id: NUL, members: { users: ['u'] } },
      { id: 'a' },
      { id: 'b' },
      { id: 'outer', members: { groups: [NUL] } },
    ],
    sharingRules: [{ id: 'share', resourceType: 'lead', from: { group: 'outer' }, to: { role: 'boss' }, level: 'read' }],
  };
  const record: Resource = { type: 'lead', id: 'l1', owner: { group: NUL } };

  it.each([
    ['[a\\0b] -> [a, b]', [NUL], ['a', 'b']],
    ['[a, b] -> [a\\0b]', ['a', 'b'], [NUL]],
  ])('%s: the live engine agrees with a fresh engine on the shared record', (_name, from, to) => {
    const start: PolicyInput = { ...policy, groups: policy.groups!.map((g) => (g.id === 'outer' ? { id: 'outer', members: { groups: from } } : g)) };
    const engine = createEngine({ policy: start });
    const before = from.includes(NUL);
    // Warm the caches: the closure of the owner group is computed and kept.
    expect(engine.can('boss', 'view', record)).toBe(before);
    expect(engine.check('boss', 'view', record).allowed).toBe(before);
    engine.updateSync((d) => {
      d.groups.get('outer')!.members.groups = [...to];
    });
    expect(engine.policy.groups.get('outer')!.members.groups).toEqual(to);
    const after = to.includes(NUL);
    expect(fresh(engine).can('boss', 'view', record)).toBe(after);
    expect(engine.can('boss', 'view', record)).toBe(after);
    expect(engine.check('boss', 'view', record).allowed).toBe(after);
    expect(engine.whoCan('view', record).includes('boss')).toBe(after);
  });

  it('revoking by un-nesting: can denies once `a\\0b` is no longer inside the rule\'s group', () => {
    const engine = createEngine({ policy });
    expect(engine.can('boss', 'view', record)).toBe(true);
    engine.updateSync((d) => {
      d.groups.get('outer')!.members.groups = ['a', 'b'];
    });
    expect(engine.can('boss', 'view', record)).toBe(false);
    expect(fresh(engine).can('boss', 'view', record)).toBe(false);
  });
});

describe('user tenant changes between lists that join to the same string', () => {
  // `u` acts in tenant `a\0b` as well as its own, and is a member of a group there. Replacing its
  // tenants by `a` and `b` takes it out of `a\0b`: the group membership now reaches across
  // tenants, so the change must be rejected (or the policy would not reload).
  const policy: PolicyInput = {
    tenants: [{ id: NUL }, { id: 'a' }, { id: 'b' }],
    resourceTypes: { lead: { actions: { view: 'read' } } },
    users: [{ id: 'u', tenants: [NUL] }],
    groups: [{ id: 'g', tenant: NUL, members: { users: ['u'] } }],
  };

  it('the change is rejected, and the engine still holds a policy that reloads', () => {
    const engine = createEngine({ policy });
    const revision = engine.revision;
    expect(() =>
      engine.updateSync((d) => {
        d.users.get('u')!.tenants = ['a', 'b'];
      }),
    ).toThrow(expect.objectContaining({ name: 'TenantError' }) as unknown as Error);
    expect(engine.revision).toBe(revision);
    expect(engine.policy.users.get('u')!.tenants).toEqual([NUL]);
    expect(() => fresh(engine)).not.toThrow();
  });

  it('the reverse ([a, b] -> [a\\0b]) is validated too', () => {
    const start: PolicyInput = { ...policy, users: [{ id: 'u', tenants: ['a', 'b'] }], groups: [{ id: 'g', tenant: 'a', members: { users: ['u'] } }] };
    const engine = createEngine({ policy: start });
    expect(() =>
      engine.updateSync((d) => {
        d.users.get('u')!.tenants = [NUL];
      }),
    ).toThrow();
    expect(() => fresh(engine)).not.toThrow();
  });
});

describe('sameData', () => {
  it('compares lists element by element, never by a joined string', () => {
    expect(sameData([NUL], ['a', 'b'])).toBe(false);
    expect(sameData(['a:b'], ['a', 'b'])).toBe(false);
    expect(sameData(['a', 'b'], ['a', 'b'])).toBe(true);
    expect(sameData([], [])).toBe(true);
  });

  it('tells arrays from objects, and compares key sets', () => {
    expect(sameData([], {})).toBe(false);
    expect(sameData(['x'], { 0: 'x' })).toBe(false);
    expect(sameData({ a: 1 }, { a: 1, b: undefined })).toBe(false);
    expect(sameData({ a: 1, b: 2 }, { b: 2, a: 1 })).toBe(true);
    expect(sameData({ a: 1 }, { b: 1 })).toBe(false);
    expect(sameData([1, 2], [1, 2, 3])).toBe(false);
    // A hole is not an undefined element.
    // eslint-disable-next-line no-sparse-arrays
    expect(sameData([, 1], [undefined, 1])).toBe(false);
  });

  it('reads own properties only', () => {
    const polluted = Object.prototype as Record<string, unknown>;
    polluted.a = 1;
    try {
      expect(sameData({}, {})).toBe(true);
      expect(sameData({}, { a: 1 })).toBe(false);
      expect(sameData({ a: 1 }, {})).toBe(false);
    } finally {
      delete polluted.a;
    }
    // An object with another prototype is another kind of object.
    expect(sameData(Object.create({ a: 1 }), {})).toBe(false);
    const getter = Object.defineProperty({}, 'a', { get: () => 1, enumerable: true });
    expect(sameData(getter, { a: 1 })).toBe(false);
    const own = JSON.parse('{"__proto__": 1}') as object;
    expect(sameData(own, {})).toBe(false);
    expect(sameData(own, JSON.parse('{"__proto__": 1}'))).toBe(true);
    expect(sameData(own, JSON.parse('{"__proto__": 2}'))).toBe(false);
  });

  it('compares Maps and Sets by content, and never equates different kinds of object', () => {
    expect(sameData(new Map([['a', 1]]), new Map([['a', 1]]))).toBe(true);
    expect(sameData(new Map([['a', 1]]), new Map([['a', 2]]))).toBe(false);
    expect(sameData(new Map([['a', 1]]), new Map())).toBe(false);
    expect(sameData(new Map(), {})).toBe(false);
    expect(sameData(new Set(['a']), new Set(['a']))).toBe(true);
    expect(sameData(new Set(['a']), new Set(['b']))).toBe(false);
    expect(sameData(new Date(0), new Date(1))).toBe(false);
    expect(sameData(new Date(0), {})).toBe(false);
  });

  it('handles primitives: NaN equals NaN, 0 and -0 are equal, types differ', () => {
    expect(sameData(Number.NaN, Number.NaN)).toBe(true);
    expect(sameData(0, -0)).toBe(true);
    expect(sameData('1', 1)).toBe(false);
    expect(sameData(null, undefined)).toBe(false);
    expect(sameData(null, {})).toBe(false);
  });

  it('does not overflow the stack on deep data', () => {
    const deep = (n: number): unknown => {
      let v: unknown = 'leaf';
      for (let i = 0; i < n; i++) v = i % 2 === 0 ? [v] : { k: v };
      return v;
    };
    expect(sameData(deep(200_000), deep(200_000))).toBe(true);
    expect(sameData(deep(200_000), deep(199_999))).toBe(false);
  });
});
