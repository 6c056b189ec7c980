/**
 * purview: an embeddable authorization engine for data owned by users and groups.
 *
 * The public entry, with every export picked by hand. It imports nothing beyond immer, so it runs
 * in Node, browsers, Deno, Bun and edge runtimes.
 * @packageDocumentation
 */

// Engine
export { createEngine } from './engine/create-engine.js';
export type { EngineOptions, PreparedChange } from './engine/core.js';
export type { Engine, EngineBase, Queries, QueryOptions, Recipe, GroupMembership, DeleteGroupOptions } from './engine/types.js';
export type { UserQueries } from './engine/types.js';

export { openEngine } from './engine/open-engine.js';
export type { OpenEngineOptions, SharedEngine } from './engine/open-engine.js';
export type { DecisionEvent, DecisionHookOptions, DecisionKind, EndCallback, Instrumentation, Outcome } from './engine/decision-hook.js';

// Decisions
export type { Decision, DenialCode, ParentReason, Reason, ReasonSource, PathStep, MembershipPath } from './decide/decision.js';
export { explainDecision, formatPath as formatMembershipPath } from './decide/explain.js';

// Access diffs between two policy versions
export { accessDiff, streamAccessDiff } from './diff/access-diff.js';
export { DEFAULT_DIFF_LIMIT } from './diff/types.js';
export type {
  AccessDiff,
  AccessDiffOptions,
  AccessDiffStream,
  AccessChange,
  AccessDiffSummary,
  DiffDenial,
  MembershipChange,
  NestingChange,
  StructuralChanges,
} from './diff/types.js';

// Rendering
export { policyGraph, type PolicyGraphOptions } from './render/policy-graph.js';

// Data filtering
export type { AccessFilter, FilterClause, FilterSource, SharePrincipals } from './decide/access-filter.js';
export { toPredicate } from './filter/to-predicate.js';
export { keepReadable, type PermittedFields } from './decide/permitted-fields.js';

// Model
export type { Id } from './model/ids.js';
export { DEFAULT_TENANT, MAX_ID_LENGTH, isId } from './model/ids.js';
export type { Level } from './model/level.js';
export { LEVELS, levelRank } from './model/level.js';
export type { Principal, RulePrincipal, PrincipalKind } from './model/principal.js';
export type { Owner, Resource, AttributeValue, Share, ShareLevel } from './model/resource.js';
export type { Instant } from './model/instant.js';
export type { Condition, Segment } from './model/segment.js';
export { segmentMatches } from './model/segment-match.js';
export type { AccessLevels, Capability, LevelRef, Tier, ReadOnlyTier } from './model/access-level.js';
export { TIERS } from './model/access-level.js';
export type {
  Policy,
  PolicyDraft,
  DraftIdMap,
  Tenant,
  Role,
  User,
  UserStatus,
  Group,
  GroupMembers,
  ResourceType,
  FieldPermission,
  OrgDefault,
  SharingRule,
  AccessGroup,
  Grant,
  MemberEntry,
  TimedMember,
  TimeBounds,
} from './model/policy.js';
export type { EntityChanges, EntityCommands, EntityInputs, EntityKind } from './engine/entity-commands.js';
export type {
  PolicyInput,
  TenantInput,
  RoleInput,
  UserInput,
  GroupInput,
  ResourceTypeInput,
  SharingRuleInput,
  AccessGroupInput,
} from './model/policy-input.js';
export { IdMap } from './model/id-map.js';
export type { Bucket, Shard } from './model/id-map.js';
export { normalizePolicy } from './model/normalize.js';
export { toPolicyInput } from './model/serialize.js';
export { scopePolicy } from './changes/tenant-scope.js';
export type { TenantScope, MissingTenants } from './changes/tenant-scope.js';
export { checkPolicy } from './validate/check-policy.js';
export { policyProblems, type PolicyProblem, type ProblemOptions } from './validate/policy-problems.js';
export type { Limits } from './validate/limits.js';

// Errors
export {
  PurviewError,
  InvalidInputError,
  CycleError,
  RoleCycleError,
  GroupCycleError,
  TenantCycleError,
  TenantError,
  StaleSnapshotError,
  ConflictError,
  LimitError,
  SchemaVersionError,
  RepositoryError,
  OutOfScopeError,
} from './errors/errors.js';
export type {
  ErrorCode,
  ErrorPath,
  ErrorDetails,
  PurviewErrorOptions,
  MessageErrorOptions,
  CycleErrorOptions,
  PurviewErrorJSON,
} from './errors/errors.js';

// Ports and the in-memory adapters
export type { PolicyRepository, StoredPolicy, LoadTenantsOptions } from './ports/policy-repository.js';
export type { ChangeRecord, EntityOp } from './ports/change-record.js';
export { memoryRepository } from './adapters/memory-repository.js';
export type { MemoryRepository } from './adapters/memory-repository.js';
export type { ResourceStore } from './ports/resource-store.js';
export type { MemoryResourceStore } from './adapters/memory-resource-store.js';
export { memoryResourceStore } from './adapters/memory-resource-store.js';
