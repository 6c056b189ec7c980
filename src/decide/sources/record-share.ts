import { bounded, earliestUntil } from '../reason-until.js';
import { groupsOfMembership, inGroup, membershipOf, roleWithin } from '../../compile/closure.js';
import type { Compiled, PrincipalRef } from '../../compile/snapshot.js';
import type { SharePrincipals } from '../access-filter.js';
import { compareIds, type Id } from '../../model/ids.js';
import { formatInstant } from '../../model/instant.js';
import { levelOfRank } from '../../model/level.js';
import type { ShareLevel } from '../../model/resource.js';
import { shareRef, type RequestShare } from '../read-shares.js';
import { instantOf } from '../request.js';
import type { AccessSource, RecordView, Subject } from './source.js';

/*
 * Record shares (manual sharing, docs/record-shares.md): a share on the record, in effect at the request's
 * instant, whose principal (resolved in the record's tenant when the request was read) has the
 * user as a member gives its level. A record without shares costs one field read.
 */

/** Whether a share is in effect at the request's instant; the instant is read only for a bounded share. */
function inEffectFor(r: RecordView, sh: RequestShare): boolean {
  if (sh.since === -Infinity && sh.until === Infinity) return true;
  const t = instantOf(r);
  return sh.since <= t && t < sh.until;
}

/** Whether the subject is a member of a principal (its memberships read only for a group). */
function subjectIn(c: Compiled, s: Subject, p: PrincipalRef): boolean {
  switch (p.kind) {
    case 'user':
      return p.num === s.num;
    case 'role':
      return s.role === p.num;
    case 'roleAndSubordinates':
      return s.role >= 0 && roleWithin(c, s.role, p.num);
    case 'group':
      return inGroup(membershipOf(c, s), p.num);
  }
}

/**
 * Whether a share counts for the subject on this record: in effect, its principal one of the
 * record's tenant with the subject a member. A user or role principal is compared by id, without
 * resolving it (the subject is past the gate for the record's tenant).
 */
function counts(r: RecordView, s: Subject, sh: RequestShare): boolean {
  if (!inEffectFor(r, sh)) return false;
  if (sh.kind === 'user') return sh.id === s.id;
  if (sh.kind === 'role') {
    if (s.role < 0) return false;
    const role = r.c.roles.get(s.role);
    return role !== undefined && role.id === sh.id && role.tenant === r.tenant;
  }
  const ref = shareRef(r.c, sh, r.tenant);
  return ref !== undefined && subjectIn(r.c, s, ref);
}

const NO_IDS: readonly Id[] = Object.freeze([]);

/** The subject's roles, role subtrees and groups that are principals of `tenant`. */
function tenantPrincipals(c: Compiled, s: Subject, tenant: Id, groups: readonly number[]): SharePrincipals | undefined {
  const roles: Id[] = [];
  const subtrees: Id[] = [];
  const seen = new Set<number>();
  for (let n = s.role; n >= 0 && !seen.has(n); ) {
    seen.add(n);
    const role = c.roles.get(n);
    if (role === undefined) break;
    if (role.tenant === tenant) {
      if (n === s.role) roles.push(role.id);
      subtrees.push(role.id);
    }
    n = role.parent;
  }
  const gs: Id[] = [];
  for (const g of groups) {
    const facts = c.groups.get(g);
    if (facts !== undefined && facts.tenant === tenant) gs.push(facts.id);
  }
  if (roles.length === 0 && subtrees.length === 0 && gs.length === 0) return undefined;
  return { users: NO_IDS, roles: roles.sort(compareIds), rolesAndSubordinates: subtrees.sort(compareIds), groups: gs.sort(compareIds) };
}

/** A record share whose principal has the user as a member, in effect at the request's instant. */
export const recordShareSource: AccessSource = {
  name: 'record-share',
  rank(r, s, best, need) {
    const shares = r.shares;
    if (shares === undefined) return 0;
    let top = 0;
    for (let i = 0; i < shares.length; i++) {
      const sh = shares[i] as RequestShare;
      if (sh.rank <= best || sh.rank <= top || !counts(r, s, sh)) continue;
      top = sh.rank;
      if (top >= need) return top;
    }
    return top;
  },
  reasons(r, s, proofs, out) {
    const shares = r.shares;
    if (shares === undefined) return;
    for (const sh of shares) {
      if (!counts(r, s, sh)) continue;
      const path = proofs.userPath(shareRef(r.c, sh, r.tenant) as PrincipalRef);
      // The earliest of the share's own until and the untils of the memberships on its path.
      out.push(bounded({ source: 'record-share', level: levelOfRank(sh.rank), path, share: sh.index }, earliestUntil([path], [sh.untilText])));
    }
  },
  clause(f) {
    // The shares are on the records, not in the policy: the clause names the principals that have
    // the user as a member, per tenant (a role or group counts in its own tenant only; the user
    // itself in every tenant of the filter, which it passed the gate for).
    const minLevel = levelOfRank(Math.max(f.need, 1)) as ShareLevel;
    const at = formatInstant(instantOf(f.req));
    const s = f.s;
    f.shares.push({ kind: 'share', principals: { users: [s.id], roles: NO_IDS, rolesAndSubordinates: NO_IDS, groups: NO_IDS }, minLevel, at });
    const groups = [...groupsOfMembership(membershipOf(f.c, s))].sort((a, b) => a - b);
    for (const tenant of [...f.tenants].sort()) {
      const principals = tenantPrincipals(f.c, s, tenant, groups);
      if (principals !== undefined) f.shares.push({ kind: 'share', principals, minLevel, at, tenant });
    }
    f.sources.push({ source: 'record-share', level: minLevel });
    return false;
  },
  expand(r, need, walk) {
    const shares = r.shares;
    if (shares === undefined) return true;
    for (const sh of shares) {
      if (sh.rank < need || !inEffectFor(r, sh)) continue;
      const ref = shareRef(r.c, sh, r.tenant);
      if (ref !== undefined) walk.principal(ref);
    }
    return true;
  },
};
