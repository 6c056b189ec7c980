import type { Compiled } from '../compile/snapshot.js';
import { InvalidInputError } from '../errors/errors.js';
import { describe } from '../model/shape.js';
import type { Resource } from '../model/resource.js';
import { canRequest } from './check.js';
import { readRecordRequest } from './request.js';

/**
 * Which fields of a record a user may read and write: the answer to `permittedFields`. `hidden`
 * lists the declared fields the user may not read, for {@link keepReadable}.
 */
export interface PermittedFields {
  /** The fields whose `read` action the user may take on the record, in declaration order. */
  readonly read: readonly string[];
  /** The fields whose `write` action the user may take on the record (a field without one: never). */
  readonly write: readonly string[];
  /** The declared fields the user may not read. */
  readonly hidden: readonly string[];
}

const NONE: PermittedFields = Object.freeze({ read: Object.freeze([]), write: Object.freeze([]), hidden: Object.freeze([]) });

/**
 * `permittedFields(user, resource)`: for each field the record's type declares, whether `check`
 * allows its `read` (and `write`) action; each distinct action is decided once, with the same
 * gate and sources as `can`. A type without fields has none to permit.
 */
export function permittedFields(c: Compiled, user: string, resource: Resource, at = NaN): PermittedFields {
  // The record is read and checked once, with any action of its type; each action reuses it.
  const probe = readRecordRequest(c, user, resource, at);
  const fields = probe.type.def.fields;
  if (fields === undefined || fields.size === 0) return NONE;
  const decided = new Map<string, boolean>();
  const allows = (action: string): boolean => {
    let ok = decided.get(action);
    if (ok === undefined) {
      const slot = probe.type.actions.get(action);
      ok = slot !== undefined && canRequest(c, user, { ...probe, slot });
      decided.set(action, ok);
    }
    return ok;
  };
  const read: string[] = [];
  const write: string[] = [];
  const hidden: string[] = [];
  for (const [name, f] of fields) {
    if (allows(f.read)) read.push(name);
    else hidden.push(name);
    if (f.write !== undefined && allows(f.write)) write.push(name);
  }
  return Object.freeze({ read: Object.freeze(read), write: Object.freeze(write), hidden: Object.freeze(hidden) });
}

/**
 * A copy of a record (a row) without the fields the user may not read: every own enumerable
 * property but those `permitted.hidden` names (the type's declared fields the user may not read;
 * properties the type does not declare as fields, such as `id` and `owner`, are kept).
 * @example
 * ```ts
 * const row = await db.selectFrom('lead').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
 * return keepReadable(row, engine.permittedFields(userId, toResource(row)));
 * ```
 */
export function keepReadable<T extends object>(row: T, permitted: Pick<PermittedFields, 'hidden'>): Partial<T> {
  // Fail closed: an answer without its own list of hidden fields (a `{ read, write }` from
  // elsewhere, say) is refused, never read as "nothing hidden".
  const raw: unknown = typeof permitted === 'object' && permitted !== null && Object.hasOwn(permitted, 'hidden') ? permitted.hidden : undefined;
  if (!Array.isArray(raw) || !raw.every((f): f is string => typeof f === 'string')) {
    throw new InvalidInputError({ message: 'keepReadable needs the answer of permittedFields (its own `hidden` list of field names)', path: ['permitted', 'hidden'] });
  }
  if (typeof row !== 'object' || row === null) throw new InvalidInputError({ message: `expected a row (an object), got ${describe(row)}`, path: ['row'] });
  const hidden = new Set<string>(raw);
  const out = Object.create(null) as Record<string, unknown>;
  for (const key of Object.keys(row)) {
    if (!hidden.has(key)) Object.defineProperty(out, key, { value: (row as Record<string, unknown>)[key], enumerable: true, writable: true, configurable: true });
  }
  return out as Partial<T>;
}
