import { bounded, earliestUntil } from '../reason-until.js';
import type { Instant } from '../../model/instant.js';
import type { AccessGroupNode } from '../../compile/snapshot.js';
import { levelOfRank } from '../../model/level.js';
import type { MembershipPath } from '../../model/path.js';
import { segmentMatches } from '../../model/segment-match.js';
import { subjectGrants } from '../subject.js';
import type { AccessSource, RecordView } from './source.js';

/** Whether an access group's tenant and types cover the record. */
function applies(ag: AccessGroupNode, r: RecordView): boolean {
  return ag.tenant === r.tenant && (ag.types === undefined || ag.types.has(r.type.def.name));
}

/** Whether the record lists the access group. */
function listedBy(r: RecordView, ag: AccessGroupNode): boolean {
  const listed = r.accessGroups;
  if (listed === undefined) return false;
  for (let i = 0; i < listed.length; i++) if (listed[i] === ag.id) return true;
  return false;
}

/** How the access group holds the record: listed, by its segment, or not at all. */
function holds(r: RecordView, ag: AccessGroupNode): 'listed' | 'segment' | undefined {
  if (!applies(ag, r)) return undefined;
  if (listedBy(r, ag)) return 'listed';
  return ag.segment !== undefined && segmentMatches(ag.segment, r.attributes) ? 'segment' : undefined;
}

/** An access group that holds the record (listed by it, or by its segment) and grants the user a level. */
export const accessGroupSource: AccessSource = {
  name: 'access-group',
  rank(r, s, best, need) {
    const g = subjectGrants(r.c, s);
    if (g.accessGroups.length === 0) return 0;
    let top = 0;
    const listed = r.accessGroups;
    if (listed !== undefined) {
      const ids = r.c.ids.accessGroups;
      for (let i = 0; i < listed.length; i++) {
        const n = ids.numOf(listed[i] as string);
        if (n < 0) continue;
        const rank = g.byAccessGroup.get(n);
        if (rank === undefined || rank <= best || rank <= top) continue;
        const ag = r.c.accessGroups.get(n);
        if (ag !== undefined && applies(ag, r)) {
          top = rank;
          if (top >= need) return top;
        }
      }
    }
    const seg = g.segmentGrants;
    for (let i = 0; i < seg.length; i++) {
      const { ag, rank } = seg[i] as { ag: AccessGroupNode; rank: number };
      if (rank > best && rank > top && applies(ag, r) && segmentMatches(ag.segment ?? { all: [] }, r.attributes)) {
        top = rank;
        if (top >= need) return top;
      }
    }
    return top;
  },
  reasons(r, s, proofs, out) {
    for (const { ag, rank } of subjectGrants(r.c, s).accessGroups) {
      const via = holds(r, ag);
      if (via === undefined) continue;
      // The path of the grant that gave the highest rank.
      let path: MembershipPath = [{ kind: 'user', id: s.id }];
      let until: Instant | undefined;
      for (const g of ag.grants) {
        if (g.rank !== rank) continue;
        const found = proofs.pathIfMember(g.to);
        if (found !== undefined) {
          path = found;
          until = g.until;
          break;
        }
      }
      out.push(bounded({ source: 'access-group', level: levelOfRank(rank), path, accessGroup: ag.id, via }, earliestUntil([path], [until])));
    }
  },
  clause(f) {
    for (const { ag, rank } of subjectGrants(f.c, f.s).accessGroups) {
      if (rank < f.need || !f.tenants.has(ag.tenant) || (ag.types !== undefined && !ag.types.has(f.req.type.def.name))) continue;
      let ids = f.listed.get(ag.tenant);
      if (ids === undefined) f.listed.set(ag.tenant, (ids = new Set()));
      ids.add(ag.id);
      if (ag.segment !== undefined) f.segments.push({ kind: 'segment', segment: ag.segment, tenant: ag.tenant, accessGroup: ag.id });
      f.sources.push({ source: 'access-group', level: levelOfRank(rank), accessGroup: ag.id });
    }
    return false;
  },
  expand(r, need, walk) {
    r.c.accessGroups.forEach((ag) => {
      if (holds(r, ag) === undefined) return;
      for (const g of ag.grants) if (g.rank >= need) walk.principal(g.to);
    });
    return true;
  },
};

