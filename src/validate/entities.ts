import { entryId } from '../model/member-entry.js';
import type { MemberEntry } from '../model/policy.js';
import { capSetOf, isSubset, type CapSet } from '../access/capabilities.js';
import { TenantError, quote, type ErrorPath } from '../errors/errors.js';
import type { Id } from '../model/ids.js';
import type { AccessGroup, Group, Role, SharingRule, Tenant, User } from '../model/policy.js';
import { principalParts, type Principal } from '../model/principal.js';
import { fail } from '../model/shape.js';
import { tenantOf, userActsIn } from './tenant-reach.js';
import { checkLevelRef, type ValidationContext } from './context.js';

/*
 * Per-entity semantic checks: every reference an entity makes resolves, stays inside its tenant,
 * and names valid levels. Full validation runs them all; a change runs them on what it touched.
 */

function needTenant(ctx: ValidationContext, id: Id, path: ErrorPath): void {
  if (tenantOf(ctx.policy, id) === undefined) fail(path, `tenant ${quote(id)} does not exist; declare it in tenants`, [id]);
}

/** The effective ceiling of a tenant (its own, else the nearest ancestor's), or undefined when unbounded. */
export function effectiveCeiling(ctx: ValidationContext, id: Id): CapSet | undefined {
  const seen = new Set<Id>();
  let cur: Tenant | undefined = tenantOf(ctx.policy, id);
  while (cur !== undefined && !seen.has(cur.id)) {
    seen.add(cur.id);
    if (cur.ceiling !== undefined) return capSetOf(ctx.table, cur.ceiling, ['tenants', cur.id, 'ceiling']);
    cur = cur.parent === undefined ? undefined : tenantOf(ctx.policy, cur.parent);
  }
  return undefined;
}

/** Checks a tenant: its parent exists, and its ceiling is within its parent's. */
export function validateTenant(ctx: ValidationContext, t: Tenant): void {
  const path: ErrorPath = ['tenants', t.id];
  if (t.parent !== undefined) needTenant(ctx, t.parent, [...path, 'parent']);
  if (t.ceiling === undefined) return;
  const own = capSetOf(ctx.table, t.ceiling, [...path, 'ceiling']);
  const parent = t.parent === undefined ? undefined : effectiveCeiling(ctx, t.parent);
  if (parent !== undefined && !isSubset(own, parent)) {
    const extra = ctx.table.slots.filter((s) => own[s.index] === 1 && parent[s.index] !== 1).map((s) => `${s.type}:${s.action}`);
    throw new TenantError({ message: `tenant ${quote(t.id)} has a ceiling wider than its parent ${quote(t.parent ?? '')}'s: ${extra.slice(0, 5).join(', ')}${extra.length > 5 ? ', ...' : ''} not allowed above; narrow the ceiling or widen the parent's`, ids: [t.id, t.parent ?? ''], path: [...path, 'ceiling'] }
    );
  }
}

/** Checks a role: tenant, parent in the same tenant, access level. */
export function validateRole(ctx: ValidationContext, r: Role): void {
  const path: ErrorPath = ['roles', r.id];
  needTenant(ctx, r.tenant, [...path, 'tenant']);
  if (r.parent !== undefined) {
    const parent = ctx.policy.roles.get(r.parent);
    if (parent === undefined) fail([...path, 'parent'], `parent role ${quote(r.parent)} of role ${quote(r.id)} does not exist`, [r.parent]);
    if (parent.tenant !== r.tenant) {
      throw new TenantError({ message: `role ${quote(r.id)} of tenant ${quote(r.tenant)} has parent ${quote(parent.id)} of tenant ${quote(parent.tenant)}; a role hierarchy stays inside one tenant`, ids: [r.id, parent.id], path: [...path, 'parent'] }
      );
    }
  }
  if (r.accessLevel !== undefined) checkLevelRef(ctx, r.accessLevel, [...path, 'accessLevel']);
}

/** Checks a user: tenants, role in the user's own tenant, access level. */
export function validateUser(ctx: ValidationContext, u: User): void {
  const path: ErrorPath = ['users', u.id];
  needTenant(ctx, u.tenant, [...path, 'tenant']);
  u.tenants.forEach((t, i) => needTenant(ctx, t, [...path, 'tenants', i]));
  if (u.role !== undefined) {
    const role = ctx.policy.roles.get(u.role);
    if (role === undefined) fail([...path, 'role'], `role ${quote(u.role)} of user ${quote(u.id)} does not exist`, [u.role]);
    if (role.tenant !== u.tenant) {
      throw new TenantError({ message: `user ${quote(u.id)} of tenant ${quote(u.tenant)} has role ${quote(role.id)} of tenant ${quote(role.tenant)}; give it a role of its own tenant`, ids: [u.id, role.id], path: [...path, 'role'] }
      );
    }
  }
  if (u.accessLevel !== undefined) checkLevelRef(ctx, u.accessLevel, [...path, 'accessLevel']);
}

/**
 * Checks that a principal exists and belongs to `tenant`: a user that may act in it, or a role
 * or group of it.
 */
export function validatePrincipal(ctx: ValidationContext, p: Principal, tenant: Id, owner: string, path: ErrorPath): void {
  const parts = principalParts(p);
  if (parts === undefined) return fail(path, 'malformed principal');
  const id = parts.id as Id;
  const cross = (what: string, its: string): never => {
    throw new TenantError({ message: `${owner} of tenant ${quote(tenant)} names ${what} ${quote(id)} of tenant ${quote(its)}; principals must belong to the same tenant`, ids: [id], path }
    );
  };
  if (parts.kind === 'user') {
    const u = ctx.policy.users.get(id);
    if (u === undefined) fail(path, `${owner} names user ${quote(id)}, which does not exist`, [id]);
    if (!userActsIn(ctx.policy, u, tenant)) cross('user', u.tenant);
  } else if (parts.kind === 'group') {
    const g = ctx.policy.groups.get(id);
    if (g === undefined) fail(path, `${owner} names group ${quote(id)}, which does not exist`, [id]);
    if (g.tenant !== tenant) cross('group', g.tenant);
  } else {
    const r = ctx.policy.roles.get(id);
    if (r === undefined) fail(path, `${owner} names role ${quote(id)}, which does not exist`, [id]);
    if (r.tenant !== tenant) cross('role', r.tenant);
  }
}

/** Checks a group: tenant, every member exists and belongs to the group's tenant, access level. */
export function validateGroup(ctx: ValidationContext, g: Group): void {
  const path: ErrorPath = ['groups', g.id];
  needTenant(ctx, g.tenant, [...path, 'tenant']);
  const owner = `group ${quote(g.id)}`;
  const m = g.members;
  // Time never hides an entry from these checks: an expired member must still exist and belong to the tenant.
  const at = (kind: string, e: MemberEntry, i: number): ErrorPath => (typeof e === 'string' ? [...path, 'members', kind, i] : [...path, 'members', kind, i, 'id']);
  m.users.forEach((e, i) => validatePrincipal(ctx, { user: entryId(e) }, g.tenant, owner, at('users', e, i)));
  m.roles.forEach((e, i) => validatePrincipal(ctx, { role: entryId(e) }, g.tenant, owner, at('roles', e, i)));
  m.rolesAndSubordinates.forEach((e, i) => validatePrincipal(ctx, { roleAndSubordinates: entryId(e) }, g.tenant, owner, at('rolesAndSubordinates', e, i)));
  m.groups.forEach((e, i) => validatePrincipal(ctx, { group: entryId(e) }, g.tenant, owner, at('groups', e, i)));
  if (g.accessLevel !== undefined) checkLevelRef(ctx, g.accessLevel, [...path, 'accessLevel']);
}

function needType(ctx: ValidationContext, type: string, path: ErrorPath): void {
  if (!ctx.policy.resourceTypes.has(type)) fail(path, `resource type ${quote(type)} is not declared in resourceTypes`, [type]);
}

/** A sharing rule or access group may not name a controlled type: its records have their parent's access only. */
function notControlled(ctx: ValidationContext, type: string, path: ErrorPath, who: string): void {
  const by = ctx.policy.resourceTypes.get(type)?.controlledBy;
  if (by !== undefined) {
    fail(path, `${who} names resource type ${quote(type)}, which is controlled by ${quote(by)}: its records have their parent's access and no sharing of their own; share the ${quote(by)} records instead`, [type]);
  }
}

/** Checks a sharing rule: tenant, resource type, `from` and `to` in the rule's tenant. */
export function validateSharingRule(ctx: ValidationContext, r: SharingRule): void {
  const path: ErrorPath = ['sharingRules', r.id];
  needTenant(ctx, r.tenant, [...path, 'tenant']);
  needType(ctx, r.resourceType, [...path, 'resourceType']);
  notControlled(ctx, r.resourceType, [...path, 'resourceType'], `sharing rule ${quote(r.id)}`);
  const owner = `sharing rule ${quote(r.id)}`;
  validatePrincipal(ctx, r.from, r.tenant, owner, [...path, 'from']);
  validatePrincipal(ctx, r.to, r.tenant, owner, [...path, 'to']);
}

/** Checks an access group: tenant, resource types, every grant's principal in its tenant. */
export function validateAccessGroup(ctx: ValidationContext, a: AccessGroup): void {
  const path: ErrorPath = ['accessGroups', a.id];
  needTenant(ctx, a.tenant, [...path, 'tenant']);
  a.resourceTypes?.forEach((t, i) => {
    needType(ctx, t, [...path, 'resourceTypes', i]);
    notControlled(ctx, t, [...path, 'resourceTypes', i], `access group ${quote(a.id)}`);
  });
  a.grants.forEach((g, i) => validatePrincipal(ctx, g.to, a.tenant, `access group ${quote(a.id)}`, [...path, 'grants', i, 'to']));
}
