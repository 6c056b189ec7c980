import type { CapSet } from '../access/capabilities.js';
import type { AccessGroupNode, CompiledRule } from './snapshot.js';

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
  closure: Closure | undefined;
  readonly next: Map<number, Trie>;
}

/**
 * Interned closures, valid for every snapshot of one closure generation (no change of nesting,
 * role-group listings, role parents, group levels or group existence in between): filled lazily.
 */
export interface ClosureTables {
  readonly byRole: Map<number, Closure>;
  readonly noRole: Closure;
  readonly direct: Trie;
  /** How many closures the tables hold, to start afresh before they outgrow the users. */
  size: number;
}
