import type { ActionSlot } from '../access/action-table.js';
import { quote } from '../errors/errors.js';
import { DEFAULT_TENANT, type Id } from '../model/ids.js';
import type { AttributeValue } from '../model/resource.js';
import { describe, expectId, fail, hasOwn, isPlainObject, own } from '../model/shape.js';
import type { Index, TypeNode } from '../index/nodes.js';

/**
 * A request whose shape has been checked, with the resource's fields copied out of the caller's
 * object: everything the decision needs, read once, own properties only.
 */
export interface Request {
  readonly type: TypeNode;
  readonly slot: ActionSlot;
  readonly id: Id;
  readonly tenant: Id;
  readonly ownerUser: Id | undefined;
  readonly ownerGroup: Id | undefined;
  /** The access groups the resource lists (ids), or undefined. */
  readonly accessGroups: readonly Id[] | undefined;
  /** The resource's attributes (a copy, to be read own properties only), or undefined. */
  readonly attributes: Readonly<Record<string, AttributeValue>> | undefined;
}

/** The owner of a resource, checked: exactly one of `user` and `group` set. */
export interface ReadOwner {
  readonly user: Id | undefined;
  readonly group: Id | undefined;
}

/**
 * An optional field of a resource: own properties only (never one inherited from
 * `Object.prototype`), and `null`, what a database row carries for an absent column, is absent.
 */
function optional(r: object, key: string): unknown {
  const v = own(r, key);
  return v === null ? undefined : v;
}

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
  const owner = own(r, 'owner');
  if (!isPlainObject(owner)) fail(['resource', 'owner'], `expected { user } or { group }, got ${describe(owner)}`);
  const keys = Object.keys(owner);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string;
    if (key !== 'user' && key !== 'group') fail(['resource', 'owner', key], `unknown field ${quote(key)}; the owner is { user } or { group }`);
  }
  const user = optional(owner, 'user');
  const group = optional(owner, 'group');
  if ((user === undefined) === (group === undefined)) fail(['resource', 'owner'], 'the owner must be exactly one of { user } or { group }');
  return {
    user: user === undefined ? undefined : expectId(user, ['resource', 'owner', 'user'], 'owner user id'),
    group: group === undefined ? undefined : expectId(group, ['resource', 'owner', 'group'], 'owner group id'),
  };
}

/**
 * Checks the shape of a request: a user id, a declared action of a declared type, a resource with
 * an id and exactly one owner. Anything malformed throws `InvalidInputError`. Reads each field of
 * the resource once, own properties only, and copies what the decision uses.
 */
export function readRequest(ix: Index, user: unknown, action: unknown, resource: unknown): Request {
  expectId(user, ['user'], 'user id');
  const r = expectResource(resource);
  const typeName = own(r, 'type');
  if (typeof typeName !== 'string') fail(['resource', 'type'], `expected a resource type name, got ${describe(typeName)}`);
  const type = ix.types.get(typeName);
  if (type === undefined) fail(['resource', 'type'], `resource type ${quote(typeName)} is not declared in the policy`, [typeName]);
  if (typeof action !== 'string') fail(['action'], `expected an action name, got ${describe(action)}`);
  const slot = type.actions.get(action);
  if (slot === undefined) {
    fail(['action'], `resource type ${quote(typeName)} has no action ${quote(action)}; it declares ${[...type.def.actions.keys()].map(quote).join(', ')}`, [action]);
  }
  const id = expectId(own(r, 'id'), ['resource', 'id'], 'resource id');
  const tenantRaw = optional(r, 'tenant');
  const tenant = tenantRaw === undefined ? DEFAULT_TENANT : expectId(tenantRaw, ['resource', 'tenant'], 'tenant id');
  const owner = ownerOf(r);
  const listed = optional(r, 'accessGroups');
  const attributes = optional(r, 'attributes');
  return {
    type,
    slot,
    id,
    tenant,
    ownerUser: owner.user,
    ownerGroup: owner.group,
    accessGroups: listed === undefined ? undefined : readAccessGroups(listed),
    attributes: attributes === undefined ? undefined : readAttributes(attributes),
  };
}

function readAccessGroups(value: unknown): Id[] {
  if (!Array.isArray(value)) fail(['resource', 'accessGroups'], `expected a list of access group ids, got ${describe(value)}`);
  const list = value as readonly unknown[];
  const n = list.length;
  const out: Id[] = [];
  for (let i = 0; i < n; i++) {
    // A hole is refused, never filled from Array.prototype.
    out.push(expectId(hasOwn(list, i) ? list[i] : undefined, ['resource', 'accessGroups', i], 'access group id'));
  }
  return out;
}

/**
 * Attributes are a plain object of strings, finite numbers, booleans or lists of strings; a
 * `null` value is an absent attribute. Returns a copy (lists copied too).
 */
function readAttributes(value: unknown): Readonly<Record<string, AttributeValue>> {
  if (!isPlainObject(value)) fail(['resource', 'attributes'], `expected an object of attributes, got ${describe(value)}`);
  // A literal, not a prototype-less object (which V8 keeps in slow dictionary mode): segments read
  // attributes own properties only, and `__proto__` is defined, never assigned.
  const out: Record<string, AttributeValue> = {};
  const keys = Object.keys(value);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string;
    const v = own(value, key);
    let copy: AttributeValue;
    if (v === null || v === undefined) continue;
    if (typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v))) copy = v;
    else if (Array.isArray(v)) copy = stringList(v as readonly unknown[], key);
    else fail(['resource', 'attributes', key], `expected a string, finite number, boolean or list of strings, got ${describe(v)}`);
    if (key === '__proto__') Object.defineProperty(out, key, Object.setPrototypeOf({ value: copy, enumerable: true, writable: true, configurable: true }, null) as PropertyDescriptor);
    else out[key] = copy;
  }
  return out;
}

/** A copy of a list of strings; a hole is not a string (unlike `every`, which skips holes). */
function stringList(list: readonly unknown[], key: string): string[] {
  const n = list.length;
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const x = hasOwn(list, i) ? list[i] : undefined;
    if (typeof x !== 'string') {
      fail(['resource', 'attributes', key], `expected a string, finite number, boolean or list of strings, got a list with ${describe(x)} at ${i}`);
    }
    out.push(x);
  }
  return out;
}
