import type { ActionSlot } from '../access/action-table.js';
import { quote } from '../errors/errors.js';
import { DEFAULT_TENANT, MAX_ID_LENGTH, type Id } from '../model/ids.js';
import type { AttributeValue } from '../model/resource.js';
import { describe, expectId, fail, hasOwn, isPlainObject } from '../model/shape.js';
import type { Compiled, TypeNode, UserFacts } from '../compile/snapshot.js';
import { readShares, type RequestShare } from './read-shares.js';

/**
 * A request whose shape has been checked, with the resource's fields copied out of the caller's
 * object: everything the decision needs, read once, own properties only.
 */
export interface Request {
  /** The snapshot the request was read against (its numbers below are this snapshot's). */
  readonly c: Compiled;
  readonly type: TypeNode;
  readonly slot: ActionSlot;
  readonly id: Id;
  readonly tenant: Id;
  /** The tenant's number, or -1 when no snapshot of the engine ever had it. */
  readonly tenantNum: number;
  readonly ownerUser: Id | undefined;
  readonly ownerGroup: Id | undefined;
  /** The owner user's number, when a user owns the record and was ever interned, else -1. */
  readonly ownerUserNum: number;
  /**
   * The owner group's number, when a group owns the record and was ever interned, else -1. A
   * number without facts in this snapshot is in none of its closures and expands to no member.
   */
  readonly ownerGroupNum: number;
  /** The owner user's facts once read (`null`: not yet); read them with `ownerFacts`. */
  ownerFacts: UserFacts | undefined | null;
  /** The access groups the resource lists (ids), or undefined. */
  readonly accessGroups: readonly Id[] | undefined;
  /** The resource's attributes (checked; to be read own properties only), or undefined. */
  readonly attributes: Readonly<Record<string, AttributeValue>> | undefined;
  /** The resource's record shares, checked and resolved in its tenant, or undefined when it has none. */
  readonly shares: readonly RequestShare[] | undefined;
  /**
   * The instant the request is decided at (epoch milliseconds), or NaN until something needs it:
   * read it with `instantOf`, which falls back on the snapshot's clock once per request.
   */
  at: number;
}

/** The owner of a resource, checked: exactly one of `user` and `group` set. */
export interface ReadOwner {
  readonly user: Id | undefined;
  readonly group: Id | undefined;
}

/*
 * The fields the hot path reads, each by its own name: a named property load keeps an inline
 * cache per call site, where a shared `own(obj, key)` makes every load megamorphic (measured: about
 * 150 ns per check). Own properties only; `null` (a row's NULL column) reads as absent where the
 * field is optional.
 */
type Fields = { readonly type?: unknown; readonly id?: unknown; readonly tenant?: unknown; readonly owner?: unknown; readonly accessGroups?: unknown; readonly attributes?: unknown; readonly shares?: unknown; readonly user?: unknown; readonly group?: unknown };
const typeOf = (r: Fields): unknown => (Object.hasOwn(r, 'type') ? r.type : undefined);
const idOf = (r: Fields): unknown => (Object.hasOwn(r, 'id') ? r.id : undefined);
const tenantOf = (r: Fields): unknown => (r.tenant === undefined || r.tenant === null || !Object.hasOwn(r, 'tenant') ? undefined : r.tenant);
const ownerFieldOf = (r: Fields): unknown => (Object.hasOwn(r, 'owner') ? r.owner : undefined);
const accessGroupsOf = (r: Fields): unknown => (r.accessGroups === undefined || r.accessGroups === null || !Object.hasOwn(r, 'accessGroups') ? undefined : r.accessGroups);
const attributesOf = (r: Fields): unknown => (r.attributes === undefined || r.attributes === null || !Object.hasOwn(r, 'attributes') ? undefined : r.attributes);
const sharesOf = (r: Fields): unknown => (r.shares === undefined || r.shares === null || !Object.hasOwn(r, 'shares') ? undefined : r.shares);
const userOf = (o: Fields): unknown => (o.user === undefined || o.user === null || !Object.hasOwn(o, 'user') ? undefined : o.user);
const groupOf = (o: Fields): unknown => (o.group === undefined || o.group === null || !Object.hasOwn(o, 'group') ? undefined : o.group);

/** `value` as a resource object: plain data (an object literal, a row), so that no accessor of a class can hide a field. */
function expectResource(value: unknown): object {
  if (!isPlainObject(value)) {
    fail(['resource'], `expected a resource object (plain data: { type, id, owner, ... }), got ${describe(value)}${typeof value === 'object' && value !== null && !Array.isArray(value) ? ' that is not plain data' : ''}`);
  }
  return value;
}

/**
 * Reads a resource's owner: `{ user }` or `{ group }`; a `null` (or absent) other field is
 * allowed, as a database row has it, but exactly one of the two must be set.
 */
export function readOwner(resource: unknown): ReadOwner {
  return ownerOf(expectResource(resource));
}

function ownerOf(r: object): ReadOwner {
  const owner = checkedOwner(r);
  return { user: ownerUserOf(owner), group: ownerGroupOf(owner) };
}

/** The resource's owner object, checked: plain, no field but `user` and `group`, exactly one of them set. */
function checkedOwner(r: object): object {
  const owner = ownerFieldOf(r);
  if (!isPlainObject(owner)) fail(PATH_OWNER, `expected { user } or { group }, got ${describe(owner)}`);
  checkOwnerKeys(owner);
  if ((userOf(owner) === undefined) === (groupOf(owner) === undefined)) fail(PATH_OWNER, 'the owner must be exactly one of { user } or { group }');
  return owner;
}

function ownerUserOf(owner: object): Id | undefined {
  const user = userOf(owner);
  return user === undefined ? undefined : expectId(user, PATH_OWNER_USER, 'owner user id');
}

function ownerGroupOf(owner: object): Id | undefined {
  const group = groupOf(owner);
  return group === undefined ? undefined : expectId(group, PATH_OWNER_GROUP, 'owner group id');
}

/** An owner has no fields but `user` and `group`. */
function checkOwnerKeys(owner: object): void {
  // The common case without allocating: every own enumerable key is `user` or `group`.
  let clean = true;
  for (const key in owner) {
    if (key !== 'user' && key !== 'group' && Object.hasOwn(owner, key)) {
      clean = false;
      break;
    }
  }
  if (clean) return;
  const keys = Object.keys(owner);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string;
    if (key !== 'user' && key !== 'group') fail(['resource', 'owner', key], `unknown field ${quote(key)}; the owner is { user } or { group }`);
  }
}

// The paths of the request's fields, made once rather than on every call of the hot path.
const PATH_USER = Object.freeze(['user']);
const PATH_ACTION = Object.freeze(['action']);
const PATH_TYPE = Object.freeze(['resource', 'type']);
const PATH_ID = Object.freeze(['resource', 'id']);
const PATH_TENANT = Object.freeze(['resource', 'tenant']);
const PATH_OWNER = Object.freeze(['resource', 'owner']);
const PATH_OWNER_USER = Object.freeze(['resource', 'owner', 'user']);
const PATH_OWNER_GROUP = Object.freeze(['resource', 'owner', 'group']);

/**
 * Checks the shape of a request: a user id, a declared action of a declared type, a resource with
 * an id and exactly one owner. Anything malformed throws `InvalidInputError`. Reads each field of
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

function read(c: Compiled, user: unknown, action: unknown, resource: unknown, anyAction: boolean, at: number): Request {
  expectId(user, PATH_USER, 'user id');
  const r = expectResource(resource);
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
  const id = expectId(idOf(r), PATH_ID, 'resource id');
  const tenantRaw = tenantOf(r);
  const tenant = tenantRaw === undefined ? DEFAULT_TENANT : expectId(tenantRaw, PATH_TENANT, 'tenant id');
  const owner = checkedOwner(r);
  const ownerUser = ownerUserOf(owner);
  const ownerGroup = ownerUser === undefined ? ownerGroupOf(owner) : undefined;
  const listed = accessGroupsOf(r);
  const attributes = attributesOf(r);
  const shares = sharesOf(r);
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
    accessGroups: listed === undefined ? undefined : readAccessGroups(listed),
    attributes: attributes === undefined ? undefined : readAttributes(attributes),
    shares: shares === undefined ? undefined : readShares(shares),
    at,
  };
}

/** The instant a request is decided at: the one it was given, else the snapshot's clock, read once. */
export function instantOf(req: Request): number {
  if (req.at !== req.at) req.at = req.c.clock();
  return req.at;
}

/** Checks the access-group ids a resource lists, in place; a hole is refused, never filled from Array.prototype. */
function readAccessGroups(value: unknown): readonly Id[] {
  if (!Array.isArray(value)) fail(['resource', 'accessGroups'], `expected a list of access group ids, got ${describe(value)}`);
  const list = value as readonly unknown[];
  const n = list.length;
  for (let i = 0; i < n; i++) {
    const x = hasOwn(list, i) ? list[i] : undefined;
    // The path is built only for the error: the check itself allocates nothing.
    if (typeof x !== 'string' || x.length === 0 || x.length > MAX_ID_LENGTH) expectId(x, ['resource', 'accessGroups', i], 'access group id');
  }
  return list as readonly Id[];
}

/**
 * Attributes are a plain object of strings, finite numbers, booleans or lists of strings; a
 * `null` value is an absent attribute. Checked in place, not copied (copying an object with
 * arbitrary keys costs more than the rest of a check); segments read them own properties only.
 */
function readAttributes(value: unknown): Readonly<Record<string, AttributeValue>> {
  if (!isPlainObject(value)) fail(['resource', 'attributes'], `expected an object of attributes, got ${describe(value)}`);
  const keys = Object.keys(value);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string;
    const v = (value as Record<string, unknown>)[key];
    if (v === null || v === undefined || typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v))) continue;
    if (Array.isArray(v)) checkStringList(v as readonly unknown[], key);
    else fail(['resource', 'attributes', key], `expected a string, finite number, boolean or list of strings, got ${describe(v)}`);
  }
  return value as Readonly<Record<string, AttributeValue>>;
}

/** Checks a list of strings; a hole is not a string (unlike `every`, which skips holes). */
function checkStringList(list: readonly unknown[], key: string): void {
  const n = list.length;
  for (let i = 0; i < n; i++) {
    const x = hasOwn(list, i) ? list[i] : undefined;
    if (typeof x !== 'string') {
      fail(['resource', 'attributes', key], `expected a string, finite number, boolean or list of strings, got a list with ${describe(x)} at ${i}`);
    }
  }
}
