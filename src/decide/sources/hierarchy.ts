import { roleWithin } from '../../compile/closure.js';
import { usersInSubtree } from '../../compile/members.js';
import type { Compiled, UserFacts } from '../../compile/snapshot.js';
import { ownerFacts } from '../record-view.js';
import type { AccessSource, RecordView, Subject } from './source.js';

/** Whether role `a` is a strict ancestor of role `b`. */
function strictlyAbove(c: Compiled, a: number, b: number): boolean {
  return a !== b && roleWithin(c, b, a);
}

/** The owner's role, when the subject's role is strictly above it in a type with `hierarchy`. */
function above(r: RecordView, s: Subject): boolean {
  if (!r.type.def.hierarchy || s.role < 0 || r.ownerUserNum === s.num) return false;
  const o = ownerFacts(r);
  return o !== undefined && o.role >= 0 && strictlyAbove(r.c, s.role, o.role);
}

/** A superior of the owner in the role hierarchy: full access, where the type enables it. */
export const hierarchySource: AccessSource = {
  name: 'hierarchy',
  rank: (r, s) => (above(r, s) ? 3 : 0),
  reasons(r, s, _proofs, out) {
    if (!above(r, s)) return;
    const o = ownerFacts(r) as UserFacts;
    const ids = r.c.ids;
    out.push({
      source: 'hierarchy',
      level: 'full',
      path: [
        { kind: 'user', id: s.id },
        { kind: 'role', id: ids.roles.idOf(s.role), via: 'has-role' },
        { kind: 'role', id: ids.roles.idOf(o.role), via: 'superior-of' },
        { kind: 'user', id: o.id, via: 'owned-by' },
      ],
    });
  },
  clause(f) {
    const u = f.s;
    if (!f.req.type.def.hierarchy || u.role < 0) return false;
    const set = f.ownerUsers.any;
    for (const child of f.c.roles.get(u.role)?.children ?? []) usersInSubtree(f.c, child, (o) => set.add(o.id));
    f.sources.push({ source: 'hierarchy', level: 'full' });
    return false;
  },
  expand(r, _need, walk) {
    const o = ownerFacts(r);
    if (!r.type.def.hierarchy || o === undefined || o.role < 0) return true;
    // The users of every strict ancestor of the owner's role.
    const seen = new Set<number>();
    for (let n = r.c.roles.get(o.role)?.parent ?? -1; n >= 0 && !seen.has(n); n = r.c.roles.get(n)?.parent ?? -1) {
      seen.add(n);
      walk.role(n);
    }
    return true;
  },
};
