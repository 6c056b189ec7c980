import type { FilterClause } from '../decide/access-filter.js';
import type { Id } from '../model/ids.js';
import { instantMillis } from '../model/instant.js';
import { levelRank } from '../model/level.js';

/*
 * The `share` clause of a filter, in memory: whether a record's `shares` hold one share to a
 * principal of the clause, at the clause's level or higher, in effect at the clause's instant.
 */

/** A `share` clause made ready to test many records: id sets per principal kind, the instant in ms. */
export interface ShareTest {
  readonly users: ReadonlySet<Id>;
  readonly roles: ReadonlySet<Id>;
  readonly rolesAndSubordinates: ReadonlySet<Id>;
  readonly groups: ReadonlySet<Id>;
  /** The clause's instant (epoch ms); NaN when malformed, which no share is in effect at. */
  readonly at: number;
  /** The lowest rank a share must give. */
  readonly min: number;
  /** Instants already parsed (records repeat their bounds), bounded. */
  readonly millis: Map<string, number | undefined>;
}

/** Compiles a `share` clause (own fields only: a clause may come from JSON). */
export function compileShareClause(clause: Extract<FilterClause, { kind: 'share' }>): ShareTest {
  const p = clause.principals;
  const set = (key: 'users' | 'roles' | 'rolesAndSubordinates' | 'groups'): ReadonlySet<Id> => {
    const list = typeof p === 'object' && p !== null && Object.hasOwn(p, key) ? p[key] : undefined;
    return new Set(Array.isArray(list) ? list.filter((x): x is Id => typeof x === 'string') : []);
  };
  const at = typeof clause.at === 'string' ? (instantMillis(clause.at) ?? NaN) : NaN;
  const min = levelRank(clause.minLevel);
  return { users: set('users'), roles: set('roles'), rolesAndSubordinates: set('rolesAndSubordinates'), groups: set('groups'), at, min: min < 1 ? Infinity : min, millis: new Map() };
}

/** A bound of a share in epoch ms: absent or `null` is open (`open`), a malformed one undefined. */
function bound(t: ShareTest, share: object, key: 'since' | 'until', open: number): number | undefined {
  const v = Object.hasOwn(share, key) ? (share as Record<string, unknown>)[key] : undefined;
  if (v === undefined || v === null) return open;
  if (typeof v !== 'string') return undefined;
  if (t.millis.has(v)) return t.millis.get(v);
  const ms = instantMillis(v);
  if (t.millis.size >= 4096) t.millis.clear();
  t.millis.set(v, ms);
  return ms;
}

/** The id set of a principal kind, or undefined for a key that is no kind. */
function setOf(t: ShareTest, kind: string): ReadonlySet<Id> | undefined {
  switch (kind) {
    case 'user':
      return t.users;
    case 'role':
      return t.roles;
    case 'roleAndSubordinates':
      return t.rolesAndSubordinates;
    case 'group':
      return t.groups;
    default:
      return undefined;
  }
}

/** Whether a share's `to` (unchecked) is exactly one principal, and in the test's sets; undefined when malformed. */
function principalIn(t: ShareTest, to: unknown): boolean | undefined {
  if (typeof to !== 'object' || to === null || Array.isArray(to)) return undefined;
  let found: boolean | undefined;
  let count = 0;
  for (const key in to) {
    if (!Object.hasOwn(to, key)) continue;
    const set = setOf(t, key);
    const id = (to as Record<string, unknown>)[key];
    if (set === undefined || typeof id !== 'string' || ++count > 1) return undefined;
    found = set.has(id);
  }
  return found;
}

/**
 * Whether `shares` (a record's field, unchecked) hold a share that passes the test. A record with
 * a malformed share passes no share test, as `can` throws on it (fail closed).
 */
export function sharedBy(t: ShareTest, shares: unknown): boolean {
  if (shares === undefined || shares === null) return false;
  if (!Array.isArray(shares)) return false;
  let found = false;
  for (let i = 0; i < shares.length; i++) {
    const sh: unknown = Object.hasOwn(shares, i) ? (shares as unknown[])[i] : undefined;
    if (typeof sh !== 'object' || sh === null || Array.isArray(sh)) return false;
    const member = principalIn(t, Object.hasOwn(sh, 'to') ? (sh as { to: unknown }).to : undefined);
    const rank = levelRank(Object.hasOwn(sh, 'level') ? (sh as { level: unknown }).level : undefined);
    const since = bound(t, sh, 'since', -Infinity);
    const until = bound(t, sh, 'until', Infinity);
    if (member === undefined || rank < 1 || since === undefined || until === undefined || since >= until) return false;
    if (!found && member && rank >= t.min && since <= t.at && t.at < until) found = true;
  }
  return found;
}
