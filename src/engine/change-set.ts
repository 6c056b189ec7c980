import type { Patch } from 'immer';
import type { Id } from '../model/ids.js';

/** The entity collections a change can touch entity by entity. */
export const ENTITY_COLLECTIONS = ['roles', 'users', 'groups', 'sharingRules', 'accessGroups'] as const;

/** One of {@link ENTITY_COLLECTIONS}. */
export type EntityCollection = (typeof ENTITY_COLLECTIONS)[number];

/**
 * What a change touched: the ids per collection, or `full` when it touched something that the
 * incremental path does not handle (tenants, resource types, access levels, a whole collection).
 */
export interface ChangeSet {
  readonly full: boolean;
  readonly ids: ReadonlyMap<EntityCollection, ReadonlySet<Id>>;
}

/** Every id held in a value a patch added: a bucket (`Map<Id, T>`) or a shard of buckets. */
function idsIn(value: unknown, depth: number, out: Set<Id>): boolean {
  if (!(value instanceof Map)) return false;
  for (const [k, v] of value as Map<unknown, unknown>) {
    if (depth === 0) {
      if (typeof k !== 'string') return false;
      out.add(k);
    } else if (!idsIn(v, depth - 1, out)) return false;
  }
  return true;
}

/** Reads immer patches (paths like `['groups', 'shards', 17, 40, 'g1', 'members', ...]`) into a change set. */
export function changeSetOf(patches: readonly Patch[]): ChangeSet {
  const ids = new Map<EntityCollection, Set<Id>>();
  let full = false;
  for (const p of patches) {
    const [collection, part, , , id] = p.path;
    if ((ENTITY_COLLECTIONS as readonly unknown[]).includes(collection)) {
      if (part === 'count') continue;
      const c = collection as EntityCollection;
      let set = ids.get(c);
      if (set === undefined) ids.set(c, (set = new Set()));
      if (part === 'shards' && typeof id === 'string') {
        set.add(id);
        continue;
      }
      // A shard or bucket created by this change: every id in it is new.
      if (part === 'shards' && p.op === 'add' && (p.path.length === 3 || p.path.length === 4) && idsIn(p.value, 4 - p.path.length, set)) continue;
    }
    full = true;
  }
  return { full, ids };
}
