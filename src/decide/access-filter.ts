import type { DenialCode, ReasonSource } from './decision.js';
import type { Id } from '../model/ids.js';
import type { Instant } from '../model/instant.js';
import type { Level } from '../model/level.js';
import type { ShareLevel } from '../model/resource.js';
import type { Segment } from '../model/segment.js';

/**
 * One way of reaching records, as a condition on a record's columns. A record passes a filter
 * when its tenant is one of `tenants` and it satisfies at least one clause.
 */
export type FilterClause =
  /** The record's owner user is one of `ids` (and, with `tenant`, the record is in that tenant). */
  | { readonly kind: 'ownerUser'; readonly ids: readonly Id[]; readonly tenant?: Id }
  /** The record's owner group is one of `ids` (and, with `tenant`, the record is in that tenant). */
  | { readonly kind: 'ownerGroup'; readonly ids: readonly Id[]; readonly tenant?: Id }
  /** The record is in `tenant` and lists one of these access groups. */
  | { readonly kind: 'accessGroup'; readonly ids: readonly Id[]; readonly tenant: Id }
  /** The record is in `tenant` and its attributes match the segment. */
  | { readonly kind: 'segment'; readonly segment: Segment; readonly tenant: Id; readonly accessGroup: Id }
  /**
   * For a record of a controlled type: its parent, a record of `type`, passes `filter` (the
   * filter of `type` for the same user and action, decided at the level the action needs, over
   * the same tenants), and the record is in its parent's tenant.
   */
  | { readonly kind: 'parent'; readonly type: string; readonly filter: AccessFilter }
  /**
   * The record is shared (`resource.shares`) with one of these principals at `minLevel` or
   * higher, by a share in effect at `at` (`since <= at < until`), and, with `tenant`, the record is
   * in that tenant (a role or group counts only in its own tenant).
   */
  | { readonly kind: 'share'; readonly principals: SharePrincipals; readonly minLevel: ShareLevel; readonly at: Instant; readonly tenant?: Id };

/**
 * The principals of a `share` clause, by kind, as a share's `to` names them: a share to
 * `{ user: U }` matches when `U` is in `users`, to `{ role: R }` when `R` is in `roles`, and so on.
 */
export interface SharePrincipals {
  readonly users: readonly Id[];
  readonly roles: readonly Id[];
  readonly rolesAndSubordinates: readonly Id[];
  readonly groups: readonly Id[];
}

/** A source that contributes clauses, for explaining a filter. */
export interface FilterSource {
  /** The kind of source, as in a decision's reasons. */
  readonly source: ReasonSource;
  /** The level the source gives. */
  readonly level: Level;
  /** `sharing-rule`: the rule. */
  readonly rule?: Id;
  /** `access-group`: the access group. */
  readonly accessGroup?: Id;
}

/**
 * Which records of one type a user may act on: the answer to "which leads may this user see?"
 * without loading every lead. `none`: no record; `all`: every record in `tenants`; `some`: the
 * records in `tenants` that satisfy one of `anyOf`. Compile it to SQL with `toSql` from
 * `purview/postgres`, or to a function with {@link toPredicate}.
 * @example
 * ```ts
 * const f = engine.filter('u1', 'view', 'lead');
 * const mine = leads.filter(toPredicate(f));
 * ```
 */
export interface AccessFilter {
  /** The user the filter is for. */
  readonly user: Id;
  /** The action asked about. */
  readonly action: string;
  /** The resource type asked about. */
  readonly type: string;
  /** The policy revision the filter was built at. */
  readonly revision: number;
  /** `none`: no record; `all`: every record in `tenants`; `some`: those that satisfy one of `anyOf`. */
  readonly kind: 'none' | 'all' | 'some';
  /** The tenants whose records the user may reach for this action (after ceilings). */
  readonly tenants: readonly Id[];
  /** The clauses, any of which admits a record (empty unless `kind` is `some`). */
  readonly anyOf: readonly FilterClause[];
  /** Where the clauses come from. */
  readonly sources: readonly FilterSource[];
  /** For `none` because of a step before record access: which step. */
  readonly denial?: DenialCode;
}
