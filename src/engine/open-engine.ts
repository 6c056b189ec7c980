import { ConflictError, InvalidInputError, OutOfScopeError, PurviewError, RepositoryError, StaleSnapshotError } from '../errors/errors.js';
import { readRequestedTenants, scopePolicy, type TenantScope } from '../changes/tenant-scope.js';

/** Applies a change record, read, to a core, at its revision: an entity-level change op by op, or a whole policy. */
function replay(core: Core, r: ReadRecord): void {
  (r.ops === undefined ? core.prepareReplace(r.replace, r.revision) : core.prepareAt(opsOfRecord(r.ops) ?? recipeOf(r.ops), r.revision)).install();
}

/** Scoping while following: requested tenants deleted since the engine opened are skipped. */
const FOLLOWING = { missing: 'skip' } as const;
import { scopeRecord } from '../changes/scope-record.js';
import { scopedQueries } from './scoped-queries.js';
import type { Policy } from '../model/policy.js';
import type { PolicyInput } from '../model/policy-input.js';
import type { StoredPolicy } from '../ports/policy-repository.js';
import type { ChangeRecord } from '../ports/change-record.js';
import type { PolicyRepository } from '../ports/policy-repository.js';
import type { ResourceStore } from '../ports/resource-store.js';
import type { Limits } from '../validate/limits.js';
import { opsOfRecord, readChangeRecord, recipeOf, type ReadRecord } from '../changes/change-record-of.js';
import { createCore, type Core, type PreparedChange } from './core.js';
import { readOptions, readRevision } from './snapshot-view.js';
import { bare } from '../model/shape.js';
import type { EngineBase, Queries, QueryOptions } from './types.js';
import type { Id } from '../model/ids.js';
import { ended, hookErrorOf, readDecisionHooks, started, type DecisionHookOptions } from './decision-hook.js';

/** Options of {@link openEngine}. */
export interface OpenEngineOptions extends DecisionHookOptions {
  /** Where the shared policy lives. */
  readonly repository: PolicyRepository;
  /** Where the records live (see `createEngine`). */
  readonly resources?: ResourceStore;
  /** How long `waitFor` and `at` wait by default, in ms (default 5,000). */
  readonly timeoutMs?: number;
  /**
   * A safety net beside notifications: how often to ask the repository for changes anyway, in ms
   * (default 5,000; 0 turns it off). Repositories without notifications rely on it.
   */
  readonly pollIntervalMs?: number;
  /** Size limits (see `createEngine`). */
  readonly limits?: Limits;
  /** The engine's clock, epoch milliseconds (see `createEngine`; default `Date.now`). */
  readonly clock?: () => number;
  /** Hears problems while following the repository (a lost connection, a change that failed to apply). */
  readonly onError?: (error: unknown) => void;
  /**
   * Serve only these tenants (and their descendants): load and follow only the part of the policy
   * their answers depend on, so that a fleet can split a large multi-client policy across
   * instances. Every answer equals the answer of an engine holding everything; a query it cannot
   * answer (a record of another tenant, a user or group it does not hold) throws
   * `OutOfScopeError`, and it does not write. Its `policy` is the part it holds. See
   * docs/scale-out.md.
   */
  readonly tenants?: readonly Id[];
}

/**
 * An engine that shares its policy with other instances through a {@link PolicyRepository}. It has
 * no `updateSync`: every change goes through the repository (`await engine.update(...)`), so that
 * instances never fork.
 */
export interface SharedEngine extends EngineBase {
  /**
   * Resolves once this engine has reached `revision` (read-your-writes across instances); rejects
   * with `StaleSnapshotError` after the timeout rather than letting a caller answer from a stale snapshot.
   * @example
   * ```ts
   * const rev = await writer.addMember('sales', { user: 'u9' });
   * await reader.waitFor(rev);
   * reader.can('u9', 'view', lead);
   * ```
   */
  waitFor(revision: number, options?: { readonly timeoutMs?: number }): Promise<void>;
  /**
   * The queries of a snapshot at least as new as `options.atLeast`, waiting for it when needed.
   * @example
   * ```ts
   * (await engine.at({ atLeast: rev })).check('u9', 'view', lead);
   * ```
   */
  at(options: QueryOptions & { readonly timeoutMs?: number }): Promise<Queries>;
  /** Asks the repository for changes now; resolves once they are applied. */
  refresh(): Promise<void>;
  /**
   * Whether this engine answers about records of `tenant`: always for an engine opened without
   * `tenants`; for a scoped one, when the tenant is one it was opened with or a descendant of one.
   * @example
   * ```ts
   * const engine = fleet.find((e) => e.serves(lead.tenant));
   * ```
   */
  serves(tenant: Id): boolean;
  /**
   * Stops following the repository. The repository stays open (other engines may share it):
   * close it yourself (`repository.close()`) when the last engine is done.
   */
  close(): Promise<void>;
}

/**
 * Opens an engine over a shared repository: loads the policy, then follows other writers through
 * the repository's notifications and change log, applying their changes incrementally. Its own
 * changes are appended with the revision they were computed on, so that concurrent writers
 * conflict (`ConflictError`) instead of overwriting each other.
 * @example
 * ```ts
 * import { openEngine } from 'purview';
 * import { postgresRepository } from 'purview/postgres';
 * const engine = await openEngine({ repository: postgresRepository({ pool }) });
 * ```
 */
export async function openEngine(input: OpenEngineOptions): Promise<SharedEngine> {
  // Own properties only: an inherited `limits` or `resources` must not reach the engine.
  const options = bare({ ...input }) as OpenEngineOptions;
  const repo = options.repository;
  const timeoutDefault = options.timeoutMs ?? 5_000;
  const report = (e: unknown): void => {
    try {
      options.onError?.(e);
    } catch {
      // The error hook's own failure must not stop the engine.
    }
  };

  // One queue for everything that moves the revision: catch-ups and own commits never interleave.
  let queue: Promise<unknown> = Promise.resolve();
  const serial = <T>(task: () => Promise<T>): Promise<T> => {
    const run = queue.then(task, task);
    queue = run.catch(() => undefined);
    return run;
  };

  // Read before anything is loaded: a malformed list fails at once (its ids are checked against the policy at load).
  const requested = options.tenants === undefined ? undefined : readRequestedTenants(options.tenants, undefined);
  let scope: TenantScope | undefined;
  // The scope each installed policy was held under: a pinned snapshot is guarded by its own.
  const scopes = new WeakMap<Policy, TenantScope>();
  /** The stored policy, or this engine's part of it with the scope it is held under. */
  const loadPolicy = async (): Promise<StoredPolicy & { readonly scope?: TenantScope }> => {
    if (requested === undefined) return repo.load();
    const stored = repo.loadTenants === undefined ? await repo.load() : await repo.loadTenants(requested, opened ? FOLLOWING : undefined);
    // Strict at open (a tenant that does not exist is a mistake in the options); lenient after: a
    // served tenant deleted later serves nothing, and the others go on being served.
    const part = scopePolicy(stored.policy, requested, opened ? FOLLOWING : undefined);
    return { policy: part.policy, revision: stored.revision, scope: part.scope };
  };
  let opened = false;
  /**
   * Installs a prepared change with the scope its policy is held under: the scope is known before
   * the change lands, so a listener told of it (synchronously, by install) already queries the new
   * part under the new scope.
   */
  const installHeld = (prepared: PreparedChange, s: TenantScope | undefined): void => {
    if (s !== undefined) {
      scopes.set(prepared.policy, s);
      scope = s;
    }
    prepared.install();
  };
  const outOfScopeWrite = (): Promise<never> =>
    Promise.reject(
      new OutOfScopeError({
        message: 'an engine opened with tenants does not write: it cannot validate a change against the parts of the policy it does not hold; write through an engine opened without tenants',
        path: ['tenants'],
        tenants: requested ?? [],
      }),
    );

  const commit = (prepared: PreparedChange): Promise<number> =>
    serial(async () => {
      if (core.revision() !== prepared.base) throw new ConflictError({ expected: prepared.base, actual: core.revision() });
      try {
        await repo.append(prepared.record, prepared.base);
      } catch (e) {
        if (e instanceof ConflictError) void refresh();
        throw e;
      }
      return prepared.install();
    });

  // Checked and copied before anything is loaded: a malformed hook fails at once.
  const hooks = readDecisionHooks(options);
  const stored = await loadPolicy();
  const core: Core = createCore(
    {
      policy: stored.policy,
      revision: stored.revision,
      ...(options.resources === undefined ? {} : { resources: options.resources }),
      ...(options.limits === undefined ? {} : { limits: options.limits }),
      ...(options.clock === undefined ? {} : { clock: options.clock }),
      ...hooks,
    },
    commit,
    () => refresh(),
  );
  scope = stored.scope;
  if (scope !== undefined) scopes.set(core.engine.policy, scope);
  opened = true;

  // Set while this engine knows it cannot follow the repository (see `unreadable`): every query
  // refuses with this error instead of answering from a policy that may be out of date.
  let stuck: RepositoryError | undefined;

  /** Applies one record; resolves to false when a scoped engine must reload its part instead. */
  const applyRecord = (record: ChangeRecord): boolean => {
    // Read own properties only: an inherited `replace` must never install another policy.
    const r = readChangeRecord(record);
    if (scope === undefined || requested === undefined) {
      replay(core, r);
      return true;
    }
    if (r.ops === undefined) {
      const part = scopePolicy(r.replace, requested, FOLLOWING);
      installHeld(core.prepareReplace(part.policy, r.revision), part.scope);
      return true;
    }
    const scoped = scopeRecord(r.ops, core.engine.policy, scope);
    if (scoped.reload !== undefined) return false;
    installHeld(core.prepareAt(opsOfRecord(scoped.ops) ?? recipeOf(scoped.ops), r.revision), scoped.scope);
    return true;
  };

  /**
   * Loads the whole stored policy and installs it when it is newer than this engine's. Resolves to
   * whether it moved this engine on.
   */
  const reload = async (): Promise<boolean> => {
    const fresh = await loadPolicy();
    if (fresh.revision <= core.revision()) return false;
    installHeld(core.prepareReplace(fresh.policy, fresh.revision), fresh.scope);
    return true;
  };

  /**
   * A change record that cannot be applied (a hand-edited or foreign `change_log` row, one that
   * fails validation here) must not leave this engine behind for good, where every write would
   * fail with ConflictError: report it, typed, and start again from the stored policy, which the
   * repository keeps beside the log.
   */
  const unreadable = async (revision: number | undefined, e: unknown): Promise<void> => {
    const at = revision === undefined ? 'a change record' : `the change record at revision ${revision}`;
    if (e instanceof PurviewError) report(e);
    else {
      report(
        new InvalidInputError({
          message: `${at} could not be applied (${e instanceof Error ? e.message : String(e)}); reloading the policy from the repository`,
          path: ['changeLog', ...(revision === undefined ? [] : [revision])],
          cause: e,
        }),
      );
    }
    const behind = (why: unknown): RepositoryError =>
      new RepositoryError({
        message: `this engine cannot follow the shared policy past revision ${core.revision()} (${why instanceof Error ? why.message : String(why)}); it refuses to answer until it can: give it the writers' limits, or repair the repository's change log`,
        cause: why,
      });
    let moved: boolean;
    try {
      moved = await reload();
    } catch (reloadError) {
      // The stored policy itself cannot be installed here (this engine's limits are stricter than
      // the writers', say).
      stuck = behind(reloadError);
      throw stuck;
    }
    if (!moved) {
      // The stored policy is no newer than this engine, yet the log holds a change beyond it that
      // cannot be applied here: this engine is behind and cannot catch up. It must not keep
      // answering from a policy whose grants may have been revoked since, so queries refuse until
      // a catch-up succeeds (the catch-up is retried with backoff; nothing is skipped silently).
      stuck = behind(
        new InvalidInputError({
          message: `${at} could not be applied and the stored policy is not newer than revision ${core.revision()}`,
          path: ['changeLog', ...(revision === undefined ? [] : [revision])],
          cause: e,
        }),
      );
      throw stuck;
    }
  };

  /**
   * Installs this engine's part of the policy at `target` or later, for a record that makes the part
   * grow past what it holds. The stored policy (or part) when it is that new; else the whole stored
   * policy brought forward through the change log in a scratch engine, then its part (rare: only a
   * repository whose `load` lags its log needs it).
   */
  const regrow = async (target: number): Promise<void> => {
    const fresh = await loadPolicy();
    let policy: PolicyInput | Policy = fresh.policy;
    let revision = fresh.revision;
    let held = fresh.scope;
    if (revision < target) {
      const base = await repo.load();
      const scratch = createCore({ policy: base.policy, revision: base.revision, ...(options.limits === undefined ? {} : { limits: options.limits }) }, () => Promise.reject(new Error('unused')));
      for (const record of await repo.changesSince(base.revision)) {
        if (scratch.revision() >= target) break;
        if (record.revision !== scratch.revision() + 1) continue;
        replay(scratch, readChangeRecord(record));
      }
      if (scratch.revision() < target) throw new InvalidInputError({ message: `the change log does not reach revision ${target}`, path: ['changeLog', target] });
      const part = scopePolicy(scratch.engine.policy, requested ?? [], FOLLOWING);
      policy = part.policy;
      revision = scratch.revision();
      held = part.scope;
    }
    if (revision <= core.revision()) return;
    installHeld(core.prepareReplace(policy, revision), held);
  };

  const catchUp = async (): Promise<void> => {
    let records: readonly ChangeRecord[];
    try {
      records = await repo.changesSince(core.revision());
    } catch (e) {
      // A typed error here is about the rows (a malformed record), not the connection.
      if (!(e instanceof PurviewError)) throw e;
      await unreadable(undefined, e);
      return catchUp();
    }
    for (const record of records) {
      if (record.revision <= core.revision()) continue;
      if (record.revision !== core.revision() + 1) {
        // A gap: the log was compacted or rows were lost. Start again from a fresh load.
        if (await reload()) return catchUp();
        // The stored policy is no newer: the record is not one this repository's writes made.
        return unreadable(record.revision, new InvalidInputError({ message: `expected revision ${core.revision() + 1} next in the change log, got ${record.revision}`, path: ['changeLog', record.revision] }));
      }
      let applied: boolean;
      try {
        applied = applyRecord(record);
      } catch (e) {
        await unreadable(record.revision, e);
        return catchUp();
      }
      // A scoped engine whose part grows past what it holds loads its part again (at this record or later).
      if (!applied) {
        try {
          await regrow(record.revision);
        } catch (e) {
          await unreadable(record.revision, e);
        }
        return catchUp();
      }
    }
  };
  // With a catch-up callback (tracing), each catch-up is reported from start to end; without one,
  // the catch-up is the plain function. Read after createCore checked the options.
  const startCatchUp = hooks.instrument?.catchUp;
  const hookError = hookErrorOf(hooks);
  const caughtUp =
    startCatchUp === undefined
      ? catchUp
      : async (): Promise<void> => {
          const end = started(startCatchUp, { revision: core.revision() }, hookError);
          try {
            await catchUp();
          } catch (e) {
            ended(end, { ok: false, error: e }, hookError);
            throw e;
          }
          ended(end, { ok: true, value: core.revision() }, hookError);
        };
  // A failed catch-up (a timeout, a dropped connection) is retried with backoff until one succeeds,
  // so that a follower never stays behind waiting for the next notification.
  let failures = 0;
  let retry: ReturnType<typeof setTimeout> | undefined;
  let closed = false;
  const refresh = (): Promise<void> =>
    serial(caughtUp).then(
      () => {
        failures = 0;
        stuck = undefined;
      },
      (e: unknown) => {
        report(e);
        failures++;
        if (!closed && retry === undefined) {
          retry = setTimeout(() => {
            retry = undefined;
            void refresh();
          }, Math.min(5_000, 50 * 2 ** Math.min(failures, 7)));
          (retry as { unref?: () => void }).unref?.();
        }
      },
    );

  await serial(caughtUp);
  const unsubscribe = await repo.subscribe(() => void refresh(), report);
  await refresh();
  const pollMs = options.pollIntervalMs ?? 5_000;
  const poll = pollMs > 0 ? setInterval(() => void refresh(), pollMs) : undefined;
  (poll as { unref?: () => void } | undefined)?.unref?.();

  const waitFor = (revision: number, opts?: { readonly timeoutMs?: number }): Promise<void> => {
    try {
      readRevision(revision, ['revision']);
      opts = { timeoutMs: readOptions(opts, ['timeoutMs']).timeoutMs ?? timeoutDefault };
    } catch (e) {
      return Promise.reject(e);
    }
    if (core.revision() >= revision) return Promise.resolve();
    const timeoutMs = opts.timeoutMs ?? timeoutDefault;
    return new Promise<void>((resolve, reject) => {
      let done = false;
      const finish = (error?: unknown): void => {
        if (done) return;
        done = true;
        stop();
        clearTimeout(timer);
        clearInterval(nudge);
        if (error === undefined) resolve();
        else reject(error);
      };
      const stop = core.engine.subscribe((r) => {
        if (r >= revision) finish();
      });
      const timer = setTimeout(() => finish(new StaleSnapshotError({ wanted: revision, current: core.revision(), waitedMs: timeoutMs })), timeoutMs);
      // Notifications can be lost; while someone waits, ask the log directly now and then.
      const nudge = setInterval(() => void refresh(), Math.min(250, Math.max(10, timeoutMs / 4)));
      void refresh().then(() => {
        if (core.revision() >= revision) finish();
      });
    });
  };

  const { updateSync: _local, ...changes } = core.engine;
  // The queries refuse while the engine cannot follow (fail closed); one check each, nothing else.
  const e = core.engine;
  const live = (): void => {
    if (stuck !== undefined) throw stuck;
  };
  type LiveQueries = Pick<EngineBase, 'check' | 'can' | 'explain' | 'groupsOf' | 'membersOf' | 'effectiveOwners' | 'whoCan' | 'filter' | 'permittedFields' | 'for' | 'snapshot'>;
  const plainQueries: LiveQueries = {
    check: (u, a, r, o) => (live(), e.check(u, a, r, o)),
    can: (u, a, r, o) => (live(), e.can(u, a, r, o)),
    explain: (u, a, r, o) => (live(), e.explain(u, a, r, o)),
    groupsOf: ((u: Id, o?: { readonly paths?: boolean }) => (live(), e.groupsOf(u, o as never))) as EngineBase['groupsOf'],
    membersOf: (g, o) => (live(), e.membersOf(g, o)),
    effectiveOwners: (r, o) => (live(), e.effectiveOwners(r, o)),
    whoCan: (a, r, o) => (live(), e.whoCan(a, r, o)),
    permittedFields: (u, r, o) => (live(), e.permittedFields(u, r, o)),
    filter: (u, a, t, o) => (live(), e.filter(u, a, t, o)),
    for: (u) => (live(), e.for(u)),
    snapshot: () => (live(), e.snapshot()),
  };
  const queries = scope === undefined ? plainQueries : scopedLive(plainQueries);
  /** The same queries behind the guards of the scope of the policy they answer from. */
  function scopedLive(q: LiveQueries): LiveQueries {
    let memo: { readonly policy: Policy; readonly scope: TenantScope; readonly q: Queries } | undefined;
    const guarded = (): Queries => {
      const policy = core.engine.policy;
      const s = scopes.get(policy) ?? (scope as TenantScope);
      if (memo?.policy !== policy || memo.scope !== s) memo = { policy, scope: s, q: scopedQueries({ ...q, revision: core.engine.revision, policy } as Queries, s, policy) };
      return memo.q;
    };
    const pinned = (snap: Queries): Queries => scopedQueries(snap, scopes.get(snap.policy) ?? (scope as TenantScope), snap.policy);
    return {
      check: (u, a, r, o) => guarded().check(u, a, r, o),
      can: (u, a, r, o) => guarded().can(u, a, r, o),
      explain: (u, a, r, o) => guarded().explain(u, a, r, o),
      groupsOf: ((u: Id, o?: { readonly paths?: boolean }) => guarded().groupsOf(u, o as never)) as EngineBase['groupsOf'],
      membersOf: (g, o) => guarded().membersOf(g, o),
      effectiveOwners: (r, o) => guarded().effectiveOwners(r, o),
      whoCan: (a, r, o) => guarded().whoCan(a, r, o),
      permittedFields: (u, r, o) => guarded().permittedFields(u, r, o),
      filter: (u, a, t, o) => guarded().filter(u, a, t, o),
      for: (u) => guarded().for(u),
      snapshot: () => pinned(q.snapshot()),
    };
  }
  // A scoped engine refuses every write, before preparing it: nothing is computed, nothing is appended.
  const writes = { ...changes } as typeof changes & Record<string, unknown>;
  if (requested !== undefined) {
    for (const [name, value] of Object.entries(changes)) if (typeof value === 'function' && name !== 'subscribe') (writes as Record<string, unknown>)[name] = outOfScopeWrite;
  }
  const served = (tenant: Id): boolean => scope === undefined || scope.served.has(tenant);
  const shared: SharedEngine = Object.assign(Object.create(null) as object, writes, queries, {
    serves: served,
    waitFor,
    at: async (options: QueryOptions & { readonly timeoutMs?: number }) => {
      const o = readOptions(options, ['atLeast', 'timeoutMs']);
      if (o.atLeast !== undefined) await waitFor(o.atLeast, o.timeoutMs === undefined ? undefined : { timeoutMs: o.timeoutMs });
      live();
      return queries.snapshot();
    },
    refresh,
    close: async () => {
      closed = true;
      if (retry !== undefined) clearTimeout(retry);
      if (poll !== undefined) clearInterval(poll);
      await unsubscribe();
    },
  });
  // The getters of the core engine must stay live, not be copied as values.
  // Prototype-less descriptors: an inherited `value` or `writable` must not turn them into data properties.
  Object.defineProperty(shared, 'revision', bare({ get: () => core.engine.revision, enumerable: true }));
  Object.defineProperty(shared, 'policy', bare({ get: () => core.engine.policy, enumerable: true }));
  // Not in the type; a caller that reaches for it anyway (a cast, plain JavaScript) gets a typed
  // error and nothing changes: a local-only change would fork this instance from the others.
  Object.defineProperty(
    shared,
    'updateSync',
    bare({
      value: (): never => {
        throw new InvalidInputError({
          message: 'a shared engine (openEngine) has no updateSync: its changes must reach the repository first; use await engine.update(recipe)',
          path: ['updateSync'],
        });
      },
      enumerable: false,
    }),
  );
  return shared;
}
