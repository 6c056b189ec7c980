import type { EntryIndex } from './entry-index.js';
import type { ActionSlot, ActionTable } from '../access/action-table.js';
import type { CapSet, CompiledLevels } from '../access/capabilities.js';
import type { Id } from '../model/ids.js';
import type { AccessGroup, Group, Policy, ResourceType, Role, SharingRule, User } from '../model/policy.js';
import type { Segment } from '../model/segment.js';
import type { Instant } from '../model/instant.js';
import type { Interner } from './interner.js';
import type { PVec } from './pvec.js';

/*
 * The compiled snapshot of one revision: immutable, and sharing every part a change did not touch
 * with the snapshot it was made from. Entities are numbered per kind by interners that every
 * snapshot of an engine shares (they only grow); facts live in persistent vectors indexed by those
 * numbers; the role and tenant trees are Euler intervals in typed arrays. References between
 * entities are numbers, never objects, so replacing one entity's facts never touches another's.
 * The caches (group closures, per-user memberships and grants) are owned by the snapshot and
 * inherited by the next one minus exactly what the change made stale.
 */

/** A user's facts. */
export interface UserFacts {
  readonly num: number;
  readonly id: Id;
  readonly def: User;
  readonly active: boolean;
  /** The user's own tenant (a tenant number). */
  readonly tenant: number;
  /** The user's own tenant followed by `tenants` (tenant numbers): where it may act, with descendants. */
  readonly reach: readonly number[];
  /** The role number, or -1. */
  readonly role: number;
  readonly level: CapSet | undefined;
  /** Groups that list the user in `users` (group numbers, ascending, no repeats). */
  readonly inUsers: readonly number[];
  /**
   * The user's memberships, filled on first use. A cache on the facts object itself, so that a
   * check reads it without another lookup: every snapshot that shares this object shares its
   * validity, because a change that may alter the user's memberships gives the next snapshot a
   * fresh copy of the facts, with the caches empty.
   */
  membership: Membership | undefined;
  /** The user's sharing-rule and access-group grants, filled on first use (the same way). */
  grants: Grants | undefined;
}

/** A role's facts (its tour interval is in {@link Compiled.roleTin} / `roleTout`). */
export interface RoleFacts {
  readonly num: number;
  readonly id: Id;
  readonly def: Role;
  readonly tenant: Id;
  /** The parent role number, or -1. */
  readonly parent: number;
  readonly children: readonly number[];
  readonly level: CapSet | undefined;
  /** Users whose role this is. */
  readonly users: readonly number[];
  /** Groups that list this role in `roles`. */
  readonly inRoles: readonly number[];
  /** Groups that list this role in `rolesAndSubordinates`. */
  readonly inSubtrees: readonly number[];
}

/** A group's facts. */
export interface GroupFacts {
  readonly num: number;
  readonly id: Id;
  readonly def: Group;
  readonly tenant: Id;
  readonly level: CapSet | undefined;
  /** Groups that list this group in `groups`. */
  readonly parents: readonly number[];
  /** The members, as numbers (no repeats). */
  readonly users: readonly number[];
  readonly roles: readonly number[];
  readonly subtrees: readonly number[];
  readonly groups: readonly number[];
}

/** The tenant forest: by tenant number, whether it exists, its tour interval and effective ceiling. */
export interface TenantTable {
  /** 1 where the tenant exists in this snapshot. */
  readonly exists: Uint8Array;
  readonly tin: Int32Array;
  readonly tout: Int32Array;
  /** The parent tenant number, or -1. */
  readonly parent: Int32Array;
  /** Intersection of the ceilings of the tenant and its ancestors, or undefined when unbounded. */
  readonly ceiling: readonly (CapSet | undefined)[];
}

/** A principal resolved to numbers. A user principal keeps its id: it may name no user. */
export type PrincipalRef =
  | { readonly kind: 'user'; readonly num: number; readonly id: Id }
  | { readonly kind: 'role'; readonly num: number }
  | { readonly kind: 'roleAndSubordinates'; readonly num: number }
  | { readonly kind: 'group'; readonly num: number };

/** A sharing rule resolved to numbers. */
export interface CompiledRule {
  readonly num: number;
  readonly def: SharingRule;
  readonly tenant: Id;
  readonly type: string;
  readonly from: PrincipalRef;
  readonly to: PrincipalRef;
  readonly rank: number;
}

/** An access group resolved to numbers. */
export interface AccessGroupNode {
  readonly num: number;
  readonly id: Id;
  readonly def: AccessGroup;
  readonly tenant: Id;
  /** The types it applies to, or undefined for every type. */
  readonly types: ReadonlySet<string> | undefined;
  readonly segment: Segment | undefined;
  /** The grants in effect (in a view of a time-bound policy, those of its interval), with the `until` of each bounded one. */
  readonly grants: readonly { readonly to: PrincipalRef; readonly rank: number; readonly until?: Instant }[];
}

/** A resource type with its numbered actions. */
export interface TypeNode {
  readonly def: ResourceType;
  readonly actions: ReadonlyMap<string, ActionSlot>;
  readonly defaultRank: number;
  readonly groupOwnerRank: number;
  /** The type that controls this one's records (`controlledBy`), or undefined for a type with record access of its own. */
  readonly controlledBy: string | undefined;
}

/** What a change of resource types or access levels replaces: everything else is rebuilt with it. */
export interface Frame {
  readonly table: ActionTable;
  readonly levels: CompiledLevels | undefined;
  /** The capability set of the policy's `defaultAccessLevel` (empty when none), undefined without levels. */
  readonly defaultCaps: CapSet | undefined;
  readonly types: ReadonlyMap<string, TypeNode>;
}

/** The interners of one engine, shared by all its snapshots. */
export interface Interners {
  readonly users: Interner;
  readonly roles: Interner;
  readonly groups: Interner;
  readonly tenants: Interner;
  readonly rules: Interner;
  readonly accessGroups: Interner;
}

/** Lists of `T` by the principal they name, one vector per principal kind, indexed by its number. */
export interface ByPrincipal<T> {
  readonly user: PVec<readonly T[]>;
  readonly role: PVec<readonly T[]>;
  readonly roleAndSubordinates: PVec<readonly T[]>;
  readonly group: PVec<readonly T[]>;
}

/** The caches a snapshot owns (see closure.ts). */
export interface Caches {
  readonly closures: ClosureTables;
}

/** What a view of a time-bound policy knows of time (see {@link Compiled.timing}). */
export interface Timing {
  readonly policy: Policy;
  readonly at: number;
  /** The index of the groups' time-bound entries, shared by the views of an engine. */
  readonly entries: EntryIndex;
}

/** A clock: the current instant in epoch milliseconds. */
export type Clock = () => number;

/** The compiled snapshot of one revision. Never mutated, but for the fill-once caches (closure tables, and each user's facts). */
export interface Compiled {
  readonly revision: number;
  /** The engine's clock, read by a query that needs the instant and was given none. */
  readonly clock: Clock;
  /**
   * For a view of a policy with time-bound entries: the policy with every entry, and one instant
   * of the interval the view answers for, so that a membership path can say until when each of its
   * steps holds. Absent on a policy without time-bound entries.
   */
  readonly timing?: Timing;
  readonly frame: Frame;
  readonly ids: Interners;
  readonly users: PVec<UserFacts>;
  readonly roles: PVec<RoleFacts>;
  readonly groups: PVec<GroupFacts>;
  readonly tenants: TenantTable;
  /** The number of the `default` tenant (which always exists). */
  readonly defaultTenant: number;
  /** Role tour numbers by role number: `a` is within `b` when `tin[b] <= tin[a] && tout[a] <= tout[b]`. */
  readonly roleTin: Int32Array;
  readonly roleTout: Int32Array;
  readonly rules: PVec<CompiledRule>;
  readonly accessGroups: PVec<AccessGroupNode>;
  /** Sharing rules by the principal of their `to`. */
  readonly rulesTo: ByPrincipal<CompiledRule>;
  /** Sharing rules by the principal of their `from`. */
  readonly rulesFrom: ByPrincipal<CompiledRule>;
  /** Access groups by the principal of each of their grants. */
  readonly grantsTo: ByPrincipal<AccessGroupNode>;
  readonly caches: Caches;
}


/** A set of groups closed upwards (every group containing one of them is in it), shared. */
export interface Closure {
  /** Group numbers. Shared: never mutate. */
  readonly set: ReadonlySet<number>;
  /** The union of the groups' capability sets, or undefined when none has a level. */
  readonly caps: CapSet | undefined;
  /** The rules and access groups granted to the closure's groups, for one version of the grant index. */
  grantsMemo: GrantsMemo | undefined;
}

/** The grants reachable through a closure's groups, valid while the grant index vectors are the same objects. */
export interface GrantsMemo {
  readonly rulesKey: object;
  readonly grantsKey: object;
  readonly rules: readonly CompiledRule[];
  readonly accessGroups: readonly AccessGroupNode[];
}

/**
 * A user's group memberships: the closure of its role (shared by every user of the role) and
 * the closure of the groups that list it directly (shared by every user listed by the same
 * groups). The two may overlap.
 */
export interface Membership {
  readonly base: Closure;
  readonly extra: Closure | undefined;
  /** `base.set` and `extra.set`, inline: one load less on the hot path. */
  readonly baseSet: ReadonlySet<number>;
  readonly extraSet: ReadonlySet<number> | undefined;
  /**
   * `caps` as a bitmask of slots when the policy has at most 31 (type, action) slots (all bits
   * set without levels), so that the capability test reads no other object; -1 otherwise.
   */
  readonly capsBits: number;
  /** The user's capabilities: its level, its role's, its groups' (or the default level), undefined without levels. */
  readonly caps: CapSet | undefined;
}

/** What sharing rules and access groups give a user. */
export interface Grants {
  /** Sharing rules whose `to` includes the user, by resource type. */
  readonly rules: ReadonlyMap<string, readonly CompiledRule[]>;
  /** The highest grant rank per access group (by number) that grants the user something. */
  readonly byAccessGroup: ReadonlyMap<number, number>;
  /** The same, as a list. */
  readonly accessGroups: readonly { readonly ag: AccessGroupNode; readonly rank: number }[];
  /** The subset whose access group has a segment. */
  readonly segmentGrants: readonly { readonly ag: AccessGroupNode; readonly rank: number }[];
}

/** A trie node of direct-membership sets, keyed by group number. */
export interface Trie {
  /** The closure for this set beyond one base closure (`base`), the common case: one role per set. */
  closure: Closure | undefined;
  base: Closure | undefined;
  /** The closures for this set beyond further bases, when users of several roles share the set. */
  more: Map<Closure, Closure> | undefined;
  /** Children by the next group number; created when a first child is (most nodes are leaves). */
  next: Map<number, Trie> | undefined;
}

/**
 * Interned closures, valid for every snapshot of one closure generation (no change of nesting,
 * role-group listings, role parents, group levels or group existence in between): filled lazily.
 */
export interface ClosureTables {
  readonly byRole: Map<number, Closure>;
  readonly noRole: Closure;
  /** The closures of direct-membership sets, each beyond the base closure (a role's, or none) it extends. */
  readonly direct: Trie;
  /** How many closures the tables hold, to start afresh before they outgrow the users. */
  size: number;
}
