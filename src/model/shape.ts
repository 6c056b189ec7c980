import { InvalidInputError, formatPath, quote, type ErrorPath } from '../errors/errors.js';
import { MAX_ID_LENGTH, type Id } from './ids.js';

/** A plain object read from untrusted input: own enumerable keys only. */
export type Plain = Readonly<Record<string, unknown>>;

/** Fails with an {@link InvalidInputError} at `path`. */
export function fail(path: ErrorPath, what: string, ids: readonly Id[] = []): never {
  const where = path.length > 0 ? `${formatPath(path)}: ` : '';
  throw new InvalidInputError({ message: `${where}${what}`, path, ids });
}

/** Describes a value for a message without echoing megabytes of it. */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'object' && Object.getPrototypeOf(value) === null) return 'an object without a prototype';
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return `the string ${quote(value)}`;
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${String(value)}`;
}

/**
 * Whether `value` is a plain object: its prototype is `Object.prototype` or `null` (object
 * literals, `JSON.parse` output, immer drafts of those). Arrays, Maps, Dates, promises and class
 * instances are not, so that their inherited accessors are never mistaken for absent fields.
 */
export function isPlainObject(value: unknown): value is Plain {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/** `value` as a plain object (see {@link isPlainObject}), or a failure. */
export function expectObject(value: unknown, path: ErrorPath, what = 'an object'): Plain {
  if (!isPlainObject(value)) {
    const kind = typeof value === 'object' && value !== null && !Array.isArray(value) ? `${describe(value)} that is not plain data (${className(value)})` : describe(value);
    fail(path, `expected ${what}, got ${kind}`);
  }
  return value;
}

function className(value: object): string {
  if (value instanceof Map) return 'a Map';
  if (value instanceof Date) return 'a Date';
  if (typeof (value as { then?: unknown }).then === 'function') return 'a promise or thenable';
  return 'an instance of a class, or an object whose prototype is not Object.prototype';
}

/**
 * Reads an own property; inherited properties (`constructor`, or anything another library put on
 * `Object.prototype`) never count. Reads the value once.
 */
export function own(obj: object, key: string): unknown {
  return Object.hasOwn(obj, key) ? (obj as Record<string, unknown>)[key] : undefined;
}

/** Whether `obj` has `key` as an own property. */
export function hasOwn(obj: object, key: string | number): boolean {
  return Object.hasOwn(obj, key);
}

/**
 * Makes a freshly built object prototype-less, so that reading a field it lacks gives `undefined`
 * whatever another library put on `Object.prototype` (`setPrototypeOf` on a literal keeps V8's
 * fast properties, unlike `Object.create(null)`). Returns its argument.
 */
export function bare<T extends object>(obj: T): T {
  return Object.setPrototypeOf(obj, null) as T;
}

/** Rejects keys outside `allowed`, so that a misspelt field is an error rather than ignored. */
export function onlyKeys(obj: Plain, allowed: readonly string[], path: ErrorPath): void {
  for (const key of Object.keys(obj)) {
    if (!allowed.includes(key)) {
      fail([...path, key], `unknown field ${quote(key)}; expected one of ${allowed.join(', ')}`);
    }
  }
}

/** `value` as an id, or a failure that says why it is not one. */
export function expectId(value: unknown, path: ErrorPath, what = 'id'): Id {
  if (typeof value !== 'string') fail(path, `expected ${what} (a string), got ${describe(value)}`);
  if (value.length === 0) fail(path, `${what} must not be empty`);
  if (value.length > MAX_ID_LENGTH) {
    fail(path, `${what} is ${value.length} characters long; ids are at most ${MAX_ID_LENGTH}`);
  }
  return value;
}

/** An optional id field. */
export function optionalId(obj: Plain, key: string, path: ErrorPath, what = key): Id | undefined {
  const v = own(obj, key);
  return v === undefined ? undefined : expectId(v, [...path, key], what);
}

/**
 * `value` as an array, or a failure. Returns a dense copy read by index, own elements only: a
 * hole becomes `undefined` (so that every element is visited and checked) and is never filled
 * from `Array.prototype`; each element is read once.
 */
export function expectArray(value: unknown, path: ErrorPath): readonly unknown[] {
  if (!Array.isArray(value)) fail(path, `expected a list, got ${describe(value)}`);
  const list = value as readonly unknown[];
  const n = list.length;
  const out: unknown[] = new Array<unknown>(n);
  for (let i = 0; i < n; i++) out[i] = Object.prototype.hasOwnProperty.call(list, i) ? list[i] : undefined;
  return out;
}

/** A key of an untrusted Map as a path element: strings as they are, anything else described. */
export function keyOf(key: unknown): string {
  return typeof key === 'string' ? key : `(${describe(key)})`;
}

/** A list of distinct ids. */
export function expectIdList(value: unknown, path: ErrorPath, what = 'id'): Id[] {
  const list = expectArray(value, path);
  const seen = new Set<Id>();
  const out: Id[] = [];
  list.forEach((item, i) => {
    const id = expectId(item, [...path, i], what);
    if (seen.has(id)) fail([...path, i], `${what} ${quote(id)} is listed twice`, [id]);
    seen.add(id);
    out.push(id);
  });
  return out;
}

/** An optional string field (names, descriptions). */
export function optionalString(obj: Plain, key: string, path: ErrorPath, max = 10_000): string | undefined {
  const v = own(obj, key);
  if (v === undefined) return undefined;
  if (typeof v !== 'string') fail([...path, key], `expected a string, got ${describe(v)}`);
  if (v.length > max) fail([...path, key], `is ${v.length} characters long; at most ${max}`);
  return v;
}

/** One of a fixed set of strings. */
export function expectOneOf<T extends string>(value: unknown, allowed: readonly T[], path: ErrorPath): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    fail(path, `expected one of ${allowed.join(', ')}, got ${describe(value)}`);
  }
  return value as T;
}
