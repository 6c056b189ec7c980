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
  if (hasUser === hasGroup) fail(['resource', 'owner'], 'the owner must be exactly one of { user } or { group }');
  if (r.accessGroups !== undefined && !Array.isArray(r.accessGroups)) {
    fail(['resource', 'accessGroups'], `expected a list of access group ids, got ${describe(r.accessGroups)}`);
  }
  return {
    type,
    slot,
    tenant,
    ownerUser: hasUser ? expectId(o.user, ['resource', 'owner', 'user'], 'owner user id') : undefined,
    ownerGroup: hasGroup ? expectId(o.group, ['resource', 'owner', 'group'], 'owner group id') : undefined,
  };
}
