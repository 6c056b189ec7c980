import type { AttributeValue } from './resource.js';
import type { Condition, Segment } from './segment.js';

function attributeOf(attributes: unknown, name: string): unknown {
  if (typeof attributes !== 'object' || attributes === null) return undefined;
  return Object.prototype.hasOwnProperty.call(attributes, name) ? (attributes as Record<string, unknown>)[name] : undefined;
}

/** The element at `i` of a list, own elements only: a hole is undefined, never read from Array.prototype. */
function at(list: readonly unknown[], i: number): unknown {
  return Object.prototype.hasOwnProperty.call(list, i) ? list[i] : undefined;
}

function sameValue(a: unknown, b: AttributeValue): boolean {
  if (!Array.isArray(b)) return a === b;
  if (!Array.isArray(a) || a.length !== b.length) return false;
  for (let i = 0; i < b.length; i++) if (at(a, i) !== at(b, i)) return false;
  return true;
}

function listHas(list: readonly unknown[], x: string): boolean {
  for (let i = 0; i < list.length; i++) if (at(list, i) === x) return true;
  return false;
}

/**
 * Whether a condition has the form `form` (`equals`, `in` or `contains`), by its own fields only: a
 * field inherited from a polluted `Object.prototype` never picks the form.
 */
export function conditionIs<K extends 'equals' | 'in' | 'contains'>(c: Condition, form: K): c is Extract<Condition, { readonly [P in K]: unknown }> {
  return Object.prototype.hasOwnProperty.call(c, form);
}

/** Whether one condition holds for a resource's attributes; a missing attribute never matches. */
export function conditionHolds(c: Condition, attributes: unknown): boolean {
  const v = attributeOf(attributes, c.attribute);
  if (v === undefined || v === null) return false;
  if (conditionIs(c, 'equals')) return sameValue(v, c.equals);
  if (conditionIs(c, 'in')) return (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') && c.in.includes(v);
  return conditionIs(c, 'contains') && Array.isArray(v) && listHas(v, c.contains);
}

/** Whether a segment matches a resource's attributes: every condition holds (an empty list matches all). */
export function segmentMatches(segment: Segment, attributes: unknown): boolean {
  for (const c of segment.all) if (!conditionHolds(c, attributes)) return false;
  return true;
}
