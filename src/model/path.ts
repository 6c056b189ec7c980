import type { Id } from './ids.js';
import type { Instant } from './instant.js';

/**
 * One step of a membership path. The first step is the user; each later step says how it relates
 * to the step before: `has-role` (the user has this role), `under` (the role before is in this
 * role's subtree), `member-of` (the step before is a member of this group), `superior-of` (the
 * role before is a strict ancestor of this one), `owned-by` (the role before is this user's).
 */
export type PathStep =
  | { readonly kind: 'user'; readonly id: Id; readonly via?: 'owned-by' }
  | { readonly kind: 'role'; readonly id: Id; readonly via: 'has-role' | 'under' | 'superior-of' }
  | {
      readonly kind: 'group';
      readonly id: Id;
      readonly via: 'member-of';
      /** When the entry that makes the step before a member of this group is time-bound: the instant it stops counting. */
      readonly until?: Instant;
    };

/** A membership path: the proof that a user belongs to a principal, or reaches an owner. */
export type MembershipPath = readonly PathStep[];

/** A group the user is a member of, with the path that proves it. */
export interface GroupMembership {
  readonly group: Id;
  readonly path: MembershipPath;
}
