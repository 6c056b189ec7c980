import type { AccessGroupInput, GroupInput, RoleInput, SharingRuleInput, TenantInput, UserInput } from './policy-input.js';
import type { AccessLevels, Capability, LevelRef } from './access-level.js';
import type { Id } from './ids.js';
import type { Instant } from './instant.js';
import type { Level } from './level.js';
import type { Principal, RulePrincipal } from './principal.js';
import type { Segment } from './segment.js';
import type { IdMap } from './id-map.js';
import type { Draft } from 'immer';

export type { OrgDefault, UserStatus } from './status.js';
import type { OrgDefault, UserStatus } from './status.js';

/** An isolation boundary (a client, a subsidiary). Tenants form a tree. */
export interface Tenant {
  /** The tenant's id. */
  readonly id: Id;
  /** The parent tenant; none for a root. */
  readonly parent?: Id;
  /** Bounds the actions anyone can take on this tenant's resources; inherited when omitted. */
  readonly ceiling?: readonly Capability[];
}

/** A role in a tenant's hierarchy. */
export interface Role {
  /** The role's id. */
  readonly id: Id;
  /** The tenant the role belongs to. */
  readonly tenant: Id;
  /** The superior role, of the same tenant; none for a root. */
  readonly parent?: Id;
  /** The access level of every user with this role. */
  readonly accessLevel?: LevelRef;
}

/** A user of the application. */
export interface User {
  /** The user's id. */
  readonly id: Id;
  /** The user's own tenant. */
  readonly tenant: Id;
  /** `inactive` denies the user everything but keeps its memberships. */
  readonly status: UserStatus;
  /** The user's one role, of its own tenant. */
  readonly role?: Id;
  /** The user's own access level. */
  readonly accessLevel?: LevelRef;
  /** Further tenants the user may act in, each with its descendants. */
  readonly tenants: readonly Id[];
}

export type { MemberEntry, TimedMember, TimeBounds } from './entries.js';
import type { MemberEntry, TimeBounds } from './entries.js';

/** The four ways of being a member of a group. */
export interface GroupMembers {
  /** Users who are members. */
  readonly users: readonly MemberEntry[];
  /** Roles whose users are members. */
  readonly roles: readonly MemberEntry[];
  /** Roles whose users, and the users of every role below them, are members. */
  readonly rolesAndSubordinates: readonly MemberEntry[];
  /** Groups whose members are members (nested, any depth). */
  readonly groups: readonly MemberEntry[];
}

/** A group of users, roles, roles with subordinates and other groups. */
export interface Group {
  /** The group's id. */
  readonly id: Id;
  /** The tenant the group belongs to; every member is a principal of it. */
  readonly tenant: Id;
  /** A display name. */
  readonly name?: string;
  /** A free-text description. */
  readonly description?: string;
  /** Who is a member. */
  readonly members: GroupMembers;
  /** An access level added to every member's capabilities. */
  readonly accessLevel?: LevelRef;
}

/** A kind of record and the access each of its actions needs. */
export interface ResourceType {
  /** The type's name, its key in `resourceTypes`. */
  readonly name: string;
  /** Each action and the record-level access it needs. */
  readonly actions: ReadonlyMap<string, Level>;
  /** Actions that read-only access levels keep; by default the actions that need `read`. */
  readonly readActions?: readonly string[];
  /**
   * The organization-wide default level on every record of the type. Set on every type without
   * `controlledBy` (normalizing fills in `private`); absent on a controlled type, which has no
   * record access of its own.
   */
  readonly default?: OrgDefault;
  /**
   * Whether superiors get owner access to records owned by users in subordinate roles. Set on
   * every type without `controlledBy` (default `true`); absent on a controlled type.
   */
  readonly hierarchy?: boolean;
  /** The most that membership of an owning group grants. Set on every type without `controlledBy` (default `full`); absent on a controlled type. */
  readonly groupOwnerLevel?: Level;
  /**
   * The type whose records control this type's records (master-detail): a record of this type
   * carries `parent`, a record of that type, and its record access is its parent's. See
   * docs/parent-controlled-types.md.
   */
  readonly controlledBy?: string;
  /** Field permissions: each field with the action that reads it and the one that writes it (none: never writable). */
  readonly fields?: ReadonlyMap<string, FieldPermission>;
}

/** Which actions of its type read and write one field of a record. */
export interface FieldPermission {
  /** The action whose permission lets a user read the field. */
  readonly read: string;
  /** The action whose permission lets a user write the field; without it the field is never writable. */
  readonly write?: string;
}

/** Records of `resourceType` owned by `from` are shared with `to` at `level` (while in effect, with `since`/`until`). */
export interface SharingRule extends TimeBounds {
  /** The rule's id. */
  readonly id: Id;
  /** The tenant the rule belongs to; it affects only that tenant's records. */
  readonly tenant: Id;
  /** The type of records the rule shares. */
  readonly resourceType: string;
  /** Whose records are shared: a role, a role and subordinates, or a group (and groups nested in it). */
  readonly from: RulePrincipal;
  /** Who they are shared with. */
  readonly to: RulePrincipal;
  /** The access the rule gives. */
  readonly level: 'read' | 'readWrite';
}

/** One grant of an access group: `level` on its resources for the members of `to` (while in effect, with `since`/`until`). */
export interface Grant extends TimeBounds {
  /** Who gets the access. */
  readonly to: Principal;
  /** The access on each of the access group's records. */
  readonly level: Level;
}

/** A resource-side partition: records listed in it, or matched by its segment. */
export interface AccessGroup {
  /** The access group's id. */
  readonly id: Id;
  /** The tenant the access group belongs to; it holds only that tenant's records. */
  readonly tenant: Id;
  /** The types it applies to; every type when absent. */
  readonly resourceTypes?: readonly string[];
  /** Records whose attributes match are in the group, besides those that list it. */
  readonly segment?: Segment;
  /** Who gets how much on the group's records. */
  readonly grants: readonly Grant[];
}

/**
 * The policy as the engine holds it: every collection a `Map` keyed by id, every default filled
 * in. It is immutable (immer freezes it); change it with `engine.update(draft => ...)`.
 */
export interface Policy {
  /** The tenants, `default` among them. */
  readonly tenants: IdMap<Tenant>;
  /** The roles. */
  readonly roles: IdMap<Role>;
  /** The users. */
  readonly users: IdMap<User>;
  /** The groups. */
  readonly groups: IdMap<Group>;
  /** The resource types, keyed by name. */
  readonly resourceTypes: ReadonlyMap<string, ResourceType>;
  /** The sharing rules. */
  readonly sharingRules: IdMap<SharingRule>;
  /** The access groups. */
  readonly accessGroups: IdMap<AccessGroup>;
  /** The access levels; when present, checks include the capability step. */
  readonly accessLevels?: AccessLevels;
  /** The level of a user with no level of its own, on its role or on any of its groups. */
  readonly defaultAccessLevel?: LevelRef;
}

/** A collection of a {@link PolicyDraft}: reads return drafts that a recipe may change in place. */
export interface DraftIdMap<T, I = T> {
  /** How many entities the collection holds. */
  readonly size: number;
  /** The entity with this id, as a draft to change in place. */
  get(id: Id): Draft<T> | undefined;
  /** Whether an entity with this id exists. */
  has(id: Id): boolean;
  /**
   * Adds or replaces the entity with this id (the id must equal `value.id`). A new entity may be
   * written as a policy file writes it, its defaulted fields left out (`{ id: 'zed' }`).
   */
  set(id: Id, value: T | Draft<T> | I): this;
  /** Removes the entity with this id; references to it must be removed too, or the change is rejected. */
  delete(id: Id): boolean;
  /** The ids. */
  keys(): IterableIterator<Id>;
  /** The entities, as drafts. */
  values(): IterableIterator<Draft<T>>;
  /** The ids and entities, as drafts. */
  entries(): IterableIterator<[Id, Draft<T>]>;
  [Symbol.iterator](): IterableIterator<[Id, Draft<T>]>;
}

/**
 * What an `engine.update(draft => ...)` recipe receives: the policy as an immer draft. Change it
 * in place; entities you add may leave out defaulted fields (they are normalized and validated
 * before the change lands).
 * @example
 * ```ts
 * await engine.update((draft) => {
 *   draft.groups.get('sales')?.members.groups.push('team-c');
 *   draft.users.delete('u7');
 * });
 * ```
 */
export interface PolicyDraft {
  /** The tenants. */
  tenants: DraftIdMap<Tenant, TenantInput>;
  /** The roles. */
  roles: DraftIdMap<Role, RoleInput>;
  /** The users. */
  users: DraftIdMap<User, UserInput>;
  /** The groups. */
  groups: DraftIdMap<Group, GroupInput>;
  /** The resource types, keyed by name. */
  resourceTypes: Map<string, Draft<ResourceType>>;
  /** The sharing rules. */
  sharingRules: DraftIdMap<SharingRule, SharingRuleInput>;
  /** The access groups. */
  accessGroups: DraftIdMap<AccessGroup, AccessGroupInput>;
  /** The access levels; present, checks include the capability step (deleting it is rejected while any level is named). */
  accessLevels?: Draft<AccessLevels>;
  /** The level of a user with no level anywhere. */
  defaultAccessLevel?: LevelRef;
}

/** A recipe over the policy draft: a synchronous function that changes the draft in place. */
export type Recipe = (draft: PolicyDraft) => void;
