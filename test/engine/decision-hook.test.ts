/*
 * The decision hook (issue 14): createEngine({ onDecision }) and openEngine({ onDecision }) hear
 * every decision of can/check/explain on the engine, its snapshots and its user views, once each,
 * sampled, as a frozen event; a hook that throws never changes a decision. In memory only (the
 * shared engine runs over memoryRepository; no server).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createEngine, InvalidInputError, memoryRepository, openEngine, type DecisionEvent, type PolicyInput, type Resource } from '../../src/index.js';
import { GHOST, scenarioArb, type Scenario } from '../arbitraries/policy.js';
import { runParams } from '../arbitraries/settings.js';

const policy: PolicyInput = {
  resourceTypes: { lead: { actions: { view: 'read', edit: 'readWrite' } } },
  users: [{ id: 'ann' }, { id: 'bob' }, { id: 'cy', status: 'inactive' }],
  groups: [{ id: 'sales', members: { users: ['bob'] } }],
};
const lead: Resource = { type: 'lead', id: 'l1', owner: { group: 'sales' } };
const NOW = Date.parse('2026-03-01T12:00:00Z');
const clock = (): number => NOW;

/** An engine whose hook collects its events. */
function collecting(extra: object = {}) {
  const events: DecisionEvent[] = [];
  const engine = createEngine({ policy, clock, onDecision: (e) => void events.push(e), ...extra });
  return { engine, events };
}

describe('onDecision', () => {
  it('hears every query kind once, on the engine, its snapshots and its user views', () => {
    const { engine, events } = collecting();
    const snap = engine.snapshot();
    const me = engine.for('bob');
    const calls: [string, () => unknown][] = [
      ['can', () => engine.can('bob', 'edit', lead)],
      ['can', () => engine.can('bob', 'edit', lead, { atLeast: 0 })],
      ['check', () => engine.check('bob', 'edit', lead)],
      ['explain', () => engine.explain('bob', 'edit', lead)],
      ['explain', () => engine.explain('bob', 'edit', lead, { format: 'json' })],
      ['can', () => snap.can('bob', 'edit', lead)],
      ['check', () => snap.check('bob', 'edit', lead, { asOf: '2026-01-01T00:00:00Z' })],
      ['explain', () => snap.explain('bob', 'edit', lead)],
      ['can', () => me.can('edit', lead)],
      ['can', () => me.can('edit', lead, { atLeast: 0 })],
      ['check', () => me.check('edit', lead)],
      ['explain', () => me.explain('edit', lead, { format: 'text' })],
      ['can', () => engine.snapshot().for('bob').can('edit', lead)],
    ];
    for (const [kind, call] of calls) {
      const before = events.length;
      call();
      expect(events.length - before, kind).toBe(1);
      expect(events.at(-1)?.kind).toBe(kind);
    }
    // Queries that are not decisions report nothing.
    const before = events.length;
    engine.filter('bob', 'view', 'lead');
    engine.whoCan('view', lead);
    engine.groupsOf('bob');
    me.filter('view', 'lead');
    expect(events.length).toBe(before);
  });

  it('carries the decision, the revision, the duration and the instant, frozen', () => {
    const { engine, events } = collecting();
    engine.updateSync((d) => void d.users.set('dan', { id: 'dan' } as never));
    const r = { type: 'lead', id: 'l1', owner: { group: 'sales' } } as Resource;
    expect(engine.can('ann', 'view', r)).toBe(false);
    expect(engine.can('bob', 'edit', r)).toBe(true);
    expect(engine.can('cy', 'view', r)).toBe(false);
    const [denied, allowed, inactive] = events;
    expect(denied).toEqual({ kind: 'can', user: 'ann', action: 'view', resource: { type: 'lead', id: 'l1', tenant: 'default' }, allowed: false, denial: 'record-access', revision: 1, durationMs: denied?.durationMs, at: NOW });
    expect(allowed?.allowed).toBe(true);
    expect(allowed?.denial).toBeUndefined();
    expect(inactive?.denial).toBe('inactive-user');
    for (const e of events) {
      expect(e.durationMs).toBeGreaterThanOrEqual(0);
      expect(Object.isFrozen(e)).toBe(true);
      expect(Object.isFrozen(e.resource)).toBe(true);
      expect(e.resource).not.toBe(r);
    }
    expect(() => {
      (denied as { allowed: boolean }).allowed = true;
    }).toThrow(TypeError);
  });

  it('reports nothing for a query that throws', () => {
    const { engine, events } = collecting();
    expect(() => engine.can('bob', 'fly', lead)).toThrow(InvalidInputError);
    expect(() => engine.check('bob', 'view', lead, { atLeast: 9 })).toThrow();
    expect(() => engine.for('bob').explain('view', { type: 'nope', id: 'x' } as Resource)).toThrow(InvalidInputError);
    expect(events).toEqual([]);
  });

  it('samples: 0 reports none, 1 every one, a rate in between by the given random function', () => {
    let calls = 0;
    const never = collecting({ sample: 0, random: () => (calls++, 0) });
    const always = collecting({ sample: 1, random: () => (calls++, 0.99) });
    for (let i = 0; i < 10; i++) {
      never.engine.can('bob', 'view', lead);
      always.engine.can('bob', 'view', lead);
    }
    expect(never.events.length).toBe(0);
    expect(always.events.length).toBe(10);
    expect(calls).toBe(0); // no draw at 0 or 1
    // A seeded sequence: reported exactly when random() < sample.
    const draws = [0.1, 0.5, 0.29, 0.3, 0.9, 0.0];
    let i = 0;
    const some = collecting({ sample: 0.3, random: () => draws[i++ % draws.length] as number });
    const me = some.engine.for('bob');
    for (let k = 0; k < 6; k++) (k % 2 === 0 ? me.can('view', lead) : some.engine.check('bob', 'view', lead));
    expect(some.events.map((e) => e.kind)).toEqual(['can', 'can', 'check']);
    expect(i).toBe(6);
  });

  it('refuses malformed hook options with a typed error naming the option', () => {
    for (const [key, value] of [
      ['sample', -0.1],
      ['sample', 1.5],
      ['sample', Number.NaN],
      ['sample', '0.5'],
      ['onDecision', 'log'],
      ['random', 0.5],
      ['onHookError', {}],
    ] as const) {
      let error: unknown;
      try {
        createEngine({ policy, onDecision: () => undefined, [key]: value } as never);
      } catch (e) {
        error = e;
      }
      expect(error, `${key}=${String(value)}`).toBeInstanceOf(InvalidInputError);
      expect((error as InvalidInputError).path).toEqual(['options', key]);
    }
  });

  it('never changes a decision when the hook throws, rejects, or random throws; errors go to onHookError', async () => {
    const errors: unknown[] = [];
    const boom = new Error('hook down');
    const throwing = createEngine({
      policy,
      onDecision: () => {
        throw boom;
      },
      onHookError: (e) => {
        errors.push(e);
        throw new Error('and the error hook too');
      },
    });
    expect(throwing.can('bob', 'edit', lead)).toBe(true);
    expect(throwing.check('ann', 'edit', lead).denial).toBe('record-access');
    expect(throwing.for('bob').explain('edit', lead)).toMatch(/^ALLOW/);
    expect(errors).toEqual([boom, boom, boom]);
    // Without onHookError the error is swallowed.
    const silent = createEngine({ policy, onDecision: () => { throw boom; } });
    expect(silent.can('bob', 'edit', lead)).toBe(true);
    // A hook returning a rejected promise: observed, reported, never unhandled.
    const rejected: unknown[] = [];
    const asyncHook = createEngine({ policy, onDecision: () => Promise.reject(boom) as never, onHookError: (e) => void rejected.push(e) });
    expect(asyncHook.can('bob', 'edit', lead)).toBe(true);
    await new Promise((r) => setTimeout(r, 0));
    expect(rejected).toEqual([boom]);
    // A random that throws skips the report, not the decision.
    const randomErrors: unknown[] = [];
    const events: DecisionEvent[] = [];
    const badRandom = createEngine({ policy, sample: 0.5, random: () => { throw boom; }, onDecision: (e) => void events.push(e), onHookError: (e) => void randomErrors.push(e) });
    expect(badRandom.can('bob', 'edit', lead)).toBe(true);
    expect(events).toEqual([]);
    expect(randomErrors).toEqual([boom]);
  });

  it('reports on a shared engine (openEngine) too, once per query', async () => {
    const events: DecisionEvent[] = [];
    const repository = memoryRepository(policy);
    const engine = await openEngine({ repository, pollIntervalMs: 0, clock, onDecision: (e) => void events.push(e) });
    try {
      expect(engine.can('bob', 'edit', lead)).toBe(true);
      engine.check('bob', 'edit', lead);
      engine.explain('bob', 'edit', lead);
      engine.for('bob').can('edit', lead);
      (await engine.at({ atLeast: 0 })).can('bob', 'view', lead);
      const rev = await engine.addMember('sales', { user: 'ann' });
      expect(engine.can('ann', 'edit', lead)).toBe(true);
      expect(events.map((e) => e.kind)).toEqual(['can', 'check', 'explain', 'can', 'can', 'can']);
      expect(events.at(-1)?.revision).toBe(rev);
      await expect(openEngine({ repository, sample: 2, onDecision: () => undefined })).rejects.toThrow(InvalidInputError);
    } finally {
      await engine.close();
    }
  });

  it('leaves every decision as it is, on random policies and requests (with a hook at every rate, throwing or not)', () => {
    fc.assert(
      fc.property(scenarioArb(), fc.constantFrom(0, 0.5, 1), fc.boolean(), (s: Scenario, sample, throws) => {
        let n = 0;
        const plain = createEngine({ policy: s.policy });
        const hooked = createEngine({
          policy: s.policy,
          sample,
          random: () => (n++ % 2) / 2,
          onDecision: (e) => {
            if (throws) throw new Error(`hook saw ${e.user}`);
          },
        });
        const users = [...(s.policy.users ?? []).map((u) => u.id), GHOST];
        const actions = new Set(Object.values(s.policy.resourceTypes).flatMap((t) => Object.keys(t.actions ?? {})));
        for (const r of s.resources) {
          for (const a of actions) {
            for (const u of users) {
              const attempt = <T,>(f: () => T): T | string => {
                try {
                  return f();
                } catch (e) {
                  return `throws ${(e as Error).name}: ${(e as Error).message}`;
                }
              };
              expect(attempt(() => hooked.can(u, a, r))).toEqual(attempt(() => plain.can(u, a, r)));
              expect(attempt(() => hooked.check(u, a, r))).toEqual(attempt(() => plain.check(u, a, r)));
              expect(attempt(() => hooked.for(u).can(a, r))).toEqual(attempt(() => plain.for(u).can(a, r)));
              expect(attempt(() => hooked.snapshot().explain(u, a, r, { format: 'json' }))).toEqual(attempt(() => plain.snapshot().explain(u, a, r, { format: 'json' })));
            }
          }
        }
      }),
      runParams(200),
    );
  }, 120_000);
});
