import { ownerFacts } from '../record-view.js';
import type { AccessSource } from './source.js';

/** The user who owns the record: full access. */
export const ownerSource: AccessSource = {
  name: 'owner',
  rank: (r, s) => (r.ownerUser === s.id ? 3 : 0),
  reasons(r, s, _proofs, out) {
    if (r.ownerUser === s.id) out.push({ source: 'owner', level: 'full', path: [{ kind: 'user', id: s.id }] });
  },
  clause(f) {
    f.ownerUsers.any.add(f.s.id);
    f.sources.push({ source: 'owner', level: 'full' });
    return false;
  },
  expand(r, _need, walk) {
    const o = ownerFacts(r);
    if (o !== undefined) walk.user(o.num);
    return true;
  },
};
