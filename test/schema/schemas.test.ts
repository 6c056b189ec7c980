/*
 * The JSON Schemas shipped in the package (schema/*.schema.json, written by the build from
 * src/schema/policy-schema.ts and src/cli/test-file-schema.ts) agree with the loaders they are
 * generated beside: every scenario file and every policy purview accepts is valid against them,
 * and every input of the wrong shape (fixtures below, and random mutations of random policies) is
 * refused by both the schema and purview. Validated with Ajv (draft 2020-12, strict mode), the
 * validator editors and CI tools use. No server.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createEngine } from '../../src/index.js';
import { normalizePolicy } from '../../src/model/normalize.js';
import { policySchema } from '../../src/schema/policy-schema.js';
import { testFileSchema } from '../../src/cli/test-file-schema.js';
import { readDocument, readTestDocument, TestFileError, validateTestFile } from '../../src/cli/test-file.js';
import { InvalidInputError } from '../../src/errors/errors.js';
import { Choices } from '../arbitraries/choices.js';
import { policyArb, SMALL_TEXT } from '../arbitraries/policy.js';
import { retime } from '../arbitraries/time.js';
import { runParams } from '../arbitraries/settings.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SCENARIOS = join(ROOT, 'test', 'scenarios');

// strict: an unknown keyword or a schema mistake is an error, not ignored (but `anyOf: [{ required:
// [owner] }, { required: [parent] }]` names properties declared beside it, which is what it is for).
const ajv = new Ajv2020({ strict: true, strictRequired: false, allErrors: true, allowUnionTypes: true });
const validPolicy = ajv.compile(policySchema());
const validTestFile = ajv.compile(testFileSchema());

const schemaErrors = (v: typeof validPolicy): string => JSON.stringify(v.errors?.slice(0, 3));

/** Whether purview loads the policy (its shape and everything else). */
function purviewAccepts(policy: unknown): boolean {
  try {
    createEngine({ policy: policy as never });
    return true;
  } catch {
    return false;
  }
}

/** Whether purview's normalizer accepts the shape; an error that is not about input fails the test. */
function shapeAccepted(policy: unknown): boolean {
  try {
    normalizePolicy(policy);
    return true;
  } catch (e) {
    if (!(e instanceof InvalidInputError)) throw e;
    return false;
  }
}

/** A plain, JSON-like copy (what a file holds): no undefined fields. */
const plain = (v: unknown): unknown => JSON.parse(JSON.stringify(v)) as unknown;

describe('the shipped schema files', () => {
  it('are what the generators write (the build writes them; the package serves them)', () => {
    for (const [file, schema] of [
      ['policy.schema.json', policySchema()],
      ['test-file.schema.json', testFileSchema()],
    ] as const) {
      const path = join(ROOT, 'schema', file);
      expect(existsSync(path), `${path}: run npm run build`).toBe(true);
      expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual(schema);
    }
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { exports: Record<string, unknown>; files: string[] };
    expect(pkg.exports['./schema/policy.schema.json']).toBe('./schema/policy.schema.json');
    expect(pkg.exports['./schema/test-file.schema.json']).toBe('./schema/test-file.schema.json');
    expect(pkg.files).toContain('schema');
  });
});

describe('every scenario file', () => {
  const files = readdirSync(SCENARIOS).filter((f) => /\.(ya?ml|json)$/.test(f));
  it('there are scenario files', () => expect(files.length).toBeGreaterThan(5));
  for (const f of files) {
    it(`${f} is valid against the test-file schema, and its policy against the policy schema`, () => {
      const raw = readDocument(join(SCENARIOS, f));
      expect(validTestFile(raw), schemaErrors(validTestFile)).toBe(true);
      const doc = readTestDocument(join(SCENARIOS, f)) as { policy: unknown };
      expect(validPolicy(doc.policy), schemaErrors(validPolicy)).toBe(true);
    });
  }
});

const BASE = {
  tenants: [{ id: 'acme', ceiling: ['lead:*'] }],
  roles: [{ id: 'vp', accessLevel: 'full' }, { id: 'rep', parent: 'vp', accessLevel: 3 }],
  users: [{ id: 'ann', role: 'vp' }, { id: 'bob', role: 'rep', status: 'inactive', tenants: ['acme'] }],
  groups: [{ id: 'sales', name: 'Sales', members: { users: ['ann', { id: 'bob', since: '2026-01-01T00:00:00Z', until: '2027-01-01T00:00:00+01:00' }], rolesAndSubordinates: ['vp'] }, accessLevel: { custom: ['lead:view'] } }],
  resourceTypes: {
    lead: { actions: { view: 'read', edit: 'readWrite' }, readActions: ['view'], default: 'publicRead', hierarchy: false, groupOwnerLevel: 'readWrite', fields: { salary: { read: 'edit', write: 'edit' } } },
    note: { actions: { view: 'read' }, controlledBy: 'lead' },
  },
  sharingRules: [{ id: 'r1', resourceType: 'lead', from: { role: 'rep' }, to: { group: 'sales' }, level: 'read', until: '2030-01-01T00:00:00.5Z' }],
  accessGroups: [{ id: 'west', resourceTypes: ['lead'], segment: { all: [{ attribute: 'region', equals: 'west' }, { attribute: 'tags', in: ['a', 1, true] }, { attribute: 'n', contains: 'x' }] }, grants: [{ to: { user: 'ann' }, level: 'full' }] }],
  accessLevels: { standard: ['*:view'], full: ['*'] },
  defaultAccessLevel: 'standard:readOnly',
};

/** Policies of the wrong shape: each a label and a change of {@link BASE}. */
const BAD_POLICIES: readonly [string, (p: Record<string, unknown>) => void][] = [
  ['an unknown top-level field', (p) => (p.userz = [])],
  ['an unknown field of a user', (p) => ((p.users as Record<string, unknown>[])[0]!.rol = 'vp')],
  ['a user without an id', (p) => delete (p.users as Record<string, unknown>[])[0]!.id],
  ['an empty id', (p) => ((p.users as Record<string, unknown>[])[0]!.id = '')],
  ['an id longer than 256', (p) => ((p.users as Record<string, unknown>[])[0]!.id = 'x'.repeat(257))],
  ['a numeric id', (p) => ((p.roles as Record<string, unknown>[])[0]!.id = 7)],
  ['an unknown status', (p) => ((p.users as Record<string, unknown>[])[0]!.status = 'away')],
  ['a user tenant listed twice', (p) => ((p.users as Record<string, unknown>[])[1]!.tenants = ['acme', 'acme'])],
  ['members as a list', (p) => ((p.groups as Record<string, unknown>[])[0]!.members = ['ann'])],
  ['an unknown member list', (p) => ((p.groups as Record<string, unknown>[])[0]!.members = { people: ['ann'] })],
  ['a time-bound entry without an id', (p) => ((p.groups as Record<string, unknown>[])[0]!.members = { users: [{ until: '2027-01-01T00:00:00Z' }] })],
  ['an instant without an offset', (p) => ((p.groups as Record<string, unknown>[])[0]!.members = { users: [{ id: 'a', until: '2027-01-01T00:00:00' }] })],
  ['an instant with month 13', (p) => ((p.sharingRules as Record<string, unknown>[])[0]!.since = '2027-13-01T00:00:00Z')],
  ['an instant as a date only', (p) => ((p.sharingRules as Record<string, unknown>[])[0]!.until = '2027-01-01')],
  ['a level word that is none', (p) => ((p.sharingRules as Record<string, unknown>[])[0]!.level = 'write')],
  ['a sharing rule level full', (p) => ((p.sharingRules as Record<string, unknown>[])[0]!.level = 'full')],
  ['a sharing rule from a user', (p) => ((p.sharingRules as Record<string, unknown>[])[0]!.from = { user: 'ann' })],
  ['a principal with two kinds', (p) => ((p.sharingRules as Record<string, unknown>[])[0]!.to = { group: 'sales', role: 'vp' })],
  ['a grant without a level', (p) => delete ((p.accessGroups as Record<string, unknown>[])[0]!.grants as Record<string, unknown>[])[0]!.level],
  ['a condition with two operators', (p) => ((p.accessGroups as Record<string, unknown>[])[0]!.segment = { all: [{ attribute: 'a', equals: 'x', contains: 'y' }] })],
  ['a condition with an unknown operator', (p) => ((p.accessGroups as Record<string, unknown>[])[0]!.segment = { all: [{ attribute: 'a', startsWith: 'x' }] })],
  ['a condition without an attribute', (p) => ((p.accessGroups as Record<string, unknown>[])[0]!.segment = { all: [{ equals: 'x' }] })],
  ['an equals of an object', (p) => ((p.accessGroups as Record<string, unknown>[])[0]!.segment = { all: [{ attribute: 'a', equals: { x: 1 } }] })],
  ['a type without actions', (p) => delete (p.resourceTypes as Record<string, Record<string, unknown>>).lead!.actions],
  ['a type with no action', (p) => ((p.resourceTypes as Record<string, Record<string, unknown>>).lead!.actions = {})],
  ['an action needing an unknown level', (p) => ((p.resourceTypes as Record<string, Record<string, unknown>>).lead!.actions = { view: 'see' })],
  ['an action named *', (p) => ((p.resourceTypes as Record<string, Record<string, unknown>>).lead!.actions = { '*': 'read' })],
  ['a type name with a colon', (p) => ((p.resourceTypes as Record<string, unknown>)['a:b'] = { actions: { view: 'read' } })],
  ['a type named *', (p) => ((p.resourceTypes as Record<string, unknown>)['*'] = { actions: { view: 'read' } })],
  ['an unknown default', (p) => ((p.resourceTypes as Record<string, Record<string, unknown>>).lead!.default = 'public')],
  ['hierarchy as a word', (p) => ((p.resourceTypes as Record<string, Record<string, unknown>>).lead!.hierarchy = 'yes')],
  ['a field without read', (p) => ((p.resourceTypes as Record<string, Record<string, unknown>>).lead!.fields = { salary: { write: 'edit' } })],
  ['a controlled type with a default', (p) => ((p.resourceTypes as Record<string, Record<string, unknown>>).note!.default = 'private')],
  ['a controlled type with hierarchy', (p) => ((p.resourceTypes as Record<string, Record<string, unknown>>).note!.hierarchy = true)],
  ['controlledBy *', (p) => ((p.resourceTypes as Record<string, Record<string, unknown>>).note!.controlledBy = '*')],
  ['an access level number 10', (p) => ((p.roles as Record<string, unknown>[])[0]!.accessLevel = 10)],
  ['an access level number 2.5', (p) => ((p.roles as Record<string, unknown>[])[0]!.accessLevel = 2.5)],
  ['an unknown tier', (p) => ((p.roles as Record<string, unknown>[])[0]!.accessLevel = 'gold')],
  ['a custom level without its list', (p) => ((p.roles as Record<string, unknown>[])[0]!.accessLevel = { custom: 'lead:view' })],
  ['a capability without a colon', (p) => ((p.tenants as Record<string, unknown>[])[0]!.ceiling = ['lead'])],
  ['a capability ending in a colon', (p) => ((p.tenants as Record<string, unknown>[])[0]!.ceiling = ['lead:'])],
  ['a capability starting with a colon', (p) => ((p.tenants as Record<string, unknown>[])[0]!.ceiling = [':view'])],
  ['an unknown tier in accessLevels', (p) => ((p.accessLevels as Record<string, unknown>).gold = ['*'])],
  ['users as an object', (p) => (p.users = { ann: { id: 'ann' } })],
  ['a null list', (p) => (p.groups = null)],
  ['a null field', (p) => ((p.users as Record<string, unknown>[])[0]!.role = null)],
];

describe('policies', () => {
  it('the base policy is valid for purview and the schema', () => {
    expect(purviewAccepts(BASE)).toBe(true);
    expect(validPolicy(BASE), schemaErrors(validPolicy)).toBe(true);
  });

  for (const [label, change] of BAD_POLICIES) {
    it(`${label}: refused by both`, () => {
      const p = structuredClone(BASE) as Record<string, unknown>;
      change(p);
      expect(shapeAccepted(p), 'purview accepted it').toBe(false);
      expect(validPolicy(p), 'the schema accepted it').toBe(false);
    });
  }

  it('random policies purview accepts (time-bound entries included) are valid against the schema', () => {
    fc.assert(
      fc.property(policyArb(SMALL_TEXT), fc.array(fc.nat(), { minLength: 200, maxLength: 200 }), (policy, s) => {
        const p = plain(retime(new Choices(s), policy));
        if (!purviewAccepts(p)) return;
        expect(validPolicy(p), schemaErrors(validPolicy)).toBe(true);
      }),
      runParams(150),
    );
  });

  it('random shape mutations of random policies are refused by both, or accepted by both', () => {
    // Two mutations that are always a wrong shape: a null in place of any value, or an unknown
    // field in any object that has fixed fields (not the maps keyed by name: resourceTypes,
    // actions, fields). And a third, anything in place of anything, where the only claim is the
    // direction that matters: when purview accepts the shape, the schema does too.
    const MAPS = new Set(['resourceTypes', 'actions', 'fields']);
    type Slot = { holder: Record<string, unknown> | unknown[]; key: string | number; parentKey: string | number | undefined };
    const slots = (root: unknown): Slot[] => {
      const out: Slot[] = [];
      const stack: [unknown, string | number | undefined][] = [[root, undefined]];
      while (stack.length > 0) {
        const [v, k] = stack.pop()!;
        if (Array.isArray(v)) v.forEach((x, i) => (out.push({ holder: v, key: i, parentKey: k }), stack.push([x, i])));
        else if (typeof v === 'object' && v !== null) for (const [kk, x] of Object.entries(v)) (out.push({ holder: v as Record<string, unknown>, key: kk, parentKey: k }), stack.push([x, kk]));
      }
      return out;
    };
    const objects = (root: unknown, key: string | number | undefined = undefined, out: [Record<string, unknown>, string | number | undefined][] = []): [Record<string, unknown>, string | number | undefined][] => {
      if (Array.isArray(root)) root.forEach((x, i) => objects(x, i, out));
      else if (typeof root === 'object' && root !== null) {
        out.push([root as Record<string, unknown>, key]);
        for (const [k, x] of Object.entries(root)) objects(x, k, out);
      }
      return out;
    };
    const anything = [null, 0, 3, 11, -1, 1.5, true, '', 'x', 'full', 'read', '*', 'a:b', '2030-01-01T00:00:00Z', [], ['x'], {}, { id: 'x' }, { custom: [] }, { user: 'x' }];
    let nulls = 0;
    let unknowns = 0;
    fc.assert(
      fc.property(policyArb(SMALL_TEXT), fc.nat(), fc.nat(), fc.nat({ max: anything.length - 1 }), (policy, i, j, k) => {
        const base = plain(policy);
        if (!purviewAccepts(base)) return;
        // null in place of a value
        const p1 = structuredClone(base);
        const s = slots(p1);
        if (s.length > 0) {
          const slot = s[i % s.length]!;
          (slot.holder as Record<string | number, unknown>)[slot.key] = null;
          expect(shapeAccepted(p1), `purview accepted null at ${String(slot.key)}`).toBe(false);
          expect(validPolicy(p1), `the schema accepted null at ${String(slot.key)}`).toBe(false);
          nulls++;
        }
        // an unknown field
        const p2 = structuredClone(base) as Record<string, unknown>;
        const objs = objects(p2).filter(([, key]) => typeof key !== 'string' || !MAPS.has(key));
        const [o] = objs[j % objs.length]!;
        o.unknownField = 'x';
        expect(shapeAccepted(p2), 'purview accepted an unknown field').toBe(false);
        expect(validPolicy(p2), 'the schema accepted an unknown field').toBe(false);
        unknowns++;
        // anything in place of a value: when purview accepts the shape, so does the schema
        const p3 = structuredClone(base);
        const s3 = slots(p3);
        if (s3.length > 0) {
          const slot = s3[(i + j) % s3.length]!;
          (slot.holder as Record<string | number, unknown>)[slot.key] = structuredClone(anything[k]);
          if (shapeAccepted(p3)) expect(validPolicy(p3), `the schema refused ${JSON.stringify(anything[k])} at ${String(slot.key)}, which purview accepts: ${schemaErrors(validPolicy)}`).toBe(true);
        }
      }),
      runParams(200),
    );
    expect(nulls).toBeGreaterThan(0);
    expect(unknowns).toBeGreaterThan(0);
  });
});

const BASE_TEST = {
  name: 'n',
  description: 'd',
  asOf: '2026-06-01T00:00:00Z',
  policy: { users: [{ id: 'ann' }], groups: [{ id: 'g', members: { users: ['ann'] } }], resourceTypes: { lead: { actions: { view: 'read' }, fields: { f: { read: 'view' } } } } },
  resources: [
    { type: 'lead', id: 'l1', owner: { user: 'ann' }, tenant: 'default', accessGroups: ['x'], attributes: { region: 'west', n: 1, b: true, tags: ['a'] }, shares: [{ to: { group: 'g' }, level: 'full', since: null, until: '2030-01-01T00:00:00Z' }] },
    { type: 'note', id: 'n1', parent: 'l1' },
  ],
  assertions: [
    { check: { user: 'ann', action: 'view', resource: 'l1', asOf: '2026-01-01T00:00:00Z' }, expect: 'allow', name: 'x' },
    { check: { user: 'bob', action: 'view', resource: 'l1' }, expect: 'deny', denial: 'unknown-user' },
    { groupsOf: 'ann', expect: ['g'], asOf: '2026-01-01T00:00:00Z' },
    { membersOf: 'g', expect: ['ann'] },
    { effectiveOwners: 'l1', expect: ['ann'] },
    { whoCan: { action: 'view', resource: 'l1' }, expect: ['ann'] },
    { permittedFields: { user: 'ann', resource: 'l1' }, expect: { read: ['f'], write: [] } },
  ],
};

/** Whether the loader accepts the file's shape (references to resources included). */
function loaderAccepts(doc: unknown): boolean {
  try {
    validateTestFile(doc, 'x.yaml');
    return true;
  } catch (e) {
    if (!(e instanceof TestFileError)) throw e;
    return false;
  }
}

type Doc = Record<string, unknown> & { resources: Record<string, unknown>[]; assertions: Record<string, unknown>[] };
const BAD_TEST_FILES: readonly [string, (d: Doc) => void][] = [
  ['an unknown top-level key', (d) => (d.assertion = [])],
  ['no policy', (d) => delete d.policy],
  ['a policy that is a list', (d) => (d.policy = [])],
  ['an unknown expectError', (d) => (d.expectError = 'Oops')],
  ['a file asOf that is no instant', (d) => (d.asOf = 'tomorrow')],
  ['a resource without a type', (d) => delete d.resources[0]!.type],
  ['a resource without owner or parent', (d) => delete d.resources[0]!.owner],
  ['a resource with an unknown key', (d) => (d.resources[0]!.own = { user: 'ann' })],
  ['an owner of two kinds', (d) => (d.resources[0]!.owner = { user: 'ann', group: 'g' })],
  ['an owner role', (d) => (d.resources[0]!.owner = { role: 'vp' })],
  ['an attribute of an object', (d) => (d.resources[0]!.attributes = { a: { b: 1 } })],
  ['a share level none', (d) => (d.resources[0]!.shares = [{ to: { user: 'ann' }, level: 'none' }])],
  ['a share without to', (d) => (d.resources[0]!.shares = [{ level: 'read' }])],
  ['a share until that is no instant', (d) => (d.resources[0]!.shares = [{ to: { user: 'ann' }, level: 'read', until: 5 }])],
  ['an assertion with two queries', (d) => (d.assertions[0] = { groupsOf: 'ann', membersOf: 'g', expect: [] })],
  ['an assertion without a query', (d) => (d.assertions[0] = { expect: 'allow' })],
  ['an assertion without expect', (d) => delete d.assertions[0]!.expect],
  ['a check expecting maybe', (d) => (d.assertions[0]!.expect = 'maybe')],
  ['a denial with allow', (d) => (d.assertions[0]!.denial = 'tenant')],
  ['an unknown denial code', (d) => (d.assertions[1]!.denial = 'nope')],
  ['a check without its action', (d) => (d.assertions[0] = { check: { user: 'ann', resource: 'l1' }, expect: 'allow' })],
  ['a check with asOf beside it', (d) => (d.assertions[1]!.asOf = '2026-01-01T00:00:00Z')],
  ['a groupsOf expecting a word', (d) => (d.assertions[2]!.expect = 'g')],
  ['a whoCan with an unknown key', (d) => (d.assertions[5] = { whoCan: { action: 'view', resource: 'l1', user: 'ann' }, expect: [] })],
  ['permittedFields expecting no write', (d) => (d.assertions[6] = { permittedFields: { user: 'ann', resource: 'l1' }, expect: { read: [] } })],
  ['a name of a number', (d) => (d.assertions[0]!.name = 3)],
];

describe('test files', () => {
  it('the base file is valid for the loader and the schema', () => {
    expect(loaderAccepts(BASE_TEST)).toBe(true);
    expect(validTestFile(BASE_TEST), schemaErrors(validTestFile)).toBe(true);
  });
  it('a file that references its policy and resources is valid against the schema', () => {
    expect(validTestFile({ policy: './crm.policy.yaml', resources: './records.yaml', assertions: [{ membersOf: 'g', expect: [] }] })).toBe(true);
  });
  for (const [label, change] of BAD_TEST_FILES) {
    it(`${label}: refused by both`, () => {
      const d = structuredClone(BASE_TEST) as unknown as Doc;
      change(d);
      expect(loaderAccepts(d), 'the loader accepted it').toBe(false);
      expect(validTestFile(d), 'the schema accepted it').toBe(false);
    });
  }
  it('an inline policy of the wrong shape is refused by the test-file schema (and by purview when the file runs)', () => {
    const d = structuredClone(BASE_TEST) as Record<string, unknown>;
    (d.policy as Record<string, unknown>).userz = [];
    expect(validTestFile(d)).toBe(false);
    expect(shapeAccepted(d.policy)).toBe(false);
  });
});
