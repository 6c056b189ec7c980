import type { AccessLevels, Capability, LevelRef } from './access-level.js';
import type { Id } from './ids.js';
import type { Level } from './level.js';
import type { Principal, RulePrincipal } from './principal.js';
import type { Segment } from './segment.js';
import type { IdMap } from './id-map.js';
import type { Draft } from 'immer';

/** A user's status: an inactive user is denied everything but keeps its memberships. */
export type UserStatus = 'active' | 'inactive';

/** An organization-wide default for a resource type. */
export type OrgDefault = 'private' | 'publicRead' | 'publicReadWrite' | 'publicFull';

/** An isolation boundary (a client, a subsidiary). Tenants form a tree. */
export interface Tenant {
  readonly id: Id;
  readonly parent?: Id;
  /** Bounds the actions anyone can take on this tenant's resources; inherited when omitted. */
  readonly ceiling?: readonly Capability[];
}

/** A role in a tenant's hierarchy. */
export interface Role {
  readonly id: Id;
  readonly tenant: Id;
  readonly parent?: Id;
  readonly accessLevel?: LevelRef;
}

/** A user of the application. */
export interface User {
  readonly id: Id;
  readonly tenant: Id;
  readonly status: UserStatus;
  readonly role?: Id;
  readonly accessLevel?: LevelRef;
  /** Further tenants the user may act in, each with its descendants. */
  readonly tenants: readonly Id[];
}

/** The four ways of being a member of a group. */
export interface GroupMembers {
  readonly users: readonly Id[];
  readonly roles: readonly Id[];
  readonly rolesAndSubordinates: readonly Id[];
  readonly groups: readonly Id[];
}

/** A group of users, roles, roles with subordinates and other groups. */
export interface Group {
  readonly id: Id;
  readonly tenant: Id;
  readonly name?: string;
  readonly description?: string;
  readonly members: GroupMembers;
  readonly accessLevel?: LevelRef;
}

/** A kind of record and the access each of its actions needs. */
export interface ResourceType {
  readonly name: string;
  /** Each action and the record-level access it needs. */
  readonly actions: ReadonlyMap<string, Level>;
  /** Actions that read-only access levels keep; by default the actions that need `read`. */
  readonly readActions?: readonly string[];
  readonly default: OrgDefault;
  /** Whether superiors get owner access to records owned by users in subordinate roles. */
  readonly hierarchy: boolean;
  /** The most that membership of an owning group grants. */
  readonly groupOwnerLevel: Level;
}

/** Records of `resourceType` owned by `from` are shared with `to` at `level`. */
export interface SharingRule {
  readonly id: Id;
  readonly tenant: Id;
  readonly resourceType: string;
  readonly from: RulePrincipal;
  readonly to: RulePrincipal;
  readonly level: 'read' | 'readWrite';
}

/** One grant of an access group: `level` on its resources for the members of `to`. */
export interface Grant {
  readonly to: Principal;
  readonly level: Level;
}

/** A resource-side partition: records listed in it, or matched by its segment. */
export interface AccessGroup {
  readonly id: Id;
  readonly tenant: Id;
  readonly resourceTypes?: readonly string[];
  readonly segment?: Segment;
  readonly grants: readonly Grant[];
}

/**
 * The policy as the engine holds it: every collection a `Map` keyed by id, every default filled
 * in. It is immutable (immer freezes it); change it with `engine.update(draft => ...)`.
 */
export interface Policy {
  readonly tenants: IdMap<Tenant>;
  readonly roles: IdMap<Role>;
  readonly users: IdMap<User>;
  readonly groups: IdMap<Group>;
  readonly resourceTypes: ReadonlyMap<string, ResourceType>;
  readonly sharingRules: IdMap<SharingRule>;
  readonly accessGroups: IdMap<AccessGroup>;
  readonly accessLevels?: AccessLevels;
  readonly defaultAccessLevel?: LevelRef;
}

/** A collection of a {@link PolicyDraft}: reads return drafts that a recipe may change in place. */
export interface DraftIdMap<T> {
  readonly size: number;
  get(id: Id): Draft<T> | undefined;
  has(id: Id): boolean;
  set(id: Id, value: T | Draft<T>): this;
  delete(id: Id): boolean;
  keys(): IterableIterator<Id>;
  values(): IterableIterator<Draft<T>>;
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
  tenants: DraftIdMap<Tenant>;
  roles: DraftIdMap<Role>;
  users: DraftIdMap<User>;
  groups: DraftIdMap<Group>;
  resourceTypes: Map<string, Draft<ResourceType>>;
  sharingRules: DraftIdMap<SharingRule>;
  accessGroups: DraftIdMap<AccessGroup>;
  accessLevels?: Draft<AccessLevels>;
  defaultAccessLevel?: LevelRef;
}
