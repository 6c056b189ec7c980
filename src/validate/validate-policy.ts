import type { Policy } from '../model/policy.js';
import { validationContext, type ValidationContext } from './context.js';
import { checkEntityCount, checkGroupMembers, checkNestingDepth, type Limits } from './limits.js';
import { checkControlledTypes } from './controlled-by.js';
import { checkAllGroupCycles, checkRoleCycleFrom, checkTenantCycleFrom } from './cycles.js';
import {
  validateAccessGroup,
  validateGroup,
  validateRole,
  validateSharingRule,
  validateTenant,
  validateUser,
} from './entities.js';

/**
 * Validates a whole normalized policy: every reference resolves, nothing reaches across
 * tenants, no ceiling is wider than its parent's, no role or group cycle, every level resolves,
 * and the policy is within its size limits.
 * Throws the first problem as a typed error; returns the compiled context on success.
 */
export function validatePolicy(policy: Policy, limits?: Limits): ValidationContext {
  const ctx = validationContext(policy, limits);
  checkEntityCount(policy, ctx.limits);
  checkControlledTypes(policy);
  for (const id of policy.groups.keys()) checkGroupMembers(policy, id, ctx.limits);
  const goodTenants = new Set<string>();
  for (const t of policy.tenants.values()) checkTenantCycleFrom(policy, t.id, goodTenants);
  for (const t of policy.tenants.values()) validateTenant(ctx, t);
  for (const r of policy.roles.values()) validateRole(ctx, r);
  const goodRoles = new Set<string>();
  for (const r of policy.roles.values()) checkRoleCycleFrom(policy, r.id, goodRoles);
  for (const u of policy.users.values()) validateUser(ctx, u);
  for (const g of policy.groups.values()) validateGroup(ctx, g);
  checkAllGroupCycles(policy);
  checkNestingDepth(policy, ctx.limits);
  for (const r of policy.sharingRules.values()) validateSharingRule(ctx, r);
  for (const a of policy.accessGroups.values()) validateAccessGroup(ctx, a);
  return ctx;
}
