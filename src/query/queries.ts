import { can } from '../decide/check.js';
import { readOwner, readRequest } from '../decide/request.js';
import { groupPaths, membersOfGroup, sortIds } from '../graph/membership.js';
import type { Id } from '../model/ids.js';
import type { Resource } from '../model/resource.js';
import { expectId } from '../model/shape.js';
import { profileOf } from '../index/profile.js';
import type { Index } from '../index/nodes.js';
import type { GroupMembership } from '../engine/types.js';

/** Every group a user is a member of, sorted by id. */
export function groupsOf(ix: Index, user: Id): Id[] {
  expectId(user, ['user'], 'user id');
  const u = ix.users.get(user);
  if (u === undefined) return [];
  return sortIds([...profileOf(ix, u).groups].map((g) => g.id));
}

/** Every group a user is a member of, with the shortest path that proves it, sorted by group id. */
export function groupsOfWithPaths(ix: Index, user: Id): GroupMembership[] {
  expectId(user, ['user'], 'user id');
  const u = ix.users.get(user);
  if (u === undefined) return [];
  const paths = groupPaths(u);
  return paths.groups
    .map((g) => ({ group: g.id, path: paths.pathTo(g) ?? [] }))
    .sort((a, b) => (a.group < b.group ? -1 : a.group > b.group ? 1 : 0));
}

/** Every user who is a member of a group, expanded, sorted. */
export function membersOf(ix: Index, group: Id): Id[] {
  expectId(group, ['group'], 'group id');
  const g = ix.groups.get(group);
  if (g === undefined) return [];
  return sortIds([...membersOfGroup(ix, g)].map((u) => u.id));
}

/** The owner user, or every member of the owner group, sorted. */
export function effectiveOwners(ix: Index, resource: Resource): Id[] {
  const owner = readOwner(resource);
  if (owner.user !== undefined) return ix.users.has(owner.user) ? [owner.user] : [];
  return membersOf(ix, owner.group as Id);
}

/** Every active user that `can` allows, sorted. */
export function whoCan(ix: Index, action: string, resource: Resource): Id[] {
  // Validates the request once, with a placeholder user id, so that bad input throws.
  readRequest(ix, 'whoCan', action, resource);
  const out: Id[] = [];
  for (const u of ix.users.values()) {
    if (u.active && can(ix, u.id, action, resource)) out.push(u.id);
  }
  return sortIds(out);
}
