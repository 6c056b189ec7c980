import { groupPaths, nestingPath, principalPath, type GroupPaths } from '../compile/paths.js';
import type { PrincipalRef } from '../compile/snapshot.js';
import type { MembershipPath, PathStep } from '../model/path.js';
import { ownerFacts } from './record-view.js';
import type { Proofs, RecordView, Subject } from './sources/source.js';

/** A path per principal, computed once for each distinct principal (by kind, then number). */
function memo(compute: (p: PrincipalRef) => MembershipPath | undefined): (p: PrincipalRef) => MembershipPath | undefined {
  const byKind = new Map<PrincipalRef['kind'], Map<number, MembershipPath | undefined>>();
  return (p) => {
    let m = byKind.get(p.kind);
    if (m === undefined) byKind.set(p.kind, (m = new Map()));
    if (m.has(p.num)) return m.get(p.num);
    const found = compute(p);
    const path = found === undefined ? undefined : (Object.freeze(found) as MembershipPath);
    m.set(p.num, path);
    return path;
  };
}

/**
 * The proofs of one check: the user's group paths (one walk, on first use), and one path array
 * per distinct principal, so that many rules over a deep chain cost rules + depth, not their product.
 */
export function proofsFor(r: RecordView, s: Subject): Proofs {
  const c = r.c;
  let paths: GroupPaths | undefined;
  const userPaths = (): GroupPaths => (paths ??= groupPaths(c, s));
  const userStep: PathStep = Object.freeze({ kind: 'user', id: s.id });
  const own: MembershipPath = Object.freeze([userStep]);
  const pathIfMember = memo((p) => principalPath(c, s, p, userPaths));
  let ownerPaths: GroupPaths | undefined;
  const ownerPath = memo((p) => {
    const o = ownerFacts(r);
    if (o !== undefined) return principalPath(c, o, p, () => (ownerPaths ??= groupPaths(c, o))) ?? [];
    if (r.ownerGroupNum >= 0 && p.kind === 'group') return nestingPath(c, r.ownerGroupNum, p.num);
    return [];
  });
  return {
    userPaths,
    pathIfMember,
    userPath: (p) => pathIfMember(p) ?? own,
    ownerPath: (p) => ownerPath(p) ?? [],
  };
}
