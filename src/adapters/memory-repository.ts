import { ConflictError } from '../errors/errors.js';
import type { PolicyInput } from '../model/policy-input.js';
import type { ChangeRecord } from '../ports/change-record.js';
import type { PolicyRepository } from '../ports/policy-repository.js';

/** A {@link PolicyRepository} in memory: several engines in one process can share it. */
export interface MemoryRepository extends PolicyRepository {
  /** The change log, oldest first. */
  log(): readonly ChangeRecord[];
}

const copy = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

/**
 * An in-memory {@link PolicyRepository}: the initial policy plus a change log. `load` returns the
 * initial policy at revision 0 and `openEngine` replays the log from there. Useful for tests and
 * for engines in one process that must stay in step.
 * @example
 * ```ts
 * const repository = memoryRepository({ resourceTypes: { lead: { actions: { view: 'read' } } } });
 * const a = await openEngine({ repository });
 * const b = await openEngine({ repository });
 * ```
 */
export function memoryRepository(initial: PolicyInput): MemoryRepository {
  const base = copy(initial);
  const changes: ChangeRecord[] = [];
  const listeners = new Set<(revision: number) => void>();
  return {
    log: () => changes,
    load: () => Promise.resolve({ policy: copy(base), revision: 0 }),
    append: (change, expected) => {
      if (expected !== changes.length || change.revision !== expected + 1) {
        return Promise.reject(new ConflictError({ expected, actual: changes.length }));
      }
      changes.push(copy(change));
      const r = changes.length;
      queueMicrotask(() => listeners.forEach((l) => l(r)));
      return Promise.resolve();
    },
    changesSince: (from) => Promise.resolve(changes.slice(Math.max(0, from)).map(copy)),
    subscribe: (onRevision) => {
      listeners.add(onRevision);
      return Promise.resolve(() => {
        listeners.delete(onRevision);
        return Promise.resolve();
      });
    },
  };
}
