/*
 * Benchmark section `scoped` (issue 15): what the guards of a tenant-scoped engine cost on the hot
 * path. Two shared engines over one memory repository holding the workload's policy: one opened
 * without tenants (the baseline) and one opened with `tenants: ['default']` (every record of the
 * workload is in `default`, so it serves all of them and holds everything: the difference is the
 * guards alone: the record settled into one copy, its tenant read and looked up, the user looked
 * up). `can()` and `check()` on the same queries, rounds interleaved.
 */
import { memoryRepository, openEngine, type PolicyInput, type Resource, type SharedEngine } from '../src/index.js';
import { now, stats, type Stats } from './measure.js';
import type { Queries } from './workload.js';

export interface ScopedResult {
  readonly queries: number;
  readonly rounds: number;
  readonly variants: readonly { readonly name: string; readonly can: Stats; readonly check: Stats }[];
}

export async function scopedBench(policy: PolicyInput, q: Queries, rounds = 20): Promise<ScopedResult> {
  const repository = memoryRepository(policy);
  const engines: { name: string; engine: SharedEngine }[] = [
    { name: 'openEngine({ repository })', engine: await openEngine({ repository, pollIntervalMs: 0 }) },
    { name: "openEngine({ repository, tenants: ['default'] })", engine: await openEngine({ repository, pollIntervalMs: 0, tenants: ['default'] }) },
  ];
  const { users, actions, resources } = q;
  const n = users.length;
  const canPass = (e: SharedEngine): number => {
    let allowed = 0;
    for (let i = 0; i < n; i++) if (e.can(users[i] as string, actions[i] as string, resources[i] as Resource)) allowed++;
    return allowed;
  };
  const checkPass = (e: SharedEngine): number => {
    let allowed = 0;
    for (let i = 0; i < n; i++) if (e.check(users[i] as string, actions[i] as string, resources[i] as Resource).allowed) allowed++;
    return allowed;
  };
  for (const v of engines) {
    if (canPass(v.engine) !== canPass(engines[0]!.engine)) throw new Error('scoped engine answers differently from the full one');
    checkPass(v.engine);
  }
  const can = engines.map(() => [] as number[]);
  const check = engines.map(() => [] as number[]);
  for (let r = 0; r < rounds; r++) {
    for (let k = 0; k < engines.length; k++) {
      const i = (k + r) % engines.length;
      const e = (engines[i] as { engine: SharedEngine }).engine;
      let t0 = now();
      canPass(e);
      (can[i] as number[]).push((now() - t0) / n);
      t0 = now();
      checkPass(e);
      (check[i] as number[]).push((now() - t0) / n);
    }
  }
  for (const v of engines) await v.engine.close();
  return { queries: n, rounds, variants: engines.map((v, i) => ({ name: v.name, can: stats(can[i] as number[]), check: stats(check[i] as number[]) })) };
}
