import { createCore, type EngineOptions } from './core.js';
import type { Engine } from './types.js';

/**
 * Creates an in-memory engine over a policy. Validates the whole policy and compiles its index;
 * throws a typed error (`InvalidInputError`, `GroupCycleError`, `RoleCycleError`, `TenantError`)
 * that says what to fix.
 * @example
 * ```ts
 * const engine = createEngine({ policy });
 * engine.can('u1', 'edit', { type: 'lead', id: 'l1', owner: { group: 'sales' } });
 * ```
 */
export function createEngine(options: EngineOptions): Engine {
  return createCore(options, (prepared) => Promise.resolve(prepared.install())).engine;
}
