import { compareReasons } from './canonical-order.js';
import type { Compiled } from '../compile/snapshot.js';
import { levelOfRank } from '../model/level.js';
import type { Resource } from '../model/resource.js';
import type { Decision, Reason } from './decision.js';
import { gate } from './gate.js';
import { proofsFor } from './proofs.js';
import { readRequest, type Request } from './request.js';
import type { AccessSource, Subject } from './sources/source.js';
import { sourcesOf } from './sources/table.js';


/** `can(user, action, resource)`: the fast path, a boolean without reasons. */
export function can(c: Compiled, user: string, action: string, resource: Resource, at = NaN): boolean {
  return canRequest(c, user, readRequest(c, user, action, resource, at));
}

/** `can` on a request already read (see {@link readRequest}), e.g. once for many users. */
export function canRequest(c: Compiled, user: string, req: Request): boolean {
  const need = req.slot.required;
  const g = gate(c, user, req.tenantNum, req.slot);
  if (typeof g === 'string') return false;
  return bestRank(g, req, need) >= need;
}

/** The highest rank the sources give, stopping as soon as `need` is reached. */
export function bestRank(s: Subject, r: Request, need: number): number {
  let best = 0;
  const sources = sourcesOf(r.type);
  for (let i = 0; i < sources.length; i++) {
    const rank = (sources[i] as AccessSource).rank(r, s, best, need);
    if (rank > best) {
      best = rank;
      if (best >= need) return best;
    }
  }
  return best;
}

/** `check(user, action, resource)`: the full decision with every reason and its proof. */
export function check(c: Compiled, user: string, action: string, resource: Resource, at = NaN): Decision {
  const req = readRequest(c, user, action, resource, at);
  const base = {
    user,
    action,
    resource: { type: req.type.def.name, id: req.id, tenant: req.tenant },
    required: levelOfRank(req.slot.required),
    revision: c.revision,
  };
  const g = gate(c, user, req.tenantNum, req.slot);
  if (typeof g === 'string') return { ...base, allowed: false, level: 'none', denial: g, reasons: [] };
  const r = req;
  const s: Subject = g;
  const proofs = proofsFor(r, s);
  const reasons: Reason[] = [];
  let rank = 0;
  for (const source of sourcesOf(r.type)) {
    source.reasons(r, s, proofs, reasons);
    rank = Math.max(rank, source.rank(r, s, rank, 4));
  }
  reasons.sort(compareReasons);
  const allowed = rank >= req.slot.required;
  return { ...base, allowed, level: levelOfRank(rank), ...(allowed ? {} : { denial: 'record-access' as const }), reasons };
}
