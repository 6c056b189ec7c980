/*
 * Field permissions (issue 12, SPEC 9): on random valid policies whose resource types get random
 * field maps (fields reading and writing through any of the type's actions, odd field names
 * included), `permittedFields` agrees with the reference evaluator for every user and resource,
 * `hidden` is exactly the declared fields that are not readable, and `keepReadable` drops exactly
 * those. Engines on a snapshot and on `engine.for(user)` answer the same.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createEngine, InvalidInputError, keepReadable, type PolicyInput } from '../../src/index.js';
import { GHOST, scenarioArb } from '../arbitraries/policy.js';
import { runParams } from '../arbitraries/settings.js';
import { refPermittedFields } from '../reference/evaluator.js';

const FIELD_POOL = ['email', 'salary', '__proto__', 'constructor', 'a b', 'notes', 'id'];

/** The policy with a random field map on each resource type (plain data, own keys). */
const withFields = (policy: PolicyInput, picks: readonly number[]): PolicyInput => {
  let k = 0;
  const next = (n: number): number => (picks[k++ % picks.length] ?? 0) % Math.max(1, n);
  const types: Record<string, unknown> = {};
  for (const [name, t] of Object.entries(policy.resourceTypes)) {
    const actions = Object.keys(t.actions);
    const fields: Record<string, unknown> = {};
    const count = next(4);
    for (let i = 0; i < count; i++) {
      const field = FIELD_POOL[next(FIELD_POOL.length)] as string;
      const read = actions[next(actions.length)] as string;
      const write = next(3) === 0 ? undefined : (actions[next(actions.length)] as string);
      Object.defineProperty(fields, field, { value: { read, ...(write === undefined ? {} : { write }) }, enumerable: true, writable: true, configurable: true });
    }
    Object.defineProperty(types, name, { value: { ...t, fields }, enumerable: true, writable: true, configurable: true });
  }
  return { ...policy, resourceTypes: types as PolicyInput['resourceTypes'] };
};

describe('field permissions', () => {
  it('permittedFields agrees with the reference; hidden and keepReadable follow it', () => {
    let compared = 0;
    let readable = 0;
    let writable = 0;
    let hiddenSeen = 0;
    fc.assert(
      fc.property(scenarioArb(), fc.array(fc.nat(1000), { minLength: 1, maxLength: 40 }), (s, picks) => {
        const policy = withFields(s.policy, picks);
        const engine = createEngine({ policy });
        const snapshot = engine.snapshot();
        const users = [...(policy.users ?? []).map((u) => u.id), GHOST];
        for (const resource of s.resources) {
          const declared = Object.keys(policy.resourceTypes[resource.type]?.fields ?? {});
          for (const user of users) {
            const got = engine.permittedFields(user, resource);
            const want = refPermittedFields(policy, user, resource);
            compared++;
            readable += got.read.length;
            writable += got.write.length;
            hiddenSeen += got.hidden.length;
            expect([...got.read].sort(), `read of ${user}`).toEqual([...want.read].sort());
            expect([...got.write].sort(), `write of ${user}`).toEqual([...want.write].sort());
            expect([...got.hidden].sort()).toEqual(declared.filter((f) => !want.read.includes(f)).sort());
            expect(snapshot.permittedFields(user, resource)).toEqual(got);
            expect(engine.for(user).permittedFields(resource)).toEqual(got);
            const row: Record<string, unknown> = {};
            for (const f of [...declared, 'other']) Object.defineProperty(row, f, { value: 1, enumerable: true, writable: true, configurable: true });
            expect(Object.keys(keepReadable(row, got)).sort()).toEqual([...got.read, 'other'].filter((f, i, a) => a.indexOf(f) === i).sort());
          }
        }
      }),
      runParams(300),
    );
    // The generator must reach readable, writable and hidden fields, or the comparison proves little.
    expect(compared).toBeGreaterThan(100);
    expect(readable).toBeGreaterThan(0);
    expect(writable).toBeGreaterThan(0);
    expect(hiddenSeen).toBeGreaterThan(0);
  });

  it('a field naming an undeclared action, or with an unknown key, is an InvalidInputError with its path', () => {
    const base = { resourceTypes: { lead: { actions: { view: 'read' } } } } as const;
    const bad = (fields: unknown) => () => createEngine({ policy: { ...base, resourceTypes: { lead: { actions: { view: 'read' }, fields } } } as PolicyInput });
    expect(bad({ email: { read: 'edit' } })).toThrow(/resourceTypes\.lead\.fields\.email\.read: action "edit" is not one of the type's actions/);
    expect(bad({ email: { read: 'view', write: 'nope' } })).toThrow(/fields\.email\.write/);
    expect(bad({ email: { read: 'view', hidden: true } })).toThrow(/fields\.email\.hidden: unknown field/);
    expect(bad({ email: {} })).toThrow(/fields\.email\.read: expected an action name/);
    expect(bad(['email'])).toThrow(/fields/);
    expect(() => createEngine({ policy: base }).permittedFields('u', { type: 'lead', id: 'l', owner: { user: 'u' } })).not.toThrow();
    expect(createEngine({ policy: base }).permittedFields('u', { type: 'lead', id: 'l', owner: { user: 'u' } })).toEqual({ read: [], write: [], hidden: [] });
    expect(() => createEngine({ policy: base }).permittedFields('u', { type: 'nope', id: 'l', owner: { user: 'u' } })).toThrow(/resource type "nope" is not declared/);
    // keepReadable fails closed: an answer without its own `hidden` list is refused, never read as "nothing hidden".
    const row = { id: 'l', salary: 1 };
    expect(() => keepReadable(row, { read: [], write: [] } as never)).toThrow(InvalidInputError);
    expect(() => keepReadable(row, Object.create({ hidden: [] }) as never)).toThrow(InvalidInputError);
    expect(() => keepReadable(row, { hidden: 'salary' } as never)).toThrow(InvalidInputError);
    expect(keepReadable(row, { hidden: ['salary'] })).toEqual({ id: 'l' });
  });
});
