import type { Id } from '../model/ids.js';
import type { Resource } from '../model/resource.js';
import { sameOwner } from '../model/same-owner.js';
import type { ResourceStore } from '../ports/resource-store.js';

/** A {@link ResourceStore} in memory, with a synchronous view of its records for tests. */
export interface MemoryResourceStore extends ResourceStore {
  /** Every record, in insertion order. */
  all(): Resource[];
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
  // Own properties only: a record of a controlled type has no owner of its own, and an inherited
  // `owner` (another library's, on Object.prototype) must never make it anyone's.
  const field = (r: Resource, key: 'type' | 'id' | 'owner'): unknown => (Object.hasOwn(r, key) ? r[key] : undefined);
  const put = (r: Resource): void => {
    const type = field(r, 'type') as string;
    let m = byType.get(type);
    if (m === undefined) byType.set(type, (m = new Map()));
    m.set(field(r, 'id') as Id, r);
  };
  for (const r of initial) put(r);
  const all = (): Resource[] => [...byType.values()].flatMap((m) => [...m.values()]);
  return {
    all,
    ownedBy: (owner) => Promise.resolve(all().filter((r) => sameOwner(field(r, 'owner') as Resource['owner'], owner))),
    get: (type, id) => Promise.resolve(byType.get(type)?.get(id)),
    put: (r) => {
      put(r);
      return Promise.resolve();
    },
  };
}
