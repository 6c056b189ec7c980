import { gate } from '../decide/check.js';
import { accessGroupApplies, ownerIn } from '../decide/record-access.js';
import { segmentMatches } from '../model/segment-match.js';
import { readOwner, readRequest } from '../decide/request.js';
import { groupPaths, materialisePath, memberWalk, membersOfGroup, sortIds, type PathLink } from '../graph/membership.js';
import type { MembershipPath, PathStep } from '../decide/decision.js';
import type { Id } from '../model/ids.js';
import type { Resource } from '../model/resource.js';
import { bare, expectId } from '../model/shape.js';
import { profileOf } from '../index/profile.js';
import type { AccessGroupNode, GroupNode, Index, RoleNode, UserNode } from '../index/nodes.js';
import type { GroupMembership } from '../engine/types.js';

/** Every group a user is a member of, sorted by id. */
export function groupsOf(ix: Index, user: Id): Id[] {
  expectId(user, ['user'], 'user id');
  const u = ix.users.get(user);
  if (u === undefined) return [];
  return sortIds([...profileOf(ix, u).groups].map((g) => g.id));
}

/**
 * Every group a user is a member of, with a shortest path that proves it, sorted by group id.
 * Linear in the number of groups: paths share their prefixes (see {@link groupPaths}), and each
 * membership's `path` is an enumerable accessor that builds the path as a frozen array on first
 * read, O(its length), and keeps it. Reading every path of a user at the end of an n-deep chain
 * is O(n^2) by nature; the answer itself is not.
 */
export function groupsOfWithPaths(ix: Index, user: Id): GroupMembership[] {
  expectId(user, ['user'], 'user id');
  const u = ix.users.get(user);
  if (u === undefined) return [];
  const links = groupPaths(u).links;
  // One frozen step per group, shared by every path through it.
  const steps = new Map<GroupNode, PathStep>();
  const stepOf = (g: GroupNode): PathStep => {
    let s = steps.get(g);
    if (s === undefined) steps.set(g, (s = Object.freeze({ kind: 'group', id: g.id, via: 'member-of' } as const)));
    return s;
  };
  return links
    .map((link) => lazyMembership(link, stepOf))
    .sort((a, b) => (a.group < b.group ? -1 : a.group > b.group ? 1 : 0));
}

function lazyMembership(link: PathLink, stepOf: (g: GroupNode) => PathStep): GroupMembership {
  let path: MembershipPath | undefined;
  const m = { group: link.group.id } as { group: Id; path: MembershipPath };
  // A prototype-less descriptor: an inherited `value` or `writable` must not make it invalid.
  Object.defineProperty(
    m,
    'path',
    bare({
      enumerable: true,
      get: (): MembershipPath => {
        if (path === undefined) {
          const steps = materialisePath(link, stepOf);
          for (let i = 0; i < steps.length; i++) if (!Object.isFrozen(steps[i])) Object.freeze(steps[i]);
          path = Object.freeze(steps);
        }
        return path;
      },
    }),
  );
  return Object.freeze(m);
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

/**
 * Every active user that `can` allows, sorted. Works from the record's side: each source of
 * record access that reaches the level the action needs (the default, the owner, superiors of a
 * user owner's role, the owner group, sharing rules whose `from` owns the record, access groups
 * holding it) is expanded down to its member users in one shared walk, and only those candidates
 * are gated by steps 1-4. Linear in users, rules and access groups plus the graph the sources
 * reach; never every user against every rule.
 */
export function whoCan(ix: Index, action: string, resource: Resource): Id[] {
  // Validates the request once, with a placeholder user id, so that bad input throws.
  const req = readRequest(ix, 'whoCan', action, resource);
  const need = req.slot.required;
  const out: Id[] = [];
  const seen = new Set<UserNode>();
  const admit = (u: UserNode): void => {
    if (seen.has(u)) return;
    seen.add(u);
    if (u.active && typeof gate(ix, u.id, req) !== 'string') out.push(u.id);
  };
  const type = req.type;
  if (type.defaultRank >= need) {
    ix.users.forEach(admit);
    return sortIds(out);
  }
  const walk = memberWalk(ix, admit);
  const ownerUser = req.ownerUser === undefined ? undefined : ix.users.get(req.ownerUser);
  const ownerGroup = req.ownerUser === undefined && req.ownerGroup !== undefined ? ix.groups.get(req.ownerGroup) : undefined;
  if (ownerUser !== undefined) {
    admit(ownerUser); // owner: full
    if (type.def.hierarchy && ownerUser.role !== undefined) {
      // hierarchy: the users of every strict ancestor of the owner's role.
      const above = new Set<RoleNode>();
      for (let r = ownerUser.role.parent; r !== undefined && !above.has(r); r = r.parent) {
        above.add(r);
        r.users.forEach(admit);
      }
    }
  }
  if (ownerGroup !== undefined && type.groupOwnerRank >= need) walk.group(ownerGroup);
  for (const r of ix.rules.values()) {
    if (r.rank >= need && r.def.resourceType === type.def.name && r.tenant === req.tenant && ownerIn(ix, r.from, ownerUser, ownerGroup)) walk.principal(r.to);
  }
  const listed = new Set<AccessGroupNode>();
  for (const id of req.accessGroups ?? []) {
    const ag = typeof id === 'string' ? ix.accessGroups.get(id) : undefined;
    if (ag !== undefined) listed.add(ag);
  }
  for (const ag of ix.accessGroups.values()) {
    if (!accessGroupApplies(ag, req)) continue;
    if (!listed.has(ag) && !(ag.segment !== undefined && segmentMatches(ag.segment, req.attributes))) continue;
    for (const g of ag.grants) if (g.rank >= need) walk.principal(g.to);
  }
  return sortIds(out);
}
