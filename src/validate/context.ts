import { buildActionTable, type ActionTable } from '../access/action-table.js';
import { capSetOfRef, compileLevels, type CompiledLevels } from '../access/capabilities.js';
import { quote, type ErrorPath } from '../errors/errors.js';
import type { LevelRef } from '../model/access-level.js';
import type { Policy } from '../model/policy.js';
import { fail } from '../model/shape.js';
import { resolveLimits, type Limits, type ResolvedLimits } from './limits.js';

/** What validating entities needs besides the policy: the compiled action table and tiers. */
export interface ValidationContext {
  readonly policy: Policy;
  readonly table: ActionTable;
  /** The compiled tiers, or `undefined` when the policy declares no access levels. */
  readonly levels: CompiledLevels | undefined;
  /** The size limits in force. */
  readonly limits: ResolvedLimits;
}

/** Compiles the action table and tiers of a policy, validating every capability they name. */
export function validationContext(policy: Policy, limits?: Limits): ValidationContext {
  const table = buildActionTable(policy.resourceTypes);
  const levels = policy.accessLevels === undefined ? undefined : compileLevels(table, policy.accessLevels);
  const ctx = { policy, table, levels, limits: resolveLimits(limits) };
  if (policy.defaultAccessLevel !== undefined) checkLevelRef(ctx, policy.defaultAccessLevel, ['defaultAccessLevel']);
  return ctx;
}

/** Checks that a level reference can be resolved: tiers need declared access levels, custom capabilities need declared actions. */
export function checkLevelRef(ctx: ValidationContext, ref: LevelRef, path: ErrorPath): void {
  if (ctx.levels === undefined) {
    const what = typeof ref === 'object' ? 'a custom access level' : `access level ${quote(String(ref))}`;
    fail(path, `${what} is given, but the policy declares no accessLevels, so capabilities are not checked; add accessLevels (it may be {})`);
  }
  capSetOfRef(ctx.table, ctx.levels, ref, path);
}
