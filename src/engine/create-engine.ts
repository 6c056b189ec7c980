import type { Patch } from 'immer';
import { normalizePolicy } from '../model/normalize.js';
import type { Policy } from '../model/policy.js';
import { can as canLive } from '../decide/check.js';
import type { PolicyInput } from '../model/policy-input.js';
import { buildIndex } from '../index/build.js';
import { applyChange } from '../index/apply.js';
import type { Index } from '../index/nodes.js';
import { validationContext, type ValidationContext } from '../validate/context.js';
import { validatePolicy } from '../validate/validate-policy.js';
import { validateChange } from '../validate/validate-change.js';
import { memoryResourceStore, type ResourceStore } from '../ports/resource-store.js';
import { changeSetOf } from './change-set.js';
import { commandsOf } from './commands.js';
import { freeze, produceWithPatches } from './immer.js';
import { normalizeChanged } from './normalize-changed.js';
import { queriesOver } from './snapshot-view.js';
import type { Engine, Queries, Recipe } from './types.js';

/** Options of {@link createEngine}. */
export interface EngineOptions {
  /** The policy, as plain data (JSON or YAML) or as an engine's `policy`. */
  readonly policy: PolicyInput | Policy;
  /** Where the records live, for transfers on group deletion and moves between access groups. Defaults to an empty in-memory store. */
  readonly resources?: ResourceStore;
  /** The revision of the initial snapshot (default 0); repositories pass the stored one. */
  readonly revision?: number;
}

/** A change computed but not yet installed: the new snapshot and a way to make it current. */
export interface PreparedChange {
  readonly policy: Policy;
  readonly revision: number;
  /** Makes the change current; returns the new revision. */
  install(): number;
}

interface State {
  policy: Policy;
  revision: number;
  index: Index;
  ctx: ValidationContext;
}

/**
 * Creates an in-memory engine over a policy. Validates the whole policy and compiles its index;
 * throws a typed error (`InvalidInputError`, `GroupCycleError`, `RoleCycleError`, `TenantError`)
 * that says what to fix.
 * @example
 * ```ts
 * const engine = createEngine({ policy });
 * engine.can('u1', 'edit', { type: 'lead', id: 'l1', owner: { group: 'sales' } });
 * ```
 */
export function createEngine(options: EngineOptions): Engine {
  const policy = freeze(normalizePolicy(options.policy), true) as Policy;
  const ctx = validatePolicy(policy);
  const revision = options.revision ?? 0;
  let state: State = { policy, revision, index: buildIndex(policy, ctx, revision), ctx };
  const resources = options.resources ?? memoryResourceStore();
  const listeners = new Set<(revision: number) => void>();

  const liveIndex = (): Index => state.index;

  /** Computes a recipe's new snapshot, validated, without installing it. */
  function prepare(recipe: Recipe): PreparedChange | undefined {
    const base = state;
    const [next, patches] = produceWithPatches(base.policy, recipe as unknown as (d: Policy) => void);
    if (patches.length === 0) return undefined;
    const changes = changeSetOf(patches);
    const revisionNext = base.revision + 1;
    if (changes.full) {
      const full = freeze(normalizePolicy(next), true) as Policy;
      const fullCtx = validatePolicy(full);
      return {
        policy: full,
        revision: revisionNext,
        install: () => {
          if (state !== base) throw new Error('purview internal error: change prepared on an older snapshot');
          state = { policy: full, revision: revisionNext, index: buildIndex(full, fullCtx, revisionNext), ctx: fullCtx };
          notify();
          return revisionNext;
        },
      };
    }
    const normalized = normalizeChanged(next, changes);
    const nextCtx: ValidationContext = { ...base.ctx, policy: normalized };
    validateChange(nextCtx, base.index, normalized, changes);
    return {
      policy: normalized,
      revision: revisionNext,
      install: () => {
        if (state !== base) throw new Error('purview internal error: change prepared on an older snapshot');
        try {
          applyChange(base.index, normalized, changes, revisionNext);
          state = { policy: normalized, revision: revisionNext, index: base.index, ctx: nextCtx };
        } catch (e) {
          // Never leave a half-updated index behind: rebuild it from the last good snapshot.
          state = { ...base, index: buildIndex(base.policy, base.ctx, base.revision) };
          throw e;
        }
        notify();
        return revisionNext;
      },
    };
  }

  function notify(): void {
    for (const l of listeners) {
      try {
        l(state.revision);
      } catch {
        // A listener's failure is its own; it must not undo a change that landed.
      }
    }
  }

  function updateSync(recipe: Recipe): number {
    return prepare(recipe)?.install() ?? state.revision;
  }

  const current = (): Queries => queriesOver(state.policy, state.revision, liveIndex);

  const engine: Engine = {
    get revision() {
      return state.revision;
    },
    get policy() {
      return state.policy;
    },
    check: (u, a, r, o) => current().check(u, a, r, o),
    can: (u, a, r, o) => {
      if (o?.atLeast !== undefined) return current().can(u, a, r, o);
      return canLive(state.index, u, a, r);
    },
    explain: (u, a, r, o) => current().explain(u, a, r, o),
    groupsOf: ((u: string, o?: { paths?: boolean; atLeast?: number }) => current().groupsOf(u, o as never)) as Engine['groupsOf'],
    membersOf: (g, o) => current().membersOf(g, o),
    effectiveOwners: (r, o) => current().effectiveOwners(r, o),
    whoCan: (a, r, o) => current().whoCan(a, r, o),
    snapshot: () => {
      const pinned = state;
      let own: Index | undefined;
      return queriesOver(pinned.policy, pinned.revision, () => {
        if (state.index.revision === pinned.revision && state.policy === pinned.policy) return state.index;
        own ??= buildIndex(pinned.policy, validationContext(pinned.policy), pinned.revision);
        return own;
      });
    },
    update: (recipe) => {
      try {
        return Promise.resolve(updateSync(recipe));
      } catch (e) {
        return Promise.reject(e);
      }
    },
    updateSync,
    subscribe: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    ...commandsOf({ prepare, index: liveIndex, policy: () => state.policy, resources }),
  };
  return engine;
}
