import { memberIds } from '../model/member-entry.js';
import { quote } from '../errors/errors.js';
import type { Id } from '../model/ids.js';
import type { Policy } from '../model/policy.js';
import { principalParts, type Principal } from '../model/principal.js';
import { fail } from '../model/shape.js';
import { sameData } from '../model/same-data.js';
import type { ChangeSet, EntityCollection } from './change-set.js';
import type { ReverseEdges } from '../validate/reverse-edges.js';
import type { ValidationContext } from '../validate/context.js';
import { checkGroupCycleFrom, checkRoleCycleFrom, checkTenantCycleFrom } from '../validate/cycles.js';
import { validatePolicy } from '../validate/validate-policy.js';
import { checkEntityCount, checkGroupMembers, nestingDepthChecker } from '../validate/limits.js';
import { validateAccessGroup, validateGroup, validateRole, validateSharingRule, validateTenant, validateUser } from '../validate/entities.js';

/**
 * Validates a change entity by entity: what it touched, plus whatever still refers to an entity it
 * deleted or moved to another tenant (found through the old index's reverse edges). Reaches the
 * same verdict as validating the whole new policy, at the cost of the change's neighbourhood.
 */
export function validateChange(ctx: ValidationContext, old: ReverseEdges, before: Policy, next: Policy, changes: ChangeSet): void {
  // A tenant deleted or moved changes where every user may act: check everything (and then the
  // entity checks below, which also catch entries keyed under another id).
  if (changes.frame.tenants.size > 0 && validateTenantChange(ctx, before, next, changes.frame.tenants)) validatePolicy(next, ctx.limits);
  const prior = before;
  const recheck = new Map<EntityCollection, Set<Id>>();
  const add = (c: EntityCollection, id: Id): void => {
    let s = recheck.get(c);
    if (s === undefined) recheck.set(c, (s = new Set()));
    s.add(id);
  };
  // Entities deleted or moved to another tenant: the rules and grants naming them are found in one
  // pass over the rules and access groups below, not one pass per entity.
  const moved = { user: new Set<Id>(), role: new Set<Id>(), group: new Set<Id>() };
  const namesMoved = (p: Principal): boolean => {
    const parts = principalParts(p);
    if (parts === undefined) return false;
    const id = parts.id as Id;
    return parts.kind === 'role' || parts.kind === 'roleAndSubordinates' ? moved.role.has(id) : parts.kind === 'user' ? moved.user.has(id) : moved.group.has(id);
  };
  const referrersOf = (kind: 'user' | 'role' | 'group', id: Id): void => {
    moved[kind].add(id);
    if (kind === 'user') old.groupsListingUser(id).forEach((g) => add('groups', g));
    if (kind === 'group') old.groupsListingGroup(id).forEach((g) => add('groups', g));
    if (kind === 'role') {
      const r = old.roleReferrers(id);
      r.users.forEach((u) => add('users', u));
      r.children.forEach((c) => add('roles', c));
      r.groups.forEach((g) => add('groups', g));
    }
  };
  for (const [collection, ids] of changes.ids) {
    for (const id of ids) {
      add(collection, id);
      if (collection === 'users') {
        const before = prior.users.get(id);
        const after = next.users.get(id);
        if (before !== undefined && (after === undefined || after.tenant !== before.tenant || !sameData(after.tenants, before.tenants))) referrersOf('user', id);
      } else if (collection === 'roles') {
        const before = prior.roles.get(id);
        const after = next.roles.get(id);
        if (before !== undefined && (after === undefined || after.tenant !== before.tenant)) referrersOf('role', id);
      } else if (collection === 'groups') {
        const before = prior.groups.get(id);
        const after = next.groups.get(id);
        if (before !== undefined && (after === undefined || after.tenant !== before.tenant)) referrersOf('group', id);
      }
    }
  }
  if (moved.user.size + moved.role.size + moved.group.size > 0) {
    for (const r of prior.sharingRules.values()) if (namesMoved(r.from) || namesMoved(r.to)) add('sharingRules', r.id);
    for (const a of prior.accessGroups.values()) if (a.grants.some((g) => namesMoved(g.to))) add('accessGroups', a.id);
  }
  checkEntityCount(next, ctx.limits);
  const changedGroups = changes.ids.get('groups') ?? new Set<Id>();
  // The containers of each group in the new policy: its old containers that the change left
  // alone, plus the changed groups that now list it (one pass over the changed groups).
  const newContainers = new Map<Id, Id[]>();
  for (const c of changedGroups) {
    const listed = next.groups.get(c)?.members.groups;
    for (const g of listed === undefined ? [] : memberIds(listed)) {
      const list = newContainers.get(g);
      if (list === undefined) newContainers.set(g, [c]);
      else if (list[list.length - 1] !== c) list.push(c);
    }
  }
  const parentsOf = (g: Id): Id[] => {
    const out = new Set<Id>();
    for (const p of old.groupsListingGroup(g)) if (!changedGroups.has(p)) out.add(p);
    for (const c of newContainers.get(g) ?? []) out.add(c);
    return [...out];
  };
  // One traversal for the whole change: groups (and roles) whose nesting below (above) is known
  // to be acyclic are not walked again, and nesting depths are memoised across changed groups.
  const acyclicGroups = new Set<Id>();
  const acyclicRoles = new Set<Id>();
  const checkDepthAt = nestingDepthChecker(next, parentsOf, ctx.limits);
  for (const [collection, ids] of recheck) {
    for (const id of ids) {
      const entity = next[collection].get(id);
      if (entity === undefined) continue;
      if (entity.id !== id) fail([collection, id, 'id'], `entry keyed ${quote(id)} has id ${quote(entity.id)}; the key must be the id`, [id]);
      switch (collection) {
        case 'users':
          validateUser(ctx, next.users.get(id)!);
          break;
        case 'roles':
          validateRole(ctx, next.roles.get(id)!);
          checkRoleCycleFrom(next, id, acyclicRoles);
          break;
        case 'groups':
          validateGroup(ctx, next.groups.get(id)!);
          checkGroupMembers(next, id, ctx.limits);
          checkGroupCycleFrom(next, id, acyclicGroups);
          checkDepthAt(id);
          break;
        case 'sharingRules':
          validateSharingRule(ctx, next.sharingRules.get(id)!);
          break;
        case 'accessGroups':
          validateAccessGroup(ctx, next.accessGroups.get(id)!);
          break;
      }
    }
  }
}

/**
 * Checks the tenants a change touched: shape, cycles, and that every ceiling is still within its
 * parent's (all tenants are rechecked: there are few). Returns true when a tenant was deleted or
 * moved, which the caller answers with a full validation.
 */
function validateTenantChange(ctx: ValidationContext, before: Policy, next: Policy, ids: ReadonlySet<Id>): boolean {
  let structural = false;
  for (const id of ids) {
    const b = before.tenants.get(id);
    const a = next.tenants.get(id);
    if (a === undefined || (b !== undefined && b.parent !== a.parent)) structural = true;
    if (a === undefined) continue;
    if (a.id !== id) fail(['tenants', id, 'id'], `entry keyed ${quote(id)} has id ${quote(a.id)}; the key must be the id`, [id]);
    checkTenantCycleFrom(next, id);
  }
  for (const t of next.tenants.values()) validateTenant(ctx, t);
  return structural;
}
