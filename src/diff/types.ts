import type { DenialCode, Reason } from '../decide/decision.js';
import type { Id } from '../model/ids.js';
import type { Instant } from '../model/instant.js';

/** Options of {@link accessDiff}. */
export interface AccessDiffOptions {
  /**
   * Decide both policies at this instant (an RFC 3339 date-time such as `2026-12-31T17:00:00Z`):
   * time-bound entries count as they do then. Default: the instant `accessDiff` was called at,
   * the same for every query on both sides.
   */
  readonly asOf?: Instant;
  /**
   * The most decisions to compare (each one check on each policy); more is a `LimitError` that
   * says how many were needed. Default {@link DEFAULT_DIFF_LIMIT}.
   */
  readonly limit?: number;
}

/** The default of {@link AccessDiffOptions.limit}: one million decisions compared. */
export const DEFAULT_DIFF_LIMIT = 1_000_000;

/**
 * Why a side denied: the decision's denial code, or `undeclared` when that policy does not declare
 * the action (or the resource's type) at all.
 */
export type DiffDenial = DenialCode | 'undeclared';

/** One decision that flips between the two policies. */
export interface AccessChange {
  readonly user: Id;
  readonly action: string;
  /** The resource's id. */
  readonly resource: Id;
  /** The resource's type. */
  readonly type: string;
  readonly before: 'allow' | 'deny';
  readonly after: 'allow' | 'deny';
  /** The reasons `check` gave on the old policy (record-level access, highest first). */
  readonly reasonsBefore: readonly Reason[];
  /** The reasons `check` gives on the new policy. */
  readonly reasonsAfter: readonly Reason[];
  /** Why the old policy denied, when it did. */
  readonly denialBefore?: DiffDenial;
  /** Why the new policy denies, when it does. */
  readonly denialAfter?: DiffDenial;
}

/** The groups a user is a member of (at any depth) that it gained and lost. */
export interface MembershipChange {
  readonly user: Id;
  /** Groups it is a member of in the new policy only, sorted. */
  readonly gained: readonly Id[];
  /** Groups it was a member of in the old policy only, sorted. */
  readonly lost: readonly Id[];
}

/** A group nested in different groups: the groups that list it directly in `members.groups`. */
export interface NestingChange {
  readonly group: Id;
  /** Groups that list it in the new policy only, sorted. */
  readonly joined: readonly Id[];
  /** Groups that listed it in the old policy only, sorted. */
  readonly left: readonly Id[];
}

/** Changes of the policy's structure, whatever the resources. */
export interface StructuralChanges {
  /** Users of the new policy only, sorted. */
  readonly usersAdded: readonly Id[];
  /** Users of the old policy only, sorted. */
  readonly usersRemoved: readonly Id[];
  /** Groups of the new policy only, sorted. */
  readonly groupsAdded: readonly Id[];
  /** Groups of the old policy only, sorted. */
  readonly groupsRemoved: readonly Id[];
  /** Per user whose memberships differ (as `groupsOf` answers at the instant), sorted by user. */
  readonly memberships: readonly MembershipChange[];
  /** Per group whose direct parents differ, sorted by group. */
  readonly groupsMoved: readonly NestingChange[];
}

/** Counts over the flipped decisions. */
export interface AccessDiffSummary {
  /** Decisions that flipped. */
  readonly changed: number;
  /** Flipped from deny to allow. */
  readonly gained: number;
  /** Flipped from allow to deny. */
  readonly lost: number;
  /** Decisions compared (the rest could not differ). */
  readonly compared: number;
}

/** What {@link accessDiff} answers. */
export interface AccessDiff {
  /** The instant both policies were decided at. */
  readonly asOf: Instant;
  /** Every flipped decision: by resource in the order given, then by user, then by action in the type's order. */
  readonly changes: readonly AccessChange[];
  readonly structural: StructuralChanges;
  readonly summary: AccessDiffSummary;
}

/** What {@link streamAccessDiff} answers: an access diff whose changes come one at a time. */
export interface AccessDiffStream {
  /** The instant both policies are decided at. */
  readonly asOf: Instant;
  readonly structural: StructuralChanges;
  /** The decisions that will be compared. */
  readonly compared: number;
  /**
   * The flipped decisions, in the order of {@link AccessDiff.changes}, made as they are asked for;
   * the generator's return value is the summary. Iterable once.
   */
  changes(): Generator<AccessChange, AccessDiffSummary, undefined>;
}
