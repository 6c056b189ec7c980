/*
 * Fuzzing the configurable limits (src/validate/limits.ts): maxEntities, maxGroupMembers,
 * maxNestingDepth. Policies with random numbers of users, random member lists (up to tens of
 * thousands of members in one group) and random chains of nested groups, against random limits set
 * around their actual sizes. The expected verdict is computed here from the plain policy:
 *  - load: a LimitError exactly when a measure exceeds its limit, naming one of the exceeded
 *    limits with its configured maximum and a message that says how to raise it;
 *  - changes (members added, entities added, groups put on top of, under, and into the middle of a
 *    chain): the same, judged on the policy the change would produce; a rejected change leaves
 *    `engine.policy` the same object, and no accepted snapshot is ever over a limit;
 *  - each case within the time budget (10 s for a 50,000-member group and a 100,000-deep chain).
 */
import fc from 'fast-check';
import { enableMapSet, produce } from 'immer';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { createEngine, InvalidInputError, LimitError, toPolicyInput, type Limits, type PolicyDraft, type PolicyInput } from '../../src/index.js';
import { breathe, ensure, FULL_RUN, fuzzParams, guard, show, Stats, TEST_TIMEOUT_MS } from './harness.js';
import { junkArb } from './junk.js';

// This suite drafts policies with immer itself (to judge what a change would produce): a policy's
// collections hold Maps, so immer's MapSet plugin must be on, as in any application that does so.
enableMapSet();

vi.setConfig({ testTimeout: TEST_TIMEOUT_MS });

const stats = new Stats();
const seen = { load: new Map<string, number>(), change: new Map<string, number>() };
const bump = (m: Map<string, number>, k: string): void => void m.set(k, (m.get(k) ?? 0) + 1);
afterAll(() => {
  console.log(stats.summary('fuzz limits'));
  const show = (m: Map<string, number>): string => [...m].sort().map(([k, v]) => `${k}=${v}`).join(' ');
  console.log(`  verdicts on load: ${show(seen.load)}; on change: ${show(seen.change)}`);
});

type Measure = 'maxEntities' | 'maxGroupMembers' | 'maxNestingDepth';
const MEASURES: readonly Measure[] = ['maxEntities', 'maxGroupMembers', 'maxNestingDepth'];

/** The three measures of a plain policy, computed from scratch. */
function measure(p: PolicyInput): Record<Measure, number> {
  const entities = [p.tenants, p.roles, p.users, p.groups, p.sharingRules, p.accessGroups].reduce((n, l) => n + (l?.length ?? 0), 0);
  let members = 0;
  const children = new Map<string, readonly string[]>();
  for (const g of p.groups ?? []) {
    const m = g.members ?? {};
    members = Math.max(members, (m.users?.length ?? 0) + (m.roles?.length ?? 0) + (m.rolesAndSubordinates?.length ?? 0) + (m.groups?.length ?? 0));
    children.set(g.id, (m.groups ?? []).map((e) => (typeof e === 'string' ? e : e.id)));
  }
  // Longest chain of nested groups, counting groups, by memoized iterative DFS (acyclic input).
  const depth = new Map<string, number>();
  for (const start of children.keys()) {
    const stack: [string, boolean][] = [[start, false]];
    while (stack.length > 0) {
      const [id, expanded] = stack.pop() as [string, boolean];
      if (depth.has(id)) continue;
      const cs = children.get(id) ?? [];
      if (expanded) depth.set(id, 1 + Math.max(0, ...cs.map((c) => depth.get(c) ?? 0)));
      else {
        stack.push([id, true]);
        for (const c of cs) if (!depth.has(c)) stack.push([c, false]);
      }
    }
  }
  return { maxEntities: entities, maxGroupMembers: members, maxNestingDepth: Math.max(0, ...depth.values()) };
}

function exceeded(p: PolicyInput, limits: Limits): Measure[] {
  const m = measure(p);
  return MEASURES.filter((k) => limits[k] !== undefined && m[k] > (limits[k] as number));
}

/* ------------------------------------------------------------------------------------------ */

interface Shape {
  readonly users: number;
  /** Member counts of flat groups (users only). */
  readonly flat: readonly number[];
  /** Length of a chain of nested groups c0 > c1 > ... (0: none). */
  readonly chain: number;
}

const shapeArb: fc.Arbitrary<Shape> = fc.record({
  users: fc.oneof({ weight: 4, arbitrary: fc.nat({ max: 40 }) }, { weight: 1, arbitrary: fc.nat({ max: 3_000 }) }, { weight: 1, arbitrary: fc.constant(20_000) }),
  flat: fc.array(fc.nat({ max: 60_000 }), { maxLength: 3 }),
  chain: fc.oneof({ weight: 4, arbitrary: fc.nat({ max: 30 }) }, { weight: 1, arbitrary: fc.nat({ max: 5_000 }) }),
});

function policyOf(s: Shape): PolicyInput {
  const users = Array.from({ length: s.users }, (_, i) => ({ id: `u${i}` }));
  const flat = s.flat.map((n, i) => ({ id: `f${i}`, members: { users: users.slice(0, Math.min(n, s.users)).map((u) => u.id) } }));
  const chain = Array.from({ length: s.chain }, (_, i) => ({ id: `c${i}`, members: i === s.chain - 1 ? { users: s.users > 0 ? ['u0'] : [] } : { groups: [`c${i + 1}`] } }));
  return { resourceTypes: { doc: { actions: { view: 'read' } } }, users, groups: [...flat, ...chain] };
}

/** A limit near `actual` (or absent). */
/** A limit near `actual` (or absent); limits are whole numbers of 1 or more. */
const limitArb = (actual: number): fc.Arbitrary<number | undefined> =>
  fc.oneof(fc.constant(undefined), fc.integer({ min: -3, max: 3 }).map((d) => Math.max(1, actual + d)), fc.integer({ min: 1, max: 10 }));

/** Whether a `limits` option is valid, from the contract: an object of the three limits, each a whole number of 1 or more or Infinity. */
function limitsValid(v: unknown): boolean {
  if (v === undefined) return true;
  // Plain data only (issue 10 item 5): a Map, a typed array, a class instance is not an options object.
  if (typeof v !== 'object' || v === null || Array.isArray(v) || ![Object.prototype, null].includes(Object.getPrototypeOf(v) as object | null)) return false;
  for (const k of Object.keys(v)) {
    if (!(MEASURES as readonly string[]).includes(k)) return false;
    const x = (v as Record<string, unknown>)[k];
    if (x === undefined) continue;
    if (typeof x !== 'number' || !(x === Infinity || (Number.isSafeInteger(x) && x >= 1))) return false;
  }
  return true;
}

describe('fuzz: limits', () => {
  it('on load: a LimitError exactly when a measure exceeds its limit', async () => {
    await fc.assert(
      fc.asyncProperty(
        shapeArb.chain((shape) => {
          const m = measure(policyOf(shape));
          return fc.record({ shape: fc.constant(shape), e: limitArb(m.maxEntities), g: limitArb(m.maxGroupMembers), d: limitArb(m.maxNestingDepth) });
        }),
        async ({ shape, e, g, d }) => {
          await breathe();
          stats.cases++;
          const policy = policyOf(shape);
          const limits: Limits = { ...(e === undefined ? {} : { maxEntities: e }), ...(g === undefined ? {} : { maxGroupMembers: g }), ...(d === undefined ? {} : { maxNestingDepth: d }) };
          const over = exceeded(policy, limits);
          const out = guard('createEngine({ limits })', () => createEngine({ policy, limits }), stats);
          bump(seen.load, out.ok ? 'accepted' : (out.error as LimitError).limit ?? out.error.name);
          if (over.length === 0) {
            ensure(out.ok, () => `within the limits ${show(limits)} (measures ${show(measure(policy))}) but rejected: ${out.ok ? '' : out.error.message}`);
            return;
          }
          ensure(!out.ok, () => `over ${over.join(', ')} (${show(limits)}, measures ${show(measure(policy))}) but accepted`);
          ensure(out.error instanceof LimitError, () => `expected LimitError, got ${out.error.name}: ${out.error.message}`);
          const err = out.error;
          ensure(over.includes(err.limit as Measure), () => `LimitError names ${err.limit}, but the exceeded limits are ${over.join(', ')}`);
          ensure(err.max === limits[err.limit as Measure], () => `LimitError.max ${err.max} is not the configured ${limits[err.limit as Measure]}`);
          ensure(err.code === 'limit' && err.message.includes(`the limit ${err.limit} is ${err.max}`) && err.message.includes('createEngine({ limits })'), () => `unclear message: ${err.message}`);
        },
      ),
      fuzzParams(120),
    );
    if (FULL_RUN) for (const k of [...MEASURES, 'accepted']) expect(seen.load.get(k) ?? 0, `${k} produced on load`).toBeGreaterThan(0);
  });

  it('on change: the verdict of the resulting policy, and a rejected change changes nothing', async () => {
    const changeArb = fc.record({
      kind: fc.constantFrom('addMembers', 'addUsers', 'onTop', 'underBottom', 'intoMiddle'),
      n: fc.oneof(fc.nat({ max: 5 }), fc.nat({ max: 1_500 })),
      at: fc.nat(),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.record({ users: fc.nat({ max: 60 }), flat: fc.array(fc.nat({ max: 60 }), { minLength: 1, maxLength: 2 }), chain: fc.nat({ max: 40 }) }),
        fc.record({ e: fc.oneof(fc.nat({ max: 40 }), fc.nat({ max: 3_000 })), g: fc.nat({ max: 40 }), d: fc.nat({ max: 8 }) }),
        fc.array(changeArb, { minLength: 1, maxLength: 6 }),
        async (shape, slack, changes) => {
          await breathe();
          stats.cases++;
          const policy = policyOf(shape);
          const m = measure(policy);
          const limits: Limits = { maxEntities: Math.max(1, m.maxEntities + slack.e), maxGroupMembers: Math.max(1, m.maxGroupMembers + slack.g), maxNestingDepth: Math.max(1, m.maxNestingDepth + slack.d) };
          const engine = createEngine({ policy, limits });
          let fresh = 0;
          for (const c of changes) {
            const p = engine.policy;
            const chain = [...p.groups.keys()].filter((id) => id.startsWith('c')).sort((a, b) => Number(a.slice(1)) - Number(b.slice(1)));
            const tag = `x${fresh++}`;
            const newGroup = (id: string, groups: string[]) => ({ id, tenant: 'default', members: { users: [], roles: [], rolesAndSubordinates: [], groups } });
            const recipe = (d: PolicyDraft): void => {
              switch (c.kind) {
                case 'addMembers': {
                  const g = d.groups.get('f0');
                  for (let i = 0; i < c.n; i++) {
                    const id = `${tag}u${i}`;
                    d.users.set(id, { id, tenant: 'default', status: 'active', tenants: [] });
                    g?.members.users.push(id);
                  }
                  break;
                }
                case 'addUsers':
                  for (let i = 0; i < c.n; i++) d.users.set(`${tag}u${i}`, { id: `${tag}u${i}`, tenant: 'default', status: 'active', tenants: [] });
                  break;
                case 'onTop': {
                  // A chain of n % 12 new groups above the top of the chain.
                  let below = chain[0];
                  for (let i = 0; i < 1 + (c.n % 12); i++) {
                    const id = `${tag}t${i}`;
                    d.groups.set(id, newGroup(id, below === undefined ? [] : [below]));
                    below = id;
                  }
                  break;
                }
                case 'underBottom': {
                  const bottom = chain[chain.length - 1];
                  const id = `${tag}b`;
                  d.groups.set(id, newGroup(id, []));
                  if (bottom !== undefined) d.groups.get(bottom)?.members.groups.push(id);
                  break;
                }
                case 'intoMiddle': {
                  // A new group between c[k] and c[k+1]: c[k] now also contains it, and it contains c[k+1].
                  if (chain.length < 2) break;
                  const k = c.at % (chain.length - 1);
                  const id = `${tag}m`;
                  d.groups.set(id, newGroup(id, [chain[k + 1] as string]));
                  d.groups.get(chain[k] as string)?.members.groups.push(id);
                  break;
                }
              }
            };
            const would = toPolicyInput(produce(p, recipe as never) as typeof p);
            const over = exceeded(would, limits);
            const out = guard(`change ${c.kind}`, () => engine.updateSync(recipe), stats);
            bump(seen.change, out.ok ? 'accepted' : (out.error as LimitError).limit ?? out.error.name);
            if (over.length === 0) {
              ensure(out.ok, () => `${c.kind}(${c.n}) within the limits ${show(limits)} (measures ${show(measure(would))}) but rejected: ${out.ok ? '' : out.error.message}`);
            } else {
              ensure(!out.ok, () => `${c.kind}(${c.n}) goes over ${over.join(', ')} (${show(limits)}, measures ${show(measure(would))}) but was accepted`);
              ensure(out.error instanceof LimitError && over.includes(out.error.limit as Measure), () => `${c.kind}: expected a LimitError for ${over.join(', ')}, got ${out.ok ? '' : `${out.error.name}: ${out.error.message}`}`);
              ensure(engine.policy === p, `${c.kind}: rejected, but engine.policy changed`);
            }
            ensure(exceeded(toPolicyInput(engine.policy), limits).length === 0, 'the engine holds a snapshot over its limits');
          }
        },
      ),
      fuzzParams(150),
    );
    if (FULL_RUN) for (const k of [...MEASURES, 'accepted']) expect(seen.change.get(k) ?? 0, `${k} produced on change`).toBeGreaterThan(0);
  });

  it('arbitrary values as limits: InvalidInputError exactly when the limits option is malformed', async () => {
    const numberArb = fc.oneof(fc.double(), fc.integer(), fc.constantFrom(0, -1, 1, 7, Number.NaN, Infinity, -Infinity, 0.5, 2 ** 53));
    const limitValue = fc.oneof({ weight: 3, arbitrary: numberArb }, { weight: 1, arbitrary: junkArb() });
    const tally = { valid: 0, invalid: 0 };
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(junkArb(), fc.record({ maxEntities: limitValue, maxGroupMembers: limitValue, maxNestingDepth: limitValue }, { requiredKeys: [] })),
        async (limits) => {
          await breathe();
          stats.cases++;
          const policy = policyOf({ users: 3, flat: [2], chain: 3 });
          const out = guard('createEngine({ limits: junk })', () => createEngine({ policy, limits: limits as never }), stats);
          if (limitsValid(limits)) {
            tally.valid++;
            ensure(out.ok || out.error instanceof LimitError, () => `valid limits ${show(limits)} gave ${out.ok ? '' : `${out.error.name}: ${out.error.message}`}`);
          } else {
            tally.invalid++;
            ensure(!out.ok && out.error instanceof InvalidInputError, () => `malformed limits ${show(limits)} gave ${out.ok ? 'an engine' : `${out.error.name}: ${out.error.message}`}`);
          }
        },
      ),
      fuzzParams(150),
    );
    if (FULL_RUN) expect(tally.valid > 0 && tally.invalid > 0).toBe(true);
  });

  /** These load 50,000 users or 100,000 groups before the limit is hit: about 1-2 s here. */
  const BIG_BUDGET_MS = 10_000;
  it('a 50,000-member group and a 100,000-deep chain hit their limits within 10 s, without a stack overflow', () => {
    const wide = policyOf({ users: 50_000, flat: [50_000], chain: 0 });
    const w = guard('createEngine(50,000 members, maxGroupMembers 1,000)', () => createEngine({ policy: wide, limits: { maxGroupMembers: 1_000 } }), stats, undefined, BIG_BUDGET_MS);
    expect(w.ok ? 'accepted' : w.error.message).toMatch(/group "f0" has 50000 members; the limit maxGroupMembers is 1000/);
    const deep = policyOf({ users: 1, flat: [], chain: 100_000 });
    const d = guard('createEngine(100,000-deep chain, maxNestingDepth 100)', () => createEngine({ policy: deep, limits: { maxNestingDepth: 100 } }), stats, undefined, BIG_BUDGET_MS);
    expect(d.ok ? 'accepted' : d.error.message).toMatch(/has \d+ levels of nested groups; the limit maxNestingDepth is 100 \(raise it/);
    const many = guard('createEngine(50,001 entities, maxEntities 50,000)', () => createEngine({ policy: wide, limits: { maxEntities: 50_000 } }), stats, undefined, BIG_BUDGET_MS);
    expect(many.ok ? 'accepted' : many.error.message).toMatch(/the policy has 50001 entities; the limit maxEntities is 50000/);
  });
});
