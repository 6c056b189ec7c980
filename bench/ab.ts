/*
 * An A/B run of `can()`: this checkout's engine against another checkout's (a previous release),
 * in one process, on the same seeded workload and the same queries, in alternating rounds, so
 * that a change of the machine's load falls on both. Reports the median of each round's ns/op.
 *
 *   node --expose-gc --import tsx bench/ab.ts --base /path/to/other/checkout [--size medium] [--rounds 10]
 */
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';
import { createEngine as createHere, type Resource } from '../src/index.js';
import { stats } from './measure.js';
import { balancedQueries, generateWorkload, type SizeName } from './workload.js';

const arg = (name: string, dflt: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] as string) : dflt;
};
const base = arg('base', '');
if (base === '') throw new Error('--base /path/to/other/checkout');
const size = arg('size', 'medium') as SizeName;
const rounds = Number(arg('rounds', '10'));

const { createEngine: createBase } = (await import(pathToFileURL(join(base, 'src', 'index.ts')).href)) as { createEngine: typeof createHere };
const w = generateWorkload(size, 42);
const here = createHere({ policy: w.policy });
const other = createBase({ policy: w.policy });
const q = balancedQueries(w, 100_000, 44, (u, a, r) => here.can(u, a, r));
type E = { can(u: string, a: string, r: Resource): boolean };
const run = (e: E): number => {
  let n = 0;
  for (let i = 0; i < q.users.length; i++) if (e.can(q.users[i] as string, q.actions[i] as string, q.resources[i] as Resource)) n++;
  return n;
};
let agree = 0;
for (let i = 0; i < q.users.length; i++) if (here.can(q.users[i] as string, q.actions[i] as string, q.resources[i] as Resource) === other.can(q.users[i] as string, q.actions[i] as string, q.resources[i] as Resource)) agree++;
for (let i = 0; i < 3; i++) {
  run(here);
  run(other);
}
const a: number[] = [];
const b: number[] = [];
for (let r = 0; r < rounds; r++) {
  for (const [e, out] of (r % 2 === 0 ? [[here, a], [other, b]] : [[other, b], [here, a]]) as [E, number[]][]) {
    const t0 = process.hrtime.bigint();
    run(e);
    out.push(Number(process.hrtime.bigint() - t0) / q.users.length);
  }
}
const sa = stats(a);
const sb = stats(b);
console.log(`can() ${size}: this checkout median ${sa.median.toFixed(0)} ns/op (min ${sa.min.toFixed(0)}), base median ${sb.median.toFixed(0)} ns/op (min ${sb.min.toFixed(0)}); ratio ${(sa.median / sb.median).toFixed(3)}; ${rounds} alternating rounds of ${q.users.length} queries; answers agree on ${agree}/${q.users.length}`);
