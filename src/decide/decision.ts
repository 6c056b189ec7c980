import type { Id } from '../model/ids.js';
import type { Instant } from '../model/instant.js';
import type { Level } from '../model/level.js';

/** Why a check was denied before record access was weighed, or that record access fell short. */
export type DenialCode = 'unknown-user' | 'inactive-user' | 'tenant' | 'capability' | 'ceiling' | 'record-access';

/** The sources of record-level access: the last step of the decision (see the decision guide). */
export type ReasonSource = 'owner' | 'group-owner' | 'hierarchy' | 'default' | 'sharing-rule' | 'access-group' | 'record-share';

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
  /** When the entry that gave this reason has an `until`: the instant it stops counting. */
  readonly until?: Instant;
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
