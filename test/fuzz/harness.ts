/*
 * The fuzz harness: every call into the library runs through `guard`, which
 *  - classifies the outcome: it returned, or it threw a PurviewError (InvalidInputError, LimitError,
 *    ...). Anything else (a TypeError, a RangeError from a blown stack, a plain Error) fails the
 *    case with the call's label, so that fast-check shrinks it to a small counterexample;
 *  - times the call and fails it when it takes longer than the per-case budget (a hang, or a
 *    quadratic blow-up on a big input);
 *  - checks after the call that nothing was written onto Object.prototype, Array.prototype or
 *    Function.prototype (no new key, no replaced value) and that `({}).polluted` is still undefined.
 *
 * Counters per suite feed the console summary that docs/reliability.md records.
 */
import type fc from 'fast-check';
import { PurviewError } from '../../src/index.js';
import { runParams } from '../arbitraries/settings.js';

/** Longest time one guarded call may take (ms). `PURVIEW_CASE_BUDGET_MS` overrides it. */
export const CASE_BUDGET_MS = Number(process.env.PURVIEW_CASE_BUDGET_MS ?? '2000');

/** What a guarded call did. */
export type Outcome<T, E extends Error = PurviewError> = { readonly ok: true; readonly value: T; readonly ms: number } | { readonly ok: false; readonly error: E; readonly ms: number };

/** Which thrown values count as typed errors: PurviewError unless a call says otherwise. */
export type TypedCheck<E extends Error> = (e: unknown) => e is E;
const isPurviewError = (e: unknown): e is PurviewError => e instanceof PurviewError;

/* ------------------------------------------------------------------------------------------ */
/* Prototype pollution.                                                                          */

type Snapshot = ReadonlyMap<string, PropertyDescriptor | undefined>;

const PROTOTYPES: readonly [string, object][] = [
  ['Object.prototype', Object.prototype],
  ['Array.prototype', Array.prototype],
  ['Function.prototype', Function.prototype],
  ['String.prototype', String.prototype],
  ['Map.prototype', Map.prototype],
];

function snapshotOf(o: object): Snapshot {
  return new Map(Reflect.ownKeys(o).map((k) => [String(k), Object.getOwnPropertyDescriptor(o, k)]));
}

const baseline = new Map(PROTOTYPES.map(([name, o]) => [name, snapshotOf(o)]));

/** Every difference of the built-in prototypes from the baseline taken when this module loaded. */
export function pollution(): string[] {
  const out: string[] = [];
  for (const [name, o] of PROTOTYPES) {
    const before = baseline.get(name) as Snapshot;
    const now = snapshotOf(o);
    for (const [k, d] of now) {
      const b = before.get(k);
      if (b === undefined) out.push(`${name} gained ${JSON.stringify(k)}`);
      else if (b.value !== d?.value || b.get !== d?.get || b.set !== d?.set) out.push(`${name}.${k} was replaced`);
    }
    for (const k of before.keys()) if (!now.has(k)) out.push(`${name} lost ${JSON.stringify(k)}`);
  }
  const probe = {} as Record<string, unknown>;
  for (const k of ['polluted', 'isAdmin', 'allowed', 'x']) if (probe[k] !== undefined) out.push(`({}).${k} is ${String(probe[k])}`);
  if (Object.getPrototypeOf({}) !== Object.prototype) out.push('({}) has another prototype');
  return out;
}

/* ------------------------------------------------------------------------------------------ */
/* Guarded calls.                                                                                */

/** A failure of a fuzz case: an untyped throw, a slow call, or pollution. */
export class FuzzFailure extends Error {
  override readonly name = 'FuzzFailure';
}

function describeThrown(e: unknown): string {
  if (e instanceof Error) return `${e.name}: ${e.message.slice(0, 300)}${e.stack === undefined ? '' : `\n${e.stack.split('\n').slice(1, 6).join('\n')}`}`;
  return `a non-Error value ${String(e)}`;
}

/** Counters of one suite. */
export class Stats {
  readonly calls = new Map<string, { ok: number; typed: Map<string, number> }>();
  cases = 0;
  slowest = 0;
  slowestLabel = '';

  note(label: string, outcome: Outcome<unknown, Error>): void {
    let c = this.calls.get(label);
    if (c === undefined) this.calls.set(label, (c = { ok: 0, typed: new Map() }));
    if (outcome.ok) c.ok++;
    else c.typed.set(outcome.error.name, (c.typed.get(outcome.error.name) ?? 0) + 1);
    if (outcome.ms > this.slowest) {
      this.slowest = outcome.ms;
      this.slowestLabel = label;
    }
  }

  total(): number {
    let n = 0;
    for (const c of this.calls.values()) n += c.ok + [...c.typed.values()].reduce((a, b) => a + b, 0);
    return n;
  }

  /** One line per call label: how many returned, how many threw which typed error. */
  summary(title: string): string {
    const lines = [`${title}: ${this.cases} cases, ${this.total()} guarded calls, slowest ${this.slowest.toFixed(1)} ms (${this.slowestLabel})`];
    for (const [label, c] of [...this.calls].sort()) {
      const typed = [...c.typed].sort().map(([k, v]) => `${k}=${v}`).join(' ');
      lines.push(`  ${label}: returned ${c.ok}${typed === '' ? '' : `, threw ${typed}`}`);
    }
    return lines.join('\n');
  }
}

function finish<T, E extends Error>(label: string, stats: Stats | undefined, outcome: Outcome<T, E>, budgetMs = CASE_BUDGET_MS): Outcome<T, E> {
  if (outcome.ms > budgetMs) throw new FuzzFailure(`${label}: took ${outcome.ms.toFixed(0)} ms, over the ${budgetMs} ms budget`);
  const p = pollution();
  if (p.length > 0) throw new FuzzFailure(`${label}: prototype pollution: ${p.join('; ')}`);
  stats?.note(label, outcome);
  return outcome;
}

/**
 * Runs `f`: its value, or the PurviewError (or what `typed` accepts) it threw. Any other throw, a
 * call over the time budget (`budgetMs`, default CASE_BUDGET_MS), or prototype pollution fails the case.
 */
export function guard<T, E extends Error = PurviewError>(
  label: string,
  f: () => T,
  stats?: Stats,
  typed: TypedCheck<E> = isPurviewError as unknown as TypedCheck<E>,
  budgetMs = CASE_BUDGET_MS,
): Outcome<T, E> {
  const t0 = performance.now();
  let outcome: Outcome<T, E>;
  try {
    const value = f();
    outcome = { ok: true, value, ms: performance.now() - t0 };
  } catch (e) {
    const ms = performance.now() - t0;
    if (!typed(e)) throw new FuzzFailure(`${label}: threw ${describeThrown(e)}`);
    outcome = { ok: false, error: e, ms };
  }
  return finish(label, stats, outcome, budgetMs);
}

/** `guard` for a call that returns a promise: a synchronous throw is a failure too (it must reject). */
export async function guardAsync<T>(label: string, f: () => Promise<T>, stats?: Stats): Promise<Outcome<T>> {
  const t0 = performance.now();
  let promise: Promise<T>;
  try {
    promise = f();
  } catch (e) {
    throw new FuzzFailure(`${label}: threw synchronously instead of rejecting: ${describeThrown(e)}`);
  }
  let outcome: Outcome<T>;
  try {
    const value = await promise;
    outcome = { ok: true, value, ms: performance.now() - t0 };
  } catch (e) {
    const ms = performance.now() - t0;
    if (!(e instanceof PurviewError)) throw new FuzzFailure(`${label}: rejected with ${describeThrown(e)}`);
    outcome = { ok: false, error: e, ms };
  }
  return finish(label, stats, outcome);
}

/** Fails unless `cond`; the message (built only on failure when given as a function) says what was expected. */
export function ensure(cond: boolean, message: string | (() => string)): asserts cond {
  if (!cond) throw new FuzzFailure(typeof message === 'string' ? message : message());
}

/** A short, safe rendering of any value for failure messages. */
export function show(v: unknown, max = 400): string {
  let s: string;
  try {
    s = JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? `${x}n` : x === undefined ? '<undefined>' : x));
  } catch {
    s = '<unprintable>';
  }
  if (s === undefined) s = typeof v;
  return s.length > max ? `${s.slice(0, max)}... (${s.length} chars)` : s;
}

/**
 * Whether a policy is small enough to compare with the reference evaluator, which is written to
 * be obviously right, not fast (whoCan is quadratic in the users there).
 */
export function smallEnoughForReference(p: { readonly [k: string]: unknown }): boolean {
  let n = 0;
  for (const k of ['tenants', 'roles', 'users', 'groups', 'sharingRules', 'accessGroups']) {
    const v = p[k];
    if (Array.isArray(v)) n += v.length;
  }
  return n <= 300;
}

/** Whether the suites run at least their default number of cases (coverage assertions need that). */
export const FULL_RUN = (() => {
  const f = Number(process.env.PURVIEW_RUNS ?? '1');
  return !Number.isFinite(f) || f <= 0 || f >= 1;
})();

/** How much longer than the default run a soak (PURVIEW_RUNS > 1) may take. */
const SCALE = (() => {
  const f = Number(process.env.PURVIEW_RUNS ?? '1');
  return Number.isFinite(f) && f > 1 ? f : 1;
})();

/**
 * fast-check parameters: `runParams(runs)` (scaled by PURVIEW_RUNS), plus a time limit on the
 * whole property that counts as a failure, so that a hang or a runaway shrink ends with the
 * counterexample found so far instead of stalling the suite.
 */
export function fuzzParams<T>(runs: number, limitMs = 120_000): fc.Parameters<T> {
  return { ...runParams<T>(runs), interruptAfterTimeLimit: limitMs * SCALE, markInterruptAsFailure: true };
}

/** A per-test timeout for vitest that grows with PURVIEW_RUNS (fuzzParams' own limit ends a property first). */
export const TEST_TIMEOUT_MS = 600_000 * SCALE;

let breaths = 0;
/**
 * Lets the event loop run every 20 cases, so that vitest's worker keeps talking to the main
 * process during long (soak) runs instead of reporting "Timeout calling onTaskUpdate".
 */
export async function breathe(): Promise<void> {
  if (++breaths % 20 === 0) await new Promise<void>((resolve) => setImmediate(resolve));
}
