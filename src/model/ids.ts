/**
 * An identifier: any non-empty string of at most {@link MAX_ID_LENGTH} characters.
 * `__proto__`, `constructor`, strings with `:` or spaces are all legal; the engine keys
 * everything by `Map`, never by object properties.
 */
export type Id = string;

/** The longest identifier accepted. */
export const MAX_ID_LENGTH = 256;

/** Whether `value` is a legal {@link Id}. */
export function isId(value: unknown): value is Id {
  return typeof value === 'string' && value.length > 0 && value.length <= MAX_ID_LENGTH;
}

/** Code-unit order of ids, the order of every sorted answer (a comparator for `sort`). */
export function compareIds(a: Id, b: Id): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The tenant that entities without a `tenant` belong to. */
export const DEFAULT_TENANT: Id = 'default';
