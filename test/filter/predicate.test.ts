import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createEngine, toPredicate, type Resource } from '../../src/index.js';
import { Choices, STREAM_LENGTH } from '../arbitraries/choices.js';
import { buildPolicy, buildResource, SHARE_TIMES } from '../arbitraries/policy.js';
import { buildChild, controlledTypes } from '../arbitraries/parents.js';
import { replaying, runParams } from '../arbitraries/settings.js';
import { queriesAt } from '../support/at-instant.js';

/** A random policy with 12 random resources (owners, tenants, access groups and attributes that may or may not exist). */
const arb = fc
  .array(fc.nat({ max: 1 << 16 }), { minLength: STREAM_LENGTH * 3, maxLength: STREAM_LENGTH * 3 })
  .map((s) => {
    const c = new Choices(s);
    const policy = buildPolicy(c);
    const resources: Resource[] = [];
    for (let i = 0; i < 12; i++) resources.push(buildResource(c, policy, i));
    // SPEC 9: records of controlled types, whose parents are among the records above or fresh.
    const controlled = controlledTypes(policy);
    for (let i = 0; controlled.length > 0 && i < 8; i++) {
      resources.push(buildChild(c, policy, c.pick(controlled)[0], `c${i}`, resources, (t) => ({ ...buildResource(c, policy, 100 + i), type: t, id: `p${i}` })));
    }
    return { policy, resources };
  });

describe('filter() agrees with can() on every record', () => {
  it('toPredicate(filter(u, a, t))(r) === can(u, a, r) for every user, action and record', () => {
    let compared = 0;
    let children = 0;
    let childrenAllowed = 0;
    fc.assert(
      fc.property(arb, ({ policy, resources }) => {
        const engine = createEngine({ policy });
        const users = [...engine.policy.users.keys(), 'ghost'];
        for (const [type, t] of engine.policy.resourceTypes) {
          for (const action of t.actions.keys()) {
            for (const user of users) {
              const filter = engine.filter(user, action, type);
              const pass = toPredicate(filter);
              for (const r of resources) {
                const expected = r.type === type && engine.can(user, action, r);
                if (pass(r) !== expected) {
                  throw new Error(`user ${JSON.stringify(user)} ${action} ${JSON.stringify(r)}: can=${expected}, filter=${JSON.stringify(filter)}`);
                }
                compared++;
                if (r.parent !== undefined && r.type === type) {
                  children++;
                  if (expected) childrenAllowed++;
                }
              }
            }
          }
        }
      }),
      runParams(300),
    );
    expect(compared).toBeGreaterThan(1000);
    // Parent-controlled records were compared, some of them allowed.
    expect(children).toBeGreaterThan(100);
    expect(childrenAllowed).toBeGreaterThan(10);
  });

  it('agrees on records with 0-5 shares, at instants on and around the shares\' bounds', () => {
    const arbShared = fc
      .array(fc.nat({ max: 1 << 16 }), { minLength: STREAM_LENGTH * 3, maxLength: STREAM_LENGTH * 3 })
      .map((s) => {
        const c = new Choices(s);
        const policy = buildPolicy(c);
        const resources: Resource[] = [];
        for (let i = 0; i < 12; i++) resources.push(buildResource(c, policy, i, true));
        return { policy, resources, at: c.pick(SHARE_TIMES) };
      });
    let compared = 0;
    let byShare = 0;
    fc.assert(
      fc.property(arbShared, ({ policy, resources, at }) => {
        const engine = queriesAt(policy, at);
        const users = [...engine.policy.users.keys(), 'ghost'];
        for (const [type, t] of engine.policy.resourceTypes) {
          for (const action of t.actions.keys()) {
            for (const user of users) {
              const filter = engine.filter(user, action, type);
              const pass = toPredicate(filter);
              for (const r of resources) {
                const expected = r.type === type && engine.can(user, action, r);
                if (pass(r) !== expected) {
                  throw new Error(`at ${new Date(at).toISOString()}: user ${JSON.stringify(user)} ${action} ${JSON.stringify(r)}: can=${expected}, filter=${JSON.stringify(filter)}`);
                }
                if (expected && engine.check(user, action, r).reasons.every((x) => x.source === 'record-share')) byShare++;
                compared++;
              }
            }
          }
        }
      }),
      runParams(300),
    );
    expect(compared).toBeGreaterThan(1000);
    // Records that only a share lets the user reach: the share clause itself is what admits them.
    if (!replaying) expect(byShare).toBeGreaterThan(20);
  });
});
