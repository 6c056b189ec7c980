import type { RequestShare } from './read-shares.js';
import type { ActionSlot } from '../access/action-table.js';
import type { Id } from '../model/ids.js';
import type { AttributeValue } from '../model/resource.js';
import type { Compiled, TypeNode, UserFacts } from '../compile/snapshot.js';

/**
 * A request whose shape has been checked, with the resource's fields copied out of the caller's
 * object: everything the decision needs, read once, own properties only.
 */
export interface Request {
  /** The snapshot the request was read against (its numbers below are this snapshot's). */
  readonly c: Compiled;
  readonly type: TypeNode;
  readonly slot: ActionSlot;
  readonly id: Id;
  readonly tenant: Id;
  /** The tenant's number, or -1 when no snapshot of the engine ever had it. */
  readonly tenantNum: number;
  readonly ownerUser: Id | undefined;
  readonly ownerGroup: Id | undefined;
  /** The owner user's number, when a user owns the record and was ever interned, else -1. */
  readonly ownerUserNum: number;
  /**
   * The owner group's number, when a group owns the record and was ever interned, else -1. A
   * number without facts in this snapshot is in none of its closures and expands to no member.
   */
  readonly ownerGroupNum: number;
  /** The owner user's facts once read (`null`: not yet); read them with `ownerFacts`. */
  ownerFacts: UserFacts | undefined | null;
  /** The access groups the resource lists (ids), or undefined. */
  readonly accessGroups: readonly Id[] | undefined;
  /** The resource's attributes (checked; to be read own properties only), or undefined. */
  readonly attributes: Readonly<Record<string, AttributeValue>> | undefined;
  /** The resource's record shares, checked (their principals resolved in its tenant on first need), or undefined when it has none. */
  readonly shares: readonly RequestShare[] | undefined;
  /**
   * The instant the request is decided at (epoch milliseconds), or NaN until something needs it:
   * read it with `instantOf`, which falls back on the snapshot's clock once per request.
   */
  at: number;
  /**
   * For a record of a controlled type, its parent read as a request of its own (the parent's
   * type, id, tenant and owner; the child's action slot, whose level is decided on it); undefined
   * for every other record. A controlled request has no owner, access groups or attributes that
   * count: its record access is its parent's (sources/parent.ts).
   */
  readonly parent: Request | undefined;
}

/** The owner of a resource, checked: exactly one of `user` and `group` set. */
export interface ReadOwner {
  readonly user: Id | undefined;
  readonly group: Id | undefined;
}

