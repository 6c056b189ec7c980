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
