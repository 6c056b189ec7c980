import type { ActionSlot, ActionTable } from '../access/action-table.js';
import type { CapSet, CompiledLevels } from '../access/capabilities.js';
import type { Id } from '../model/ids.js';
import type { AccessGroup, Group, ResourceType, SharingRule, User } from '../model/policy.js';
import type { Segment } from '../model/segment.js';

/*
 * The compiled index: the policy turned into linked nodes. Every lookup by id is one Map.get;
 * tree membership is an interval test on an Euler tour; a user's group closure, capabilities
 * and grants are compiled lazily into its profile and dropped precisely when a change touches them.
 */

/** A tenant in the tenant forest, with its Euler-tour interval and effective ceiling. */
export interface TenantNode {
  readonly id: Id;
  parent: TenantNode | undefined;
  readonly children: Set<TenantNode>;
  /** Entry time on the Euler tour; `a` is within `b` when `b.tin <= a.tin && a.tout <= b.tout`. */
  tin: number;
  tout: number;
  /** Intersection of the ceilings of this tenant and its ancestors, or undefined when unbounded. */
  ceiling: CapSet | undefined;
}

/** A role in the role forest. */
export interface RoleNode {
  readonly id: Id;
  tenant: Id;
  parent: RoleNode | undefined;
  readonly children: Set<RoleNode>;
  tin: number;
  tout: number;
  level: CapSet | undefined;
  /** Users whose role this is. */
  readonly users: Set<UserNode>;
  /** Groups that list this role in `roles`. */
  readonly inRoles: Set<GroupNode>;
  /** Groups that list this role in `rolesAndSubordinates`. */
  readonly inSubtrees: Set<GroupNode>;
}

/** What a user may do, compiled on first use and dropped when a change touches it. */
export interface Profile {
  /** Every group the user is a member of, at any depth: shared with every user of the same direct sources, never mutate. */
  readonly groups: ReadonlySet<GroupNode>;
  /** The union of the capability sets of its levels, or undefined when the policy has no access levels. */
  readonly caps: CapSet | undefined;
  /** The grant epoch that `rules` and `grants` were compiled at. */
  grantEpoch: number;
  /** Sharing rules whose `to` includes the user, by resource type. */
  rules: Map<string, CompiledRule[]>;
  /** Highest grant rank per access group that grants the user something. */
  grants: Map<AccessGroupNode, number>;
  /** Whether `rules` has any entry: lets a check skip the lookup. */
  hasRules: boolean;
  /** The subset of `grants` whose access group has a segment. */
  segmentGrants: { readonly group: AccessGroupNode; readonly rank: number }[];
}

/** A user. */
export interface UserNode {
  readonly id: Id;
  def: User;
  /** `def.status === 'active'`, kept on the node so that a check reads one object less. */
  active: boolean;
  /** The Euler-tour interval of the user's own tenant, inline for the same reason. */
  homeTin: number;
  homeTout: number;
  tenant: TenantNode;
  /** The user's own tenant followed by `tenants`: where it may act, with descendants. */
  reach: TenantNode[];
  role: RoleNode | undefined;
  level: CapSet | undefined;
  /** Groups that list the user in `users`. */
  readonly inUsers: Set<GroupNode>;
  profile: Profile | undefined;
}

/** A group. */
export interface GroupNode {
  readonly id: Id;
  def: Group;
  tenant: Id;
  /** Groups that list this group in `groups`. */
  readonly parents: Set<GroupNode>;
  level: CapSet | undefined;
  /** Cached set of this group and every group containing it, valid at `upEpoch`. */
  up: Set<GroupNode> | undefined;
  upEpoch: number;
}

/** A principal resolved to nodes. */
export type PrincipalRef =
  | { readonly kind: 'user'; readonly id: Id }
  | { readonly kind: 'role'; readonly node: RoleNode }
  | { readonly kind: 'roleAndSubordinates'; readonly node: RoleNode }
  | { readonly kind: 'group'; readonly node: GroupNode };

/** A sharing rule resolved to nodes. */
export interface CompiledRule {
  readonly def: SharingRule;
  readonly tenant: Id;
  readonly from: PrincipalRef;
  readonly to: PrincipalRef;
  readonly rank: number;
}

/** An access group resolved to nodes. */
export interface AccessGroupNode {
  readonly id: Id;
  readonly def: AccessGroup;
  readonly tenant: Id;
  /** The types it applies to, or undefined for every type. */
  readonly types: ReadonlySet<string> | undefined;
  readonly segment: Segment | undefined;
  readonly grants: readonly { readonly to: PrincipalRef; readonly rank: number }[];
}

/** A resource type with its numbered actions. */
export interface TypeNode {
  readonly def: ResourceType;
  /** The type's actions with their slots (the same objects as in the action table). */
  readonly actions: ReadonlyMap<string, ActionSlot>;
  readonly defaultRank: number;
  readonly groupOwnerRank: number;
}

/** The whole compiled index of one policy. Mutated in place by incremental changes. */
export interface Index {
  revision: number;
  readonly table: ActionTable;
  readonly levels: CompiledLevels | undefined;
  /** The capability set of the policy's `defaultAccessLevel` (empty when none). */
  readonly defaultCaps: CapSet | undefined;
  readonly types: ReadonlyMap<string, TypeNode>;
  readonly tenants: Map<Id, TenantNode>;
  readonly roles: Map<Id, RoleNode>;
  readonly users: Map<Id, UserNode>;
  readonly groups: Map<Id, GroupNode>;
  readonly rules: Map<Id, CompiledRule>;
  readonly accessGroups: Map<Id, AccessGroupNode>;
  /** Bumped when sharing rules or access groups change: profiles recompile their grants lazily. */
  grantEpoch: number;
  /** Bumped when group nesting changes: cached upward closures are recomputed lazily. */
  nestEpoch: number;
}
