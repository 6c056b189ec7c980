import type { Id } from '../model/ids.js';
import type { Policy } from '../model/policy.js';
import type { ChangeRecord, EntityOp } from '../ports/change-record.js';
import type { ChangeSet } from './change-set.js';
import type { Recipe } from './types.js';

/** The change record of an incremental change: a put for each entity it wrote, a delete for each it removed. */
export function recordOf(changes: ChangeSet, next: Policy, revision: number): ChangeRecord {
  const ops: EntityOp[] = [];
  for (const [collection, ids] of changes.ids) {
    for (const id of ids) {
      const entity = next[collection].get(id);
      ops.push(entity === undefined ? { op: 'delete', collection, id } : ({ op: 'put', collection, entity } as EntityOp));
    }
  }
  return { revision, ops };
}

/** The recipe that replays an entity-level change record. */
export function recipeOf(ops: readonly EntityOp[]): Recipe {
  return (draft) => {
    for (const op of ops) {
      const map = draft[op.collection] as unknown as { set(id: Id, v: unknown): void; delete(id: Id): boolean };
      if (op.op === 'delete') map.delete(op.id);
      else map.set(op.entity.id, op.entity);
    }
  };
}
