import { compareReasons } from '../canonical-order.js';
import { levelOfRank } from '../../model/level.js';
import type { Reason } from '../decision.js';
import { proofsFor } from '../proofs.js';
import { rootOf } from '../read-parent.js';
import type { Request } from '../request-type.js';
import type { AccessSource, Subject } from './source.js';

/*
 * The source of a record of a parent-controlled type (master-detail): the level reached on its
 * parent, at the level the child's action needs. A controlled record has no access of its own and
 * its parent may be controlled too, so the level is decided on the top of the chain of parents (the
 * record with an owner) by the record's own sources; the reason nests the parent's reasons, one
 * level per link of the chain.
 *
 * Made from the table of the other sources (sources/table.ts), which it runs on the top record.
 */


/** The highest level first, as `check` lists reasons. */
function byLevel(reasons: Reason[]): Reason[] {
  return reasons.sort(compareReasons);
}

/** The parent source over `own`, the sources of a record with an owner. */
export function parentSource(own: readonly AccessSource[]): AccessSource {
  /** The rank the own sources give on a record, stopping at `need`. */
  const rankOn = (r: Request, s: Subject, best: number, need: number): number => {
    let top = best;
    for (let i = 0; i < own.length; i++) {
      const rank = (own[i] as AccessSource).rank(r, s, top, need);
      if (rank > top) {
        top = rank;
        if (top >= need) return top;
      }
    }
    return top > best ? top : 0;
  };
  return {
    name: 'parent',
    rank(r, s, best, need) {
      return r.parent === undefined ? 0 : rankOn(rootOf(r), s, best, need);
    },
    reasons(r, s, _proofs, out) {
      if (r.parent === undefined) return;
      const root = rootOf(r);
      const proofs = proofsFor(root, s);
      let reasons: Reason[] = [];
      let rank = 0;
      for (const source of own) {
        source.reasons(root, s, proofs, reasons);
        rank = Math.max(rank, source.rank(root, s, rank, 4));
      }
      if (rank === 0) return;
      const level = levelOfRank(rank);
      const path = [{ kind: 'user' as const, id: s.id }];
      // From the top down to the record's parent: each controlled record's reasons are one
      // `parent` reason holding its parent's.
      const chain: Request[] = [];
      for (let x: Request | undefined = r.parent; x !== undefined; x = x.parent) chain.push(x);
      reasons = byLevel(reasons);
      for (let i = chain.length - 1; i >= 0; i--) {
        const p = chain[i] as Request;
        const reason: Reason = { source: 'parent', level, path, parent: { type: p.type.def.name, id: p.id, reasons } };
        if (i === 0) out.push(reason);
        else reasons = [reason];
      }
    },
    // The filter of a controlled type is built from its parent type's (filter/build-filter.ts):
    // a record-side clause of the child's own would have nothing to look at.
    clause: () => false,
    expand(r, need, walk) {
      if (r.parent === undefined) return true;
      const root = rootOf(r);
      for (const source of own) if (!source.expand(root, need, walk)) return false;
      return true;
    },
  };
}
