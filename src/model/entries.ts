import type { Id } from './ids.js';
import type { Instant } from './instant.js';

/*
 * Time-bound entries: the bounds an entry may carry, and a member entry of a group (an id, or an
 * id with bounds). Types only; read them with member-entry.ts.
 */

/**
 * When an entry is in effect: from `since` (included) until `until` (excluded); a missing bound is
 * open. An entry not in effect counts for nothing, with no change to the policy.
 */
export interface TimeBounds {
  /** The first instant the entry is in effect; always, up to `until`, when absent. */
  readonly since?: Instant;
  /** The first instant the entry is no longer in effect; never ends when absent. */
  readonly until?: Instant;
}

/** A member entry in effect between two instants. */
export interface TimedMember extends TimeBounds {
  /** The member's id. */
  readonly id: Id;
}

/**
 * One entry of a group's member list: an id (always in effect) or `{ id, since?, until? }`. A list
 * may name the same id in several entries: it is a member while any of them is in effect.
 */
export type MemberEntry = Id | TimedMember;
