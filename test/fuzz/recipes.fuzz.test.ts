/*
 * Fuzzing the recipe contract (issue 10, items 1, 2 and 11): recipes that are async, return odd
 * values (a Date, a Map, a Set, a class instance, a promise that resolves or rejects, a thenable, a
 * number, a string, a bigint, a symbol, an array, null, a function, an object without a prototype,
 * a partial policy, a whole policy, the draft or a part of it), write the internals of the
 * collections, or call a change of their own engine, thrown at createEngine and at
 * openEngine(memoryRepository).
 *
 * After every change:
 *  - it landed validly or threw a PurviewError (update rejects, never throws synchronously);
 *  - an async recipe, a returned value other than undefined/the draft/a plain object, and a
 *    re-entrant call are InvalidInputError at ['recipe']; a write of `count` or `shards` with no
 *    replacement policy is an InvalidInputError;
 *  - on an error, the policy is the very same object, the revision is unchanged, and the
 *    repository's log is unchanged;
 *  - when it landed, the revision moved by one, the policy reloads into a fresh engine, and (shared)
 *    the repository holds it: a fresh openEngine on it has the same policy;
 *  - no unhandled rejection is left behind, whatever the recipe's promise does later;
 *  - updateSync on the shared engine (through a cast) throws a typed error and changes nothing.
 */
import fc from 'fast-check';
import { afterAll, afterEach, beforeEach, describe, it, vi } from 'vitest';
import {
  createEngine,
  InvalidInputError,
  memoryRepository,
  openEngine,
  PurviewError,
  toPolicyInput,
  type Engine,
  type EngineBase,
  type PolicyDraft,
  type PolicyInput,
} from '../../src/index.js';
import { scenarioArb } from '../arbitraries/policy.js';
import { breathe, ensure, fuzzParams, guard, guardAsync, show, Stats, TEST_TIMEOUT_MS, type Outcome } from './harness.js';

vi.setConfig({ testTimeout: TEST_TIMEOUT_MS });

const stats = new Stats();
afterAll(() => console.log(stats.summary('fuzz recipes')));

let unhandled: unknown[] = [];
const onUnhandled = (e: unknown): void => void unhandled.push(e);
beforeEach(() => {
  unhandled = [];
  process.on('unhandledRejection', onUnhandled);
});
afterEach(() => {
  process.off('unhandledRejection', onUnhandled);
});

class Instance {
  readonly users: unknown[] = [];
}

/** What the recipe returns. `bad` ones must be refused at ['recipe']. */
const RETURNS = {
  undefined: { bad: false, make: () => undefined },
  draft: { bad: false, make: (d: PolicyDraft) => d },
  date: { bad: true, make: () => new Date(0) },
  map: { bad: true, make: () => new Map() },
  set: { bad: true, make: () => new Set() },
  instance: { bad: true, make: () => new Instance() },
  promise: { bad: true, make: () => Promise.resolve() },
  rejecting: { bad: true, make: () => new Promise((_, reject) => setTimeout(() => reject(new Error('late')), 0)) },
  touchesLater: { bad: true, make: (d: PolicyDraft) => (async () => {
    await null;
    d.users.delete('a');
  })() },
  thenable: { bad: true, make: () => ({ then: (_ok: unknown, fail: (e: unknown) => void) => fail(new Error('thenable')) }) },
  number: { bad: true, make: () => 7 },
  nan: { bad: true, make: () => Number.NaN },
  string: { bad: true, make: () => 'policy' },
  bigint: { bad: true, make: () => 1n },
  symbol: { bad: true, make: () => Symbol('policy') },
  boolean: { bad: true, make: () => false },
  array: { bad: true, make: () => [] },
  null: { bad: true, make: () => null },
  function: { bad: true, make: () => () => undefined },
  usersDraft: { bad: true, make: (d: PolicyDraft) => d.users },
  nullProto: { bad: false, make: () => Object.create(null) as object },
  partial: { bad: false, make: (_d: PolicyDraft, p: PolicyInput) => ({ users: p.users ?? [] }) },
  whole: { bad: false, make: (_d: PolicyDraft, p: PolicyInput) => ({ ...p, users: (p.users ?? []).slice(1) }) },
  wholeNullProto: { bad: false, make: (_d: PolicyDraft, p: PolicyInput) => Object.assign(Object.create(null) as object, p) },
  groupDraft: { bad: false, make: (d: PolicyDraft) => [...d.groups.values()][0] ?? Object.create(null) },
} as const;
type ReturnKind = keyof typeof RETURNS;

/** What the recipe does to the draft before returning. */
const EDITS = ['none', 'deleteUser', 'addUser', 'count', 'countWithSet', 'shards', 'reentrantSync', 'reentrantUpdate', 'reentrantCommand'] as const;
type Edit = (typeof EDITS)[number];

interface Shape {
  readonly async: boolean;
  readonly edit: Edit;
  readonly returns: ReturnKind;
  readonly pick: number;
}

const GOOD_RETURNS: readonly ReturnKind[] = ['undefined', 'draft', 'whole', 'partial', 'nullProto', 'wholeNullProto'];
const shapeArb: fc.Arbitrary<Shape> = fc.record({
  async: fc.nat({ max: 3 }).map((n) => n === 0),
  edit: fc.oneof({ arbitrary: fc.constantFrom<Edit>('none', 'deleteUser', 'addUser'), weight: 2 }, { arbitrary: fc.constantFrom(...EDITS), weight: 1 }),
  returns: fc.oneof({ arbitrary: fc.constantFrom(...GOOD_RETURNS), weight: 1 }, { arbitrary: fc.constantFrom(...(Object.keys(RETURNS) as ReturnKind[])), weight: 1 }),
  pick: fc.nat(),
});

function recipeOf(shape: Shape, engine: EngineBase & { updateSync?: unknown }, input: PolicyInput): (d: PolicyDraft) => unknown {
  const users = [...engine.policy.users.keys()];
  const user = users.length === 0 ? 'ghost' : (users[shape.pick % users.length] as string);
  const body = (d: PolicyDraft): unknown => {
    const internals = d.users as unknown as { count: number; shards: unknown };
    switch (shape.edit) {
      case 'deleteUser':
        d.users.delete(user);
        break;
      case 'addUser':
        d.users.set(`new-${shape.pick}`, { id: `new-${shape.pick}` } as never);
        break;
      case 'count':
        internals.count += 7;
        break;
      case 'countWithSet':
        d.users.set(`new-${shape.pick}`, { id: `new-${shape.pick}` } as never);
        internals.count -= 1;
        break;
      case 'shards':
        internals.shards = new Map();
        break;
      case 'reentrantSync':
        (engine as unknown as Engine).updateSync((x) => void x.users.delete(user));
        break;
      case 'reentrantUpdate':
        void engine.update((x) => void x.users.delete(user));
        break;
      case 'reentrantCommand':
        void engine.setStatus(user, 'inactive');
        break;
      default:
        break;
    }
    return RETURNS[shape.returns].make(d, input);
  };
  if (!shape.async) return body;
  return async (d: PolicyDraft) => {
    if (shape.pick % 2 === 0) await null;
    return body(d);
  };
}

/** Whether the recipe must be refused, and at which path when that is certain. */
function expected(shape: Shape, shared: boolean): { readonly refused: boolean; readonly atRecipe: boolean } {
  if (shape.async) return { refused: true, atRecipe: true };
  // On a shared engine, updateSync itself is refused (at ['updateSync']) before re-entrancy is.
  if (shared && shape.edit === 'reentrantSync') return { refused: true, atRecipe: false };
  if (shape.edit.startsWith('reentrant') || RETURNS[shape.returns].bad) return { refused: true, atRecipe: true };
  // (deleteUser changes nothing when there is no user.)
  const edits = shape.edit === 'addUser' || shape.edit === 'count' || shape.edit === 'countWithSet' || shape.edit === 'shards';
  const replaces = shape.returns !== 'undefined' && shape.returns !== 'draft';
  // immer refuses a recipe that both changed the draft and returned a new value.
  if (edits && replaces) return { refused: true, atRecipe: true };
  if (replaces) return { refused: false, atRecipe: false };
  if (shape.edit === 'count' || shape.edit === 'countWithSet' || shape.edit === 'shards') return { refused: true, atRecipe: false };
  return { refused: false, atRecipe: false };
}

const flush = (): Promise<void> => new Promise((r) => setTimeout(r, 2));

interface Before {
  readonly policy: unknown;
  readonly revision: number;
  readonly log?: string;
}

function judge(engine: EngineBase, before: Before, out: Outcome<unknown>, shape: Shape, log: (() => string) | undefined): void {
  const what = show(shape);
  const want = expected(shape, log !== undefined);
  if (!out.ok) {
    ensure(engine.policy === before.policy, () => `${what}: threw ${out.error.name} but the policy changed`);
    ensure(engine.revision === before.revision, () => `${what}: threw ${out.error.name} but the revision moved`);
    if (log !== undefined) ensure(log() === before.log, () => `${what}: threw ${out.error.name} but the repository changed`);
    if (want.refused) ensure(out.error instanceof InvalidInputError, () => `${what}: expected InvalidInputError, got ${out.error.name}: ${out.error.message}`);
    if (want.atRecipe) ensure(show(out.error.path) === show(['recipe']), () => `${what}: expected path ['recipe'], got ${show(out.error.path)}: ${out.error.message}`);
    return;
  }
  ensure(!want.refused, () => `${what}: must be refused, but it returned (revision ${before.revision} -> ${engine.revision})`);
  if (engine.policy === before.policy) {
    ensure(engine.revision === before.revision, () => `${what}: nothing changed but the revision moved`);
    return;
  }
  ensure(engine.revision === before.revision + 1, () => `${what}: the revision moved from ${before.revision} to ${engine.revision}`);
  const again = guard('createEngine(stored policy after a recipe)', () => createEngine({ policy: toPolicyInput(engine.policy) }), stats);
  ensure(again.ok, () => `${what}: landed, but the stored policy does not reload`);
}

describe('fuzz: recipes', () => {
  it('createEngine: async and odd-valued recipes are refused cleanly or land validly', async () => {
    await fc.assert(
      fc.asyncProperty(scenarioArb(), fc.array(shapeArb, { minLength: 1, maxLength: 4 }), async (s, shapes) => {
        await breathe();
        stats.cases++;
        const engine = createEngine({ policy: s.policy });
        let flip = 0;
        for (const shape of shapes) {
          const input = toPolicyInput(engine.policy);
          const recipe = recipeOf(shape, engine, input) as (d: PolicyDraft) => void;
          const before: Before = { policy: engine.policy, revision: engine.revision };
          const out: Outcome<unknown> =
            flip++ % 2 === 0 ? await guardAsync('update(recipe)', () => engine.update(recipe), stats) : guard('updateSync(recipe)', () => engine.updateSync(recipe), stats);
          judge(engine, before, out, shape, undefined);
        }
        await flush();
        ensure(unhandled.length === 0, () => `unhandled rejections: ${unhandled.map((e) => String(e)).join('; ')}`);
      }),
      fuzzParams(150),
    );
  });

  it('openEngine(memoryRepository): the same, and the repository never holds a refused change', async () => {
    await fc.assert(
      fc.asyncProperty(scenarioArb(), fc.array(shapeArb, { minLength: 1, maxLength: 3 }), async (s, shapes) => {
        await breathe();
        stats.cases++;
        const repository = memoryRepository(s.policy);
        const engine = await openEngine({ repository, pollIntervalMs: 0 });
        const log = (): string => JSON.stringify(repository.log());
        try {
          for (const shape of shapes) {
            const input = toPolicyInput(engine.policy);
            const recipe = recipeOf(shape, engine, input) as (d: PolicyDraft) => void;
            const before: Before = { policy: engine.policy, revision: engine.revision, log: log() };
            // The synchronous write a shared engine does not have: typed, and nothing changes.
            const sync = guard('shared.updateSync (cast)', () => (engine as unknown as Engine).updateSync(recipe), stats);
            ensure(!sync.ok && sync.error instanceof PurviewError, 'updateSync on a shared engine must throw a typed error');
            ensure(engine.policy === before.policy && log() === before.log, 'updateSync on a shared engine changed something');
            const out = await guardAsync('shared.update(recipe)', () => engine.update(recipe), stats);
            judge(engine, before, out, shape, log);
            if (out.ok && engine.revision !== before.revision) {
              ensure(repository.log().length === engine.revision, 'the repository does not hold the landed change');
              const fresh = await openEngine({ repository, pollIntervalMs: 0 });
              const same = show(toPolicyInput(fresh.policy), 1e9) === show(toPolicyInput(engine.policy), 1e9);
              await fresh.close();
              ensure(same, () => `${show(shape)}: a fresh engine on the repository has another policy`);
            }
          }
        } finally {
          await engine.close();
        }
        await flush();
        ensure(unhandled.length === 0, () => `unhandled rejections: ${unhandled.map((e) => String(e)).join('; ')}`);
      }),
      fuzzParams(100),
    );
  });
});
