import { normalizePolicy } from '../model/normalize.js';
import type { Policy } from '../model/policy.js';
import type { PolicyInput } from '../model/policy-input.js';
import { deepFreeze } from '../model/freeze.js';
import type { Limits } from './limits.js';
import { validatePolicy } from './validate-policy.js';

/**
 * Validates a policy without building an engine: throws the typed error `createEngine` would
 * (`InvalidInputError`, `GroupCycleError`, `RoleCycleError`, `TenantError`, `LimitError`), or
 * returns the normalized, frozen policy.
 * @example
 * ```ts
 * try { checkPolicy(JSON.parse(body)); } catch (e) { if (e instanceof PurviewError) reply(400, e.toJSON()); }
 * ```
 */
export function checkPolicy(policy: PolicyInput | Policy, limits?: Limits): Policy {
  const normalized = deepFreeze(normalizePolicy(policy));
  validatePolicy(normalized, limits);
  return normalized;
}
