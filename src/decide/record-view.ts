import type { Compiled, UserFacts } from '../compile/snapshot.js';
import type { Request } from './request.js';
import type { RecordView } from './sources/source.js';

/** The record of a request, its owner resolved to numbers in the snapshot (the owner user's facts on first need). */
export function recordView(c: Compiled, req: Request): RecordView {
  let ownerUserNum = -1;
  let ownerGroup = -1;
  if (req.ownerUser !== undefined) ownerUserNum = c.ids.users.numOf(req.ownerUser);
  // A group number without facts here (interned for another snapshot) is in no closure of this
  // snapshot and expands to no member: no need to read its facts on the hot path.
  else if (req.ownerGroup !== undefined) ownerGroup = c.ids.groups.numOf(req.ownerGroup);
  return { c, req, ownerUserNum, ownerUser: null, ownerGroup };
}

/**
 * The owner user's facts, when a user owns the record and exists: read once per record, and only
 * by the sources that need them (the owner source compares ids, and a record its own user checks
 * never reads them).
 */
export function ownerFacts(r: RecordView): UserFacts | undefined {
  if (r.ownerUser === null) r.ownerUser = r.ownerUserNum < 0 ? undefined : r.c.users.get(r.ownerUserNum);
  return r.ownerUser;
}
