import { freeze, immerable } from 'immer';
import type { Id } from './ids.js';

/** FNV-1a over UTF-16 code units. The low 6 bits pick the outer shard, the next 6 the inner one. */
export function hashId(id: Id): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) {
    h ^= id.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/**
 * The registered brand of an {@link IdMap}: the ESM and CommonJS builds are two copies of the
 * class, so a Policy made by one is recognised by the other through this, not `instanceof`.
 */
export const ID_MAP_BRAND: unique symbol = Symbol.for('purview.IdMap') as never;

/** Whether `value` is an {@link IdMap} made by any copy of this library. */
export function isIdMap(value: unknown): value is IdMap<unknown> {
  return typeof value === 'object' && value !== null && (value as { [ID_MAP_BRAND]?: unknown })[ID_MAP_BRAND] === true;
}

/** One bucket of an {@link IdMap}: ids to entities. */
export type Bucket<T> = Map<Id, T>;
/** One shard of an {@link IdMap}: 64 buckets. */
export type Shard<T> = Map<number, Bucket<T>>;

/**
 * A map from ids to entities, split into 64 shards of 64 buckets, so that an immer recipe that
 * changes one entity copies two 64-entry maps and one bucket (about n/4096 entries) instead of the
 * whole collection (structural sharing at scale). Reads like a
 * `ReadonlyMap`; inside `engine.update(draft => ...)` it also has `set` and `delete`.
 * Iteration order is by shard, then insertion; sort when order matters.
 * @example
 * ```ts
 * await engine.update((draft) => {
 *   draft.users.set('u9', { id: 'u9', tenant: 'default', status: 'active', tenants: [] });
 *   draft.groups.get('sales')?.members.users.push('u9');
 * });
 * ```
 */
export class IdMap<T> implements ReadonlyMap<Id, T> {
  static [immerable] = true;

  /** The brand by which an `IdMap` is recognised across copies of the library (ESM and CommonJS). */
  get [ID_MAP_BRAND](): true {
    return true;
  }

  /**
   * The shards; internal, exposed only so that immer can draft them. A recipe that writes them
   * (or `count`, or any other field of the collection) other than through `set` and `delete` is
   * refused with `InvalidInputError`: the engine checks every such patch (see change-set.ts).
   */
  shards: Map<number, Shard<T>>;
  /** The number of entries; internal (see `shards`): a change must keep it equal to the entries. */
  count: number;

  constructor(entries?: Iterable<readonly [Id, T]>) {
    this.shards = new Map();
    this.count = 0;
    if (entries !== undefined) for (const [k, v] of entries) this.set(k, v);
  }

  get size(): number {
    return this.count;
  }

  private bucket(id: Id): Bucket<T> | undefined {
    const h = hashId(id);
    return this.shards.get(h & 63)?.get((h >>> 6) & 63);
  }

  get(id: Id): T | undefined {
    return this.bucket(id)?.get(id);
  }

  has(id: Id): boolean {
    return this.bucket(id)?.has(id) ?? false;
  }

  /** Adds or replaces an entry (drafts only: a frozen policy throws). */
  set(id: Id, value: T): this {
    const h = hashId(id);
    const outer = h & 63;
    const inner = (h >>> 6) & 63;
    if (!this.shards.has(outer)) this.shards.set(outer, new Map());
    const shard = this.shards.get(outer) as Shard<T>;
    if (!shard.has(inner)) shard.set(inner, new Map());
    const bucket = shard.get(inner) as Bucket<T>;
    if (!bucket.has(id)) this.count++;
    bucket.set(id, value);
    return this;
  }

  /** Removes an entry (drafts only). */
  delete(id: Id): boolean {
    const bucket = this.bucket(id);
    if (bucket === undefined || !bucket.has(id)) return false;
    bucket.delete(id);
    this.count--;
    return true;
  }

  *entries(): MapIterator<[Id, T]> {
    for (const shard of this.shards.values()) for (const bucket of shard.values()) yield* bucket.entries();
  }

  *keys(): MapIterator<Id> {
    for (const shard of this.shards.values()) for (const bucket of shard.values()) yield* bucket.keys();
  }

  *values(): MapIterator<T> {
    for (const shard of this.shards.values()) for (const bucket of shard.values()) yield* bucket.values();
  }

  forEach(fn: (value: T, key: Id, map: ReadonlyMap<Id, T>) => void): void {
    for (const [k, v] of this.entries()) fn(v, k, this);
  }

  [Symbol.iterator](): MapIterator<[Id, T]> {
    return this.entries();
  }
}

/**
 * A new IdMap: `base` with the entries of `puts` set and the ids of `deletes` removed, sharing every
 * shard and bucket it does not touch (a change of k entries copies the shard index, at most k
 * shards of 64 buckets and k buckets). `base` is not modified. The new maps are frozen (immer's
 * freeze makes a Map's set and delete throw), as a snapshot's policy is.
 */
export function editIdMap<T>(base: IdMap<T>, puts: ReadonlyMap<Id, T>, deletes: ReadonlySet<Id>): IdMap<T> {
  const shards = new Map(base.shards);
  const ownShards = new Set<number>();
  const ownBuckets = new Map<number, Set<number>>();
  let count = base.count;
  const bucketFor = (id: Id): Bucket<T> => {
    const h = hashId(id);
    const outer = h & 63;
    const inner = (h >>> 6) & 63;
    let shard = shards.get(outer);
    if (!ownShards.has(outer)) {
      shard = new Map(shard);
      shards.set(outer, shard);
      ownShards.add(outer);
      ownBuckets.set(outer, new Set());
    }
    const own = ownBuckets.get(outer) as Set<number>;
    let bucket = (shard as Shard<T>).get(inner);
    if (!own.has(inner)) {
      bucket = new Map(bucket);
      (shard as Shard<T>).set(inner, bucket);
      own.add(inner);
    }
    return bucket as Bucket<T>;
  };
  for (const id of deletes) {
    if (puts.has(id) || !base.has(id)) continue;
    bucketFor(id).delete(id);
    count--;
  }
  for (const [id, value] of puts) {
    const bucket = bucketFor(id);
    if (!bucket.has(id)) count++;
    bucket.set(id, value);
  }
  const out = new IdMap<T>();
  out.shards = shards;
  out.count = count;
  for (const outer of ownShards) {
    const shard = shards.get(outer) as Shard<T>;
    for (const inner of ownBuckets.get(outer) as Set<number>) freeze(shard.get(inner) as Bucket<T>);
    freeze(shard);
  }
  freeze(shards);
  Object.freeze(out);
  return out;
}
