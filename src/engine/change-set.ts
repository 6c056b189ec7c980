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

/** Reads immer patches (paths like `['groups', 'shards', 17, 'g1', 'members', ...]`) into a change set. */
export function changeSetOf(patches: readonly Patch[]): ChangeSet {
  const ids = new Map<EntityCollection, Set<Id>>();
  let full = false;
  for (const p of patches) {
    const [collection, part, , id] = p.path;
    if ((ENTITY_COLLECTIONS as readonly unknown[]).includes(collection)) {
      if (part === 'count') continue;
      const c = collection as EntityCollection;
      let set = ids.get(c);
      if (set === undefined) ids.set(c, (set = new Set()));
      if (part === 'shards' && typeof id === 'string') {
        set.add(id);
        continue;
      }
      // A shard created by this change: every id in it is new.
      if (part === 'shards' && p.path.length === 3 && p.op === 'add' && p.value instanceof Map) {
        for (const key of (p.value as Map<Id, unknown>).keys()) set.add(key);
        continue;
      }
    }
    full = true;
  }
  return { full, ids };
}
