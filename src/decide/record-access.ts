import { within } from '../graph/euler.js';
import { segmentMatches } from '../model/segment-match.js';
import { membershipOf, upClosure, isMember } from '../index/profile.js';
import type { AccessGroupNode, GroupNode, Index, PrincipalRef, Profile, UserNode } from '../index/nodes.js';
import type { Request } from './request.js';

/** Whether `a` is a strict ancestor of `b` in the role forest. */
export function strictlyAbove(a: { tin: number; tout: number }, b: { tin: number; tout: number }): boolean {
  return a !== b && within(b, a);
}

/** Whether the resource's owner is a member of a sharing rule's `from` (a group owner: is it or nested in it). */
export function ownerIn(ix: Index, from: PrincipalRef, ownerUser: UserNode | undefined, ownerGroup: GroupNode | undefined): boolean {
  if (ownerUser !== undefined) {
    if (from.kind === 'group') return membershipOf(ix, ownerUser).groups.has(from.node);
    return isMember(ownerUser, EMPTY, from);
  }
  if (ownerGroup !== undefined && from.kind === 'group') return upClosure(ix, ownerGroup).has(from.node);
  return false;
}

const EMPTY: ReadonlySet<GroupNode> = new Set();

/** Whether an access group holds the resource through its tenant, types and (listing or segment). */
export function accessGroupApplies(ag: AccessGroupNode, req: Request): boolean {
  return ag.tenant === req.tenant && (ag.types === undefined || ag.types.has(req.type.def.name));
}

/**
 * The highest record-level rank the user reaches, stopping as soon as `need` is reached.
 * The hot path of `can()`: a few Map lookups, no allocation.
 */
export function recordRank(ix: Index, u: UserNode, p: Profile, req: Request, need: number): number {
  let best = req.type.defaultRank;
  if (best >= need) return best;
  let ownerUser: UserNode | undefined;
  let ownerGroup: GroupNode | undefined;
  if (req.ownerUser !== undefined) {
    if (req.ownerUser === u.id) return 3;
    ownerUser = ix.users.get(req.ownerUser);
    if (req.type.def.hierarchy && u.role !== undefined && ownerUser?.role !== undefined && strictlyAbove(u.role, ownerUser.role)) return 3;
  } else if (req.ownerGroup !== undefined) {
    ownerGroup = ix.groups.get(req.ownerGroup);
    if (ownerGroup !== undefined && p.groups.has(ownerGroup) && req.type.groupOwnerRank > best) {
      best = req.type.groupOwnerRank;
      if (best >= need) return best;
    }
  }
  const rules = p.hasRules ? p.rules.get(req.type.def.name) : undefined;
  if (rules !== undefined) {
    for (const r of rules) {
      if (r.rank > best && r.tenant === req.tenant && ownerIn(ix, r.from, ownerUser, ownerGroup)) {
        best = r.rank;
        if (best >= need) return best;
      }
    }
  }
  const listed = req.accessGroups;
  if (listed !== undefined && p.grants.size > 0) {
    for (const id of listed) {
      const ag = ix.accessGroups.get(id);
      if (ag === undefined) continue;
      const rank = p.grants.get(ag);
      if (rank !== undefined && rank > best && accessGroupApplies(ag, req)) {
        best = rank;
        if (best >= need) return best;
      }
    }
  }
  for (const { group, rank } of p.segmentGrants) {
    if (rank > best && accessGroupApplies(group, req) && segmentMatches(group.segment ?? { all: [] }, req.attributes)) {
      best = rank;
      if (best >= need) return best;
    }
  }
  return best;
}
