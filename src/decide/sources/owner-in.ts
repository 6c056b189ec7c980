import { inGroup, isMember, membershipOf, upClosure } from '../../compile/closure.js';
import type { PrincipalRef } from '../../compile/snapshot.js';
import { ownerFacts } from '../record-view.js';
import type { RecordView } from './source.js';

const NO_GROUPS = { set: new Set<number>(), caps: undefined, grantsMemo: undefined };
const NO_MEMBERSHIP = { base: NO_GROUPS, extra: undefined, baseSet: NO_GROUPS.set, extraSet: undefined, caps: undefined, capsBits: 0x7fffffff };

/** Whether the record's owner is a member of a principal (a group owner: is it or nested in it). */
export function ownerIn(r: RecordView, p: PrincipalRef): boolean {
  const c = r.c;
  const o = ownerFacts(r);
  if (o !== undefined) {
    if (p.kind === 'group') return inGroup(membershipOf(c, o), p.num);
    return isMember(c, o, NO_MEMBERSHIP, p);
  }
  if (r.ownerGroupNum >= 0 && p.kind === 'group') return upClosure(c, r.ownerGroupNum).has(p.num);
  return false;
}
