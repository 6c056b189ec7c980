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
