import { quote, type ErrorPath } from '../errors/errors.js';
import { MAX_ID_LENGTH, type Id } from '../model/ids.js';
import type { AttributeValue } from '../model/resource.js';
import { describe, expectId, fail, hasOwn, isPlainObject } from '../model/shape.js';

/*
 * Reading the fields of one record of a request: own properties only, each read once, `null` (a
 * row's NULL column) read as absent where the field is optional. Each reader takes the path of the
 * record (`['resource']`, or `['resource', 'parent']` for its parent) and builds a longer path only
 * to fail, so that the hot path allocates nothing.
 *
 * The fields are read by their own names: a named property load keeps an inline cache per call
 * site, where a shared `own(obj, key)` makes every load megamorphic (measured: about 150 ns per
 * check).
 */
export type Fields = {
  readonly type?: unknown;
  readonly id?: unknown;
  readonly tenant?: unknown;
  readonly owner?: unknown;
  readonly accessGroups?: unknown;
  readonly attributes?: unknown;
  readonly parent?: unknown;
  readonly shares?: unknown;
  readonly user?: unknown;
  readonly group?: unknown;
};
export const typeOf = (r: Fields): unknown => (Object.hasOwn(r, 'type') ? r.type : undefined);
export const idOf = (r: Fields): unknown => (Object.hasOwn(r, 'id') ? r.id : undefined);
export const tenantOf = (r: Fields): unknown => (r.tenant === undefined || r.tenant === null || !Object.hasOwn(r, 'tenant') ? undefined : r.tenant);
export const ownerFieldOf = (r: Fields): unknown => (Object.hasOwn(r, 'owner') ? r.owner : undefined);
export const accessGroupsOf = (r: Fields): unknown => (r.accessGroups === undefined || r.accessGroups === null || !Object.hasOwn(r, 'accessGroups') ? undefined : r.accessGroups);
export const attributesOf = (r: Fields): unknown => (r.attributes === undefined || r.attributes === null || !Object.hasOwn(r, 'attributes') ? undefined : r.attributes);
export const sharesOf = (r: Fields): unknown => (r.shares === undefined || r.shares === null || !Object.hasOwn(r, 'shares') ? undefined : r.shares);
export const parentOf = (r: Fields): unknown => (r.parent === undefined || r.parent === null || !Object.hasOwn(r, 'parent') ? undefined : r.parent);
const userOf = (o: Fields): unknown => (o.user === undefined || o.user === null || !Object.hasOwn(o, 'user') ? undefined : o.user);
const groupOf = (o: Fields): unknown => (o.group === undefined || o.group === null || !Object.hasOwn(o, 'group') ? undefined : o.group);

/** Whether `x` is an id as `expectId` accepts it, without building a path. */
const isId = (x: unknown): x is Id => typeof x === 'string' && x.length > 0 && x.length <= MAX_ID_LENGTH;

/** `value` as a resource object at `path`: plain data (an object literal, a row), so that no accessor of a class can hide a field. */
export function expectRecord(value: unknown, path: ErrorPath): object {
  if (!isPlainObject(value)) {
    fail(path, `expected a resource object (plain data: { type, id, owner, ... }), got ${describe(value)}${typeof value === 'object' && value !== null && !Array.isArray(value) ? ' that is not plain data' : ''}`);
  }
  return value;
}

/** The record's id. */
export function recordId(r: object, base: ErrorPath): Id {
  const id = idOf(r);
  return isId(id) ? id : expectId(id, [...base, 'id'], 'resource id');
}

/** The record's own tenant, or undefined when it names none. */
export function recordTenant(r: object, base: ErrorPath): Id | undefined {
  const t = tenantOf(r);
  return t === undefined || isId(t) ? t : expectId(t, [...base, 'tenant'], 'tenant id');
}

/** The record's owner object, checked: plain, no field but `user` and `group`, exactly one of them set. */
export function checkedOwner(r: object, base: ErrorPath): object {
  const owner = ownerFieldOf(r);
  if (!isPlainObject(owner)) fail([...base, 'owner'], `expected { user } or { group }, got ${describe(owner)}`);
  checkOwnerKeys(owner, base);
  if ((userOf(owner) === undefined) === (groupOf(owner) === undefined)) fail([...base, 'owner'], 'the owner must be exactly one of { user } or { group }');
  return owner;
}

/** The owner's user id, when a user owns the record. */
export function ownerUserOf(owner: object, base: ErrorPath): Id | undefined {
  const user = userOf(owner);
  return user === undefined || isId(user) ? user : expectId(user, [...base, 'owner', 'user'], 'owner user id');
}

/** The owner's group id, when a group owns the record. */
export function ownerGroupOf(owner: object, base: ErrorPath): Id | undefined {
  const group = groupOf(owner);
  return group === undefined || isId(group) ? group : expectId(group, [...base, 'owner', 'group'], 'owner group id');
}

/** An owner has no fields but `user` and `group`. */
function checkOwnerKeys(owner: object, base: ErrorPath): void {
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
    if (key !== 'user' && key !== 'group') fail([...base, 'owner', key], `unknown field ${quote(key)}; the owner is { user } or { group }`);
  }
}

/** Checks the access-group ids a record lists, in place; a hole is refused, never filled from Array.prototype. */
export function readAccessGroups(value: unknown, base: ErrorPath): readonly Id[] {
  if (!Array.isArray(value)) fail([...base, 'accessGroups'], `expected a list of access group ids, got ${describe(value)}`);
  const list = value as readonly unknown[];
  const n = list.length;
  for (let i = 0; i < n; i++) {
    const x = hasOwn(list, i) ? list[i] : undefined;
    // The path is built only for the error: the check itself allocates nothing.
    if (!isId(x)) expectId(x, [...base, 'accessGroups', i], 'access group id');
  }
  return list as readonly Id[];
}

/**
 * Attributes are a plain object of strings, finite numbers, booleans or lists of strings; a
 * `null` value is an absent attribute. Checked in place, not copied (copying an object with
 * arbitrary keys costs more than the rest of a check); segments read them own properties only.
 */
export function readAttributes(value: unknown, base: ErrorPath): Readonly<Record<string, AttributeValue>> {
  if (!isPlainObject(value)) fail([...base, 'attributes'], `expected an object of attributes, got ${describe(value)}`);
  const keys = Object.keys(value);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string;
    const v = (value as Record<string, unknown>)[key];
    if (v === null || v === undefined || typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v))) continue;
    if (Array.isArray(v)) checkStringList(v as readonly unknown[], key, base);
    else fail([...base, 'attributes', key], `expected a string, finite number, boolean or list of strings, got ${describe(v)}`);
  }
  return value as Readonly<Record<string, AttributeValue>>;
}

/** Checks a list of strings; a hole is not a string (unlike `every`, which skips holes). */
function checkStringList(list: readonly unknown[], key: string, base: ErrorPath): void {
  const n = list.length;
  for (let i = 0; i < n; i++) {
    const x = hasOwn(list, i) ? list[i] : undefined;
    if (typeof x !== 'string') {
      fail([...base, 'attributes', key], `expected a string, finite number, boolean or list of strings, got a list with ${describe(x)} at ${i}`);
    }
  }
}
