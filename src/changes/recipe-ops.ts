import type { Id } from '../model/ids.js';
import type { IdMap } from '../model/id-map.js';
import type { Policy } from '../model/policy.js';
import { fail } from '../model/shape.js';
import type { ChangeSet } from './change-set.js';
import { putOp, type Op, type OpCollection } from './ops.js';

/**
 * A recipe's change as operations: for every entity its patches touched (see `changeSetOf`), a
 * put of the normalized entity it left, or a delete. The one place a recipe becomes operations.
 * Throws `InvalidInputError` on a malformed entity, or on an entry set to `undefined`.
 */
export function opsOfRecipe(after: Policy, changes: ChangeSet): Op[] {
  const ops: Op[] = [];
  const read = (collection: OpCollection, id: Id): void => {
    const map = after[collection] as unknown as IdMap<unknown>;
    const value = map.get(id);
    if (value === undefined) {
      if (map.has(id)) fail([collection, id], `is set to undefined; remove an entry with ${collection}.delete(id)`, [id]);
      ops.push({ op: 'delete', collection, id });
    } else ops.push(putOp(collection, id, value));
  };
  for (const id of changes.frame.tenants) read('tenants', id);
  for (const [collection, ids] of changes.ids) for (const id of ids) read(collection, id);
  return ops;
}
