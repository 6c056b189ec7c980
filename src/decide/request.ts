import type { ActionSlot } from '../access/action-table.js';
import { quote } from '../errors/errors.js';
import { DEFAULT_TENANT, type Id } from '../model/ids.js';
import type { Resource } from '../model/resource.js';
import { describe, expectId, fail } from '../model/shape.js';
import type { Index, TypeNode } from '../index/nodes.js';

/** A request whose shape has been checked: the type, the action's slot, the owner. */
export interface Request {
  readonly type: TypeNode;
  readonly slot: ActionSlot;
  readonly tenant: Id;
  readonly ownerUser: Id | undefined;
  readonly ownerGroup: Id | undefined;
}

/**
 * Checks the shape of a request: a user id, a declared action of a declared type, a resource with
 * an id and exactly one owner. Anything malformed throws `InvalidInputError`.
 */
export function readRequest(ix: Index, user: unknown, action: unknown, resource: unknown): Request {
  expectId(user, ['user'], 'user id');
  if (typeof resource !== 'object' || resource === null) fail(['resource'], `expected a resource object, got ${describe(resource)}`);
  const r = resource as Partial<Resource>;
  if (typeof r.type !== 'string') fail(['resource', 'type'], `expected a resource type name, got ${describe(r.type)}`);
  const type = ix.types.get(r.type);
  if (type === undefined) fail(['resource', 'type'], `resource type ${quote(r.type)} is not declared in the policy`, [r.type]);
  if (typeof action !== 'string') fail(['action'], `expected an action name, got ${describe(action)}`);
  const slot = type.actions.get(action);
  if (slot === undefined) {
    fail(['action'], `resource type ${quote(r.type)} has no action ${quote(action)}; it declares ${[...type.def.actions.keys()].map(quote).join(', ')}`, [action]);
  }
  expectId(r.id, ['resource', 'id'], 'resource id');
  const tenant = r.tenant === undefined ? DEFAULT_TENANT : expectId(r.tenant, ['resource', 'tenant'], 'tenant id');
  const owner = r.owner as unknown;
  if (typeof owner !== 'object' || owner === null) fail(['resource', 'owner'], `expected { user } or { group }, got ${describe(owner)}`);
  const o = owner as { user?: unknown; group?: unknown };
  const hasUser = Object.prototype.hasOwnProperty.call(o, 'user');
  const hasGroup = Object.prototype.hasOwnProperty.call(o, 'group');
  if (hasUser === hasGroup || Object.keys(o).length !== 1) fail(['resource', 'owner'], 'the owner must be exactly one of { user } or { group }');
  if (r.accessGroups !== undefined) {
    if (!Array.isArray(r.accessGroups)) fail(['resource', 'accessGroups'], `expected a list of access group ids, got ${describe(r.accessGroups)}`);
    for (let i = 0; i < r.accessGroups.length; i++) expectId(r.accessGroups[i], ['resource', 'accessGroups', i], 'access group id');
  }
  if (r.attributes !== undefined) checkAttributes(r.attributes);
  return {
    type,
    slot,
    tenant,
    ownerUser: hasUser ? expectId(o.user, ['resource', 'owner', 'user'], 'owner user id') : undefined,
    ownerGroup: hasGroup ? expectId(o.group, ['resource', 'owner', 'group'], 'owner group id') : undefined,
  };
}

/** Attributes are a plain object of strings, finite numbers, booleans or lists of strings. */
function checkAttributes(value: unknown): void {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    fail(['resource', 'attributes'], `expected an object of attributes, got ${describe(value)}`);
  }
  for (const key of Object.keys(value)) {
    const v = (value as Record<string, unknown>)[key];
    if (typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v))) continue;
    if (Array.isArray(v) && allStrings(v)) continue;
    fail(['resource', 'attributes', key], `expected a string, finite number, boolean or list of strings, got ${describe(v)}`);
  }
}

/** Whether every element is a string; a hole is not (unlike `every`, which skips holes). */
function allStrings(list: readonly unknown[]): boolean {
  for (let i = 0; i < list.length; i++) if (typeof list[i] !== 'string') return false;
  return true;
}
