import type { Decision, DenialCode } from '../decide/decision.js';
import type { Id } from '../model/ids.js';
import { describe, fail, onlyKeys, own } from '../model/shape.js';

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
  /** Hears the errors of `onDecision`, of `random` and of `instrument`'s callbacks; its own errors are ignored. */
  readonly onHookError?: (error: unknown) => void;
  /**
   * Start/end callbacks around decisions, changes and catch-ups (see {@link Instrumentation});
   * `tracing()` of `purview/opentelemetry` makes them.
   */
  readonly instrument?: Instrumentation;
}

/** How an instrumented operation ended: its result, or the error it threw. */
export type Outcome<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: unknown };

/** Called when an instrumented operation ends; its errors go to `onHookError`. */
export type EndCallback<T> = (outcome: Outcome<T>) => void;

/**
 * Start/end callbacks around the engine's operations, for tracing (`purview/opentelemetry`
 * implements them with spans) or metrics. Each `start` callback is called when the operation
 * starts and may return the callback to call when it ends. Nothing here can change an operation:
 * what the callbacks throw goes to `onHookError` (or is ignored). The core never imports a tracing
 * library; it only calls these.
 */
export interface Instrumentation {
  /**
   * A decision of `can`, `check` or `explain` starts (sampled by `sample`, as `onDecision` is); its
   * end carries the decision's event, or the error of a query that threw.
   */
  readonly decision?: (kind: DecisionKind) => EndCallback<DecisionEvent> | undefined | void;
  /**
   * A change starts: `kind` is the method (`update`, `updateSync`, `replace`, `addMember`, ...),
   * `revision` the engine's revision before it. Its end carries the revision it landed at (the
   * same revision when it changed nothing), or the error that rejected it.
   */
  readonly change?: (start: { readonly kind: string; readonly revision: number }) => EndCallback<number> | undefined | void;
  /**
   * A shared engine (`openEngine`) starts catching up with its repository (after a notification,
   * a poll, `refresh()`, `waitFor`); its end carries the revision reached, or the error.
   */
  readonly catchUp?: (start: { readonly revision: number }) => EndCallback<number> | undefined | void;
}

/** The keys of {@link DecisionHookOptions}, for the options' key check. */
export const DECISION_HOOK_KEYS = ['onDecision', 'sample', 'random', 'onHookError', 'instrument'] as const;

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
  const instrument = readInstrumentation(own(o, 'instrument'));
  return {
    ...(instrument === undefined ? {} : { instrument }),
    ...(onDecision === undefined ? {} : { onDecision: onDecision as DecisionHookOptions['onDecision'] & object }),
    ...(sample === undefined ? {} : { sample }),
    ...(random === undefined ? {} : { random: random as () => number }),
    ...(onHookError === undefined ? {} : { onHookError: onHookError as (error: unknown) => void }),
  };
}

/** Checks `instrument`: absent, or an object whose own `decision`, `change` and `catchUp` are functions when present; copied and frozen. */
function readInstrumentation(value: unknown): Instrumentation | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(['options', 'instrument'], `expected an object of start callbacks ({ decision, change, catchUp }), got ${describe(value)}`);
  onlyKeys(value as Record<string, unknown>, ['decision', 'change', 'catchUp'], ['options', 'instrument']);
  const out: { -readonly [K in keyof Instrumentation]: Instrumentation[K] } = {};
  for (const key of ['decision', 'change', 'catchUp'] as const) {
    const f = own(value, key);
    if (f === undefined) continue;
    if (typeof f !== 'function') fail(['options', 'instrument', key], `expected a function called when the operation starts, got ${describe(f)}`);
    out[key] = f as never;
  }
  return Object.freeze(out);
}

/** Calls a start callback, guarded: its error goes to `hookError` and the operation goes on untraced. */
export function started<S, T>(start: ((s: S) => EndCallback<T> | undefined | void) | undefined, s: S, hookError: (e: unknown) => void): EndCallback<T> | undefined {
  if (start === undefined) return undefined;
  try {
    const end = start(s);
    return typeof end === 'function' ? end : undefined;
  } catch (e) {
    hookError(e);
    return undefined;
  }
}

/** Calls an end callback, guarded. */
export function ended<T>(end: EndCallback<T> | undefined, outcome: Outcome<T>, hookError: (e: unknown) => void): void {
  if (end === undefined) return;
  try {
    end(outcome);
  } catch (e) {
    hookError(e);
  }
}

/** The guarded error hook of a set of hook options. */
export function hookErrorOf(hooks: DecisionHookOptions): (e: unknown) => void {
  const { onHookError } = hooks;
  return (e) => {
    if (onHookError === undefined) return;
    try {
      onHookError(e);
    } catch {
      // The error hook's own failure is ignored.
    }
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
  const { onDecision } = hooks;
  const startDecision = hooks.instrument?.decision;
  if (onDecision === undefined && startDecision === undefined) return undefined;
  const rate = hooks.sample ?? 1;
  const random = hooks.random ?? Math.random;
  const hookError = hookErrorOf(hooks);
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
      const end = started(startDecision, kind, hookError);
      const start = performance.now();
      let d: Decision;
      try {
        d = decide();
      } catch (e) {
        ended(end, { ok: false, error: e }, hookError);
        throw e;
      }
      const durationMs = performance.now() - start;
      let event: DecisionEvent;
      try {
        const r = d.resource;
        event = Object.freeze({
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
      } catch (e) {
        // The engine clock failed: the decision stands, unreported.
        hookError(e);
        ended(end, { ok: false, error: e }, hookError);
        return d;
      }
      if (onDecision !== undefined) {
        try {
          observe(onDecision(event), hookError);
        } catch (e) {
          hookError(e);
        }
      }
      ended(end, { ok: true, value: event }, hookError);
      return d;
    },
  };
}
