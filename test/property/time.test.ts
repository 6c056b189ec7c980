/*
 * SPEC section 9, time-bound entries: the engine agrees with the reference evaluator at every
 * instant that matters (each bound exactly, a millisecond either side, far before and after), on
 * random policies with time-bound member entries, nesting edges, sharing rules and grants:
 *  - asked with `{ asOf }`;
 *  - asked at its clock, the clock moving back and forth across the bounds (views made and reused);
 *  - after random changes made at random instants (the view of each new revision made from the
 *    last one), also agreeing with an engine built from scratch;
 *  - `filter()` (as `toPredicate`) agrees with `can()` at each of those instants;
 *  - and every reason and membership step carries the `until` the entries that gave it have.
 * In memory; no server.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createEngine, toPolicyInput, toPredicate, type Engine, type Queries } from '../../src/index.js';
import type { PolicyInput } from '../../src/model/policy-input.js';
import { changeScenarioArb, GHOST, LARGE, scenarioArb, type Scenario } from '../arbitraries/policy.js';
import { runParams } from '../arbitraries/settings.js';
import { iso, QUERY_TIMES, retime, timeChoicesArb } from '../arbitraries/time.js';
import { policyAt, stepUntil } from '../reference/at-instant.js';
import { compareEngines, compareWithReference } from '../reference/compare.js';

const opts = { users: [GHOST], groups: [GHOST, '__proto__', 'constructor'] };

/** The queries of `q`, each asked with `{ asOf }` (and any options the caller gives). */
function asOf(q: Queries, at: string): Queries {
  const o = <T extends object>(options?: T): T & { asOf: string } => ({ ...(options ?? ({} as T)), asOf: at });
  return {
    revision: q.revision,
    policy: q.policy,
    check: (u, a, r, opt) => q.check(u, a, r, o(opt)),
    can: (u, a, r, opt) => q.can(u, a, r, o(opt)),
    explain: (u, a, r, opt) => q.explain(u, a, r, o(opt)),
    groupsOf: ((u: string, opt?: { paths?: boolean }) => q.groupsOf(u, o(opt) as never)) as Queries['groupsOf'],
    membersOf: (g, opt) => q.membersOf(g, o(opt)),
    effectiveOwners: (r, opt) => q.effectiveOwners(r, o(opt)),
    whoCan: (a, r, opt) => q.whoCan(a, r, o(opt)),
    permittedFields: (u, r, opt) => q.permittedFields(u, r, o(opt)),
    filter: (u, a, t, opt) => q.filter(u, a, t, o(opt)),
    for: (u) => q.for(u),
  };
}

const fail = (what: string, problems: string[]): void => {
  if (problems.length > 0) throw new Error(`${what}:\n  ${problems.join('\n  ')}`);
};

/** A permutation of the query times from a seed, so that the clock moves back and forth. */
function shuffled(seed: number): number[] {
  const out = [...QUERY_TIMES];
  let x = seed + 1;
  for (let i = out.length - 1; i > 0; i--) {
    x = (x * 1103515245 + 12345) % 2147483648;
    const j = x % (i + 1);
    [out[i], out[j]] = [out[j] as number, out[i] as number];
  }
  return out;
}

describe('time-bound entries: engine vs reference at every instant that matters', () => {
  it('with { asOf }', () => {
    fc.assert(
      fc.property(scenarioArb(), timeChoicesArb(), (s: Scenario, c) => {
        const policy = retime(c, s.policy);
        const engine = createEngine({ policy, clock: () => 0 });
        for (const t of QUERY_TIMES) fail(`at ${iso(t)}`, compareWithReference(asOf(engine, iso(t)), policyAt(policy, t), s.resources, opts));
      }),
      runParams(150),
    );
  }, 300_000);

  it('at the clock, moving back and forth', () => {
    fc.assert(
      fc.property(scenarioArb(LARGE), timeChoicesArb(), fc.nat(), (s: Scenario, c, seed) => {
        const policy = retime(c, s.policy, 4);
        let now = 0;
        const engine = createEngine({ policy, clock: () => now });
        for (const t of shuffled(seed).slice(0, 6)) {
          now = t;
          fail(`at ${iso(t)}`, compareWithReference(engine, policyAt(policy, t), s.resources, opts));
        }
      }),
      runParams(60),
    );
  }, 300_000);

  it('after random changes made at random instants', () => {
    fc.assert(
      fc.property(changeScenarioArb(), timeChoicesArb(), fc.nat(), (s, c, seed) => {
        let now = QUERY_TIMES[seed % QUERY_TIMES.length] as number;
        const engine: Engine = createEngine({ policy: retime(c, s.policy), clock: () => now });
        const times = shuffled(seed);
        s.changes.forEach((change, i) => {
          try {
            engine.updateSync(change.recipe);
          } catch {
            return; // a rejected change: the change suite checks that it changed nothing
          }
          now = times[i % times.length] as number;
          const input: PolicyInput = toPolicyInput(engine.policy);
          fail(`after ${change.description} at ${iso(now)}`, compareWithReference(engine, policyAt(input, now), s.resources, opts));
          const fresh = createEngine({ policy: input, clock: () => now });
          fail(`after ${change.description} at ${iso(now)}, against a fresh engine`, compareEngines(engine, fresh, input, s.resources, opts));
        });
      }),
      runParams(100),
    );
  }, 300_000);

  it('filter() agrees with can() at every instant that matters', () => {
    let compared = 0;
    fc.assert(
      fc.property(scenarioArb(), timeChoicesArb(), (s: Scenario, c) => {
        const policy = retime(c, s.policy);
        const engine = createEngine({ policy, clock: () => 0 });
        const users = [...engine.policy.users.keys(), GHOST];
        for (const t of QUERY_TIMES) {
          const at = { asOf: iso(t) };
          for (const [type, def] of engine.policy.resourceTypes) {
            for (const action of def.actions.keys()) {
              for (const user of users) {
                const pass = toPredicate(engine.filter(user, action, type, at));
                for (const r of s.resources) {
                  const want = r.type === type && engine.can(user, action, r, at);
                  if (pass(r) !== want) throw new Error(`at ${at.asOf}: user ${JSON.stringify(user)} ${action} ${JSON.stringify(r)}: can=${want}, filter disagrees`);
                  compared++;
                }
              }
            }
          }
        }
      }),
      runParams(40),
    );
    expect(compared).toBeGreaterThan(1000);
  }, 300_000);

  it('reasons and steps carry the until of the entries that gave them', () => {
    let bounded = 0;
    fc.assert(
      fc.property(scenarioArb(), timeChoicesArb(), (s: Scenario, c) => {
        const policy = retime(c, s.policy, 2);
        const groups = new Map((policy.groups ?? []).map((g) => [g.id, g]));
        const rules = new Map((policy.sharingRules ?? []).map((r) => [r.id, r]));
        for (const t of QUERY_TIMES) {
          const engine = createEngine({ policy, clock: () => t });
          for (const u of policy.users ?? []) {
            for (const r of s.resources) {
              const actions = Object.keys(new Map(Object.entries(policy.resourceTypes)).get(r.type)?.actions ?? {});
              for (const action of actions) {
                for (const reason of engine.check(u.id, action, r).reasons) {
                  const untils: number[] = [];
                  for (const path of [reason.path, reason.ownerPath ?? []]) {
                    path.forEach((step, i) => {
                      if (step.kind !== 'group') return;
                      const before = path[i - 1];
                      const m = groups.get(step.id)?.members ?? {};
                      // The lists an entry making `before` a member of this group may be in.
                      const lists =
                        i === 0 || before === undefined
                          ? []
                          : before.kind === 'user'
                            ? [m.users ?? []]
                            : before.kind === 'group'
                              ? [m.groups ?? []]
                              : before.via === 'has-role'
                                ? [[...(m.roles ?? []), ...(m.rolesAndSubordinates ?? [])]]
                                : [m.rolesAndSubordinates ?? []];
                      const want = lists.length === 0 ? undefined : stepUntil(lists[0] as never, before?.id as string, t);
                      const got = step.until === undefined ? undefined : Date.parse(step.until);
                      expect(got, `step ${step.id} after ${JSON.stringify(before)} at ${iso(t)}`).toBe(want);
                      if (want !== undefined) untils.push(want);
                    });
                  }
                  const rule = reason.rule === undefined ? undefined : rules.get(reason.rule);
                  if (rule?.until !== undefined) untils.push(Date.parse(rule.until));
                  if (reason.source !== 'access-group') {
                    const want = untils.length === 0 ? undefined : Math.min(...untils);
                    expect(reason.until === undefined ? undefined : Date.parse(reason.until), `reason ${JSON.stringify(reason)}`).toBe(want);
                  }
                  if (reason.until !== undefined) {
                    bounded++;
                    expect(Date.parse(reason.until)).toBeGreaterThan(t);
                  }
                }
              }
            }
          }
        }
      }),
      runParams(60),
    );
    expect(bounded).toBeGreaterThan(0);
  }, 300_000);
});
