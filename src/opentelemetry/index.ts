/**
 * purview/opentelemetry: spans for decisions, changes and follower catch-ups, through
 * `@opentelemetry/api`.
 *
 * `@opentelemetry/api` is an optional peer dependency: install it next to purview to use this
 * entry. The engine itself never imports it; `tracing()` implements the engine's
 * {@link Instrumentation} callbacks with spans.
 * @packageDocumentation
 */
import { context, SpanStatusCode, trace, type Attributes, type Context, type Tracer } from '@opentelemetry/api';
import type { DecisionEvent, DecisionKind, EndCallback, Instrumentation, Outcome } from '../index.js';
import { InvalidInputError } from '../index.js';

/** Options of {@link tracing}. */
export interface TracingOptions {
  /** The tracer to make spans with (default: `trace.getTracer('purview')` of the global provider). */
  readonly tracer?: Tracer;
  /** Make a span for each decision (sampled by the engine's `sample`); default true. */
  readonly decisions?: boolean;
  /**
   * Record the user id as `purview.user` on decision spans (default true). Turn off when user ids
   * must not reach the tracing backend.
   */
  readonly userIds?: boolean;
  /** Make a span for a catch-up that moved nothing (a poll that found no change); default false. */
  readonly emptyCatchUps?: boolean;
}

/** What {@link tracing} returns: engine options to spread into `createEngine` or `openEngine`. */
export interface TracingHooks {
  readonly instrument: Instrumentation;
}

/** A span made at the end of an operation, with the start time and the context of its start. */
function span(tracer: Tracer, name: string, startTime: number, parent: Context, attributes: Attributes, error: unknown, hasError: boolean): void {
  const s = tracer.startSpan(name, { startTime, attributes }, parent);
  if (hasError) {
    if (error instanceof Error) s.recordException(error);
    s.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
  }
  s.end(performance.now());
}

/**
 * Engine options that trace the engine with OpenTelemetry spans:
 *  - `purview.can`, `purview.check`, `purview.explain`: one per decision reported (the engine's
 *    `sample` applies), with `purview.user`, `purview.action`, `purview.resource.type`,
 *    `purview.resource.id`, `purview.resource.tenant`, `purview.allowed`, `purview.denial` (when
 *    denied) and `purview.revision`; a query that fails has an error status;
 *  - `purview.change`: one per change method (`update`, `replace`, `addMember`, ...), with
 *    `purview.change.kind`, `purview.revision.base` and `purview.revision` (where it landed);
 *  - `purview.catch_up`: a shared engine (`openEngine`) applying its repository's changes, with
 *    `purview.revision.base` and `purview.revision`; a catch-up that moved nothing makes no span
 *    unless `emptyCatchUps` is set.
 *
 * Spans are made when the operation ends, with its start time and the context active when it
 * started as their parent, so an operation that is not sampled or moves nothing costs no span.
 * @example
 * ```ts
 * import { tracing } from 'purview/opentelemetry';
 * const engine = createEngine({ policy, ...tracing(), sample: 0.05 });
 * ```
 */
export function tracing(options: TracingOptions = {}): TracingHooks {
  // Own properties only: an inherited `tracer` must not receive the spans.
  if (typeof options !== 'object' || options === null) throw new InvalidInputError({ message: 'tracing(): expected an options object ({ tracer?, decisions?, userIds?, emptyCatchUps? })', path: ['options'] });
  const own = <K extends keyof TracingOptions>(key: K): TracingOptions[K] | undefined => (Object.hasOwn(options, key) ? options[key] : undefined);
  // Flags are true or false, never a string from an environment variable ("false" would be true).
  const flag = (key: 'userIds' | 'emptyCatchUps' | 'decisions', def: boolean): boolean => {
    const v = own(key);
    if (v === undefined) return def;
    if (typeof v !== 'boolean') throw new InvalidInputError({ message: `tracing(): ${key} must be true or false, got ${typeof v === 'string' ? JSON.stringify(v) : typeof v}`, path: ['options', key] });
    return v;
  };
  const given = own('tracer');
  if (given !== undefined && (typeof given !== 'object' || given === null || typeof (given as { startSpan?: unknown }).startSpan !== 'function')) {
    throw new InvalidInputError({ message: 'tracing(): tracer must be an OpenTelemetry Tracer (something with startSpan), such as trace.getTracer(name)', path: ['options', 'tracer'] });
  }
  const tracer = given ?? trace.getTracer('purview');
  const userIds = flag('userIds', true);
  const emptyCatchUps = flag('emptyCatchUps', false);
  const decisions = flag('decisions', true);
  const decision = (kind: DecisionKind): EndCallback<DecisionEvent> => {
    const startTime = performance.now();
    const parent = context.active();
    return (outcome: Outcome<DecisionEvent>) => {
      if (!outcome.ok) return span(tracer, `purview.${kind}`, startTime, parent, {}, outcome.error, true);
      const e = outcome.value;
      const attributes: Attributes = {
        'purview.action': e.action,
        'purview.resource.type': e.resource.type,
        'purview.resource.id': e.resource.id,
        'purview.resource.tenant': e.resource.tenant,
        'purview.allowed': e.allowed,
        'purview.revision': e.revision,
        ...(userIds ? { 'purview.user': e.user } : {}),
        ...(e.denial === undefined ? {} : { 'purview.denial': e.denial }),
      };
      span(tracer, `purview.${kind}`, startTime, parent, attributes, undefined, false);
    };
  };
  const instrument: Instrumentation = {
    ...(decisions ? { decision } : {}),
    change: ({ kind, revision }) => {
      const startTime = performance.now();
      const parent = context.active();
      return (outcome) =>
        span(
          tracer,
          'purview.change',
          startTime,
          parent,
          { 'purview.change.kind': kind, 'purview.revision.base': revision, ...(outcome.ok ? { 'purview.revision': outcome.value } : {}) },
          outcome.ok ? undefined : outcome.error,
          !outcome.ok,
        );
    },
    catchUp: ({ revision }) => {
      const startTime = performance.now();
      const parent = context.active();
      return (outcome) => {
        if (outcome.ok && outcome.value === revision && !emptyCatchUps) return;
        span(
          tracer,
          'purview.catch_up',
          startTime,
          parent,
          { 'purview.revision.base': revision, ...(outcome.ok ? { 'purview.revision': outcome.value } : {}) },
          outcome.ok ? undefined : outcome.error,
          !outcome.ok,
        );
      };
    },
  };
  return { instrument: Object.freeze(instrument) };
}
