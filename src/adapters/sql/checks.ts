import { InvalidInputError, checkPolicy, type ChangeRecord, type Limits, type PolicyInput, type PolicyRepository, type StoredPolicy } from '../../index.js';
import { checkStorable } from './rows.js';

/** The options every SQL repository takes besides its connection. */
export interface SqlRepositoryOptions {
  /**
   * The policy to store when the tables are created, at revision 0 (validated first). Ignored once
   * they hold a policy or any change.
   */
  readonly initialPolicy?: PolicyInput;
  /** Size limits the initial policy is checked against (see `createEngine`); give the engines the same. */
  readonly limits?: Limits;
  /** Whether to run the migrations on first use (default true). With false, call `migrate()` yourself. */
  readonly migrate?: boolean;
}

/** What every SQL repository has beyond the port. */
export interface SqlRepository extends PolicyRepository {
  /** Creates or upgrades the tables (idempotent, safe from many processes at once); runs by itself on first use unless `migrate: false`. */
  migrate(): Promise<void>;
  /**
   * The part of the stored policy that an engine serving `tenants` holds, and its revision: exactly
   * `scopePolicy((await load()).policy, tenants).policy`, read in one snapshot without reading the
   * rest (the users who act in the tenants the part holds, and the roles, groups, sharing rules and
   * access groups of those tenants, by `WHERE`). `openEngine({ repository, tenants })` calls it. A
   * tenant the policy does not declare is an `InvalidInputError` naming it.
   */
  loadTenants(tenants: readonly string[]): Promise<StoredPolicy>;
  /** The revision stored now. */
  revision(): Promise<number>;
  /**
   * Deletes old change-log records, keeping the newest `keepLast` (at least 1). Engines that were
   * further behind notice the gap and reload the snapshot. Resolves to the number deleted.
   */
  pruneChangeLog(options: { readonly keepLast: number }): Promise<number>;
  /** Stops every subscription (and closes what the repository opened itself). */
  close(): Promise<void>;
}

/** The initial policy of `options`, checked (valid, within the limits, storable in `store`); fails early and typed. */
export function checkInitialPolicy(options: SqlRepositoryOptions, store?: string): PolicyInput | undefined {
  if (options.initialPolicy === undefined) return undefined;
  checkPolicy(options.initialPolicy, options.limits);
  checkStorable(options.initialPolicy, ['initialPolicy'], store);
  return options.initialPolicy;
}

/** Throws `InvalidInputError` unless `change` may be appended at revision `expected` (shared by the SQL adapters). */
export function checkAppendArgs(change: ChangeRecord, expected: number): void {
  if (!Number.isSafeInteger(expected) || expected < 0) {
    throw new InvalidInputError({ message: `expected revision must be a non-negative integer, got ${String(expected)}`, path: ['expected'] });
  }
  if (typeof change !== 'object' || change === null || change.revision !== expected + 1) {
    throw new InvalidInputError({ message: `a change appended at revision ${expected} must have revision ${expected + 1}, got ${String((change as { revision?: unknown } | null)?.revision)}`, path: ['revision'] }
    );
  }
}

/** Throws `InvalidInputError` unless `keepLast` is a positive integer (`pruneChangeLog`). */
export function checkKeepLast(keepLast: unknown): asserts keepLast is number {
  if (!Number.isSafeInteger(keepLast) || (keepLast as number) < 1) {
    throw new InvalidInputError({ message: `keepLast must be a positive integer, got ${String(keepLast)}`, path: ['keepLast'] });
  }
}
