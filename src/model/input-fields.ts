import { TIERS } from './access-level.js';
import { LEVELS } from './level.js';

/*
 * The vocabulary of policy input: the fields each entity may have and the words each field may
 * hold. The normalizer (normalize.ts) refuses any other field with these lists, and the JSON
 * Schema of policy files (src/schema/policy-schema.ts) is generated from them, with a schema for
 * every field that TypeScript checks against these lists: a field added here and not there, or
 * there and not here, does not compile, so the two cannot drift.
 */

/** The top-level fields of a policy. */
export const POLICY_FIELDS = ['tenants', 'roles', 'users', 'groups', 'resourceTypes', 'sharingRules', 'accessGroups', 'accessLevels', 'defaultAccessLevel'] as const;

/** The fields of a tenant. */
export const TENANT_FIELDS = ['id', 'parent', 'ceiling'] as const;

/** The fields of a role. */
export const ROLE_FIELDS = ['id', 'tenant', 'parent', 'accessLevel'] as const;

/** The fields of a user. */
export const USER_FIELDS = ['id', 'tenant', 'status', 'role', 'accessLevel', 'tenants'] as const;

/** The statuses a user may have. */
export const USER_STATUSES = ['active', 'inactive'] as const;

/** The fields of a group. */
export const GROUP_FIELDS = ['id', 'tenant', 'name', 'description', 'members', 'accessLevel'] as const;

/** The member lists of a group. */
export const MEMBER_LISTS = ['users', 'roles', 'rolesAndSubordinates', 'groups'] as const;

/** The fields of a time-bound member entry `{ id, since?, until? }`. */
export const TIMED_MEMBER_FIELDS = ['id', 'since', 'until'] as const;

/** The fields of a resource type. */
export const RESOURCE_TYPE_FIELDS = ['name', 'actions', 'readActions', 'default', 'hierarchy', 'groupOwnerLevel', 'fields', 'controlledBy'] as const;

/** The fields a controlled type (one with `controlledBy`) may not have: its records have their parent's access. */
export const OWN_ACCESS_FIELDS = ['default', 'hierarchy', 'groupOwnerLevel'] as const;

/** The fields of a field permission `{ read, write? }`. */
export const FIELD_PERMISSION_FIELDS = ['read', 'write'] as const;

/** The organization-wide defaults a resource type may have. */
export const ORG_DEFAULTS = ['private', 'publicRead', 'publicReadWrite', 'publicFull'] as const;

/** The fields of a sharing rule. */
export const SHARING_RULE_FIELDS = ['id', 'tenant', 'resourceType', 'from', 'to', 'level', 'since', 'until'] as const;

/** The levels a sharing rule may grant. */
export const SHARING_RULE_LEVELS = ['read', 'readWrite'] as const;

/** The kinds of principal, each the one key of its object (`{ user: id }` ...). */
export const PRINCIPAL_KINDS = ['user', 'role', 'roleAndSubordinates', 'group'] as const;

/** The kinds of principal a sharing rule may name (no single users). */
export const RULE_PRINCIPAL_KINDS = ['role', 'roleAndSubordinates', 'group'] as const;

/** The fields of an access group. */
export const ACCESS_GROUP_FIELDS = ['id', 'tenant', 'resourceTypes', 'segment', 'grants'] as const;

/** The fields of an access-group grant. */
export const GRANT_FIELDS = ['to', 'level', 'since', 'until'] as const;

/** The fields of a segment. */
export const SEGMENT_FIELDS = ['all'] as const;

/** The operators of a segment condition, each beside `attribute`. */
export const CONDITION_OPERATORS = ['equals', 'in', 'contains'] as const;

/** The fields of a custom access level `{ custom: [...] }`. */
export const CUSTOM_LEVEL_FIELDS = ['custom'] as const;

/** The named access levels: the tiers and their read-only twins (`standard:readOnly`). */
export const TIER_REFS: readonly string[] = Object.freeze([...TIERS, ...TIERS.map((t) => `${t}:readOnly`)]);

/** The highest numbered access level (0 to this; 10 is a custom level). */
export const MAX_NUMBERED_LEVEL = 9;

export { LEVELS, TIERS };
