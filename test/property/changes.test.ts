/*
 * Property (b): random sequences of changes (immer recipes, valid or not). After each change
 * either
 *  - the engine rejected it with a typed error (InvalidInputError, GroupCycleError, RoleCycleError,
 *    TenantError), leaving its policy and revision exactly as they were, and a fresh engine built
 *    from the same recipe's result rejects it too; or
 *  - it accepted it, a fresh engine accepts the recipe's result too, and the engine then agrees
 *    with the reference evaluator on the new policy and with an engine built from scratch.
 */
import fc from 'fast-check';
import { produce, enableMapSet } from 'immer';
import { describe, expect, it } from 'vitest';
import { createEngine, toPolicyInput, type Engine, type Policy } from '../../src/index.js';
import { changeArb, changeScenarioArb, COLLIDING, GHOST, LARGE, scenarioArb, type Change, type Scenario } from '../arbitraries/policy.js';
import { replaying, runParams } from '../arbitraries/settings.js';
import { compareEngines, compareWithReference } from '../reference/compare.js';

enableMapSet();

const opts = { users: [GHOST], groups: [GHOST, '__proto__', 'constructor'] };
const TYPED = new Set(['InvalidInputError', 'GroupCycleError', 'RoleCycleError', 'TenantCycleError', 'TenantError']);

type Outcome = { ok: true; value: number | Engine } | { ok: false; name: string; message: string };

function outcome(f: () => number | Engine): Outcome {
  try {
    return { ok: true, value: f() };
  } catch (e) {
    return { ok: false, name: e instanceof Error ? e.name : typeof e, message: e instanceof Error ? e.message : String(e) };
  }
}

/**
 * JSON with object keys sorted, so that equal policies compare equal whatever order an entity's
 * fields were written in (a recipe's entity and a normalized one list them differently).
 * Built as text, so that a key such as `__proto__` stays an ordinary key.
 */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (typeof v === 'object' && v !== null) {
    const keys = Object.keys(v).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(v) ?? 'undefined';
}

const plain = (p: Policy): string => canonical(toPolicyInput(p));
const stats = { sequences: 0, changes: 0, accepted: 0, noops: 0, bumpedNoop: 0, otherError: 0, recipeThrew: 0, rewrites: 0, rejected: new Map<string, number>() };

/** Asks every kind of query once, filling whatever the engine caches. */
function warm(engine: Engine, s: Scenario): void {
  for (const u of s.policy.users ?? []) engine.groupsOf(u.id);
  for (const g of s.policy.groups ?? []) engine.membersOf(g.id);
  for (const r of s.resources) {
    engine.effectiveOwners(r);
    for (const action of Object.keys(new Map(Object.entries(s.policy.resourceTypes)).get(r.type)?.actions ?? {})) {
      engine.whoCan(action, r);
      for (const u of s.policy.users ?? []) engine.check(u.id, action, r);
    }
  }
}

function runSequence(s: Scenario, changes: readonly Change[]): void {
  stats.sequences++;
  const engine = createEngine({ policy: s.policy });
  // Every other sequence warms the engine's caches (profiles, memberships) before the first change,
  // so that changes meet both cold and warm indexes.
  if (stats.sequences % 2 === 0) warm(engine, s);
  changes.forEach((change, step) => {
    stats.changes++;
    const where = `step ${step} (${change.description})`;
    const before = engine.policy;
    const beforePlain = plain(before);
    const revision = engine.revision;
    const pinned = engine.snapshot();

    // What the change should do: the recipe applied to the same snapshot, judged by a fresh engine.
    // createEngine takes the produced policy as it is (Maps keyed by id, entities maybe partial)
    // and normalizes and validates all of it.
    let next: Policy;
    try {
      next = produce(before, change.recipe as unknown as (d: Policy) => void);
    } catch (recipeError) {
      // The recipe itself throws: the engine must pass the error on and change nothing.
      const got = outcome(() => engine.updateSync(change.recipe));
      expect(got.ok, `${where}: the recipe throws ${String(recipeError)} but the engine accepted it`).toBe(false);
      expect(engine.revision, `${where}: revision moved on a throwing recipe`).toBe(revision);
      expect(plain(engine.policy), `${where}: policy changed on a throwing recipe`).toBe(beforePlain);
      stats.recipeThrew++;
      return;
    }
    const fresh = outcome(() => createEngine({ policy: next }));
    const nextInput = (): string => {
      try {
        return JSON.stringify(toPolicyInput(next));
      } catch (e) {
        return `(unprintable: ${String(e)})`;
      }
    };

    const got = outcome(() => engine.updateSync(change.recipe));
    if (!got.ok) {
      stats.rejected.set(got.name, (stats.rejected.get(got.name) ?? 0) + 1);
      expect(TYPED.has(got.name), `${where}: rejected with ${got.name}: ${got.message}`).toBe(true);
      expect(engine.revision, `${where}: revision moved on a rejected change`).toBe(revision);
      expect(engine.policy === before || plain(engine.policy) === beforePlain, `${where}: policy changed on a rejected change`).toBe(true);
      expect(fresh.ok, `${where}: the engine rejected it (${got.name}: ${got.message}) but a fresh engine accepts the result ${nextInput()}`).toBe(false);
      // A change with several problems may be reported by either of them: only count disagreements.
      if (!fresh.ok && fresh.name !== got.name) {
        stats.otherError++;
        if (otherErrorExamples.length < 3) otherErrorExamples.push(`${change.description}: engine ${got.name} (${got.message}); fresh ${fresh.name} (${fresh.message})`);
      }
      return;
    }
    if (!fresh.ok) {
      throw new Error(`${where}: the engine accepted it but a fresh engine rejects the result with ${fresh.name}: ${fresh.message}\npolicy after: ${nextInput()}`);
    }
    stats.accepted++;
    const after = toPolicyInput(engine.policy);
    const changed = canonical(after) !== beforePlain;
    if (!changed) stats.noops++;
    else if (change.description.includes('joins alike')) stats.rewrites++;
    expect(got.value, `${where}: revision returned`).toBe(engine.revision);
    // An effective change moves the revision by one. A recipe that leaves the policy equal keeps it
    // when immer sees no change at all; one that writes equal values (a filtered copy of a list, a
    // group put and deleted) may still move it: counted, not failed.
    if (changed) expect(engine.revision, `${where}: revision after an effective change`).toBe(revision + 1);
    else {
      expect([revision, revision + 1], `${where}: revision after an empty change`).toContain(engine.revision);
      if (engine.revision !== revision) stats.bumpedNoop++;
    }
    // The engine stored what the recipe wrote.
    expect(canonical(after), `${where}: stored policy differs from the recipe's result`).toBe(plain((fresh.value as Engine).policy));

    // A snapshot pinned before the change still answers from the policy before it.
    expect(pinned.revision, `${where}: pinned snapshot's revision`).toBe(revision);
    expect(plain(pinned.policy), `${where}: pinned snapshot's policy`).toBe(beforePlain);
    if (changed) {
      const vsPinned = compareWithReference(pinned, toPolicyInput(before), s.resources, opts);
      if (vsPinned.length > 0) throw new Error(`${where}: a snapshot pinned before the change disagrees with the reference on the old policy:\n  ${vsPinned.join('\n  ')}\npolicy before: ${beforePlain}`);
    }
    const vsRef = compareWithReference(engine, after, s.resources, opts);
    if (vsRef.length > 0) throw new Error(`${where}: engine and reference disagree on the new policy:\n  ${vsRef.join('\n  ')}\npolicy after: ${JSON.stringify(after)}`);
    const scratch = createEngine({ policy: after });
    const vsScratch = compareEngines(engine, scratch, after, s.resources, opts);
    if (vsScratch.length > 0) throw new Error(`${where}: updated engine and engine built from scratch disagree:\n  ${vsScratch.join('\n  ')}\npolicy after: ${JSON.stringify(after)}`);
  });
}

const otherErrorExamples: string[] = [];

function summary(label: string): void {
  const rejected = [...stats.rejected].map(([k, v]) => `${k}=${v}`).join(' ');
  console.log(
    `${label}: ${stats.sequences} sequences, ${stats.changes} changes, ${stats.accepted} accepted (${stats.noops} left the policy equal, ${stats.bumpedNoop} of them with a new revision; ${stats.rewrites} of the effective ones rewrote a list that joins alike), rejected: ${rejected} (${stats.otherError} reported by another error than a fresh engine's), ${stats.recipeThrew} recipes threw`,
  );
  for (const e of otherErrorExamples.splice(0)) console.log(`  reported differently: ${e}`);
}

function resetStats(): void {
  Object.assign(stats, { sequences: 0, changes: 0, accepted: 0, noops: 0, bumpedNoop: 0, otherError: 0, recipeThrew: 0, rewrites: 0, rejected: new Map<string, number>() });
}

describe('random changes', () => {
  it('small policies: each change is rejected cleanly or lands, and the engine then agrees with the reference and a fresh engine', () => {
    resetStats();
    fc.assert(
      fc.property(changeScenarioArb(), (s) => runSequence(s, s.changes)),
      runParams(480),
    );
    summary('changes (small)');
    if (replaying) return;
    expect(stats.accepted - stats.noops).toBeGreaterThan(0);
    for (const name of TYPED) expect(stats.rejected.get(name) ?? 0, `${name} produced`).toBeGreaterThan(0);
  }, 180_000);

  it('changes drawn from the id pools alone (mostly no-ops and dangling references)', () => {
    resetStats();
    fc.assert(
      fc.property(scenarioArb(), fc.array(changeArb(), { minLength: 1, maxLength: 5 }), (s, changes) => runSequence(s, changes)),
      runParams(160),
    );
    summary('changes (pool ids)');
  }, 180_000);

  it('ids that collide under a separator: a list rewritten into its re-split twin is a change like any other', () => {
    resetStats();
    fc.assert(
      fc.property(changeScenarioArb(COLLIDING, 6, 2), (s) => runSequence(s, s.changes)),
      runParams(150),
    );
    summary('changes (colliding ids)');
    if (!replaying) expect(stats.rewrites, 'effective list rewrites').toBeGreaterThan(0);
  }, 180_000);

  it('larger policies with deeper nesting: long sequences of changes', () => {
    resetStats();
    fc.assert(
      fc.property(changeScenarioArb(LARGE, 12), (s) => runSequence(s, s.changes)),
      runParams(100),
    );
    summary('changes (large)');
    if (!replaying) expect(stats.accepted - stats.noops).toBeGreaterThan(0);
  }, 180_000);
});
