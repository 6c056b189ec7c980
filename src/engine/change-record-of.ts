import type { Id } from '../model/ids.js';
import type { Policy } from '../model/policy.js';
import { resourceTypeInput } from '../model/serialize.js';
import type { ChangeRecord, EntityOp } from '../ports/change-record.js';
import type { ChangeSet } from './change-set.js';
import type { Recipe } from './types.js';

/**
 * The change record of a change: a put for each entity it wrote, a delete for each it removed,
 * tenants and resource types included, and a set for each access-level field it changed.
 */
export function recordOf(changes: ChangeSet, next: Policy, revision: number): ChangeRecord {
  const ops: EntityOp[] = [];
  for (const [collection, ids] of changes.ids) {
    for (const id of ids) {
      const entity = next[collection].get(id);
      ops.push(entity === undefined ? { op: 'delete', collection, id } : ({ op: 'put', collection, entity } as EntityOp));
    }
  }
  for (const id of changes.frame.tenants) {
    const entity = next.tenants.get(id);
    ops.push(entity === undefined ? { op: 'delete', collection: 'tenants', id } : { op: 'put', collection: 'tenants', entity });
  }
  for (const name of changes.frame.resourceTypes) {
    const t = next.resourceTypes.get(name);
    ops.push(t === undefined ? { op: 'delete', collection: 'resourceTypes', id: name } : { op: 'put', collection: 'resourceTypes', entity: { name, ...resourceTypeInput(t) } });
  }
  if (changes.frame.accessLevels) ops.push({ op: 'set', field: 'accessLevels', value: next.accessLevels ?? null });
  if (changes.frame.defaultAccessLevel) ops.push({ op: 'set', field: 'defaultAccessLevel', value: next.defaultAccessLevel ?? null });
  return { revision, ops };
}

/** The recipe that replays an entity-level change record. */
export function recipeOf(ops: readonly EntityOp[]): Recipe {
  return (draft) => {
    for (const op of ops) {
      if (op.op === 'set') {
        if (op.value === null) delete draft[op.field];
        else (draft as unknown as Record<string, unknown>)[op.field] = op.value;
        continue;
      }
      const map = draft[op.collection] as unknown as { set(id: Id, v: unknown): void; delete(id: Id): boolean };
      if (op.op === 'delete') map.delete(op.id);
      else map.set(op.collection === 'resourceTypes' ? op.entity.name : op.entity.id, op.entity);
    }
  };
}
