import type { Id } from '../model/ids.js';

/**
 * What refers to an entity in a compiled policy: the reverse edges that validating a change and
 * some commands need (who lists a user or a group, who hangs off a role), answered by the
 * compiled snapshot the change is made on. Declared here so that validation does not depend on
 * the compiled form.
 */
export interface ReverseEdges {
  /** The groups whose `users` list the user. */
  groupsListingUser(user: Id): readonly Id[];
  /** The groups whose `groups` list the group. */
  groupsListingGroup(group: Id): readonly Id[];
  /** The users with the role, its child roles, and the groups listing it in `roles` or `rolesAndSubordinates`. */
  roleReferrers(role: Id): { readonly users: readonly Id[]; readonly children: readonly Id[]; readonly groups: readonly Id[] };
  /** Whether role `a` is role `b` or below it. */
  roleWithin(a: Id, b: Id): boolean;
}
