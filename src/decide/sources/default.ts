import { levelOfRank } from '../../model/level.js';
import type { AccessSource } from './source.js';

/** The organization-wide default of the record's type: every user past the gate. */
export const defaultSource: AccessSource = {
  name: 'default',
  rank: (r) => r.type.defaultRank,
  reasons(r, s, _proofs, out) {
    const rank = r.type.defaultRank;
    if (rank > 0) out.push({ source: 'default', level: levelOfRank(rank), path: [{ kind: 'user', id: s.id }] });
  },
  clause(f) {
    const rank = f.req.type.defaultRank;
    if (rank < f.need) return false;
    f.sources.push({ source: 'default', level: levelOfRank(rank) });
    return true;
  },
  expand: (r, need) => r.type.defaultRank < need,
};
