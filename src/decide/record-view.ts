import type { Compiled } from '../compile/snapshot.js';
import type { Request } from './request.js';
import type { RecordView } from './sources/source.js';

/** The record of a request, its owner resolved in the snapshot. */
export function recordView(c: Compiled, req: Request): RecordView {
  let ownerUser;
  let ownerGroup = -1;
  if (req.ownerUser !== undefined) {
    const n = c.ids.users.numOf(req.ownerUser);
    ownerUser = n < 0 ? undefined : c.users.get(n);
  } else if (req.ownerGroup !== undefined) {
    // A number without facts here (a group interned for another snapshot) is in no closure of
    // this snapshot and expands to no member: no need to read its facts on the hot path.
    ownerGroup = c.ids.groups.numOf(req.ownerGroup);
  }
  return { c, req, ownerUser, ownerGroup };
}
