import { MAX_ID_LENGTH } from '../model/ids.js';
import { INSTANT_PATTERN } from '../model/instant.js';
import {
  ACCESS_GROUP_FIELDS,
  CONDITION_OPERATORS,
  CUSTOM_LEVEL_FIELDS,
  FIELD_PERMISSION_FIELDS,
  GRANT_FIELDS,
  GROUP_FIELDS,
  LEVELS,
  MAX_NUMBERED_LEVEL,
  MEMBER_LISTS,
  ORG_DEFAULTS,
  OWN_ACCESS_FIELDS,
  POLICY_FIELDS,
  PRINCIPAL_KINDS,
  RESOURCE_TYPE_FIELDS,
  ROLE_FIELDS,
  RULE_PRINCIPAL_KINDS,
  SEGMENT_FIELDS,
  SHARING_RULE_FIELDS,
  SHARING_RULE_LEVELS,
  TENANT_FIELDS,
  TIERS,
  TIER_REFS,
  TIMED_MEMBER_FIELDS,
  USER_FIELDS,
  USER_STATUSES,
} from '../model/input-fields.js';
import { exactObject, listOf, oneOfWords, ref, type JsonSchema } from './json-schema.js';

/*
 * The JSON Schema of a policy file, generated from the vocabulary the normalizer reads
 * (src/model/input-fields.ts) and the constants it checks against (id length, the form of an
 * instant, the levels). What the schema checks is the shape: every field, every word, every type.
 * What it cannot say (that references resolve, that groups nest without a cycle, that ids are
 * distinct, that `since` is before `until`, that a date exists) is left to loading the policy and
 * to `purview validate`. So: every policy purview accepts is valid against the schema, and every
 * policy of the wrong shape is refused by both.
 */

const id = (description: string): JsonSchema => ({ type: 'string', minLength: 1, maxLength: MAX_ID_LENGTH, description });

/** An id that is also a resource type name: no `:` (it separates type from action) and not `*`. */
const typeName = (description: string): JsonSchema => ({ type: 'string', minLength: 1, maxLength: MAX_ID_LENGTH, pattern: '^[^:]+$', not: { const: '*' }, description });

const uniqueIds = (description: string): JsonSchema => listOf(id(description), { uniqueItems: true });

const instant = (description: string): JsonSchema => ({ type: 'string', pattern: INSTANT_PATTERN, description: `${description} (RFC 3339, e.g. 2026-12-31T17:00:00Z)` });

function principal(kinds: readonly (typeof PRINCIPAL_KINDS)[number][], description: string): JsonSchema {
  return {
    description,
    oneOf: kinds.map((k) => ({ type: 'object', properties: { [k]: id(`the ${k} id`) }, required: [k], additionalProperties: false }) satisfies JsonSchema),
  };
}

const levelRef: JsonSchema = {
  description: `An access level: a tier (${TIERS.join(', ')}), its read-only twin (standard:readOnly), a number 0-${MAX_NUMBERED_LEVEL}, or { custom: [capabilities] }`,
  oneOf: [
    oneOfWords(TIER_REFS),
    { type: 'integer', minimum: 0, maximum: MAX_NUMBERED_LEVEL },
    exactObject(CUSTOM_LEVEL_FIELDS, { custom: ref('capabilities') }, ['custom'], 'A custom access level'),
  ],
};

const memberEntry = (what: string): JsonSchema => ({
  oneOf: [
    id(`a ${what} id`),
    exactObject(TIMED_MEMBER_FIELDS, { id: id(`a ${what} id`), since: instant('in effect from'), until: instant('in effect until') }, ['id'], `a time-bound entry for a ${what}`),
  ],
});

const attributeValue: JsonSchema = { oneOf: [{ type: 'string' }, { type: 'number' }, { type: 'boolean' }, listOf({ type: 'string' })] };

function condition(): JsonSchema {
  const shapes: { readonly [K in (typeof CONDITION_OPERATORS)[number]]: JsonSchema } = {
    equals: attributeValue,
    in: listOf({ oneOf: [{ type: 'string' }, { type: 'number' }, { type: 'boolean' }] }),
    contains: { type: 'string' },
  };
  return {
    description: 'A condition: an attribute and exactly one of equals, in, contains',
    oneOf: CONDITION_OPERATORS.map((op) => ({ type: 'object', properties: { attribute: id('the attribute name'), [op]: shapes[op] }, required: ['attribute', op], additionalProperties: false }) satisfies JsonSchema),
  };
}

function definitions(): Record<string, JsonSchema> {
  const tenant = exactObject(TENANT_FIELDS, { id: id('the tenant id'), parent: id('the parent tenant id'), ceiling: ref('capabilities') }, ['id'], 'A tenant');
  const role = exactObject(ROLE_FIELDS, { id: id('the role id'), tenant: id('its tenant (default: default)'), parent: id('the role it reports to'), accessLevel: ref('accessLevel') }, ['id'], 'A role');
  const user = exactObject(
    USER_FIELDS,
    {
      id: id('the user id'),
      tenant: id('its home tenant (default: default)'),
      status: oneOfWords(USER_STATUSES, 'active (the default) or inactive'),
      role: id('its role'),
      accessLevel: ref('accessLevel'),
      tenants: uniqueIds('a further tenant it works in'),
    },
    ['id'],
    'A user',
  );
  const members = exactObject(
    MEMBER_LISTS,
    {
      users: listOf(memberEntry('user')),
      roles: listOf(memberEntry('role')),
      rolesAndSubordinates: listOf(memberEntry('role')),
      groups: listOf(memberEntry('group')),
    },
    [],
    'The members of a group; each entry an id, or { id, since?, until? } while it is in effect',
  );
  const group = exactObject(
    GROUP_FIELDS,
    { id: id('the group id'), tenant: id('its tenant (default: default)'), name: { type: 'string', maxLength: 10_000 }, description: { type: 'string', maxLength: 10_000 }, members, accessLevel: ref('accessLevel') },
    ['id'],
    'A group',
  );
  const action = { type: 'string', minLength: 1, maxLength: MAX_ID_LENGTH, not: { const: '*' } } satisfies JsonSchema;
  const fieldPermission = exactObject(FIELD_PERMISSION_FIELDS, { read: id('the action that reads the field'), write: id('the action that writes it') }, ['read'], 'A field permission');
  const resourceType = {
    ...exactObject(
      RESOURCE_TYPE_FIELDS,
      {
        name: id('the type name, the same as its key'),
        actions: { type: 'object', description: 'Each action and the level it needs', propertyNames: action, additionalProperties: oneOfWords(LEVELS), minProperties: 1 },
        readActions: uniqueIds('an action that only reads'),
        default: oneOfWords(ORG_DEFAULTS, 'the organization-wide default (default: private)'),
        hierarchy: { type: 'boolean', description: 'whether managers reach their subordinates\u2019 records (default: true)' },
        groupOwnerLevel: oneOfWords(LEVELS, 'the level members of an owner group have (default: full)'),
        fields: { type: 'object', description: 'Field permissions, by field name', propertyNames: id('a field name'), additionalProperties: fieldPermission },
        controlledBy: typeName('the type whose records control these records'),
      },
      ['actions'],
      'A resource type',
    ),
    // A controlled type has its parent's access and none of its own.
    dependentSchemas: { controlledBy: { properties: Object.fromEntries(OWN_ACCESS_FIELDS.map((f) => [f, false])) } },
  } satisfies JsonSchema;
  const sharingRule = exactObject(
    SHARING_RULE_FIELDS,
    {
      id: id('the rule id'),
      tenant: id('its tenant (default: default)'),
      resourceType: id('the type it shares'),
      from: ref('rulePrincipal'),
      to: ref('rulePrincipal'),
      level: oneOfWords(SHARING_RULE_LEVELS),
      since: instant('in effect from'),
      until: instant('in effect until'),
    },
    ['id', 'resourceType', 'from', 'to', 'level'],
    'A sharing rule: records owned by from are shared with to',
  );
  const grant = exactObject(GRANT_FIELDS, { to: ref('principal'), level: oneOfWords(LEVELS), since: instant('in effect from'), until: instant('in effect until') }, ['to', 'level'], 'A grant of an access group');
  const segment = exactObject(SEGMENT_FIELDS, { all: listOf(condition()) }, ['all'], 'A segment: records whose attributes meet every condition');
  const accessGroup = exactObject(
    ACCESS_GROUP_FIELDS,
    { id: id('the access group id'), tenant: id('its tenant (default: default)'), resourceTypes: uniqueIds('a type it covers'), segment, grants: listOf(grant) },
    ['id'],
    'An access group',
  );
  const accessLevels = exactObject(TIERS, { full: ref('capabilities'), extended: ref('capabilities'), standard: ref('capabilities'), limited: ref('capabilities'), minimum: ref('capabilities') }, [], 'The capabilities of each tier');
  return {
    capabilities: listOf({ type: 'string', pattern: '^(\\*|[^:]+:[\\s\\S]+)$', description: 'type:action, type:*, *:action or *' }),
    accessLevel: levelRef,
    principal: principal(PRINCIPAL_KINDS, 'Exactly one of { user }, { role }, { roleAndSubordinates }, { group }'),
    rulePrincipal: principal(RULE_PRINCIPAL_KINDS, 'Exactly one of { role }, { roleAndSubordinates }, { group }'),
    tenant,
    role,
    user,
    group,
    resourceType,
    sharingRule,
    accessGroup,
    accessLevels,
  };
}

/** The definitions and the top-level shape of a policy, without `$schema`/`$id` (the test-file schema embeds them). */
export function policyShape(): { readonly defs: Readonly<Record<string, JsonSchema>>; readonly policy: JsonSchema } {
  const defs = definitions();
  const policy = exactObject(
    POLICY_FIELDS,
    {
      tenants: listOf(ref('tenant')),
      roles: listOf(ref('role')),
      users: listOf(ref('user')),
      groups: listOf(ref('group')),
      resourceTypes: { type: 'object', description: 'The resource types, by name', propertyNames: typeName('a resource type name'), additionalProperties: ref('resourceType') },
      sharingRules: listOf(ref('sharingRule')),
      accessGroups: listOf(ref('accessGroup')),
      accessLevels: ref('accessLevels'),
      defaultAccessLevel: ref('accessLevel'),
    },
    [],
    'A purview policy',
  );
  return { defs, policy };
}

/**
 * The JSON Schema (draft 2020-12) of a policy file, as shipped in the package at
 * `purview/schema/policy.schema.json`. A fresh object each call.
 */
export function policySchema(): JsonSchema {
  const { defs, policy } = policyShape();
  return { $schema: 'https://json-schema.org/draft/2020-12/schema', title: 'purview policy', ...policy, $defs: defs };
}
