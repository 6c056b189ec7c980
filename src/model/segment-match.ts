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

/** Whether one condition holds for a resource's attributes; a missing attribute never matches. */
export function conditionHolds(c: Condition, attributes: unknown): boolean {
  const v = attributeOf(attributes, c.attribute);
  if (v === undefined || v === null) return false;
  if (Object.prototype.hasOwnProperty.call(c, 'equals')) return sameValue(v, (c as { equals: AttributeValue }).equals);
  if (Object.prototype.hasOwnProperty.call(c, 'in')) return (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') && (c as { in: readonly unknown[] }).in.includes(v);
  return Array.isArray(v) && listHas(v, (c as { contains: string }).contains);
}

/** Whether a segment matches a resource's attributes: every condition holds (an empty list matches all). */
export function segmentMatches(segment: Segment, attributes: unknown): boolean {
  for (const c of segment.all) if (!conditionHolds(c, attributes)) return false;
  return true;
}
