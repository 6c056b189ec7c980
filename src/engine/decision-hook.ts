import type { Decision, DenialCode } from '../decide/decision.js';
import type { Id } from '../model/ids.js';
import { describe, fail, own } from '../model/shape.js';

/** Which query made a decision. */
export type DecisionKind = 'can' | 'check' | 'explain';

/**
 * One decision, as the `onDecision` hook hears it (frozen; the resource is a frozen copy, never
 * the caller's object).
 */
export interface DecisionEvent {
  /** The query that made it. */
  readonly kind: DecisionKind;
  /** The user asked about. */
  readonly user: Id;
  /** The action asked about. */
  readonly action: string;
  /** The record asked about: its type, id and tenant (`default` when it names none). */
  readonly resource: { readonly type: string; readonly id: Id; readonly tenant: Id };
  /** The verdict, exactly the one the query returned. */
  readonly allowed: boolean;
  /** When denied: the first step that failed (as `Decision.denial`); `undefined` when allowed. */
  readonly denial: DenialCode | undefined;
  /** The revision of the snapshot that answered. */
  readonly revision: number;
  /** How long the decision took, in milliseconds (`performance.now()` resolution). */
  readonly durationMs: number;
  /** When it was made: the engine clock's reading (epoch milliseconds; `Date.now` by default). */
  readonly at: number;
}

/**
 * The decision hook options of `createEngine` and `openEngine`.
 *
 * Without `onDecision` (and without `instrument`), the queries are exactly those of an engine
 * without hooks: the choice is made once, when the engine (or snapshot, or user view) is built.
 */
export interface DecisionHookOptions {
  /**
   * Hears the decisions of `can`, `check` and `explain` (on the engine, on its snapshots and on
   * `engine.for(user)` views), sampled by `sample`. It runs synchronously, after the decision is
   * made and before the query returns; keep it cheap (push to a buffer). What it does never changes
   * a decision: a hook that throws (or returns a promise that rejects) is reported to
   * `onHookError`, or ignored when there is none. A query that throws (bad input, a stale
   * snapshot) makes no decision and reports none. A sampled `can()` is answered by `check()`
   * (the same verdict), so that the event carries the denial code.
   * @example
   * ```ts
   * const engine = createEngine({ policy, onDecision: (e) => audit.push(e), sample: 0.1 });
   * ```
   */
  readonly onDecision?: (event: DecisionEvent) => void;
  /**
   * The share of decisions reported, from 0 (none) to 1 (every one, the default). With a rate
   * strictly between 0 and 1, a decision is reported when `random() < sample`.
   */
  readonly sample?: number;
  /**
   * The source of randomness for sampling: a function returning a number in [0, 1), like
   * `Math.random` (the default). Pass a seeded generator for reproducible sampling; the engine keeps
   * no random state of its own. Called once per decision, only when `sample` is strictly between 0
   * and 1; a `random` that throws skips that decision's report (reported to `onHookError`).
   */
  readonly random?: () => number;
  /** Hears the errors of `onDecision` (and of `random`); its own errors are ignored. */
  readonly onHookError?: (error: unknown) => void;
}

/** The keys of {@link DecisionHookOptions}, for the options' key check. */
export const DECISION_HOOK_KEYS = ['onDecision', 'sample', 'random', 'onHookError'] as const;

/** Reports decisions; made only when a hook is set. */
export interface DecisionReporter {
  /** Whether the next decision is reported (the sampling draw). */
  sampled(): boolean;
  /** Runs `decide`, timed, reports its decision, and returns it unchanged. */
  decide(kind: DecisionKind, decide: () => Decision): Decision;
}

/** Checks the hook options (own properties of an already checked options object) and copies them. */
export function readDecisionHooks(o: object): DecisionHookOptions {
  const onDecision = own(o, 'onDecision');
  const sample = own(o, 'sample');
  const random = own(o, 'random');
  const onHookError = own(o, 'onHookError');
  if (onDecision !== undefined && typeof onDecision !== 'function') fail(['options', 'onDecision'], `expected a function receiving each decision event, got ${describe(onDecision)}`);
  if (sample !== undefined && !(typeof sample === 'number' && sample >= 0 && sample <= 1)) {
    fail(['options', 'sample'], `expected a sampling rate from 0 (no decision reported) to 1 (every decision), got ${describe(sample)}`);
  }
  if (random !== undefined && typeof random !== 'function') fail(['options', 'random'], `expected a function returning a number in [0, 1) (like Math.random), got ${describe(random)}`);
  if (onHookError !== undefined && typeof onHookError !== 'function') fail(['options', 'onHookError'], `expected a function receiving the hook's error, got ${describe(onHookError)}`);
  return {
    ...(onDecision === undefined ? {} : { onDecision: onDecision as DecisionHookOptions['onDecision'] & object }),
    ...(sample === undefined ? {} : { sample }),
    ...(random === undefined ? {} : { random: random as () => number }),
    ...(onHookError === undefined ? {} : { onHookError: onHookError as (error: unknown) => void }),
  };
}

/** Whether a value is a thenable, read without letting a hostile getter escape. */
function observe(value: unknown, onError: (e: unknown) => void): void {
  if ((typeof value !== 'object' || value === null) && typeof value !== 'function') return;
  try {
    const then = (value as { then?: unknown }).then;
    if (typeof then === 'function') (then as (a: undefined, b: (e: unknown) => void) => unknown).call(value, undefined, onError);
  } catch (e) {
    onError(e);
  }
}

/**
 * The reporter of an engine's hooks, or `undefined` when none is set (the queries then take
 * today's paths, chosen once). `clock` is the engine's raw clock, read for `at` inside the guard.
 */
export function decisionReporterOf(hooks: DecisionHookOptions, clock: () => number): DecisionReporter | undefined {
  const { onDecision, onHookError } = hooks;
  if (onDecision === undefined) return undefined;
  const rate = hooks.sample ?? 1;
  const random = hooks.random ?? Math.random;
  const hookError = (e: unknown): void => {
    if (onHookError === undefined) return;
    try {
      onHookError(e);
    } catch {
      // The error hook's own failure is ignored.
    }
  };
  const sampled =
    rate >= 1
      ? () => true
      : rate <= 0
        ? () => false
        : () => {
            try {
              return random() < rate;
            } catch (e) {
              hookError(e);
              return false;
            }
          };
  return {
    sampled,
    decide(kind, decide) {
      const start = performance.now();
      const d = decide();
      const durationMs = performance.now() - start;
      try {
        const r = d.resource;
        const event: DecisionEvent = Object.freeze({
          kind,
          user: d.user,
          action: d.action,
          resource: Object.freeze({ type: r.type, id: r.id, tenant: r.tenant }),
          allowed: d.allowed,
          denial: d.denial,
          revision: d.revision,
          durationMs,
          at: clock(),
        });
        observe(onDecision(event), hookError);
      } catch (e) {
        hookError(e);
      }
      return d;
    },
  };
}
