import { quote } from '../errors/errors.js';
import { DEFAULT_TENANT } from '../model/ids.js';
import { describe, expectId, fail } from '../model/shape.js';
import type { Compiled } from '../compile/snapshot.js';
import type { ReadOwner, Request } from './request-type.js';
import { readChild } from './read-parent.js';
import { readShares } from './read-shares.js';
import {
  accessGroupsOf,
  attributesOf,
  checkedOwner,
  expectRecord,
  ownerGroupOf,
  ownerUserOf,
  readAccessGroups,
  readAttributes,
  recordId,
  recordTenant,
  typeOf,
  type Fields,
} from './read-fields.js';

export type { ReadOwner, Request } from './request-type.js';

// The paths of the request's fields, made once rather than on every call of the hot path.
const PATH_USER = Object.freeze(['user']);
const PATH_ACTION = Object.freeze(['action']);
const PATH_RESOURCE = Object.freeze(['resource']);
const PATH_TYPE = Object.freeze(['resource', 'type']);
const PATH_PARENT = Object.freeze(['resource', 'parent']);

/**
 * Reads a resource's owner: `{ user }` or `{ group }`; a `null` (or absent) other field is
 * allowed, as a database row has it, but exactly one of the two must be set.
 */
export function readOwner(resource: unknown): ReadOwner {
  const owner = checkedOwner(expectRecord(resource, PATH_RESOURCE), PATH_RESOURCE);
  return { user: ownerUserOf(owner, PATH_RESOURCE), group: ownerGroupOf(owner, PATH_RESOURCE) };
}

/**
 * Checks the shape of a request: a user id, a declared action of a declared type, a resource with
 * an id and exactly one owner (or, for a type with `controlledBy`, a parent of that type and no
 * owner: see read-parent.ts). Anything malformed throws `InvalidInputError`. Reads each field of
 * the resource once, own properties only, and copies what the decision uses.
 */
export function readRequest(c: Compiled, user: unknown, action: unknown, resource: unknown, at = NaN): Request {
  return read(c, user, action, resource, false, at);
}

/**
 * Checks a request about a record as a whole (its fields, say), not one action: the same checks
 * as {@link readRequest} but for the action; the request carries the type's first action, to be
 * replaced by the caller with each action it decides.
 */
export function readRecordRequest(c: Compiled, user: unknown, resource: unknown, at = NaN): Request {
  return read(c, user, undefined, resource, true, at);
}

/**
 * A request about a type and action rather than a record (a filter's): the type and action
 * checked as a check checks them, no record (id `filter`, no owner, tenant `default`).
 */
export function readTypeRequest(c: Compiled, action: unknown, typeName: unknown, at = NaN): Request {
  if (typeof typeName !== 'string') fail(PATH_TYPE, `expected a resource type name, got ${describe(typeName)}`);
  const type = c.frame.types.get(typeName);
  if (type === undefined) fail(PATH_TYPE, `resource type ${quote(typeName)} is not declared in the policy`, [typeName]);
  if (typeof action !== 'string') fail(PATH_ACTION, `expected an action name, got ${describe(action)}`);
  const slot = type.actions.get(action);
  if (slot === undefined) {
    fail(PATH_ACTION, `resource type ${quote(typeName)} has no action ${quote(action)}; it declares ${[...type.def.actions.keys()].map(quote).join(', ')}`, [action]);
  }
  return {
    c,
    type,
    slot,
    id: 'filter',
    tenant: DEFAULT_TENANT,
    tenantNum: c.defaultTenant,
    ownerUser: undefined,
    ownerGroup: undefined,
    ownerUserNum: -1,
    ownerGroupNum: -1,
    ownerFacts: undefined,
    accessGroups: undefined,
    attributes: undefined,
    shares: undefined,
    at,
    parent: undefined,
  };
}

function read(c: Compiled, user: unknown, action: unknown, resource: unknown, anyAction: boolean, at: number): Request {
  expectId(user, PATH_USER, 'user id');
  const r = expectRecord(resource, PATH_RESOURCE);
  const typeName = typeOf(r);
  if (typeof typeName !== 'string') fail(PATH_TYPE, `expected a resource type name, got ${describe(typeName)}`);
  const type = c.frame.types.get(typeName);
  if (type === undefined) fail(PATH_TYPE, `resource type ${quote(typeName)} is not declared in the policy`, [typeName]);
  if (anyAction) action = type.actions.keys().next().value;
  if (typeof action !== 'string') fail(PATH_ACTION, `expected an action name, got ${describe(action)}`);
  const slot = type.actions.get(action);
  if (slot === undefined) {
    fail(PATH_ACTION, `resource type ${quote(typeName)} has no action ${quote(action)}; it declares ${[...type.def.actions.keys()].map(quote).join(', ')}`, [action]);
  }
  if (type.controlledBy !== undefined) return readChild(c, r, type, slot, at);
  // The two rare fields read here, not through the shared readers: a load at its own call site
  // keeps its own inline cache (measured: through the shared readers, 3-6% of a check).
  const rawParent = (r as Fields).parent;
  if (rawParent !== undefined && rawParent !== null && Object.hasOwn(r, 'parent')) {
    fail(PATH_PARENT, `resource type ${quote(typeName)} is not controlled by another type, so its records have no parent; remove parent, or declare controlledBy on the type`);
  }
  const id = recordId(r, PATH_RESOURCE);
  const tenant = recordTenant(r, PATH_RESOURCE) ?? DEFAULT_TENANT;
  const owner = checkedOwner(r, PATH_RESOURCE);
  const ownerUser = ownerUserOf(owner, PATH_RESOURCE);
  const ownerGroup = ownerUser === undefined ? ownerGroupOf(owner, PATH_RESOURCE) : undefined;
  const listed = accessGroupsOf(r);
  const attributes = attributesOf(r);
  const rawShares = (r as Fields).shares;
  const shares = rawShares === undefined || rawShares === null || !Object.hasOwn(r, 'shares') ? undefined : rawShares;
  const ids = c.ids;
  return {
    c,
    type,
    slot,
    id,
    tenant,
    tenantNum: tenant === DEFAULT_TENANT ? c.defaultTenant : ids.tenants.numOf(tenant),
    ownerUser,
    ownerGroup,
    ownerUserNum: ownerUser === undefined ? -1 : ids.users.numOf(ownerUser),
    ownerGroupNum: ownerGroup === undefined ? -1 : ids.groups.numOf(ownerGroup),
    ownerFacts: null,
    accessGroups: listed === undefined ? undefined : readAccessGroups(listed, PATH_RESOURCE),
    attributes: attributes === undefined ? undefined : readAttributes(attributes, PATH_RESOURCE),
    shares: shares === undefined ? undefined : readShares(shares, PATH_RESOURCE),
    at,
    parent: undefined,
  };
}

/** The instant a request is decided at: the one it was given, else the snapshot's clock, read once. */
export function instantOf(req: Request): number {
  if (req.at !== req.at) req.at = req.c.clock();
  return req.at;
}
