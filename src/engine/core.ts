import type { Patch } from 'immer';
import { can as canLive, check as checkLive } from '../decide/check.js';
import { DECISION_HOOK_KEYS, decisionReporterOf, ended, hookErrorOf, readDecisionHooks, started, type DecisionHookOptions } from './decision-hook.js';
import { InvalidInputError, PurviewError } from '../errors/errors.js';
import { normalizePolicy } from '../model/normalize.js';
import type { Policy } from '../model/policy.js';
import type { PolicyInput } from '../model/policy-input.js';
import { toPolicyInput } from '../model/serialize.js';
import { reverseEdges } from '../compile/reverse-edges.js';
import { TimedIndex } from '../compile/timed-index.js';
import type { ValidationContext } from '../validate/context.js';
import { validatePolicy } from '../validate/validate-policy.js';
import { checkLimits, type Limits } from '../validate/limits.js';
import { bare, describe, expectObject, fail, onlyKeys, own } from '../model/shape.js';
import { validateChange } from '../changes/validate-change.js';
import type { ResourceStore } from '../ports/resource-store.js';
import { noResources } from './no-resources.js';
import type { ChangeRecord } from '../ports/change-record.js';
import { changeSetOf, touchedOf, type ChangeSet, type EntityCollection } from '../changes/change-set.js';
import { sameData } from '../model/same-data.js';
import { recordOf } from '../changes/change-record-of.js';
import { commandsOf } from './commands.js';
import { entityCommandsOf } from './entity-commands.js';
import { produceWithPatches } from '../changes/immer.js';
import { deepFreeze } from '../model/freeze.js';
import { applyOps, type Op } from '../changes/ops.js';
import { opsOfRecipe } from '../changes/recipe-ops.js';
import { isEmptyChange, policyDiff } from '../changes/policy-diff.js';
import { queriesOver } from './snapshot-view.js';
import type { Engine, Queries, Recipe } from './types.js';

/** Options of {@link createEngine}. */
export interface EngineOptions extends DecisionHookOptions {
  /** The policy, as plain data (JSON or YAML) or as an engine's `policy`. */
  readonly policy: PolicyInput | Policy;
  /** Where the records live, for transfers on group deletion and moves between access groups. Defaults to an empty in-memory store. */
  readonly resources?: ResourceStore;
  /** The revision of the initial snapshot (default 0); repositories pass the stored one. */
  readonly revision?: number;
  /** Size limits that every snapshot must stay within (see {@link Limits}). */
  readonly limits?: Limits;
  /**
   * The engine's clock: a function returning the current instant in epoch milliseconds (default
   * `Date.now`). A query without `asOf` is answered at the clock's instant: a time-bound entry
   * stops counting at its `until` with no change to the policy.
   */
  readonly clock?: () => number;
}

export type { PreparedChange } from './prepared-change.js';
import type { PreparedChange } from './prepared-change.js';

interface State {
  policy: Policy;
  revision: number;
  index: TimedIndex;
  ctx: ValidationContext;
}

/** The engine's clock, checked on every reading: anything but a finite number is an error, never an instant. */
function checkedClock(clock: () => number): () => number {
  return () => {
    const t = clock();
    if (typeof t !== 'number' || !Number.isFinite(t)) {
      throw new InvalidInputError({ message: `the engine's clock returned ${describe(t)}; a clock returns the current instant in epoch milliseconds (a finite number), as Date.now does`, path: ['options', 'clock'] });
    }
    return t;
  };
}

/** Whether a value is a promise or any other thenable (read without running a getter twice). */
function thenOf(value: unknown): ((onFulfilled: unknown, onRejected: (e: unknown) => void) => unknown) | undefined {
  if ((typeof value !== 'object' || value === null) && typeof value !== 'function') return undefined;
  try {
    const then = (value as { then?: unknown }).then;
    return typeof then === 'function' ? (then as (a: unknown, b: (e: unknown) => void) => unknown) : undefined;
  } catch {
    return undefined;
  }
}

/** A short description of a value for a message: its kind, never its content. */
function kindOf(value: unknown): string {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return describe(value);
  const tag = Object.prototype.toString.call(value).slice(8, -1);
  if (tag !== 'Object') return `a ${tag}`;
  try {
    const name = (Object.getPrototypeOf(value) as { constructor?: { name?: unknown } } | null)?.constructor?.name;
    if (typeof name === 'string' && name !== '' && name !== 'Object') return `an instance of ${name.slice(0, 64)}`;
  } catch {
    // a hostile prototype: say no more
  }
  return describe(value);
}

/** What a recipe may return besides `undefined`: a whole policy, as a plain object (or one without a prototype). */
function isPlainObject(value: unknown): value is object {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

const NOT_SYNC =
  'a recipe must be synchronous: do the awaiting first, then pass a synchronous recipe (draft => { ... }) that changes the draft or returns a whole new policy';

/** The error of a recipe that broke the recipe contract; nothing of its change lands. */
function recipeError(message: string, cause?: unknown): InvalidInputError {
  return new InvalidInputError({ message, path: ['recipe'], ...(cause === undefined ? {} : { cause }) });
}

/**
 * Runs a recipe under immer. A recipe must be a synchronous function that changes the draft and
 * returns `undefined`, or returns a whole new policy as a plain object. Anything else (an async
 * recipe, a promise, a Date, a Map, a class instance, a number, a string, an array, null) is an
 * `InvalidInputError` at `['recipe']` before anything lands; a returned promise is observed, so
 * that its later rejection is never unhandled. A recipe that throws, or writes something immer
 * cannot take (a Set of odd objects, a function), fails as an `InvalidInputError` carrying the
 * original as `cause`.
 */
function runRecipe(policy: Policy, recipe: Recipe): readonly [Policy, Patch[]] {
  if (typeof recipe !== 'function') throw recipeError(`a recipe is a function (draft => { ... }), got ${describe(recipe)}`);
  const tag = Object.prototype.toString.call(recipe);
  if (tag === '[object AsyncFunction]' || tag === '[object AsyncGeneratorFunction]' || tag === '[object GeneratorFunction]') {
    throw recipeError(`${NOT_SYNC}; got an ${tag === '[object AsyncFunction]' ? 'async function' : 'generator function'}`);
  }
  const guarded = (draft: Policy): unknown => {
    const out = (recipe as unknown as (d: Policy) => unknown)(draft);
    if (out === undefined || out === draft) return undefined;
    const then = thenOf(out);
    if (then !== undefined) {
      // Observe the promise: its rejection (the recipe touching a revoked draft) is this error's business.
      try {
        then.call(out, undefined, () => undefined);
      } catch {
        // A thenable whose then throws: nothing to observe.
      }
      throw recipeError(`${NOT_SYNC}; it returned a promise`);
    }
    if (!isPlainObject(out)) {
      throw recipeError(`a recipe returns undefined (after changing the draft) or a whole new policy as a plain object, got ${kindOf(out)}`);
    }
    return out;
  };
  try {
    const [next, patches] = produceWithPatches(policy, guarded as unknown as (d: Policy) => void);
    if (thenOf(next) !== undefined) throw recipeError(`${NOT_SYNC}; it returned a promise`);
    return [next, patches];
  } catch (e) {
    if (e instanceof PurviewError) throw e;
    throw recipeError(`the change could not be applied: ${e instanceof Error ? e.message : String(e)}`, e);
  }
}

/**
 * Checks the options' shape, so that `createEngine(null)` is a typed error too, and copies them:
 * own properties only, each read once (an inherited `policy` or `limits` never counts).
 */
function checkEngineOptions(options: unknown): EngineOptions {
  const o = expectObject(options, ['options'], 'an options object ({ policy })');
  onlyKeys(o, ['policy', 'resources', 'revision', 'limits', 'clock', ...DECISION_HOOK_KEYS], ['options']);
  const clock = own(o, 'clock');
  if (clock !== undefined && typeof clock !== 'function') fail(['options', 'clock'], `expected a function returning epoch milliseconds (like Date.now), got ${describe(clock)}`);
  const revision = own(o, 'revision');
  if (revision !== undefined && !(typeof revision === 'number' && Number.isSafeInteger(revision) && revision >= 0)) {
    fail(['options', 'revision'], `expected a whole number of 0 or more, got ${describe(revision)}`);
  }
  const limits = own(o, 'limits');
  checkLimits(limits);
  const resources = own(o, 'resources');
  const hooks = readDecisionHooks(o);
  return bare({
    ...hooks,
    policy: own(o, 'policy') as PolicyInput,
    ...(resources === undefined ? {} : { resources: resources as ResourceStore }),
    ...(revision === undefined ? {} : { revision }),
    ...(limits === undefined ? {} : { limits: bare({ ...(limits as Limits) }) }),
    ...(clock === undefined ? {} : { clock: clock as () => number }),
  });
}

/**
 * Removes from a change set the entities whose new value equals the old one (a recipe that
 * rewrote a list with the same items), so that a change that changes nothing keeps the revision.
 */
function dropUnchanged(before: Policy, after: Policy, changes: ChangeSet): ChangeSet {
  const ids = changes.ids as Map<EntityCollection, Set<string>>;
  for (const [collection, set] of ids) {
    for (const id of set) if (sameData(before[collection].get(id), after[collection].get(id))) set.delete(id);
    if (set.size === 0) ids.delete(collection);
  }
  for (const id of changes.frame.tenants) if (sameData(before.tenants.get(id), after.tenants.get(id))) changes.frame.tenants.delete(id);
  return changes;
}

/** The commands, each refused (an observed rejection) while a recipe of this engine runs. */
function guardCommands<C extends object>(commands: C, running: () => boolean, refused: <T>() => Promise<T>): C {
  const out = {} as Record<string, unknown>;
  for (const [name, fn] of Object.entries(commands) as [string, (...args: unknown[]) => Promise<unknown>][]) {
    out[name] = (...args: unknown[]) => (running() ? refused() : fn(...args));
  }
  return out as C;
}

/** The engine's machinery, shared by `createEngine` and `openEngine`. */
export interface Core {
  readonly engine: Engine;
  /** Computes a recipe's change on the current snapshot, validated; undefined when it changes nothing. */
  prepare(recipe: Recipe): PreparedChange | undefined;
  /** Computes the change that replaces the whole policy, landing at `revision` (default: the next). */
  prepareReplace(policy: PolicyInput | Policy, revision?: number): PreparedChange;
  /**
   * Computes the change that turns the current policy into `policy` entity by entity (a new policy
   * version applied over the current one), validated as one change; undefined when it changes nothing.
   */
  prepareVersion(policy: PolicyInput | Policy): PreparedChange | undefined;
  /**
   * Computes a change replayed from a change log at a given revision: like `prepare`, but a
   * record that changes nothing still moves the revision on.
   */
  prepareAt(change: Recipe | readonly Op[], revision: number): PreparedChange;
  /** The current revision. */
  revision(): number;
}

/**
 * Builds the engine's core. `commit` decides how a prepared change lands: the in-memory engine
 * installs it; a shared engine appends it to its repository first.
 */
export function createCore(
  input: EngineOptions,
  commit: (p: PreparedChange) => Promise<number>,
  /** Catches up with changes that landed elsewhere (a shared engine's repository); default: nothing to do. */
  sync: () => Promise<void> = () => Promise.resolve(),
): Core {
  const options = checkEngineOptions(input);
  const policy = deepFreeze(normalizePolicy(options.policy));
  const ctx = validatePolicy(policy, options.limits);
  const revision0 = options.revision ?? 0;
  const clock = options.clock === undefined ? Date.now : checkedClock(options.clock);
  let state: State = { policy, revision: revision0, index: TimedIndex.build(policy, ctx, revision0, clock), ctx };
  const resources = options.resources ?? noResources();
  const listeners = new Set<(revision: number) => void>();
  // Undefined without hooks: every query then takes exactly the path it takes in an engine without them.
  const reporter = decisionReporterOf(options, options.clock ?? Date.now);

  function notify(): void {
    for (const l of listeners) {
      try {
        l(state.revision);
      } catch {
        // A listener's failure is its own; it must not undo a change that landed.
      }
    }
  }

  function guard(base: State): void {
    if (state !== base) throw new Error('purview internal error: a change was prepared on an older snapshot');
  }

  function prepareReplace(input: PolicyInput | Policy, at?: number, changes?: ChangeSet): PreparedChange {
    const base = state;
    const full = deepFreeze(normalizePolicy(input));
    const fullCtx = validatePolicy(full, options.limits);
    const revision = at ?? base.revision + 1;
    // Compiled before anything lands: a change that cannot be compiled never reaches a repository.
    // With fresh interners: a whole-policy rebuild also forgets the ids of deleted entities (older
    // snapshots keep their own interners).
    const index = TimedIndex.build(full, fullCtx, revision, clock);
    return {
      base: base.revision,
      revision,
      policy: full,
      // A change the log can describe entity by entity is kept that way, however it lands here.
      record: changes === undefined || changes.opaque ? { revision, replace: toPolicyInput(full) } : recordOf(changes, full, revision),
      install: () => {
        guard(base);
        state = { policy: full, revision, index, ctx: fullCtx };
        notify();
        return revision;
      },
    };
  }

  function prepareAt(change: Recipe | readonly Op[], at: number): PreparedChange {
    const base = state;
    const prepared = typeof change === 'function' ? prepare(change, at) : prepareOps(change, at);
    if (prepared !== undefined) return prepared;
    return {
      base: base.revision,
      revision: at,
      policy: base.policy,
      record: { revision: at, ops: [] },
      install: () => {
        guard(base);
        state = { ...base, revision: at, index: base.index.atRevision(at) };
        notify();
        return at;
      },
    };
  }

  // Set while a caller's recipe runs: a change started from inside it (updateSync, update, a
  // command) is refused, and so is the recipe that started it, so that nothing half-applies.
  let running = false;
  let reentered = false;
  const reentrancy = (): InvalidInputError =>
    new InvalidInputError({ message: 'a recipe must not change the engine it runs on (updateSync, update or a command called from inside a recipe): make the whole change in one recipe, or make the second change after the first returns', path: ['recipe'] }
    );
  /** A rejected promise for a change refused because a recipe is running, already observed. */
  const refused = <T>(): Promise<T> => {
    reentered = true;
    const p = Promise.reject<T>(reentrancy());
    p.catch(() => undefined);
    return p;
  };

  function prepare(recipe: Recipe, at?: number): PreparedChange | undefined {
    if (running) {
      reentered = true;
      throw reentrancy();
    }
    const base = state;
    running = true;
    reentered = false;
    let next: Policy;
    let patches: Patch[];
    try {
      [next, patches] = runRecipe(base.policy, recipe);
    } finally {
      running = false;
    }
    if (reentered) {
      reentered = false;
      throw reentrancy();
    }
    if (patches.length === 0) return undefined;
    const changes = changeSetOf(patches, base.policy, next);
    if (changes.full) return prepareReplace(next, at, changes);
    return prepareOps(opsOfRecipe(next, changes), at);
  }

  /**
   * Computes a change given as operations on the current snapshot: the next policy, validated
   * entity by entity, and its compiled snapshot, all before anything lands; undefined when it
   * changes nothing. Recipes, commands and replayed change records all come through here.
   */
  function prepareOps(ops: readonly Op[], at?: number): PreparedChange | undefined {
    const base = state;
    const { next, changes } = applyOps(base.policy, ops);
    const revision = at ?? base.revision + 1;
    const left = dropUnchanged(base.policy, next, changes);
    if (left.ids.size === 0 && left.frame.tenants.size === 0) return undefined;
    const nextCtx: ValidationContext = { ...base.ctx, policy: next };
    validateChange(nextCtx, reverseEdges(base.index.structure), base.policy, next, changes);
    // The new snapshot, made before anything lands; the base snapshot is never written to, so a
    // failure here leaves nothing to undo or rebuild.
    const index = base.index.next(next, nextCtx, touchedOf(changes), revision, clock);
    return {
      base: base.revision,
      revision,
      policy: next,
      record: recordOf(changes, next, revision),
      install: () => {
        guard(base);
        state = { policy: next, revision, index, ctx: nextCtx };
        notify();
        return revision;
      },
    };
  }

  function prepareVersion(input: PolicyInput | Policy): PreparedChange | undefined {
    if (running) {
      reentered = true;
      throw reentrancy();
    }
    const base = state;
    const full = deepFreeze(normalizePolicy(input));
    const changes = policyDiff(base.policy, full);
    if (isEmptyChange(changes)) return undefined;
    // Resource types and access levels recompile the whole snapshot (as a recipe changing them
    // does), but the change log still describes the change entity by entity.
    if (changes.full) return prepareReplace(full, undefined, changes);
    const ops: Op[] = [];
    for (const [collection, ids] of changes.ids) {
      for (const id of ids) {
        const e = full[collection].get(id);
        ops.push(e === undefined ? { op: 'delete', collection, id } : { op: 'put', collection, id, entity: e });
      }
    }
    for (const id of changes.frame.tenants) {
      const e = full.tenants.get(id);
      ops.push(e === undefined ? { op: 'delete', collection: 'tenants', id } : { op: 'put', collection: 'tenants', id, entity: e });
    }
    return prepareOps(ops);
  }

  // The queries of the current snapshot, made once per snapshot rather than once per call.
  let view: { readonly of: State; readonly queries: Queries } | undefined;
  const current = (): Queries => {
    if (view?.of !== state) view = { of: state, queries: queriesOver(state.policy, state.index, reporter) };
    return view.queries;
  };
  const run = (recipe: Recipe): Promise<number> => {
    if (running) return refused();
    let prepared: PreparedChange | undefined;
    try {
      prepared = prepare(recipe);
    } catch (e) {
      return Promise.reject(e);
    }
    return prepared === undefined ? Promise.resolve(state.revision) : commit(prepared);
  };

  const entityCommands = guardCommands(entityCommandsOf({ prepareOps: (ops) => prepareOps(ops), prepareVersion, commit, revision: () => state.revision, policy: () => state.policy, edges: () => reverseEdges(state.index.structure) }), () => running, refused);
  const otherCommands = guardCommands(commandsOf({ prepareOps: (ops) => prepareOps(ops), commit, edges: () => reverseEdges(state.index.structure), revision: () => state.revision, policy: () => state.policy, resources, sync }), () => running, refused);
  const engine: Engine = {
    get revision() {
      return state.revision;
    },
    get policy() {
      return state.policy;
    },
    check: (u, a, r, o) => current().check(u, a, r, o),
    // The fast path: no options, no allocation. Options of any kind are checked by the snapshot's can().
    can:
      reporter === undefined
        ? (u, a, r, o) => {
            if (o !== undefined) return current().can(u, a, r, o);
            const index = state.index;
            if (index.timeless) return canLive(index.structure, u, a, r);
            const t = clock();
            return canLive(index.viewAt(t), u, a, r, t);
          }
        : (u, a, r, o) => {
            // With options, the snapshot's can() reports (or not) by itself.
            if (o !== undefined) return current().can(u, a, r, o);
            const index = state.index;
            if (!reporter.sampled()) {
              if (index.timeless) return canLive(index.structure, u, a, r);
              const t = clock();
              return canLive(index.viewAt(t), u, a, r, t);
            }
            return reporter.decide('can', () => {
              if (index.timeless) return checkLive(index.structure, u, a, r);
              const t = clock();
              return checkLive(index.viewAt(t), u, a, r, t);
            }).allowed;
          },
    explain: (u, a, r, o) => current().explain(u, a, r, o),
    groupsOf: ((u: string, o?: { paths?: boolean; atLeast?: number }) => current().groupsOf(u, o as never)) as Engine['groupsOf'],
    membersOf: (g, o) => current().membersOf(g, o),
    effectiveOwners: (r, o) => current().effectiveOwners(r, o),
    whoCan: (a, r, o) => current().whoCan(a, r, o),
    permittedFields: (u, r, o) => current().permittedFields(u, r, o),
    filter: (u, a, t, o) => current().filter(u, a, t, o),
    for: (user) => engine.snapshot().for(user),
    // Pinning a snapshot is holding a reference: the compiled snapshot of a revision never changes.
    snapshot: () => current(),
    update: run,
    replace: (input) => {
      if (running) return refused();
      let prepared: PreparedChange | undefined;
      try {
        prepared = prepareVersion(input);
      } catch (e) {
        return Promise.reject(e);
      }
      return prepared === undefined ? Promise.resolve(state.revision) : commit(prepared);
    },
    updateSync: (recipe) => {
      const prepared = prepare(recipe);
      if (prepared === undefined) return state.revision;
      return prepared.install();
    },
    subscribe: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    ...entityCommands,
    ...otherCommands,
  };
  const startChange = options.instrument?.change;
  if (startChange !== undefined) {
    // Chosen once: without a change callback, the change methods are the plain ones above.
    const hookError = hookErrorOf(options);
    const methods = engine as unknown as Record<string, (...args: unknown[]) => unknown>;
    for (const kind of ['update', 'replace', 'updateSync', ...Object.keys(entityCommands), ...Object.keys(otherCommands)]) {
      const fn = methods[kind] as (...args: unknown[]) => unknown;
      methods[kind] = (...args: unknown[]) => {
        const end = started(startChange, { kind, revision: state.revision }, hookError);
        if (end === undefined) return fn(...args);
        let out: unknown;
        try {
          out = fn(...args);
        } catch (e) {
          ended(end, { ok: false, error: e }, hookError);
          throw e;
        }
        const then = thenOf(out);
        if (then === undefined) ended(end, { ok: true, value: typeof out === 'number' ? out : state.revision }, hookError);
        else {
          then.call(
            out,
            (v: unknown) => ended(end, { ok: true, value: typeof v === 'number' ? v : state.revision }, hookError),
            (e: unknown) => ended(end, { ok: false, error: e }, hookError),
          );
        }
        return out;
      };
    }
  }
  return { engine, prepare: (r) => prepare(r), prepareReplace, prepareAt, prepareVersion, revision: () => state.revision };
}
