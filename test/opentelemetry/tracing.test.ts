/*
 * purview/opentelemetry (issue 14): spans for decisions, changes and follower catch-ups, recorded
 * by the OpenTelemetry SDK's InMemorySpanExporter (a real tracer provider, no mock). No server:
 * shared engines run over memoryRepository.
 */
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { context, SpanStatusCode, trace, type Tracer } from '@opentelemetry/api';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, GroupCycleError, InvalidInputError, memoryRepository, openEngine, type PolicyInput, type Resource } from '../../src/index.js';
import { tracing } from '../../src/opentelemetry/index.js';

const policy: PolicyInput = {
  resourceTypes: { lead: { actions: { view: 'read', edit: 'readWrite' } } },
  users: [{ id: 'ann' }, { id: 'bob' }],
  groups: [
    { id: 'sales', members: { users: ['bob'] } },
    { id: 'team', members: { groups: ['sales'] } },
  ],
};
const lead: Resource = { type: 'lead', id: 'l1', owner: { group: 'sales' } };

const exporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
const tracer = provider.getTracer('purview-test');
const spans = (): ReadableSpan[] => exporter.getFinishedSpans();
const names = (): string[] => spans().map((s) => s.name);
afterEach(() => exporter.reset());

describe('tracing()', () => {
  it('makes a span per decision, with the verdict, the denial and the revision', () => {
    const engine = createEngine({ policy, ...tracing({ tracer }) });
    expect(engine.can('bob', 'edit', lead)).toBe(true);
    expect(engine.check('ann', 'view', lead).allowed).toBe(false);
    engine.for('bob').explain('view', lead);
    expect(names()).toEqual(['purview.can', 'purview.check', 'purview.explain']);
    const [allowed, denied] = spans();
    expect(allowed?.attributes).toEqual({
      'purview.user': 'bob',
      'purview.action': 'edit',
      'purview.resource.type': 'lead',
      'purview.resource.id': 'l1',
      'purview.resource.tenant': 'default',
      'purview.allowed': true,
      'purview.revision': 0,
    });
    expect(denied?.attributes['purview.denial']).toBe('record-access');
    expect(denied?.attributes['purview.allowed']).toBe(false);
    for (const s of spans()) expect(s.duration[0] * 1e9 + s.duration[1]).toBeGreaterThanOrEqual(0);
  });

  it('follows the engine sample, can leave user ids out, and records a failed query as an error span', () => {
    const none = createEngine({ policy, sample: 0, ...tracing({ tracer }) });
    none.can('bob', 'edit', lead);
    expect(spans()).toEqual([]);
    const anonymous = createEngine({ policy, ...tracing({ tracer, userIds: false }) });
    anonymous.can('bob', 'edit', lead);
    expect(spans()[0]?.attributes['purview.user']).toBeUndefined();
    exporter.reset();
    expect(() => anonymous.can('bob', 'fly', lead)).toThrow(InvalidInputError);
    expect(spans()[0]?.name).toBe('purview.can');
    expect(spans()[0]?.status.code).toBe(SpanStatusCode.ERROR);
    exporter.reset();
    const noDecisions = createEngine({ policy, ...tracing({ tracer, decisions: false }) });
    noDecisions.can('bob', 'edit', lead);
    expect(spans()).toEqual([]);
  });

  it('makes a span per change, landed or rejected', async () => {
    const engine = createEngine({ policy, ...tracing({ tracer }) });
    engine.updateSync((d) => void (d.users.get('ann') as { status?: string }).status);
    await engine.addMember('sales', { user: 'ann' });
    await expect(engine.addMember('sales', { group: 'team' })).rejects.toBeInstanceOf(GroupCycleError);
    expect(() => engine.updateSync(() => { throw new Error('recipe down'); })).toThrow(InvalidInputError);
    await engine.replace(policy);
    const changes = spans().filter((s) => s.name === 'purview.change');
    expect(changes.map((s) => [s.attributes['purview.change.kind'], s.attributes['purview.revision.base'], s.attributes['purview.revision'], s.status.code])).toEqual([
      ['updateSync', 0, 0, SpanStatusCode.UNSET],
      ['addMember', 0, 1, SpanStatusCode.UNSET],
      ['addMember', 1, undefined, SpanStatusCode.ERROR],
      ['updateSync', 1, undefined, SpanStatusCode.ERROR],
      ['replace', 1, 2, SpanStatusCode.UNSET],
    ]);
    expect(changes[2]?.events.some((e) => e.name === 'exception')).toBe(true);
  });

  it('makes a span when a follower catches up with its repository, none for a catch-up that moved nothing', async () => {
    const repository = memoryRepository(policy);
    const writer = await openEngine({ repository, pollIntervalMs: 0 });
    const reader = await openEngine({ repository, pollIntervalMs: 0, ...tracing({ tracer }) });
    try {
      await reader.refresh();
      expect(names()).toEqual([]);
      const rev = await writer.addMember('sales', { user: 'ann' });
      await reader.waitFor(rev);
      const catchUps = spans().filter((s) => s.name === 'purview.catch_up');
      expect(catchUps.length).toBeGreaterThanOrEqual(1);
      expect(catchUps.at(-1)?.attributes).toEqual({ 'purview.revision.base': rev - 1, 'purview.revision': rev });
      expect(reader.can('ann', 'edit', lead)).toBe(true);
      expect(names().at(-1)).toBe('purview.can');
    } finally {
      await reader.close();
      await writer.close();
    }
  });

  it('never changes an answer when the tracer fails; the error goes to onHookError', async () => {
    const broken = {
      startSpan: () => {
        throw new Error('exporter down');
      },
    } as unknown as Tracer;
    const errors: unknown[] = [];
    const engine = createEngine({ policy, ...tracing({ tracer: broken }), onHookError: (e) => void errors.push(e) });
    expect(engine.can('bob', 'edit', lead)).toBe(true);
    expect(engine.check('ann', 'edit', lead).denial).toBe('record-access');
    expect(await engine.addMember('sales', { user: 'ann' })).toBe(1);
    await new Promise((r) => setTimeout(r, 0));
    expect(errors.map((e) => (e as Error).message)).toEqual(['exporter down', 'exporter down', 'exporter down']);
  });

  describe('with a context manager', () => {
    const manager = new AsyncLocalStorageContextManager();
    beforeAll(() => void context.setGlobalContextManager(manager.enable()));
    afterAll(() => {
      context.disable();
      manager.disable();
    });

    it('parents each span to the span active when the operation started, across awaits', async () => {
      const engine = createEngine({ policy, ...tracing({ tracer }) });
      await tracer.startActiveSpan('request', async (request) => {
        engine.can('bob', 'edit', lead);
        const pending = engine.addMember('sales', { user: 'ann' });
        // Another context is active when the change lands: the span still belongs to the request.
        await context.with(trace.setSpan(context.active(), tracer.startSpan('elsewhere')), () => pending);
        request.end();
      });
      const byName = new Map(spans().map((s) => [s.name, s]));
      const parent = byName.get('request')?.spanContext().spanId;
      expect(parent).toBeDefined();
      expect(byName.get('purview.can')?.parentSpanContext?.spanId).toBe(parent);
      expect(byName.get('purview.change')?.parentSpanContext?.spanId).toBe(parent);
    });
  });

  it('refuses a malformed instrument', () => {
    for (const instrument of [null, 1, { decision: 'x' }, { spans: () => undefined }]) {
      expect(() => createEngine({ policy, instrument } as never), JSON.stringify(instrument)).toThrow(InvalidInputError);
    }
  });
});
