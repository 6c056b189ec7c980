import { check, can } from '../decide/check.js';
import { explainDecision } from '../decide/explain.js';
import { StaleSnapshotError } from '../errors/errors.js';
import type { Policy } from '../model/policy.js';
import { buildFilter } from '../filter/build-filter.js';
import { effectiveOwners, groupsOf, groupsOfWithPaths, membersOf, whoCan } from '../query/queries.js';
import type { Index } from '../index/nodes.js';
import type { GroupMembership, QueryOptions, Queries } from './types.js';
import type { Id } from '../model/ids.js';

/**
 * The queries over one snapshot. `indexOf()` hands back the index to answer from: the engine's
 * live index while it is still at this revision, else one built for this snapshot alone.
 */
export function queriesOver(policy: Policy, revision: number, indexOf: () => Index): Queries {
  const ix = (options: QueryOptions | undefined): Index => {
    if (options?.atLeast !== undefined && options.atLeast > revision) throw new StaleSnapshotError({ wanted: options.atLeast, current: revision });
    return indexOf();
  };
  function groupsOfQuery(user: Id, options?: QueryOptions & { readonly paths?: false }): Id[];
  function groupsOfQuery(user: Id, options: QueryOptions & { readonly paths: true }): GroupMembership[];
  function groupsOfQuery(user: Id, options?: QueryOptions & { readonly paths?: boolean }): Id[] | GroupMembership[] {
    return options?.paths === true ? groupsOfWithPaths(ix(options), user) : groupsOf(ix(options), user);
  }
  return {
    revision,
    policy,
    check: (user, action, resource, options) => check(ix(options), user, action, resource),
    can: (user, action, resource, options) => can(ix(options), user, action, resource),
    explain: (user, action, resource, options) => {
      const d = check(ix(options), user, action, resource);
      return options?.format === 'json' ? JSON.stringify(d, null, 2) : explainDecision(d);
    },
    groupsOf: groupsOfQuery,
    membersOf: (group, options) => membersOf(ix(options), group),
    effectiveOwners: (resource, options) => effectiveOwners(ix(options), resource),
    whoCan: (action, resource, options) => whoCan(ix(options), action, resource),
    filter: (user, action, type, options) => buildFilter(ix(options), user, action, type),
  };
}
