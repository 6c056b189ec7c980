import type { Compiled, PrincipalRef } from '../compile/snapshot.js';
import { quote, type ErrorPath } from '../errors/errors.js';

const RESOURCE: ErrorPath = Object.freeze(['resource']);
import { expectInstant, instantMillis, millisOf, type Instant } from '../model/instant.js';
import { levelRank } from '../model/level.js';
import { MAX_ID_LENGTH, type Id } from '../model/ids.js';
import { describe, expectId, fail, isPlainObject } from '../model/shape.js';

/*
 * Reading `resource.shares` (record shares, docs/record-shares.md): checked and copied at the boundary, each
 * share's principal resolved in the record's own tenant once, when first needed. Only called when the resource has
 * shares: a resource without them costs the request one field read.
 */

/** One record share as a decision reads it. */
export interface RequestShare {
  /** Its index in the resource's `shares` (for reasons). */
  readonly index: number;
  /** The kind of its principal. */
  readonly kind: PrincipalRef['kind'];
  /** The id of its principal. */
  readonly id: Id;
  /**
   * The principal resolved in the record's tenant, read with {@link shareRef}: `null` until
   * resolved, undefined when it counts for nothing (an unknown user, role or group, or a role or
   * group of another tenant). A user principal counts only for that user, who must pass the gate
   * for the record's tenant: that is its tenant check.
   */
  ref: PrincipalRef | undefined | null;
  /** The rank of its level (1 `read` to 3 `full`). */
  readonly rank: number;
  /** `since` in epoch milliseconds, -Infinity when open. */
  readonly since: number;
  /** `until` in epoch milliseconds, Infinity when open. */
  readonly until: number;
  /** `until` as the caller gave it, for reasons; undefined when open. */
  readonly untilText: Instant | undefined;
}

/** A share's principal resolved in `tenant` (the record's), once per request. */
export function shareRef(c: Compiled, sh: RequestShare, tenant: Id): PrincipalRef | undefined {
  if (sh.ref !== null) return sh.ref;
  const ids = c.ids;
  const id = sh.id;
  let ref: PrincipalRef | undefined;
  if (sh.kind === 'user') {
    const num = ids.users.numOf(id);
    ref = num >= 0 && c.users.get(num) !== undefined ? { kind: 'user', num, id } : undefined;
  } else if (sh.kind === 'group') {
    const num = ids.groups.numOf(id);
    ref = num >= 0 && c.groups.get(num)?.tenant === tenant ? { kind: 'group', num } : undefined;
  } else {
    const num = ids.roles.numOf(id);
    ref = num >= 0 && c.roles.get(num)?.tenant === tenant ? { kind: sh.kind, num } : undefined;
  }
  sh.ref = ref;
  return ref;
}

const KINDS: readonly string[] = ['user', 'role', 'roleAndSubordinates', 'group'];

/** An optional instant field: absent, `undefined` or `null` (a row's NULL) are none; else its epoch ms. */
function optionalMillis(share: Record<string, unknown>, key: 'since' | 'until', i: number, base: ErrorPath): number | undefined {
  const v = Object.hasOwn(share, key) ? share[key] : undefined;
  if (v === undefined || v === null) return undefined;
  const ms = typeof v === 'string' ? instantMillis(v) : undefined;
  return ms ?? millisOf(expectInstant(v, [...base, 'shares', i, key], `${key}: an instant`));
}

/** Fails on the first own key of a share that is not one of its four fields (without allocating when there is none). */
function checkShareKeys(share: object, i: number, base: ErrorPath): void {
  for (const key in share) {
    if (key !== 'to' && key !== 'level' && key !== 'since' && key !== 'until' && Object.hasOwn(share, key)) {
      fail([...base, 'shares', i, key], `unknown field ${quote(key)}; a share is { to, level, since?, until? }`);
    }
  }
}

/** The principal `to` of a share, checked: exactly one of the four kinds, with an id. */
function readTo(to: unknown, i: number, base: ErrorPath): { kind: PrincipalRef['kind']; id: Id } {
  if (!isPlainObject(to)) fail([...base, 'shares', i, 'to'], `expected a principal ({ user }, { role }, { roleAndSubordinates } or { group }), got ${describe(to)}`);
  let kind: string | undefined;
  let count = 0;
  for (const key in to) {
    if (!Object.hasOwn(to, key)) continue;
    if (!KINDS.includes(key)) fail([...base, 'shares', i, 'to', key], `unknown field ${quote(key)}; a principal is { user }, { role }, { roleAndSubordinates } or { group }`);
    kind = key;
    count++;
  }
  if (count !== 1 || kind === undefined) fail([...base, 'shares', i, 'to'], 'a principal is exactly one of { user }, { role }, { roleAndSubordinates } or { group }');
  const raw = to[kind];
  const id = typeof raw === 'string' && raw.length > 0 && raw.length <= MAX_ID_LENGTH ? raw : expectId(raw, [...base, 'shares', i, 'to', kind], `${kind} id`);
  return { kind: kind as PrincipalRef['kind'], id };
}

/**
 * Checks a resource's `shares` (a list of `{ to, level, since?, until? }`, no other keys, own
 * properties only, `since` before `until`) and copies them (each principal resolved later, on
 * first need, with {@link shareRef}). Anything malformed is an `InvalidInputError` naming the path, e.g.
 * `[...base, 'shares', 2, 'level']`. Error paths are built only on failure.
 */
export function readShares(value: unknown, base: ErrorPath = RESOURCE): readonly RequestShare[] {
  if (!Array.isArray(value)) fail([...base, 'shares'], `expected a list of shares ({ to, level, since?, until? }), got ${describe(value)}`);
  const list = value as readonly unknown[];
  const n = list.length;
  const out: RequestShare[] = new Array<RequestShare>(n);
  for (let i = 0; i < n; i++) {
    const share = Object.hasOwn(list, i) ? list[i] : undefined;
    if (!isPlainObject(share)) fail([...base, 'shares', i], `expected a share ({ to, level, since?, until? }), got ${describe(share)}`);
    checkShareKeys(share, i, base);
    if (!Object.hasOwn(share, 'to')) fail([...base, 'shares', i, 'to'], 'a share needs `to`, the principal it shares the record with');
    const level = Object.hasOwn(share, 'level') ? share.level : undefined;
    const rank = levelRank(level);
    if (rank < 1) fail([...base, 'shares', i, 'level'], `expected the level of the share: "read", "readWrite" or "full", got ${describe(level)}`);
    const to = readTo(share.to, i, base);
    const since = optionalMillis(share, 'since', i, base) ?? -Infinity;
    const until = optionalMillis(share, 'until', i, base);
    if (until !== undefined && since >= until) fail([...base, 'shares', i, 'until'], `until (${String(share.until)}) must be after since (${String(share.since)})`);
    out[i] = { index: i, kind: to.kind, id: to.id, ref: null, rank, since, until: until ?? Infinity, untilText: until === undefined ? undefined : (share.until as Instant) };
  }
  return out;
}
