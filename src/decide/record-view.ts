import type { UserFacts } from '../compile/snapshot.js';
import type { Request } from './request.js';

/**
 * The owner user's facts, when a user owns the record and exists: read once per request, and only
 * by the sources that need them (the owner source compares ids, so a record the user owns never
 * reads them).
 */
export function ownerFacts(r: Request): UserFacts | undefined {
  if (r.ownerFacts === null) r.ownerFacts = r.ownerUserNum < 0 ? undefined : r.c.users.get(r.ownerUserNum);
  return r.ownerFacts;
}
