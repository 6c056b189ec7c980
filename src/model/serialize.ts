import type { ResourceTypeInput, PolicyInput } from './policy-input.js';
import type { FieldPermission, Policy, ResourceType } from './policy.js';
import { bare } from './shape.js';
import { compareIds } from './ids.js';

/** A resource type as plain data (its actions as an object, odd action names kept as own keys). */
export function resourceTypeInput(t: ResourceType): ResourceTypeInput {
  const actions: Record<string, ResourceTypeInput['actions'][string]> = Object.create(null) as Record<string, never>;
  for (const [a, l] of t.actions) Object.defineProperty(actions, a, bare({ value: l, enumerable: true, writable: true, configurable: true }));
  return {
    actions: { ...actions },
    ...(t.readActions === undefined ? {} : { readActions: [...t.readActions] }),
    ...(t.default === undefined ? {} : { default: t.default }),
    ...(t.hierarchy === undefined ? {} : { hierarchy: t.hierarchy }),
    ...(t.groupOwnerLevel === undefined ? {} : { groupOwnerLevel: t.groupOwnerLevel }),
    ...(t.controlledBy === undefined ? {} : { controlledBy: t.controlledBy }),
    ...(t.fields === undefined ? {} : { fields: fieldsInput(t.fields) }),
  };
}

/** Field permissions as plain data (a prototype-less object, so that any field name is an own key). */
function fieldsInput(fields: ReadonlyMap<string, FieldPermission>): NonNullable<ResourceTypeInput['fields']> {
  const out = Object.create(null) as Record<string, { read: string; write?: string }>;
  for (const [name, f] of fields) {
    Object.defineProperty(out, name, bare({ value: { read: f.read, ...(f.write === undefined ? {} : { write: f.write }) }, enumerable: true, writable: true, configurable: true }));
  }
  return out;
}

/**
 * The policy as plain data, ready for JSON or YAML; `createEngine({ policy: toPolicyInput(p) })`
 * gives an engine with the same answers. Collections come out sorted by id, so that equal
 * policies serialize equally.
 * @example
 * ```ts
 * fs.writeFileSync('policy.json', JSON.stringify(toPolicyInput(engine.policy)));
 * ```
 */
export function toPolicyInput(policy: Policy): PolicyInput {
  const sorted = <T extends { id: string }>(m: ReadonlyMap<string, T>): T[] =>
    [...m.values()].sort((a, b) => compareIds(a.id, b.id));
  // Built with defineProperty so that a type named "__proto__" stays an own key.
  const resourceTypes: Record<string, ResourceTypeInput> = Object.create(null) as Record<string, ResourceTypeInput>;
  for (const name of [...policy.resourceTypes.keys()].sort()) {
    const t = policy.resourceTypes.get(name);
    if (t === undefined) continue;
    Object.defineProperty(resourceTypes, name, bare({ value: resourceTypeInput(t), enumerable: true, writable: true, configurable: true }));
  }
  return {
    tenants: sorted(policy.tenants),
    roles: sorted(policy.roles),
    users: sorted(policy.users),
    groups: sorted(policy.groups),
    resourceTypes: { ...resourceTypes },
    sharingRules: sorted(policy.sharingRules),
    accessGroups: sorted(policy.accessGroups),
    ...(policy.accessLevels === undefined ? {} : { accessLevels: policy.accessLevels }),
    ...(policy.defaultAccessLevel === undefined ? {} : { defaultAccessLevel: policy.defaultAccessLevel }),
  };
}
