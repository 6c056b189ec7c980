/*
 * Errors as data: one options object per constructor, every field in toJSON(), a code per kind,
 * and recognition across copies of the library (the ES module and CommonJS builds in dist/,
 * which `npm test` builds before vitest runs).
 */
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  ConflictError,
  createEngine,
  GroupCycleError,
  InvalidInputError,
  LimitError,
  PurviewError,
  RepositoryError,
  RoleCycleError,
  SchemaVersionError,
  StaleSnapshotError,
  TenantCycleError,
  TenantError,
} from '../../src/index.js';

const types = { lead: { actions: { view: 'read' } } } as const;

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error('expected a throw');
}

describe('error constructors take one options object', () => {
  it('keeps ids and path apart for every class that has both', () => {
    const a = new InvalidInputError({ message: 'm', path: ['users', 0], ids: ['u1'] });
    const b = new TenantError({ message: 'm', path: ['users', 0], ids: ['u1'] });
    const c = new LimitError({ limit: 'maxEntities', max: 1, message: 'm', path: ['users', 0], ids: ['u1'] });
    for (const e of [a, b, c]) {
      expect(e.path).toEqual(['users', 0]);
      expect(e.ids).toEqual(['u1']);
    }
  });

  it('carries the cause', () => {
    const cause = new Error('low');
    const e = new RepositoryError({ message: 'high', cause });
    expect((e as { cause?: unknown }).cause).toBe(cause);
    expect(e.toJSON().cause).toBe('low');
    const nested = new InvalidInputError({ message: 'outer', cause: new InvalidInputError({ message: 'inner', path: ['x'] }) });
    expect(nested.toJSON().cause).toMatchObject({ code: 'invalid-input', message: 'inner', path: ['x'] });
  });
});

describe('toJSON carries every field', () => {
  it.each([
    [new RoleCycleError({ cycle: ['a', 'b', 'a'] }), { code: 'role-cycle', cycle: ['a', 'b', 'a'] }],
    [new GroupCycleError({ cycle: ['a', 'a'], path: ['groups', 'a'] }), { code: 'group-cycle', cycle: ['a', 'a'], path: ['groups', 'a'] }],
    [new TenantCycleError({ cycle: ['t', 't'] }), { code: 'tenant-cycle', cycle: ['t', 't'] }],
    [new StaleSnapshotError({ wanted: 5, current: 3, waitedMs: 10 }), { code: 'stale-snapshot', wanted: 5, current: 3, waitedMs: 10 }],
    [new ConflictError({ expected: 1, actual: 2 }), { code: 'conflict', expected: 1, actual: 2 }],
    [new LimitError({ limit: 'maxEntities', max: 3, message: 'too many' }), { code: 'limit', limit: 'maxEntities', max: 3 }],
    [new SchemaVersionError({ schema: 'purview', found: 9, supported: 1 }), { code: 'schema-version', schema: 'purview', found: 9, supported: 1 }],
  ])('%s', (error, fields) => {
    const json = error.toJSON();
    expect(json).toMatchObject({ name: error.name, message: error.message, ...fields });
    expect(JSON.parse(JSON.stringify(error))).toMatchObject(fields);
  });

  it('says what to do for a schema that is too new or not migrated', () => {
    expect(new SchemaVersionError({ schema: 's', found: 9, supported: 1 }).message).toMatch(/newer than this release.*upgrade purview/);
    expect(new SchemaVersionError({ schema: 's', found: 0, supported: 1 }).message).toMatch(/run repository\.migrate\(\)/);
  });
});

describe('messages keep odd ids on one visible line', () => {
  it('escapes line separators, bidirectional overrides and controls in every id a message quotes', () => {
    const odd = 'a\u2028b\u202ec\nd\u0000e';
    for (const e of [new GroupCycleError({ cycle: [odd, odd] }), new RoleCycleError({ cycle: [odd, odd] }), new TenantCycleError({ cycle: [odd, odd] })]) {
      expect(e.message).not.toMatch(/[\u0000-\u001f\u2028\u2029\u202a-\u202e]/);
      expect(e.message).toContain('\\u2028');
      expect(e.cycle).toEqual([odd, odd]);
    }
  });
});

describe('a tenant cycle has its own code', () => {
  it('is a TenantCycleError, not a generic invalid input', () => {
    const e = thrown(() =>
      createEngine({
        policy: {
          resourceTypes: types,
          tenants: [
            { id: 'a', parent: 'b' },
            { id: 'b', parent: 'a' },
          ],
        },
      }),
    );
    expect(e).toBeInstanceOf(TenantCycleError);
    expect((e as TenantCycleError).code).toBe('tenant-cycle');
    expect((e as TenantCycleError).cycle.length).toBe(3);
  });
});

describe('recognition by brand', () => {
  it('is() and instanceof follow the class chain', () => {
    const e = new GroupCycleError({ cycle: ['a', 'a'] });
    expect(PurviewError.is(e)).toBe(true);
    expect(GroupCycleError.is(e)).toBe(true);
    expect(RoleCycleError.is(e)).toBe(false);
    expect(InvalidInputError.is(e)).toBe(false);
    expect(e instanceof PurviewError).toBe(true);
    expect(e instanceof RoleCycleError).toBe(false);
    expect(PurviewError.is(new Error('x'))).toBe(false);
    expect(PurviewError.is({ code: 'invalid-input' })).toBe(false);
    expect(PurviewError.is(null)).toBe(false);
  });

  it('an object that inherits the brand from its prototype is not an error', () => {
    const fake = Object.create(new InvalidInputError({ message: 'm' })) as object;
    expect(InvalidInputError.is(fake)).toBe(false);
  });

  const root = fileURLToPath(new URL('../../', import.meta.url));
  const built = existsSync(`${root}dist/index.cjs`) && existsSync(`${root}dist/index.js`);
  it.runIf(built)('errors and instanceof work across the ES module and CommonJS builds', async () => {
    const require = createRequire(import.meta.url);
    const cjs = require(`${root}dist/index.cjs`) as typeof import('../../src/index.js');
    const esm = (await import(`${root}dist/index.js`)) as typeof import('../../src/index.js');
    expect(cjs.InvalidInputError).not.toBe(esm.InvalidInputError);
    const fromCjs = thrown(() => cjs.createEngine({ policy: { resourceTypes: types, groups: [{ id: 'g', members: { groups: ['g'] } }] } }));
    expect(fromCjs instanceof esm.GroupCycleError).toBe(true);
    expect(fromCjs instanceof esm.PurviewError).toBe(true);
    expect(fromCjs instanceof esm.InvalidInputError).toBe(false);
    expect(esm.GroupCycleError.is(fromCjs)).toBe(true);
    expect(fromCjs instanceof GroupCycleError).toBe(true);
    const fromEsm = thrown(() => esm.createEngine(null as never));
    expect(fromEsm instanceof cjs.InvalidInputError).toBe(true);
    expect(cjs.PurviewError.is(fromEsm)).toBe(true);
  });
});
