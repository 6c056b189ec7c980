import type { Owner } from './resource.js';

/** Own properties only, and a null field absent (a row's NULL column), as `check` reads an owner. */
function ownerField(o: Owner, key: 'user' | 'group'): unknown {
  const v: unknown = Object.prototype.propertyIsEnumerable.call(o, key) ? (o as Record<string, unknown>)[key] : undefined;
  return v === null ? undefined : v;
}

/** Whether two owners are the same user or the same group (own properties only; a null field is absent). */
export function sameOwner(a: Owner | undefined, b: Owner): boolean {
  if (a === undefined) return false;
  const au = ownerField(a, 'user');
  const ag = ownerField(a, 'group');
  return au !== undefined ? au === ownerField(b, 'user') : ag !== undefined && ag === ownerField(b, 'group');
}
