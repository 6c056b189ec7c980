import type { Instant } from './instant.js';
import type { MemberEntry } from './entries.js';
import type { AccessLevels, Capability, LevelRef } from './access-level.js';
import type { Id } from './ids.js';
import type { Level } from './level.js';
import type { OrgDefault, UserStatus } from './status.js';
import type { Principal, RulePrincipal } from './principal.js';
import type { Segment } from './segment.js';

/** A tenant as written in a policy file. */
export interface TenantInput {
  /** The tenant's id. */
  readonly id: Id;
  /** The parent tenant; none makes it a root. */
  readonly parent?: Id;
  /**
   * The capabilities anyone may use on the tenant's records; a subset of the parent's, inherited when absent.
   * @example
   * ```ts
   * { id: 'acme', parent: 'agency', ceiling: ['contact:*', 'report:view'] }
   * ```
   */
  readonly ceiling?: readonly Capability[];
}

/** A role as written in a policy file; `tenant` defaults to `default`. */
export interface RoleInput {
  /** The role's id. */
  readonly id: Id;
  /** The tenant the role belongs to (default `default`). */
  readonly tenant?: Id;
  /** The superior role, of the same tenant; none makes it a root of the hierarchy. */
  readonly parent?: Id;
  /** The access level of every user with this role (needs `accessLevels` in the policy). */
  readonly accessLevel?: LevelRef;
}

/** A user as written in a policy file; `status` defaults to `active`. */
export interface UserInput {
  /** The user's id. */
  readonly id: Id;
  /** The user's own tenant (default `default`). */
  readonly tenant?: Id;
  /** `inactive` denies the user everything but keeps its memberships (default `active`). */
  readonly status?: UserStatus;
  /** The user's one role, of its own tenant. */
  readonly role?: Id;
  /** The user's own access level (needs `accessLevels` in the policy). */
  readonly accessLevel?: LevelRef;
  /** Further tenants the user may act in, each with its descendants. */
  readonly tenants?: readonly Id[];
}

/** A group as written in a policy file; every member list is optional. */
export interface GroupInput {
  /** The group's id. */
  readonly id: Id;
  /** The tenant the group belongs to (default `default`); every member is a principal of it. */
  readonly tenant?: Id;
  /** A display name. */
  readonly name?: string;
  /** A free-text description. */
  readonly description?: string;
  /**
   * Who is a member: listed users, users with a listed role, users in a listed role's subtree, and members of listed groups (nested, any depth).
   * @example
   * ```ts
   * { users: ['u1', { id: 'contractor', until: '2026-12-31T17:00:00Z' }], roles: ['sales'], groups: ['team-a'] }
   * ```
   */
  readonly members?: {
    readonly users?: readonly MemberEntry[];
    readonly roles?: readonly MemberEntry[];
    readonly rolesAndSubordinates?: readonly MemberEntry[];
    readonly groups?: readonly MemberEntry[];
  };
  /** An access level added to every member's capabilities (needs `accessLevels` in the policy). */
  readonly accessLevel?: LevelRef;
}

/** A resource type as written in a policy file, keyed by its name in `resourceTypes`. */
export interface ResourceTypeInput {
  /**
   * Each action and the record-level access it needs.
   * @example
   * ```ts
   * { view: 'read', edit: 'readWrite', delete: 'full' }
   * ```
   */
  readonly actions: Readonly<Record<string, Level>>;
  /** The actions read-only access levels keep; by default those that need exactly `read`. */
  readonly readActions?: readonly string[];
  /** The organization-wide default: `private` (the default), `publicRead`, `publicReadWrite` or `publicFull`. */
  readonly default?: OrgDefault;
  /** Whether superiors get `full` access to records owned by users in subordinate roles (default true). */
  readonly hierarchy?: boolean;
  /** The most that membership of an owning group grants (default `full`). */
  readonly groupOwnerLevel?: Level;
  /**
   * A declared type whose records control this type's records (master-detail): each record
   * carries `parent`, a record of that type, and has the access its parent gives. A controlled
   * type declares no `default`, `hierarchy` or `groupOwnerLevel`, and no sharing rule or access
   * group may name it.
   * @example
   * ```ts
   * { contact: { actions: { view: 'read', edit: 'readWrite' }, controlledBy: 'account' } }
   * ```
   */
  readonly controlledBy?: string;
  /**
   * Field permissions: each field of the type's records with the action that reads it and,
   * optionally, the one that writes it (see `permittedFields`).
   * @example
   * ```ts
   * { email: { read: 'view', write: 'edit' }, salary: { read: 'viewSalary' } }
   * ```
   */
  readonly fields?: Readonly<Record<string, { readonly read: string; readonly write?: string }>>;
}

/** A sharing rule as written in a policy file. */
export interface SharingRuleInput {
  /** The rule's id. */
  readonly id: Id;
  /** The tenant the rule belongs to (default `default`); it affects only that tenant's records. */
  readonly tenant?: Id;
  /** The type of records the rule shares. */
  readonly resourceType: string;
  /** Whose records are shared: a role, a role and subordinates, or a group (and groups nested in it). */
  readonly from: RulePrincipal;
  /** Who they are shared with. */
  readonly to: RulePrincipal;
  /** The access the rule gives. */
  readonly level: 'read' | 'readWrite';
  /** The first instant the rule is in effect (an RFC 3339 date-time); always when absent. */
  readonly since?: Instant;
  /** The first instant the rule is no longer in effect; never ends when absent. */
  readonly until?: Instant;
}

/** An access group as written in a policy file. */
export interface AccessGroupInput {
  /** The access group's id. */
  readonly id: Id;
  /** The tenant the access group belongs to (default `default`); it holds only that tenant's records. */
  readonly tenant?: Id;
  /** The types it applies to; every type when absent. */
  readonly resourceTypes?: readonly string[];
  /**
   * Records whose attributes match are in the group, besides those that list it in `accessGroups`.
   * @example
   * ```ts
   * { all: [{ attribute: 'tags', contains: 'press' }, { attribute: 'country', in: ['DE', 'PL'] }] }
   * ```
   */
  readonly segment?: Segment;
  /** Who gets how much on the group's records, each grant in effect between `since` and `until` when given. */
  readonly grants?: readonly { readonly to: Principal; readonly level: Level; readonly since?: Instant; readonly until?: Instant }[];
}

/**
 * A policy as plain data (JSON or YAML): the form `createEngine` accepts and `toPolicyInput`
 * returns. Every list is optional except `resourceTypes`.
 * @example
 * ```ts
 * const policy: PolicyInput = {
 *   resourceTypes: { lead: { actions: { view: 'read', edit: 'readWrite', delete: 'full' } } },
 *   roles: [{ id: 'ceo' }, { id: 'sales', parent: 'ceo' }],
 *   users: [{ id: 'ann', role: 'ceo' }, { id: 'bob', role: 'sales' }],
 *   groups: [{ id: 'team-a', members: { users: ['bob'] } }],
 * };
 * ```
 */
export interface PolicyInput {
  /** The tenant tree; tenant `default` exists without being listed. */
  readonly tenants?: readonly TenantInput[];
  /** The roles, a hierarchy per tenant. */
  readonly roles?: readonly RoleInput[];
  /** The users. */
  readonly users?: readonly UserInput[];
  /** The groups. */
  readonly groups?: readonly GroupInput[];
  /** The resource types, keyed by name (no `:`, not `*`). */
  readonly resourceTypes: Readonly<Record<string, ResourceTypeInput>>;
  /** The sharing rules. */
  readonly sharingRules?: readonly SharingRuleInput[];
  /** The access groups. */
  readonly accessGroups?: readonly AccessGroupInput[];
  /** The five tiers, each as what it adds to the tier below; its presence turns on the capability step. */
  readonly accessLevels?: AccessLevels;
  /** The level of a user with no level of its own, on its role or on any of its groups. */
  readonly defaultAccessLevel?: LevelRef;
}
