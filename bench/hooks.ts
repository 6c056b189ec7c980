/*
 * Benchmark section `hooks` (issue 14): the cost of the decision hook on `can()`. Four engines
 * over the same policy: no hook (the baseline), a hook at sample 0, a hook at sample 0.01 (seeded
 * random) and a hook at sample 1 (every decision, a hook that only counts). Each pass runs the same
 * queries through each engine in turn (rounds interleaved, so that drift hits every variant alike).
 */
import { createEngine, type PolicyInput, type Resource } from '../src/index.js';
import { now, stats, type Stats } from './measure.js';
import { Rng, type Queries } from './workload.js';

export interface HooksResult {
  readonly queries: number;
  readonly rounds: number;
  /** ns/op per variant (median and p99 over rounds). */
  readonly variants: readonly { readonly name: string; readonly perOp: Stats; readonly reported: number }[];
}

export function hooksBench(policy: PolicyInput, q: Queries, seed: number, rounds = 30): HooksResult {
  const rng = new Rng(seed);
  const counts = { s0: 0, s001: 0, s1: 0 };
  const variants = [
    { name: 'no hook (baseline)', engine: createEngine({ policy }), key: undefined },
    { name: 'hook, sample 0', engine: createEngine({ policy, sample: 0, onDecision: () => void counts.s0++ }), key: 's0' as const },
    { name: 'hook, sample 0.01', engine: createEngine({ policy, sample: 0.01, random: () => rng.int(1_000_000) / 1_000_000, onDecision: () => void counts.s001++ }), key: 's001' as const },
    { name: 'hook, sample 1', engine: createEngine({ policy, sample: 1, onDecision: () => void counts.s1++ }), key: 's1' as const },
  ];
  const { users, actions, resources } = q;
  const n = users.length;
  const pass = (e: (typeof variants)[number]['engine']): number => {
    let allowed = 0;
    for (let i = 0; i < n; i++) if (e.can(users[i] as string, actions[i] as string, resources[i] as Resource)) allowed++;
    return allowed;
  };
  // Warm-up: every variant, twice (each compiles its profiles and its code paths).
  for (const v of variants) {
    pass(v.engine);
    pass(v.engine);
  }
  const samples = variants.map(() => [] as number[]);
  let sink = 0;
  for (let r = 0; r < rounds; r++) {
    for (let k = 0; k < variants.length; k++) {
      const v = variants[(k + r) % variants.length] as (typeof variants)[number];
      const t0 = now();
      sink += pass(v.engine);
      (samples[(k + r) % variants.length] as number[]).push((now() - t0) / n);
    }
  }
  if (sink < 0) throw new Error('unreachable');
  return {
    queries: n,
    rounds,
    variants: variants.map((v, i) => ({ name: v.name, perOp: stats(samples[i] as number[]), reported: v.key === undefined ? 0 : counts[v.key] })),
  };
}
