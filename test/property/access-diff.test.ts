/*
 * Property: accessDiff's flipped decisions are exactly those of a brute-force comparison, engine.check
 * on both policies for every user of either policy, every action of either side's type and every
 * resource, for random policy pairs (a random policy and the result of random changes applied to
 * it through immer recipes). So the narrowing to the decisions that can differ (src/diff/affected.ts)
 * leaves none out.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { accessDiff, createEngine, type Engine, type Policy, type Resource } from '../../src/index.js';
import { changeScenarioArb, COLLIDING, LARGE, SMALL, type ChangeScenario, type Size } from '../arbitraries/policy.js';
import { runParams } from '../arbitraries/settings.js';

const AS_OF = { asOf: '2026-01-01T00:00:00Z' };

/**
 * The policies the scenario's changes lead to, applied as recipes one after the other (a rejected
 * one skipped): the pairs compared are the first and each later one, so that single changes (which
 * the narrowing sees most often) and several at once are both compared.
 */
function versions(s: ChangeScenario): Policy[] {
  const engine = createEngine({ policy: s.policy });
  const out: Policy[] = [];
  for (const c of s.changes) {
    try {
      engine.updateSync(c.recipe);
      out.push(engine.policy);
    } catch {
      // A rejected change leaves the policy as it was.
    }
  }
  return out;
}

type Row = string;

function verdict(engine: Engine, user: string, action: string, r: Resource): { allowed: boolean; reasons: unknown } {
  if (engine.policy.resourceTypes.get(r.type)?.actions.has(action) !== true) return { allowed: false, reasons: [] };
  const d = engine.check(user, action, r, AS_OF);
  return { allowed: d.allowed, reasons: d.reasons };
}

/** Every flipped decision, checking every user x action x resource on both engines. */
function bruteForce(before: Engine, after: Engine, resources: readonly Resource[]): Row[] {
  const users = [...new Set([...before.policy.users.keys(), ...after.policy.users.keys()])];
  const rows: Row[] = [];
  for (const r of resources) {
    const actions = new Set([...(before.policy.resourceTypes.get(r.type)?.actions.keys() ?? []), ...(after.policy.resourceTypes.get(r.type)?.actions.keys() ?? [])]);
    for (const user of users) {
      for (const action of actions) {
        const x = verdict(before, user, action, r);
        const y = verdict(after, user, action, r);
        if (x.allowed !== y.allowed) rows.push(JSON.stringify([r.type, r.id, user, action, x.allowed, y.allowed, x.reasons, y.reasons]));
      }
    }
  }
  return rows.sort();
}

const stats = { cases: 0, narrowed: 0, narrowedWithFlips: 0, flips: 0, errors: 0 };

function property(size: Size, runs: number): void {
  fc.assert(
    fc.property(changeScenarioArb(size, 4), (s) => {
      const all = versions(s);
      const pairs: [Policy | ChangeScenario['policy'], Policy][] = all.map((p, i) => [i === 0 ? s.policy : (all[i - 1] as Policy), p]);
      if (all.length > 1) pairs.push([s.policy, all.at(-1) as Policy]);
      for (const [before, after] of pairs) comparePair(s, before, after);
    }),
    runParams(runs),
  );
}

function comparePair(s: ChangeScenario, before: Policy | ChangeScenario['policy'], after: Policy): void {
      stats.cases++;
      const oldEngine = createEngine({ policy: before });
      const newEngine = createEngine({ policy: after });
      // Resources of undeclared types or that a side rejects: the diff must reject them too.
      const resources = s.resources.filter((r) => oldEngine.policy.resourceTypes.has(r.type) || newEngine.policy.resourceTypes.has(r.type));
      let expected: Row[] | undefined;
      try {
        expected = bruteForce(oldEngine, newEngine, resources);
      } catch {
        expected = undefined;
      }
      if (expected === undefined) {
        stats.errors++;
        expect(() => accessDiff(before, after, resources, { ...AS_OF, limit: Number.MAX_SAFE_INTEGER })).toThrow();
        return;
      }
      const diff = accessDiff(before, after, resources, { ...AS_OF, limit: Number.MAX_SAFE_INTEGER });
      const got = diff.changes.map((c) => JSON.stringify([c.type, c.resource, c.user, c.action, c.before === 'allow', c.after === 'allow', c.reasonsBefore, c.reasonsAfter])).sort();
      expect(got).toEqual(expected);
      expect(diff.summary.changed).toBe(expected.length);
      expect(diff.summary.gained).toBe(diff.changes.filter((c) => c.after === 'allow').length);
      const users = new Set([...oldEngine.policy.users.keys(), ...newEngine.policy.users.keys()]).size;
      const full = resources.reduce((n, r) => n + users * new Set([...(oldEngine.policy.resourceTypes.get(r.type)?.actions.keys() ?? []), ...(newEngine.policy.resourceTypes.get(r.type)?.actions.keys() ?? [])]).size, 0);
      expect(diff.summary.compared).toBeLessThanOrEqual(full);
      if (diff.summary.compared < full) stats.narrowed++;
      stats.flips += expected.length;
      if (diff.summary.compared < full && expected.length > 0) stats.narrowedWithFlips++;
}

describe('accessDiff agrees with a brute-force comparison of check on both policies', () => {
  it('small policies over the nasty id pool', () => property(SMALL, 200));
  it('colliding ids, group-owned records', () => property(COLLIDING, 150));
  it('larger policies', () => property(LARGE, 60));
  it('narrowed the comparison in some cases and found flips in some', () => {
    expect(stats.narrowed).toBeGreaterThan(0);
    expect(stats.flips).toBeGreaterThan(0);
    // The narrowing is tested where it matters: pairs it narrowed that still had flips.
    expect(stats.narrowedWithFlips, JSON.stringify(stats)).toBeGreaterThan(20);
    console.log('accessDiff property:', JSON.stringify(stats));
  });
});
