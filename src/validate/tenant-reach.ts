import { DEFAULT_TENANT, type Id } from '../model/ids.js';
import type { Policy, Tenant, User } from '../model/policy.js';
import { bare } from '../model/shape.js';

/**
 * The tenant named `id`: a declared one, or the implicit root `default`, which exists whether or
 * not it is declared.
 */
export function tenantOf(policy: Policy, id: Id): Tenant | undefined {
  return policy.tenants.get(id) ?? (id === DEFAULT_TENANT ? bare({ id: DEFAULT_TENANT }) : undefined);
}

/** Whether `ancestor` is `id` or one of its ancestors. Iterative and cycle-safe. */
export function tenantWithin(policy: Policy, id: Id, ancestor: Id): boolean {
  const seen = new Set<Id>();
  let cur: Id | undefined = id;
  while (cur !== undefined && !seen.has(cur)) {
    if (cur === ancestor) return true;
    seen.add(cur);
    cur = policy.tenants.get(cur)?.parent;
  }
  return false;
}

/** Whether a user may act in tenant `id`: its own tenant, one of `tenants`, or a descendant of either. */
export function userActsIn(policy: Policy, user: User, id: Id): boolean {
  if (tenantWithin(policy, id, user.tenant)) return true;
  for (const t of user.tenants) if (tenantWithin(policy, id, t)) return true;
  return false;
}
