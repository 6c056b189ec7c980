import type { Patch } from 'immer';
import type { Touched } from '../compile/apply.js';
import { InvalidInputError } from '../errors/errors.js';
import { hashId } from '../model/id-map.js';
import type { Id } from '../model/ids.js';
import type { Policy } from '../model/policy.js';

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

/** The collections of a policy that are {@link IdMap}s. */
type IdMapCollection = EntityCollection | 'tenants';

/** The refusal of a recipe that wrote a collection's internals instead of calling `set`/`delete`. */
function internals(collection: IdMapCollection, part: unknown, why: string): never {
  throw new InvalidInputError({ message: `${collection}.${typeof part === 'string' ? part : 'shards'} is internal to the collection (${why}): change ${collection} with set(id, entity) and delete(id) only`, path: [collection, typeof part === 'string' ? part : 'shards'] }
  );
}

/** Whether `id` belongs at `outer`/`inner` (see `hashId`). */
function placed(id: unknown, outer: unknown, inner: unknown): id is Id {
  if (typeof id !== 'string') return false;
  const h = hashId(id);
  return outer === (h & 63) && inner === ((h >>> 6) & 63);
}

/** The ids of a bucket a patch added whole, each in its right place, or a refusal. */
function bucketIds(collection: IdMapCollection, value: unknown, outer: unknown, inner: unknown, out: Set<Id>): number {
  if (!(value instanceof Map)) return internals(collection, 'shards', 'a bucket must be a Map');
  for (const k of (value as Map<unknown, unknown>).keys()) {
    if (!placed(k, outer, inner)) return internals(collection, 'shards', 'an entry is not where its id hashes to');
    out.add(k);
  }
  return value.size;
}

/**
 * The ids an IdMap patch touched and how it changed the number of entries. The only writes a
 * recipe can make through `set` and `delete` are: `count` replaced by a number; a new shard
 * (`[collection, 'shards', outer]`) or bucket (`[..., inner]`) added whole; an entry added,
 * replaced or removed at `[..., inner, id]`, or changed deeper, where `id` hashes to `outer` and
 * `inner`. Anything else writes the collection's internals and is refused. Cost: O(the patch).
 */
function idMapPatch(collection: IdMapCollection, p: Patch, out: Set<Id>): number {
  const [, part, outer, inner, id] = p.path;
  if (part === 'count') {
    if (p.path.length !== 2 || p.op !== 'replace' || typeof p.value !== 'number') return internals(collection, 'count', 'it is not a number to set');
    return 0; // checked against the entries at the end
  }
  if (part !== 'shards') return internals(collection, part, 'a collection has no such field');
  if (p.path.length === 2) return internals(collection, 'shards', 'the shards cannot be replaced');
  if (typeof outer !== 'number' || outer < 0 || outer > 63 || !Number.isInteger(outer)) return internals(collection, 'shards', 'no such shard');
  if (p.path.length === 3) {
    if (p.op !== 'add' || !(p.value instanceof Map)) return internals(collection, 'shards', 'a shard can only be added, as a Map');
    let added = 0;
    for (const [k, bucket] of p.value as Map<unknown, unknown>) {
      if (typeof k !== 'number') return internals(collection, 'shards', 'no such bucket');
      added += bucketIds(collection, bucket, outer, k, out);
    }
    return added;
  }
  if (typeof inner !== 'number' || inner < 0 || inner > 63 || !Number.isInteger(inner)) return internals(collection, 'shards', 'no such bucket');
  if (p.path.length === 4) {
    if (p.op !== 'add') return internals(collection, 'shards', 'a bucket can only be added');
    return bucketIds(collection, p.value, outer, inner, out);
  }
  if (!placed(id, outer, inner)) return internals(collection, 'shards', 'an entry is not where its id hashes to');
  out.add(id);
  if (p.path.length > 5) return 0;
  return p.op === 'add' ? 1 : p.op === 'remove' ? -1 : 0;
}

/**
 * Checks that every IdMap a change touched entry by entry still counts its entries: the new
 * `count` is the old one plus the entries added less those removed (a recipe that wrote `count`
 * itself would otherwise switch off the entity limit).
 */
function checkCounts(before: Policy, after: Policy, deltas: ReadonlyMap<IdMapCollection, number>): void {
  for (const [collection, delta] of deltas) {
    const was = (before[collection] as { count?: unknown }).count;
    const now = (after[collection] as { count?: unknown } | undefined)?.count;
    if (typeof was !== 'number' || now !== was + delta) internals(collection, 'count', 'it must equal the number of entries');
  }
}

/** Reads immer patches into a change set. */
export function changeSetOf(patches: readonly Patch[], before: Policy, after: Policy): ChangeSet {
  const ids = new Map<EntityCollection, Set<Id>>();
  const deltas = new Map<IdMapCollection, number>();
  const replaced = new Set<IdMapCollection>();
  let opaque = false;
  const track = (c: IdMapCollection, p: Patch, set: Set<Id>): void => {
    if (p.path.length === 1) {
      // The whole collection replaced: the change is re-read from scratch (normalizePolicy rebuilds it).
      replaced.add(c);
      opaque = true;
      return;
    }
    deltas.set(c, (deltas.get(c) ?? 0) + idMapPatch(c, p, set));
  };
  const frame: FrameChanges = { tenants: new Set(), resourceTypes: new Set(), accessLevels: false, defaultAccessLevel: false };
  for (const p of patches) {
    const collection = p.path[0];
    if ((ENTITY_COLLECTIONS as readonly unknown[]).includes(collection)) {
      const c = collection as EntityCollection;
      let set = ids.get(c);
      if (set === undefined) ids.set(c, (set = new Set()));
      track(c, p, set);
    } else if (collection === 'tenants') {
      track('tenants', p, frame.tenants);
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
  for (const c of replaced) deltas.delete(c);
  checkCounts(before, after, deltas);
  const full = opaque || frame.resourceTypes.size > 0 || frame.accessLevels || frame.defaultAccessLevel;
  return { full, opaque, ids, frame };
}

const NO_IDS: ReadonlySet<Id> = new Set();

/** What a change touched, in the form the compiled snapshot consumes (see `applyTouched`). */
export function touchedOf(changes: ChangeSet): Touched {
  const of = (c: EntityCollection): ReadonlySet<Id> => changes.ids.get(c) ?? NO_IDS;
  return {
    users: of('users'),
    roles: of('roles'),
    groups: of('groups'),
    sharingRules: of('sharingRules'),
    accessGroups: of('accessGroups'),
    tenants: changes.frame.tenants.size > 0,
  };
}
