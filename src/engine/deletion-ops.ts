import { entryId, listsId } from '../model/member-entry.js';
import { putOp, type Op } from '../changes/ops.js';
import { InvalidInputError, quote } from '../errors/errors.js';
import type { Id } from '../model/ids.js';
import type { Policy } from '../model/policy.js';
import { principalParts, type Principal } from '../model/principal.js';
import type { Owner } from '../model/resource.js';
import type { ReverseEdges } from '../validate/reverse-edges.js';

/*
 * The operations of the two commands that delete an entity and everything that names it. Computed
 * from a policy and its reverse edges, never from a draft: each is the same change as the recipe a
 * developer would write, as operations.
 */

/** Whether a principal names role `id` (as a role or a role with subordinates) or group `id`. */
function mentions(p: Principal, kind: 'role' | 'group', id: Id): boolean {
  const parts = principalParts(p);
  if (parts === undefined || parts.id !== id) return false;
  return kind === 'role' ? parts.kind === 'role' || parts.kind === 'roleAndSubordinates' : parts.kind === 'group';
}

/** The sharing rules deleted and the access groups rewritten because they name a deleted role or group. */
function unnamed(policy: Policy, kind: 'role' | 'group', id: Id, ops: Op[]): void {
  for (const rule of policy.sharingRules.values()) {
    if (mentions(rule.from, kind, id) || mentions(rule.to, kind, id)) ops.push({ op: 'delete', collection: 'sharingRules', id: rule.id });
  }
  for (const a of policy.accessGroups.values()) {
    if (a.grants.some((g) => mentions(g.to, kind, id))) ops.push(putOp('accessGroups', a.id, { ...a, grants: a.grants.filter((g) => !mentions(g.to, kind, id)) }));
  }
}

/**
 * Deleting role `r`: its users get role `to`, its children hang under `to` (when `to` is a direct
 * child, `promoted`, it takes `r`'s place under `r`'s parent), groups stop listing it, rules naming
 * it go and grants naming it are dropped.
 */
export function deleteRoleOps(policy: Policy, edges: ReverseEdges, r: Id, to: Id, promoted: boolean): Op[] {
  const ops: Op[] = [];
  const role = policy.roles.get(r);
  if (role === undefined) return ops;
  const referrers = edges.roleReferrers(r);
  for (const u of referrers.users) {
    const user = policy.users.get(u);
    if (user !== undefined) ops.push(putOp('users', u, { ...user, role: to }));
  }
  for (const c of referrers.children) {
    if (c === to) continue;
    const child = policy.roles.get(c);
    if (child !== undefined) ops.push(putOp('roles', c, { ...child, parent: to }));
  }
  if (promoted) {
    const target = policy.roles.get(to);
    if (target !== undefined) {
      const { parent: _old, ...rest } = target;
      ops.push(putOp('roles', to, role.parent === undefined ? rest : { ...rest, parent: role.parent }));
    }
  }
  for (const g of new Set(referrers.groups)) {
    const group = policy.groups.get(g);
    if (group === undefined) continue;
    const m = group.members;
    ops.push(putOp('groups', g, { ...group, members: { ...m, roles: m.roles.filter((x) => entryId(x) !== r), rolesAndSubordinates: m.rolesAndSubordinates.filter((x) => entryId(x) !== r) } }));
  }
  unnamed(policy, 'role', r, ops);
  ops.push({ op: 'delete', collection: 'roles', id: r });
  return ops;
}

/**
 * Deleting group `g`: groups stop nesting it, rules naming it go, grants naming it are dropped.
 * With `transferTo`, the new owner of its records must exist in `policy`: the deletion lands on
 * the snapshot it was computed on or not at all, so its records never go to an owner that is gone.
 */
export function deleteGroupOps(policy: Policy, edges: ReverseEdges, g: Id, transferTo: Owner | undefined): Op[] {
  if (transferTo !== undefined) {
    const isGroup = Object.hasOwn(transferTo, 'group');
    const id = isGroup ? (transferTo as { group: Id }).group : (transferTo as { user: Id }).user;
    if (!(isGroup ? policy.groups.has(id) : policy.users.has(id))) {
      const kind = isGroup ? 'group' : 'user';
      throw new InvalidInputError({ message: `${kind} ${quote(id)} to transfer group ${quote(g)}'s records to no longer exists`, path: ['transferTo', kind], ids: [id] });
    }
  }
  const ops: Op[] = [];
  if (!policy.groups.has(g)) return ops;
  for (const p of new Set(edges.groupsListingGroup(g))) {
    const parent = policy.groups.get(p);
    if (parent === undefined) continue;
    const list = parent.members.groups;
    if (listsId(list, g)) ops.push(putOp('groups', p, { ...parent, members: { ...parent.members, groups: list.filter((e) => entryId(e) !== g) } }));
  }
  unnamed(policy, 'group', g, ops);
  ops.push({ op: 'delete', collection: 'groups', id: g });
  return ops;
}
