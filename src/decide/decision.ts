import type { Instant } from '../model/instant.js';
import type { Id } from '../model/ids.js';
import type { Level } from '../model/level.js';

/** Why a check was denied before record access was weighed, or that record access fell short. */
export type DenialCode = 'unknown-user' | 'inactive-user' | 'tenant' | 'capability' | 'ceiling' | 'record-access';

/** The sources of record-level access: the last step of the decision (see the decision guide). */
export type ReasonSource = 'owner' | 'group-owner' | 'hierarchy' | 'default' | 'sharing-rule' | 'access-group' | 'record-share' | 'parent';

export type { MembershipPath, PathStep } from '../model/path.js';
import type { MembershipPath } from '../model/path.js';

/** One source that contributed record-level access, with the proof. */
export interface Reason {
  /** Which source contributed. */
  readonly source: ReasonSource;
  /** The level this source grants. */
  readonly level: Level;
  /** How the user reaches this source (for `group-owner`, the path to the owning group). */
  readonly path: MembershipPath;
  /** The sharing rule, for `sharing-rule`. */
  readonly rule?: Id;
  /** The access group, for `access-group`. */
  readonly accessGroup?: Id;
  /** For `sharing-rule`: how the owner belongs to the rule's `from`. */
  readonly ownerPath?: MembershipPath;
  /** For `access-group`: `listed` when the resource lists it, `segment` when its segment matches. */
  readonly via?: 'listed' | 'segment';
  /** For `record-share`: the index of the share in the resource's `shares`. */
  readonly share?: number;
  /**
   * When a time-bound entry gave this reason (a membership on its path, the rule, the grant, the share): the
   * earliest instant one of them stops counting, after which the reason may no longer hold.
   */
  readonly until?: Instant;
  /**
   * For `parent` (a record of a controlled type): the parent record and the reasons it gives the
   * user, the level the child has (`reasons` is again one `parent` reason when the parent is itself
   * controlled).
   */
  readonly parent?: ParentReason;
}

/** The parent of a controlled record in a `parent` reason: which record, and why it gives the level. */
export interface ParentReason {
  /** The parent's type. */
  readonly type: string;
  /** The parent's id. */
  readonly id: Id;
  /** The reasons the parent gives the user, highest first, as `check` on the parent lists them. */
  readonly reasons: readonly Reason[];
}

/**
 * The answer to `check(user, action, resource)`.
 * @example
 * ```ts
 * const d = engine.check('u1', 'edit', lead);
 * if (!d.allowed) console.log(d.denial, d.required, d.level);
 * ```
 */
export interface Decision {
  /** Whether the action is allowed. */
  readonly allowed: boolean;
  /** The user asked about. */
  readonly user: Id;
  /** The action asked about. */
  readonly action: string;
  /** The record asked about, its tenant filled in (`default` when not given). */
  readonly resource: { readonly type: string; readonly id: Id; readonly tenant: Id };
  /** The record-level access the action needs. */
  readonly required: Level;
  /** The highest record-level access reached (`none` when an earlier step denied). */
  readonly level: Level;
  /** Set when denied: the first step that failed. */
  readonly denial?: DenialCode;
  /** Every source that contributed record-level access, highest first. */
  readonly reasons: readonly Reason[];
  /** The policy revision the decision was made at. */
  readonly revision: number;
}
