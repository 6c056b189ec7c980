import type { Patch } from 'immer';
import type { Id } from '../model/ids.js';

/** The entity collections a change can touch entity by entity. */
export const ENTITY_COLLECTIONS = ['roles', 'users', 'groups', 'sharingRules', 'accessGroups'] as const;

/** One of {@link ENTITY_COLLECTIONS}. */
export type EntityCollection = (typeof ENTITY_COLLECTIONS)[number];

/** Changes to the policy's frame: tenants, resource types and access levels. */
export interface FrameChanges {
  readonly tenants: Set<Id>;
  readonly resourceTypes: Set<string>;
  accessLevels: boolean;
  defaultAccessLevel: boolean;
}

/**
 * What a change touched: the ids per entity collection, and the frame it touched. `full` when the
 * index must be rebuilt (resource types, access levels, or anything not understood; tenants are
 * incremental); `opaque` when the change
 * cannot even be described entity by entity (a recipe that replaced a whole collection), so that
 * the change log must keep the whole new policy.
 */
export interface ChangeSet {
  readonly full: boolean;
  readonly opaque: boolean;
  readonly ids: ReadonlyMap<EntityCollection, ReadonlySet<Id>>;
  readonly frame: FrameChanges;
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

/** The ids an IdMap patch touched (`[collection, 'shards', outer, inner, id, ...]`), or false when it cannot tell. */
function idMapIds(p: Patch, out: Set<Id>): boolean {
  const [, part, , , id] = p.path;
  if (part === 'count') return true;
  if (part !== 'shards') return false;
  if (typeof id === 'string') {
    out.add(id);
    return true;
  }
  // A shard or bucket created by this change: every id in it is new.
  return p.op === 'add' && (p.path.length === 3 || p.path.length === 4) && idsIn(p.value, 4 - p.path.length, out);
}

/** Reads immer patches into a change set. */
export function changeSetOf(patches: readonly Patch[]): ChangeSet {
  const ids = new Map<EntityCollection, Set<Id>>();
  const frame: FrameChanges = { tenants: new Set(), resourceTypes: new Set(), accessLevels: false, defaultAccessLevel: false };
  let opaque = false;
  for (const p of patches) {
    const collection = p.path[0];
    if ((ENTITY_COLLECTIONS as readonly unknown[]).includes(collection)) {
      const c = collection as EntityCollection;
      let set = ids.get(c);
      if (set === undefined) ids.set(c, (set = new Set()));
      if (!idMapIds(p, set)) opaque = true;
    } else if (collection === 'tenants') {
      if (!idMapIds(p, frame.tenants)) opaque = true;
    } else if (collection === 'resourceTypes' && typeof p.path[1] === 'string') {
      frame.resourceTypes.add(p.path[1]);
    } else if (collection === 'accessLevels') {
      frame.accessLevels = true;
    } else if (collection === 'defaultAccessLevel' && p.path.length === 1) {
      frame.defaultAccessLevel = true;
    } else {
      opaque = true;
    }
  }
  const full = opaque || frame.resourceTypes.size > 0 || frame.accessLevels || frame.defaultAccessLevel;
  return { full, opaque, ids, frame };
}
