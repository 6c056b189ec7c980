import type { Id } from '../model/ids.js';
import type { Resource } from '../model/resource.js';
import { expectId } from '../model/shape.js';
import type { Compiled } from '../compile/snapshot.js';
import type { TimedIndex } from '../compile/timed-index.js';
import { bindUser, canBound, type Bound } from '../decide/bound.js';
import type { GroupMembership, Queries, QueryOptions, UserQueries } from './types.js';
import type { DecisionReporter } from './decision-hook.js';
import { check } from '../decide/check.js';

/** The can() of a user view with a decision hook: a sampled call is answered by check (the same verdict), so that the event carries the denial code. */
function reportedCan(r: DecisionReporter, plainCan: UserQueries['can'], index: TimedIndex, id: Id): UserQueries['can'] {
  return (action, resource, options) => {
    if (options !== undefined || !r.sampled()) return plainCan(action, resource, options);
    return r.decide('can', () => {
      const t = index.timeless ? NaN : index.structure.clock();
      return check(t !== t ? index.structure : index.viewAt(t), id, action, resource, t);
    }).allowed;
  };
}

/**
 * Binds `user` to the queries of one snapshot. The id is checked once, here. With a decision
 * `reporter`, `queries` are the snapshot's reporting queries (check, explain and a can() with
 * options report through them) and the fast can() reports here; without one, nothing reports.
 */
export function userQueries(queries: Queries, index: TimedIndex, user: unknown, reporter?: DecisionReporter): UserQueries {
  const id = expectId(user, ['user'], 'user id');
  // Looked up once per view (once for all time without time-bound entries); every check without options reuses it.
  let bound: Bound | undefined;
  let boundIn: Compiled | undefined;
  const fast = (action: string, resource: Resource): boolean => {
    const t = index.timeless ? NaN : index.structure.clock();
    const compiled = t !== t ? index.structure : index.viewAt(t);
    if (boundIn !== compiled) {
      bound = bindUser(compiled, id);
      boundIn = compiled;
    }
    return canBound(compiled, bound as Bound, id, action, resource, t);
  };
  const plainCan = (action: string, resource: Resource, options?: QueryOptions): boolean =>
    options === undefined ? fast(action, resource) : queries.can(id, action, resource, options);
  function groups(options?: QueryOptions & { readonly paths?: false }): Id[];
  function groups(options: QueryOptions & { readonly paths: true }): GroupMembership[];
  function groups(options?: QueryOptions & { readonly paths?: boolean }): Id[] | GroupMembership[] {
    return queries.groupsOf(id, options as never) as Id[] | GroupMembership[];
  }
  return Object.freeze({
    user: id,
    revision: queries.revision,
    can: reporter === undefined ? plainCan : reportedCan(reporter, plainCan, index, id),
    check: (action: string, resource: Resource, options?: QueryOptions) => queries.check(id, action, resource, options),
    explain: (action: string, resource: Resource, options?: QueryOptions & { readonly format?: 'text' | 'json' }) => queries.explain(id, action, resource, options),
    filter: (action: string, type: string, options?: QueryOptions) => queries.filter(id, action, type, options),
    groups,
    permittedFields: (resource: Resource, options?: QueryOptions) => queries.permittedFields(id, resource, options),
  });
}
