import type { Id } from '../model/ids.js';
import type { ReverseEdges } from '../validate/reverse-edges.js';
import { roleWithin } from './closure.js';
import type { Compiled } from './snapshot.js';

const NO_IDS: readonly Id[] = Object.freeze([]);

/** The reverse edges of a compiled snapshot. */
export function reverseEdges(c: Compiled): ReverseEdges {
  const ids = c.ids;
  return {
    groupsListingUser(user) {
      const n = ids.users.numOf(user);
      const f = n < 0 ? undefined : c.users.get(n);
      return f === undefined ? NO_IDS : f.inUsers.map((g) => ids.groups.idOf(g));
    },
    groupsListingGroup(group) {
      const n = ids.groups.numOf(group);
      const f = n < 0 ? undefined : c.groups.get(n);
      return f === undefined ? NO_IDS : f.parents.map((g) => ids.groups.idOf(g));
    },
    roleReferrers(role) {
      const n = ids.roles.numOf(role);
      const f = n < 0 ? undefined : c.roles.get(n);
      if (f === undefined) return { users: NO_IDS, children: NO_IDS, groups: NO_IDS };
      return {
        users: f.users.map((u) => ids.users.idOf(u)),
        children: f.children.map((r) => ids.roles.idOf(r)),
        groups: [...new Set([...f.inRoles, ...f.inSubtrees])].map((g) => ids.groups.idOf(g)),
      };
    },
    roleWithin(a, b) {
      const na = ids.roles.numOf(a);
      const nb = ids.roles.numOf(b);
      return na >= 0 && nb >= 0 && c.roles.get(na) !== undefined && c.roles.get(nb) !== undefined && roleWithin(c, na, nb);
    },
  };
}
