import { immerable } from 'immer';
import type { Id } from './ids.js';

/** Number of shards: a change copies one shard (about n/256 entries), not the whole collection. */
const SHARDS = 256;

/** FNV-1a over UTF-16 code units, folded to a shard number. */
export function shardOf(id: Id): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) {
    h ^= id.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) % SHARDS;
}

/**
 * A map from ids to entities, split into shards so that an immer recipe that changes one entity
 * copies one shard instead of the whole collection (structural sharing at scale). Reads like a
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

  /** The shards; internal, exposed only so that immer can draft them. */
  shards: Map<number, Map<Id, T>>;
  /** The number of entries. */
  count: number;

  constructor(entries?: Iterable<readonly [Id, T]>) {
    this.shards = new Map();
    this.count = 0;
    if (entries !== undefined) for (const [k, v] of entries) this.set(k, v);
  }

  get size(): number {
    return this.count;
  }

  get(id: Id): T | undefined {
    return this.shards.get(shardOf(id))?.get(id);
  }

  has(id: Id): boolean {
    return this.shards.get(shardOf(id))?.has(id) ?? false;
  }

  /** Adds or replaces an entry (drafts only: a frozen policy throws). */
  set(id: Id, value: T): this {
    const b = shardOf(id);
    if (!this.shards.has(b)) this.shards.set(b, new Map());
    const shard = this.shards.get(b) as Map<Id, T>;
    if (!shard.has(id)) this.count++;
    shard.set(id, value);
    return this;
  }

  /** Removes an entry (drafts only). */
  delete(id: Id): boolean {
    const b = shardOf(id);
    const shard = this.shards.get(b);
    if (shard === undefined || !shard.has(id)) return false;
    shard.delete(id);
    this.count--;
    return true;
  }

  *entries(): MapIterator<[Id, T]> {
    for (const shard of this.shards.values()) yield* shard.entries();
  }

  *keys(): MapIterator<Id> {
    for (const shard of this.shards.values()) yield* shard.keys();
  }

  *values(): MapIterator<T> {
    for (const shard of this.shards.values()) yield* shard.values();
  }

  forEach(fn: (value: T, key: Id, map: ReadonlyMap<Id, T>) => void): void {
    for (const [k, v] of this.entries()) fn(v, k, this);
  }

  [Symbol.iterator](): MapIterator<[Id, T]> {
    return this.entries();
  }
}
