/*
 * SPEC 9, parent-controlled types in random policies: sometimes one controlled type over a type
 * with access of its own, sometimes a second one over the first (a two-level chain), and records
 * of them with parents (mostly without a tenant, sometimes in their parent's, sometimes in
 * another; on request, now and then malformed).
 */
import type { PolicyInput, ResourceTypeInput } from '../../src/model/policy-input.js';
import type { Level } from '../../src/model/level.js';
import type { Resource } from '../../src/model/resource.js';
import type { Choices } from './choices.js';

/** Names of the controlled types: odd ones, like every other name the generators use. */
export const CHILD_TYPES: readonly string[] = ['contact', 'valueOf'];

const ACTIONS: readonly string[] = ['view', 'edit', 'delete', 'toString'];
const LEVELS: readonly Level[] = ['read', 'readWrite', 'full', 'none'];

/**
 * 0-2 controlled types (one time in three at least one) over the types `own` with access of their
 * own, each controlled by the one before (a two-level chain when there are two). Made with the
 * other types, before anything (capabilities, ceilings) is drawn over the types' actions.
 */
export function controlledTypeInputs(c: Choices, own: readonly string[]): [string, ResourceTypeInput][] {
  if (own.length === 0 || !c.chance(3)) return [];
  const out: [string, ResourceTypeInput][] = [];
  const n = c.chance(2) ? 2 : 1;
  let over = c.pick(own);
  for (let i = 0; i < n; i++) {
    const name = CHILD_TYPES[i] as string;
    const actionNames = [c.pick(ACTIONS), ...c.distinct(ACTIONS, 2)].filter((x, j, a) => a.indexOf(x) === j);
    const actions = Object.fromEntries(actionNames.map((a) => [a, c.pick(LEVELS)]));
    out.push([name, { actions, controlledBy: over, ...(c.chance(4) ? { readActions: [actionNames[0] as string] } : {}) }]);
    over = name;
  }
  return out;
}

/** The controlled types of a policy, each with the type that controls it. */
export function controlledTypes(policy: PolicyInput): [string, string][] {
  return Object.entries(policy.resourceTypes).flatMap(([name, t]) => (t.controlledBy === undefined ? [] : [[name, t.controlledBy] as [string, string]]));
}

/**
 * A record of `type` (a controlled type), its parent picked among `pool` (records built so far)
 * or made by `fresh` (a record of a given type with access of its own). With `malformed`, now and
 * then one that breaks SPEC 9 (an owner or access groups of its own, no parent).
 */
export function buildChild(c: Choices, policy: PolicyInput, type: string, id: string, pool: readonly Resource[], fresh: (type: string) => Resource, malformed = false): Resource {
  const over = policy.resourceTypes[type]?.controlledBy as string;
  const candidates = pool.filter((r) => r.type === over);
  const parent: Resource =
    candidates.length > 0 && c.chance(2)
      ? c.pick(candidates)
      : policy.resourceTypes[over]?.controlledBy !== undefined
        ? buildChild(c, policy, over, `${id}p`, pool, fresh, malformed)
        : fresh(over);
  const tenantChoice = c.int(8);
  const tenant = tenantChoice < 5 ? undefined : tenantChoice === 5 ? (parent.tenant ?? 'default') : c.pick(['default', ...(policy.tenants ?? []).map((t) => t.id)]);
  const child: Resource = { type, id, ...(tenant === undefined ? {} : { tenant }), parent };
  if (!malformed) return child;
  const bad = c.int(8);
  if (bad === 0) return { ...child, owner: { user: 'ghost' } };
  if (bad === 1) return { type, id };
  if (bad === 2) return { ...child, accessGroups: [] };
  return child;
}
