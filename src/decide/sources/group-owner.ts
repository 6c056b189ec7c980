import { bounded, earliestUntil } from '../reason-until.js';
import { groupsOfMembership, inGroup, membershipOf } from '../../compile/closure.js';
import { levelOfRank } from '../../model/level.js';
import type { AccessSource } from './source.js';

/** A member (at any depth) of the group that owns the record: the type's `groupOwnerLevel`. */
export const groupOwnerSource: AccessSource = {
  name: 'group-owner',
  rank: (r, s) => (r.ownerGroupNum >= 0 && inGroup(membershipOf(r.c, s), r.ownerGroupNum) ? r.type.groupOwnerRank : 0),
  reasons(r, s, proofs, out) {
    const rank = r.type.groupOwnerRank;
    if (r.ownerGroupNum < 0 || rank <= 0 || !inGroup(membershipOf(r.c, s), r.ownerGroupNum)) return;
    const path = proofs.userPaths().pathTo(r.ownerGroupNum) ?? [{ kind: 'user', id: s.id }];
    out.push(bounded({ source: 'group-owner', level: levelOfRank(rank), path }, earliestUntil([path])));
  },
  clause(f) {
    const rank = f.req.type.groupOwnerRank;
    if (rank < f.need) return false;
    const groups = groupsOfMembership(membershipOf(f.c, f.s));
    if (groups.size === 0) return false;
    for (const g of groups) f.ownerGroups.any.add(f.c.ids.groups.idOf(g));
    f.sources.push({ source: 'group-owner', level: levelOfRank(rank) });
    return false;
  },
  expand(r, need, walk) {
    if (r.ownerGroupNum >= 0 && r.type.groupOwnerRank >= need) walk.group(r.ownerGroupNum);
    return true;
  },
};
