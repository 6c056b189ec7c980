import type { Id } from './ids.js';
import { millisOf } from './instant.js';
import type { Bounds } from './instant.js';
import type { MemberEntry, TimeBounds } from './policy.js';

/*
 * Member entries and time bounds as the rest of the engine reads them: the id of an entry, the
 * distinct ids of a list (what cycle detection, tenant checks and references see: time never
 * hides an edge from them), and bounds as epoch milliseconds.
 */

/** The id an entry names. */
export function entryId(e: MemberEntry): Id {
  return typeof e === 'string' ? e : e.id;
}

/** Whether an entry carries a bound. */
export function isTimed(e: MemberEntry): boolean {
  return typeof e !== 'string' && hasBounds(e);
}

/** The distinct ids a member list names, in first-listed order (time ignored). */
export function memberIds(list: readonly MemberEntry[]): Id[] {
  if (!list.some((e) => typeof e !== 'string')) return list as Id[];
  const seen = new Set<Id>();
  const out: Id[] = [];
  for (const e of list) {
    const id = entryId(e);
    if (!seen.has(id)) {
      seen.add(id);
      out.push(id);
    }
  }
  return out;
}

/** Whether a member list names `id` in any entry (time ignored). */
export function listsId(list: readonly MemberEntry[], id: Id): boolean {
  for (const e of list) if (entryId(e) === id) return true;
  return false;
}

const OPEN: Bounds = Object.freeze({ since: -Infinity, until: Infinity });

/** The bounds of an entry, a rule or a grant, in epoch milliseconds (open bounds infinite). */
export function boundsOf(b: TimeBounds | string): Bounds {
  if (typeof b === 'string' || (b.since === undefined && b.until === undefined)) return OPEN;
  return { since: b.since === undefined ? -Infinity : millisOf(b.since), until: b.until === undefined ? Infinity : millisOf(b.until) };
}

/** Whether something with these bounds carries any. */
export function hasBounds(b: TimeBounds): boolean {
  return b.since !== undefined || b.until !== undefined;
}
