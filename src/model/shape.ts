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

/** `value` as a plain object (not an array, not null), or a failure. */
export function expectObject(value: unknown, path: ErrorPath, what = 'an object'): Plain {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || value instanceof Map) {
    fail(path, `expected ${what}, got ${describe(value)}`);
  }
  return value as Plain;
}

/** Reads an own property; inherited properties such as `constructor` never count. */
export function own(obj: Plain, key: string): unknown {
  return Object.prototype.hasOwnProperty.call(obj, key) ? obj[key] : undefined;
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

/** `value` as an array, or a failure. */
export function expectArray(value: unknown, path: ErrorPath): readonly unknown[] {
  if (!Array.isArray(value)) fail(path, `expected a list, got ${describe(value)}`);
  // Array.from turns holes into undefined, so that every element is visited and checked.
  return Array.from(value as unknown[]);
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
