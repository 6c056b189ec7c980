/*
 * Review findings on purview/opentelemetry (src/opentelemetry/index.ts): spans recorded by the
 * OpenTelemetry SDK's InMemorySpanExporter (a real tracer provider). No server.
 */
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import { createEngine, InvalidInputError, type PolicyInput, type Resource } from '../../src/index.js';
import { tracing } from '../../src/opentelemetry/index.js';

const exporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
const tracer = provider.getTracer('purview-review');
const policy: PolicyInput = { users: [{ id: 'bob' }], resourceTypes: { lead: { actions: { view: 'read' } } } };
const lead: Resource = { type: 'lead', id: 'l1', owner: { user: 'bob' } };

describe('tracing() options', () => {
  // Options often come from configuration (an environment variable is a string): `userIds: 'false'`
  // or `userIds: 0` must not send user ids to the tracing backend. Either it is refused (as the web
  // adapters refuse an `explain` that is not a boolean), or no user id is recorded.
  it('userIds given as the string "false" records no user id (or is an InvalidInputError)', () => {
    let hooks: ReturnType<typeof tracing>;
    try {
      hooks = tracing({ tracer, userIds: 'false' as unknown as boolean });
    } catch (e) {
      expect(e).toBeInstanceOf(InvalidInputError);
      return;
    }
    exporter.reset();
    createEngine({ policy, ...hooks }).can('bob', 'view', lead);
    const span = exporter.getFinishedSpans()[0];
    expect(span?.attributes['purview.action']).toBe('view');
    expect(span?.attributes['purview.user']).toBeUndefined();
  });

  it('a tracer that is not a tracer is an InvalidInputError, not spans silently lost', () => {
    expect(() => tracing({ tracer: {} as never })).toThrow(InvalidInputError);
  });
});
