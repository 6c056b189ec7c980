import { MAX_ID_LENGTH } from '../model/ids.js';
import { INSTANT_PATTERN } from '../model/instant.js';
import { PRINCIPAL_KINDS } from '../model/input-fields.js';
import { exactObject, listOf, oneOfWords, ref, type JsonSchema } from '../schema/json-schema.js';
import { policyShape } from '../schema/policy-schema.js';
import {
  ASSERTION_KINDS,
  CHECK_ASSERTION_FIELDS,
  CHECK_EXPECTATIONS,
  CHECK_QUERY_FIELDS,
  DENIAL_CODES,
  EXPECTABLE_ERRORS,
  FIELDS_EXPECT_FIELDS,
  FIELDS_QUERY_FIELDS,
  OTHER_ASSERTION_FIELDS,
  OWNER_KINDS,
  RESOURCE_FIELDS,
  SHARE_FIELDS,
  SHARE_LEVELS,
  TEST_FILE_FIELDS,
  WHO_CAN_QUERY_FIELDS,
} from './test-file-fields.js';

/*
 * The JSON Schema of a policy test file, generated from the vocabulary the loader reads
 * (test-file-fields.ts) with the policy schema embedded for an inline `policy`. As with the policy
 * schema, it checks shapes; what needs the whole file (an assertion naming a resource that is not
 * listed, a file with neither assertions nor expectError) is left to `purview test`.
 */

const id = (description: string): JsonSchema => ({ type: 'string', minLength: 1, maxLength: MAX_ID_LENGTH, description });
const ids = (description: string): JsonSchema => listOf(id(description), { description: `${description}s, compared as a set` });
const instant = (description: string): JsonSchema => ({ type: 'string', pattern: INSTANT_PATTERN, description: `${description} (RFC 3339, e.g. 2026-12-31T17:00:00Z)` });
const path = (description: string): JsonSchema => ({ type: 'string', minLength: 1, description });
const one = (key: string, value: JsonSchema): JsonSchema => ({ type: 'object', properties: { [key]: value }, required: [key], additionalProperties: false });

function resource(): JsonSchema {
  const share = exactObject(
    SHARE_FIELDS,
    {
      to: { description: 'Exactly one of { user }, { role }, { roleAndSubordinates }, { group }', oneOf: PRINCIPAL_KINDS.map((k) => one(k, id(`the ${k} id`))) },
      level: oneOfWords(SHARE_LEVELS),
      since: { oneOf: [instant('in effect from'), { type: 'null' }] },
      until: { oneOf: [instant('in effect until'), { type: 'null' }] },
    },
    ['to', 'level'],
    'A record share',
  );
  return {
    ...exactObject(
      RESOURCE_FIELDS,
      {
        type: id('the resource type'),
        id: id('the resource id, which assertions refer to'),
        tenant: id('its tenant'),
        owner: { description: 'Exactly one of { user } or { group }', oneOf: OWNER_KINDS.map((k) => one(k, id(`the owner ${k} id`))) },
        accessGroups: ids('an access group id'),
        attributes: { type: 'object', additionalProperties: { oneOf: [{ type: 'string' }, { type: 'number' }, { type: 'boolean' }, listOf({ type: 'string' })] } },
        parent: id('the id of its parent resource (a record of a controlled type)'),
        shares: { oneOf: [listOf(share), { type: 'null' }] },
      },
      ['type', 'id'],
      'A resource (a record) the assertions ask about',
    ),
    anyOf: [{ required: ['owner'] }, { required: ['parent'] }],
  };
}

function assertion(): JsonSchema {
  const query = (kind: (typeof ASSERTION_KINDS)[number]): JsonSchema => {
    switch (kind) {
      case 'check':
        return exactObject(CHECK_QUERY_FIELDS, { user: id('the user'), action: id('the action'), resource: id('the id of a resource in resources'), asOf: instant('decide at') }, ['user', 'action', 'resource'], 'May user do action on resource?');
      case 'whoCan':
        return exactObject(WHO_CAN_QUERY_FIELDS, { action: id('the action'), resource: id('the id of a resource in resources') }, ['action', 'resource'], 'Who may do action on resource?');
      case 'permittedFields':
        return exactObject(FIELDS_QUERY_FIELDS, { user: id('the user'), resource: id('the id of a resource in resources') }, ['user', 'resource'], 'Which fields may user read and write?');
      case 'groupsOf':
        return id('the user whose groups are expected');
      case 'membersOf':
        return id('the group whose members are expected');
      case 'effectiveOwners':
        return id('the id of a resource in resources');
    }
  };
  const name = { type: 'string', description: 'a label for the test' } satisfies JsonSchema;
  const expectFor = (kind: (typeof ASSERTION_KINDS)[number]): JsonSchema =>
    kind === 'permittedFields' ? exactObject(FIELDS_EXPECT_FIELDS, { read: ids('a field'), write: ids('a field') }, ['read', 'write'], 'The fields, each list compared as a set') : ids('an id');
  return {
    description: `An assertion: exactly one of ${ASSERTION_KINDS.join(', ')}, and expect`,
    oneOf: ASSERTION_KINDS.map((kind): JsonSchema => {
      if (kind === 'check') {
        return {
          ...exactObject(
            CHECK_ASSERTION_FIELDS,
            { check: query(kind), expect: oneOfWords(CHECK_EXPECTATIONS), denial: oneOfWords(DENIAL_CODES, 'why it is denied (only with expect: deny)'), name },
            ['check', 'expect'],
            'A check',
          ),
          dependentSchemas: { denial: { properties: { expect: { const: 'deny' } } } },
        };
      }
      const fields = [kind, ...OTHER_ASSERTION_FIELDS] as const;
      const shapes: { readonly [K in (typeof fields)[number]]: JsonSchema } = { [kind]: query(kind), expect: expectFor(kind), name, asOf: instant('answer at') } as { readonly [K in (typeof fields)[number]]: JsonSchema };
      return exactObject(fields, shapes, [kind, 'expect'], `A ${kind} assertion`);
    }),
  };
}

/**
 * The JSON Schema (draft 2020-12) of a policy test file, as shipped in the package at
 * `purview/schema/test-file.schema.json`. A fresh object each call.
 */
export function testFileSchema(): JsonSchema {
  const { defs, policy } = policyShape();
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    title: 'purview policy test file',
    ...exactObject(
      TEST_FILE_FIELDS,
      {
        name: { type: 'string' },
        description: { type: 'string' },
        policy: { description: 'The policy, inline, or the path of a policy file relative to this one', oneOf: [path('the path of a policy file'), ref('policy')] },
        resources: { description: 'The resources, inline, or the path of a resources file', oneOf: [path('the path of a resources file'), listOf(ref('resource')), { type: 'null' }] },
        assertions: { oneOf: [listOf(ref('assertion')), { type: 'null' }] },
        expectError: oneOfWords(EXPECTABLE_ERRORS, 'the file passes only when loading the policy fails with this error'),
        asOf: instant('the instant every assertion is answered at unless it names its own'),
      },
      ['policy'],
      'A purview policy test file',
    ),
    $defs: { ...defs, policy, resource: resource(), assertion: assertion() },
  };
}
