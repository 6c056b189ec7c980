import type { PolicyInput } from '../model/policy-input.js';
import type { ChangeRecord } from './change-record.js';

/** Options of {@link PolicyRepository.loadTenants}. */
export interface LoadTenantsOptions {
  /**
   * A requested tenant the stored policy does not declare: `refuse` (the default) rejects with an
   * `InvalidInputError` naming it; `skip` leaves it out (an engine reloading after one of its
   * tenants was deleted).
   */
  readonly missing?: 'refuse' | 'skip';
}

/** A stored policy and the revision it is at. */
export interface StoredPolicy {
  readonly policy: PolicyInput;
  readonly revision: number;
}

/**
 * Where a policy lives when several engine instances share it (a database). Adapters implement
 * it; `openEngine` drives it. Every method may reject with a typed error: `ConflictError` from
 * `append`, `InvalidInputError` (or a cycle or tenant error) from `load` when the stored rows are bad.
 */
export interface PolicyRepository {
  /** A snapshot and its revision (ideally the newest; the engine replays `changesSince` from there). */
  load(): Promise<StoredPolicy>;
  /**
   * Optional: the part of the stored policy that an engine serving `tenants` holds, and its
   * revision: exactly `scopePolicy(load().policy, tenants).policy` at that revision, read without
   * reading the rest (a `WHERE` by tenant), so that an instance of a fleet split by tenant never
   * holds the whole policy, even while it loads. Without it, `openEngine({ tenants })` loads the
   * whole policy and keeps its part.
   */
  loadTenants?(tenants: readonly string[], options?: LoadTenantsOptions): Promise<StoredPolicy>;
  /**
   * Appends a change whose `revision` is `expected + 1`, atomically with the policy it produces:
   * rejects with `ConflictError` when the stored revision is not `expected` (someone wrote first),
   * and then stores nothing.
   */
  append(change: ChangeRecord, expected: number): Promise<void>;
  /** Every change after `revision`, in order. */
  changesSince(revision: number): Promise<readonly ChangeRecord[]>;
  /**
   * Calls `onRevision` when another writer appends (at least once per append; spurious calls are
   * fine). Resolves to a function that stops listening. `onError` hears lost connections; the
   * repository reconnects by itself and calls `onRevision` again once it is back.
   */
  subscribe(onRevision: (revision: number) => void, onError?: (error: unknown) => void): Promise<() => Promise<void>>;
  /** Releases connections the repository opened itself. */
  close?(): Promise<void>;
}
