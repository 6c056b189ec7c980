import type { Decision } from '../decide/decision.js';
import type { AccessFilter } from '../filter/access-filter.js';
import type { Id } from '../model/ids.js';
import type { Resource } from '../model/resource.js';
import { expectId } from '../model/shape.js';
import type { GroupMembership, Queries, QueryOptions } from './types.js';

/**
 * The queries of one user on one snapshot: what a request handler needs once it knows who is
 * asking (the shape CASL users know from `defineAbilityFor(user)`). Every answer comes from the
 * snapshot the view was made on, so one request sees one consistent policy however many checks it
 * makes and whatever changes land meanwhile.
 * @example
 * ```ts
 * const me = engine.for(req.user.id);
 * if (!me.can('edit', lead)) return forbidden(me.check('edit', lead).denial);
 * const leads = await db.select().where(toSql(me.filter('view', 'lead'), mapping));
 * ```
 */
export interface UserQueries {
  /** The user these queries answer for. */
  readonly user: Id;
  /** The revision of the snapshot they answer from. */
  readonly revision: number;
  /** {@link Queries.can} for this user. */
  can(action: string, resource: Resource, options?: QueryOptions): boolean;
  /** {@link Queries.check} for this user. */
  check(action: string, resource: Resource, options?: QueryOptions): Decision;
  /** {@link Queries.explain} for this user. */
  explain(action: string, resource: Resource, options?: QueryOptions & { readonly format?: 'text' | 'json' }): string;
  /** {@link Queries.filter} for this user. */
  filter(action: string, type: string, options?: QueryOptions): AccessFilter;
  /** {@link Queries.groupsOf} for this user. */
  groups(options?: QueryOptions & { readonly paths?: false }): Id[];
  groups(options: QueryOptions & { readonly paths: true }): GroupMembership[];
}

/** Binds `user` to the queries of one snapshot. The id is checked once, here. */
export function userQueries(queries: Queries, user: unknown): UserQueries {
  const id = expectId(user, ['user'], 'user id');
  function groups(options?: QueryOptions & { readonly paths?: false }): Id[];
  function groups(options: QueryOptions & { readonly paths: true }): GroupMembership[];
  function groups(options?: QueryOptions & { readonly paths?: boolean }): Id[] | GroupMembership[] {
    return queries.groupsOf(id, options as never) as Id[] | GroupMembership[];
  }
  return Object.freeze({
    user: id,
    revision: queries.revision,
    can: (action: string, resource: Resource, options?: QueryOptions) => queries.can(id, action, resource, options),
    check: (action: string, resource: Resource, options?: QueryOptions) => queries.check(id, action, resource, options),
    explain: (action: string, resource: Resource, options?: QueryOptions & { readonly format?: 'text' | 'json' }) => queries.explain(id, action, resource, options),
    filter: (action: string, type: string, options?: QueryOptions) => queries.filter(id, action, type, options),
    groups,
  });
}
