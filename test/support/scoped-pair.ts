/*
 * A full engine and a tenant-scoped one on the same memory repository (the full one is the
 * oracle), closed after each test; and the outcome of a query as data. Shared by the scoped-engine
 * review tests. Call `useScopedPairs()` at the top of a test file.
 */
import { afterEach } from 'vitest';
import { memoryRepository, openEngine, OutOfScopeError, type MemoryRepository, type PolicyInput, type SharedEngine } from '../../src/index.js';

export interface ScopedPair {
  readonly repository: MemoryRepository;
  readonly full: SharedEngine;
  readonly scoped: SharedEngine;
  /** What the scoped engine's onError heard. */
  readonly problems: unknown[];
}

/** Registers the closing of every pair after each test; returns the function that opens one. */
export function useScopedPairs(): (policy: PolicyInput, tenants: readonly string[]) => Promise<ScopedPair> {
  const open: SharedEngine[] = [];
  afterEach(async () => {
    for (const e of open.splice(0)) await e.close();
  });
  return async (policy, tenants) => {
    const repository = memoryRepository(policy);
    const problems: unknown[] = [];
    const full = await openEngine({ repository, pollIntervalMs: 0 });
    const scoped = await openEngine({ repository, tenants, pollIntervalMs: 0, onError: (e) => problems.push(e) });
    open.push(full, scoped);
    return { repository, full, scoped, problems };
  };
}

/** The answer, `refused` for an OutOfScopeError, or the error's name and message. */
export function outcome(f: () => unknown): unknown {
  try {
    return { answer: f() };
  } catch (e) {
    if (e instanceof OutOfScopeError) return 'refused';
    return { error: e instanceof Error ? `${e.name}: ${e.message}` : String(e) };
  }
}
