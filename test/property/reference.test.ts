/*
 * Property (a): the engine agrees with the reference evaluator (test/reference/evaluator.ts) on
 * check (allowed, denial, level, required, the best level per source), can, groupsOf, membersOf,
 * effectiveOwners and whoCan, over random valid policies and every user x action x resource.
 * Property (c): every decision is self-consistent: allowed => level is the highest reason level
 * and reaches the required level.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createEngine } from '../../src/index.js';
import { GHOST, LARGE, SMALL, scenarioArb, type Scenario } from '../arbitraries/policy.js';
import { queriesAt } from '../support/at-instant.js';
import { replaying, runParams } from '../arbitraries/settings.js';
import { compareWithReference, coverage, decisionInvariants } from '../reference/compare.js';

const opts = { users: [GHOST], groups: [GHOST, '__proto__', 'constructor'] };

describe('engine vs reference evaluator', () => {
  it('answers every query as the reference does, on random valid policies', () => {
    let policies = 0;
    fc.assert(
      fc.property(scenarioArb(), (s: Scenario) => {
        policies++;
        const engine = createEngine({ policy: s.policy });
        const problems = compareWithReference(engine, s.policy, s.resources, { ...opts, explain: policies % 10 === 0 });
        if (problems.length > 0) throw new Error(`engine and reference disagree:\n  ${problems.join('\n  ')}`);
      }),
      runParams(1000),
    );
    const denials = [...coverage.denials].map(([k, v]) => `${k}=${v}`).join(' ');
    const sources = [...coverage.sources].map(([k, v]) => `${k}=${v}`).join(' ');
    console.log(`reference: ${policies} policies, ${coverage.checks} checks (${coverage.allowed} allowed; denials ${denials}; sources granting ${sources}), ${coverage.queries} other queries`);
    // The generator must reach every outcome, or the comparison proves little.
    if (replaying) return;
    for (const d of ['unknown-user', 'inactive-user', 'tenant', 'capability', 'ceiling', 'record-access']) {
      expect(coverage.denials.get(d) ?? 0, `denial ${d} generated`).toBeGreaterThan(0);
    }
    expect(coverage.allowed).toBeGreaterThan(0);
    for (const s of ['owner', 'group-owner', 'hierarchy', 'default', 'sharing-rule', 'access-group', 'parent']) {
      expect(coverage.sources.get(s) ?? 0, `source ${s} generated`).toBeGreaterThan(0);
    }
  }, 120_000);

  it('answers every query as the reference does, on larger policies with deep nesting', () => {
    fc.assert(
      fc.property(scenarioArb(LARGE), (s: Scenario) => {
        const engine = createEngine({ policy: s.policy });
        const problems = compareWithReference(engine, s.policy, s.resources, opts);
        if (problems.length > 0) throw new Error(`engine and reference disagree:\n  ${problems.join('\n  ')}`);
      }),
      runParams(300),
    );
  }, 120_000);

  it('answers every query as the reference does on records with shares, at instants on and around their bounds', () => {
    const before = coverage.sources.get('record-share') ?? 0;
    fc.assert(
      fc.property(scenarioArb({ ...SMALL, shares: true }), (s: Scenario) => {
        const at = s.at as number;
        const problems = compareWithReference(queriesAt(s.policy, at), s.policy, s.resources, { ...opts, at, explain: true });
        if (problems.length > 0) throw new Error(`engine and reference disagree at ${new Date(at).toISOString()}:\n  ${problems.join('\n  ')}`);
      }),
      runParams(500),
    );
    if (!replaying) expect((coverage.sources.get('record-share') ?? 0) - before, 'record-share generated').toBeGreaterThan(0);
  }, 120_000);

  it('decisions are self-consistent: an allowed decision reaches its level through its reasons', () => {
    fc.assert(
      fc.property(scenarioArb(), fc.nat(), fc.nat(), fc.nat(), (s: Scenario, ui, ri, ai) => {
        const engine = createEngine({ policy: s.policy });
        const users = [...(s.policy.users ?? []).map((u) => u.id), GHOST];
        const user = users[ui % users.length] as string;
        const resource = s.resources[ri % s.resources.length]!;
        const type = new Map(Object.entries(s.policy.resourceTypes)).get(resource.type)!;
        const actions = Object.keys(type.actions);
        const action = actions[ai % actions.length] as string;
        const d = engine.check(user, action, resource);
        const problems = decisionInvariants(d);
        if (problems.length > 0) throw new Error(`${problems.join('; ')}\ndecision: ${JSON.stringify(d)}`);
        expect(engine.can(user, action, resource)).toBe(d.allowed);
        expect(d.user).toBe(user);
        expect(d.action).toBe(action);
        // SPEC 9: a controlled record without a tenant is in its parent's.
        let tenant: string | undefined;
        for (let r: typeof resource | undefined = resource; tenant === undefined && r !== undefined; r = r.parent) tenant = r.tenant;
        expect(d.resource).toEqual({ type: resource.type, id: resource.id, tenant: tenant ?? 'default' });
        expect(d.revision).toBe(engine.revision);
      }),
      runParams(1000),
    );
  }, 120_000);
});
