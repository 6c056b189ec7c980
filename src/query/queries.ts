import { groupsOfMembership, membershipOf } from '../compile/closure.js';
import { memberWalk, membersOfGroup } from '../compile/members.js';
import { groupPaths, linkStep, materialisePath, type PathLink } from '../compile/paths.js';
import type { Compiled, UserFacts } from '../compile/snapshot.js';
import { gate } from '../decide/gate.js';
import { parentOf } from '../decide/read-fields.js';
import { rootOf } from '../decide/read-parent.js';
import { quote } from '../errors/errors.js';
import { readOwner, readRecordRequest, readRequest } from '../decide/request.js';
import { sourcesOf } from '../decide/sources/table.js';
import { compareIds, type Id } from '../model/ids.js';
import type { GroupMembership, MembershipPath, PathStep } from '../model/path.js';
import type { Resource } from '../model/resource.js';
import { bare, expectId, fail } from '../model/shape.js';

/** Sorts ids in code-unit order, for stable answers. */
export function sortIds(ids: Iterable<Id>): Id[] {
  return [...ids].sort(compareIds);
}

function userFacts(c: Compiled, user: Id): UserFacts | undefined {
  const n = c.ids.users.numOf(user);
  return n < 0 ? undefined : c.users.get(n);
}

/** Every group a user is a member of, sorted by id. */
export function groupsOf(c: Compiled, user: Id): Id[] {
  expectId(user, ['user'], 'user id');
  const u = userFacts(c, user);
  if (u === undefined) return [];
  return sortIds([...groupsOfMembership(membershipOf(c, u))].map((g) => c.ids.groups.idOf(g)));
}

/**
 * Every group a user is a member of, with a shortest path that proves it, sorted by group id.
 * Linear in the number of groups: paths share their prefixes (see {@link groupPaths}), and each
 * membership's `path` is an enumerable accessor that builds the path as a frozen array on first
 * read, O(its length), and keeps it.
 */
export function groupsOfWithPaths(c: Compiled, user: Id): GroupMembership[] {
  expectId(user, ['user'], 'user id');
  const u = userFacts(c, user);
  if (u === undefined) return [];
  const links = groupPaths(c, u).links;
  // One frozen step per group, shared by every path through it.
  const steps = new Map<number, PathStep>();
  const stepOf = (l: PathLink): PathStep => {
    let s = steps.get(l.group);
    if (s === undefined) steps.set(l.group, (s = Object.freeze(linkStep(c, l))));
    return s;
  };
  return links
    .map((link) => lazyMembership(c, link, stepOf))
    .sort((a, b) => (a.group < b.group ? -1 : a.group > b.group ? 1 : 0));
}

function lazyMembership(c: Compiled, link: PathLink, stepOf: (l: PathLink) => PathStep): GroupMembership {
  let path: MembershipPath | undefined;
  const m = { group: c.ids.groups.idOf(link.group) } as { group: Id; path: MembershipPath };
  // A prototype-less descriptor: an inherited `value` or `writable` must not make it invalid.
  Object.defineProperty(
    m,
    'path',
    bare({
      enumerable: true,
      get: (): MembershipPath => {
        if (path === undefined) {
          const steps = materialisePath(c, link, stepOf);
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
export function membersOf(c: Compiled, group: Id): Id[] {
  expectId(group, ['group'], 'group id');
  const n = c.ids.groups.numOf(group);
  if (n < 0 || c.groups.get(n) === undefined) return [];
  return sortIds([...membersOfGroup(c, n)].map((u) => u.id));
}

/**
 * The owner user, or every member of the owner group, sorted. For a record of a controlled type,
 * its parent's (the owners of the top of its chain of parents).
 */
export function effectiveOwners(c: Compiled, resource: Resource): Id[] {
  const type = typeof resource === 'object' && resource !== null && Object.hasOwn(resource, 'type') ? c.frame.types.get(resource.type) : undefined;
  if (type !== undefined && type.controlledBy === undefined && parentOf(resource) !== undefined) {
    fail(['resource', 'parent'], `resource type ${quote(type.def.name)} is not controlled by another type, so its records have no parent; remove parent, or declare controlledBy on the type`);
  }
  const owner = type?.controlledBy === undefined ? readOwner(resource) : ownerOfRoot(c, resource);
  if (owner.user !== undefined) return userFacts(c, owner.user) !== undefined ? [owner.user] : [];
  return membersOf(c, owner.group as Id);
}

/** The owner of a record of a declared type, read as a check reads it (a controlled record's is its top parent's). */
function ownerOfRoot(c: Compiled, resource: Resource): { user: Id | undefined; group: Id | undefined } {
  const root = rootOf(readRecordRequest(c, 'effectiveOwners', resource));
  return { user: root.ownerUser, group: root.ownerGroup };
}

/**
 * Every active user that `can` allows, sorted. Works from the record's side: each source of the
 * decision table expands the principals that may give the action's level on this record down
 * to their member users, in one shared walk, and only those candidates pass through the gate
 * (steps 1-4). Never every user against every rule.
 */
export function whoCan(c: Compiled, action: string, resource: Resource, at = NaN): Id[] {
  // Validates the request once, with a placeholder user id, so that bad input throws.
  const req = readRequest(c, 'whoCan', action, resource, at);
  const need = req.slot.required;
  const out: Id[] = [];
  const seen = new Set<number>();
  const admit = (u: UserFacts): void => {
    if (seen.has(u.num)) return;
    seen.add(u.num);
    if (u.active && typeof gate(c, u.id, req.tenantNum, req.slot) !== 'string') out.push(u.id);
  };
  const r = req;
  const walk = memberWalk(c, admit);
  for (const source of sourcesOf(r.type)) {
    if (!source.expand(r, need, walk)) {
      c.users.forEach(admit);
      break;
    }
  }
  return sortIds(out);
}
