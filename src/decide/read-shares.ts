import type { Compiled, PrincipalRef } from '../compile/snapshot.js';
import { quote } from '../errors/errors.js';
import type { Id } from '../model/ids.js';
import { expectInstant, millisOf, type Instant } from '../model/instant.js';
import { levelRank } from '../model/level.js';
import { describe, expectId, fail, hasOwn, isPlainObject } from '../model/shape.js';

/*
 * Reading `resource.shares` (SPEC 9, record shares): checked and copied at the boundary, each
 * share's principal resolved once in the record's own tenant. Only called when the resource has
 * shares: a resource without them costs the request one field read.
 */

/** One record share as a decision reads it. */
export interface RequestShare {
  /** Its index in the resource's `shares` (for reasons). */
  readonly index: number;
  /**
   * The principal resolved in the record's tenant, or undefined when it counts for nothing: an
   * unknown user, role or group, or a role or group of another tenant. (A user principal counts
   * only for that user, who must pass the gate for the record's tenant: that is the tenant check.)
   */
  readonly to: PrincipalRef | undefined;
  /** The rank of its level (1 `read` to 3 `full`). */
  readonly rank: number;
  /** `since` in epoch milliseconds, -Infinity when open. */
  readonly since: number;
  /** `until` in epoch milliseconds, Infinity when open. */
  readonly until: number;
  /** `until` as the caller gave it, for reasons; undefined when open. */
  readonly untilText: Instant | undefined;
}

const SHARE_KEYS: readonly string[] = ['to', 'level', 'since', 'until'];
const KINDS: readonly string[] = ['user', 'role', 'roleAndSubordinates', 'group'];

/** An optional instant field: absent, `undefined` or `null` (a row's NULL) are none. */
function optionalInstant(share: object, key: 'since' | 'until', path: readonly (string | number)[]): Instant | undefined {
  const v = hasOwn(share, key) ? (share as Record<string, unknown>)[key] : undefined;
  return v === undefined || v === null ? undefined : expectInstant(v, [...path, key], `${key}: an instant`);
}

/** The principal `to` of a share, checked (exactly one of the four kinds, an id) and resolved in `tenant`. */
function readTo(c: Compiled, to: unknown, path: readonly (string | number)[], tenant: Id): PrincipalRef | undefined {
  const at = [...path, 'to'];
  if (!isPlainObject(to)) fail(at, `expected a principal ({ user }, { role }, { roleAndSubordinates } or { group }), got ${describe(to)}`);
  const keys = Object.keys(to);
  if (keys.length !== 1 || !KINDS.includes(keys[0] as string)) {
    const extra = keys.find((k) => !KINDS.includes(k));
    if (extra !== undefined) fail([...at, extra], `unknown field ${quote(extra)}; a principal is { user }, { role }, { roleAndSubordinates } or { group }`);
    fail(at, 'a principal is exactly one of { user }, { role }, { roleAndSubordinates } or { group }');
  }
  const kind = keys[0] as 'user' | 'role' | 'roleAndSubordinates' | 'group';
  const id = expectId((to as Record<string, unknown>)[kind], [...at, kind], `${kind} id`);
  const ids = c.ids;
  if (kind === 'user') {
    const num = ids.users.numOf(id);
    return num >= 0 && c.users.get(num) !== undefined ? { kind, num, id } : undefined;
  }
  if (kind === 'group') {
    const num = ids.groups.numOf(id);
    return num >= 0 && c.groups.get(num)?.tenant === tenant ? { kind, num } : undefined;
  }
  const num = ids.roles.numOf(id);
  return num >= 0 && c.roles.get(num)?.tenant === tenant ? { kind, num } : undefined;
}

/**
 * Checks a resource's `shares` (a list of `{ to, level, since?, until? }`, no other keys, own
 * properties only, `since` before `until`) and copies them, each principal resolved in `tenant`
 * (the record's). Anything malformed is an `InvalidInputError` naming the path, e.g.
 * `['resource', 'shares', 2, 'level']`.
 */
export function readShares(c: Compiled, value: unknown, tenant: Id): readonly RequestShare[] {
  if (!Array.isArray(value)) fail(['resource', 'shares'], `expected a list of shares ({ to, level, since?, until? }), got ${describe(value)}`);
  const list = value as readonly unknown[];
  const out: RequestShare[] = [];
  for (let i = 0; i < list.length; i++) {
    const path = ['resource', 'shares', i];
    const share = hasOwn(list, i) ? list[i] : undefined;
    if (!isPlainObject(share)) fail(path, `expected a share ({ to, level, since?, until? }), got ${describe(share)}`);
    for (const key of Object.keys(share)) {
      if (!SHARE_KEYS.includes(key)) fail([...path, key], `unknown field ${quote(key)}; a share is { to, level, since?, until? }`);
    }
    if (!hasOwn(share, 'to')) fail([...path, 'to'], 'a share needs `to`, the principal it shares the record with');
    const level = hasOwn(share, 'level') ? share.level : undefined;
    const rank = levelRank(level);
    if (rank < 1) fail([...path, 'level'], `expected the level of the share: "read", "readWrite" or "full", got ${describe(level)}`);
    const to = readTo(c, share.to, path, tenant);
    const sinceText = optionalInstant(share, 'since', path);
    const untilText = optionalInstant(share, 'until', path);
    const since = sinceText === undefined ? -Infinity : millisOf(sinceText);
    const until = untilText === undefined ? Infinity : millisOf(untilText);
    if (since >= until) fail([...path, 'until'], `until (${untilText as string}) must be after since (${sinceText as string})`);
    out.push({ index: i, to, rank, since, until, untilText });
  }
  return out;
}
