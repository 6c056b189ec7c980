import type { DenialCode } from '../decide/decision.js';

/*
 * The vocabulary of policy test files: the keys each part of a test file may have and the words
 * each may hold. The loader (test-file.ts) refuses anything else with these lists, and the JSON
 * Schema of test files (test-file-schema.ts) is generated from them, so the two cannot drift.
 */

/** The top-level keys of a test file. */
export const TEST_FILE_FIELDS = ['name', 'description', 'policy', 'resources', 'assertions', 'expectError', 'asOf'] as const;

/** The keys of a resource in a test file. */
export const RESOURCE_FIELDS = ['type', 'id', 'tenant', 'owner', 'accessGroups', 'attributes', 'parent', 'shares'] as const;

/** The kinds of owner a resource may have, each the one key of `owner`. */
export const OWNER_KINDS = ['user', 'group'] as const;

/** The keys of a record share. */
export const SHARE_FIELDS = ['to', 'level', 'since', 'until'] as const;

/** The levels a record share may grant. */
export const SHARE_LEVELS = ['read', 'readWrite', 'full'] as const;

/** The kinds of assertion, each its query key in the file. */
export const ASSERTION_KINDS = ['check', 'groupsOf', 'membersOf', 'whoCan', 'effectiveOwners', 'permittedFields'] as const;

/** The keys of a check assertion (its instant is inside the query: `check: { ..., asOf }`). */
export const CHECK_ASSERTION_FIELDS = ['check', 'expect', 'denial', 'name'] as const;

/** The keys of any other assertion, beside its query key. */
export const OTHER_ASSERTION_FIELDS = ['expect', 'name', 'asOf'] as const;

/** The keys of a check's query. */
export const CHECK_QUERY_FIELDS = ['user', 'action', 'resource', 'asOf'] as const;

/** The keys of a whoCan query. */
export const WHO_CAN_QUERY_FIELDS = ['action', 'resource'] as const;

/** The keys of a permittedFields query. */
export const FIELDS_QUERY_FIELDS = ['user', 'resource'] as const;

/** The keys of a permittedFields expectation. */
export const FIELDS_EXPECT_FIELDS = ['read', 'write'] as const;

/** What a check expects. */
export const CHECK_EXPECTATIONS = ['allow', 'deny'] as const;

/**
 * The error names a file may declare in `expectError`: `PurviewError` matches any purview error,
 * each other name exactly that error (see `isExpectedError` in run-tests.ts).
 */
export const EXPECTABLE_ERRORS = ['PurviewError', 'InvalidInputError', 'GroupCycleError', 'RoleCycleError', 'TenantCycleError', 'TenantError', 'LimitError', 'SchemaVersionError', 'RepositoryError'] as const;

/** The denial codes a check assertion may name in `denial`. */
export const DENIAL_CODES: readonly DenialCode[] = ['unknown-user', 'inactive-user', 'tenant', 'capability', 'ceiling', 'record-access'];
