import type { Compiled } from '../compile/snapshot.js';
import type { Id } from '../model/ids.js';
import type { Resource } from '../model/resource.js';
import { bestRank } from './check.js';
import type { DenialCode } from './decision.js';
import { gateSubject, gateUser } from './gate.js';
import { readRequest } from './request.js';
import type { Subject } from './sources/source.js';

/** A user bound once to a snapshot: step 1 of the gate done, its memberships and grants at hand. */
export type Bound = Subject | DenialCode;

/** Binds a user to a snapshot: looks it up once, for every later check of the view. */
export function bindUser(c: Compiled, user: Id): Bound {
  const u = gateUser(c, user);
  if (typeof u === 'string') return u;
  // Memberships and grants are read on first need, and cached on the facts.
  return u;
}

/** `can` for a bound user: the same answer as `can(c, user, ...)`, without looking the user up again. */
export function canBound(c: Compiled, b: Bound, user: Id, action: string, resource: Resource, at = NaN): boolean {
  const req = readRequest(c, user, action, resource, at);
  if (typeof b === 'string') return false;
  if (gateSubject(c, b, req.tenantNum, req.slot) !== undefined) return false;
  const need = req.slot.required;
  return bestRank(b, req, need) >= need;
}
