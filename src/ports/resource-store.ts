import type { Id } from '../model/ids.js';
import type { Owner, Resource } from '../model/resource.js';

/**
 * Where the application's records live, as far as the engine needs them: which records an owner
 * has (to transfer them when a group is deleted) and moving records between access groups.
 * Implement it over your own tables; {@link memoryResourceStore} is the in-memory one.
 *
 * `deleteGroup` moves the group's records one by one (`get`, then `put` while the group still owns
 * the record), lands the deletion once the group owns nothing (its validation requires the new
 * owner to exist), and when the deletion cannot land gives back exactly the records it moved. So
 * no record is left with a group that does not exist, and a record the new owner held before never
 * goes to the group. An engine runs its record-moving commands one at a time.
 */
export interface ResourceStore {
  /** Every record owned by `owner`. */
  ownedBy(owner: Owner): Promise<readonly Resource[]>;
  /** One record, or undefined. */
  get(type: string, id: Id): Promise<Resource | undefined>;
  /** Adds or replaces a record. */
  put(resource: Resource): Promise<void>;
}

/** A {@link ResourceStore} in memory, with a synchronous view of its records for tests. */
export interface MemoryResourceStore extends ResourceStore {
  /** Every record, in insertion order. */
  all(): Resource[];
}

/** Own properties only, and a null field absent (a row's NULL column), as `check` reads an owner. */
function ownerField(o: Owner, key: 'user' | 'group'): unknown {
  const v: unknown = Object.prototype.propertyIsEnumerable.call(o, key) ? (o as Record<string, unknown>)[key] : undefined;
  return v === null ? undefined : v;
}

/** Whether two owners are the same user or the same group (own properties only; a null field is absent). */
export function sameOwner(a: Owner, b: Owner): boolean {
  const au = ownerField(a, 'user');
  const ag = ownerField(a, 'group');
  return au !== undefined ? au === ownerField(b, 'user') : ag !== undefined && ag === ownerField(b, 'group');
}

/**
 * An in-memory {@link ResourceStore}.
 * @example
 * ```ts
 * const resources = memoryResourceStore([{ type: 'lead', id: 'l1', owner: { group: 'sales' } }]);
 * const engine = createEngine({ policy, resources });
 * ```
 */
export function memoryResourceStore(initial: Iterable<Resource> = []): MemoryResourceStore {
  const byType = new Map<string, Map<Id, Resource>>();
  const put = (r: Resource): void => {
    let m = byType.get(r.type);
    if (m === undefined) byType.set(r.type, (m = new Map()));
    m.set(r.id, r);
  };
  for (const r of initial) put(r);
  const all = (): Resource[] => [...byType.values()].flatMap((m) => [...m.values()]);
  return {
    all,
    ownedBy: (owner) => Promise.resolve(all().filter((r) => sameOwner(r.owner, owner))),
    get: (type, id) => Promise.resolve(byType.get(type)?.get(id)),
    put: (r) => {
      put(r);
      return Promise.resolve();
    },
  };
}
