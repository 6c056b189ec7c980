/*
 * One markdown table across sizes from the JSON files that `bench/run.ts --json FILE` writes.
 *
 *   npx tsx bench/summary.ts bench/results/small.json bench/results/medium.json bench/results/large.json
 */
import { readFileSync } from 'node:fs';
import { fmtBytes, fmtMs, fmtNs, fmtRatio, table, type Stats } from './measure.js';

interface Result {
  size: string;
  machine: { src?: string; loadAtStart?: number; loadAtEnd?: number };
  build?: { median: number };
  heap?: { base?: number; afterBuild?: number; afterQueries?: number; afterWhoCan?: number };
  can?: { perOp: Stats; clean: Stats; hot: Stats; coldPerOp: number };
  groupsOf?: { latency: Stats };
  whoCan?: { latency: Stats; first: number };
  changes?: { kind: string; change: Stats; clean: Stats; firstCan: Stats }[];
  peers?: { purview: { perOp: Stats }; results: { name: string; perOp: Stats; buildMs: number }[]; agreement: { all: number }; queries: number };
  reference?: { agree: number; sample: number };
}

const files = process.argv.slice(2);
const rs = files.map((f) => JSON.parse(readFileSync(f, 'utf8')) as Result);
const col = (fn: (r: Result) => string): string[] => rs.map((r) => {
  try {
    return fn(r);
  } catch {
    return 'n/a';
  }
});
const delta = (r: Result, k: 'afterBuild' | 'afterQueries' | 'afterWhoCan'): string => {
  const h = r.heap;
  const v = h?.[k];
  return h?.base === undefined || v === undefined ? 'n/a' : fmtBytes(v - h.base);
};
const change = (r: Result, kind: string, f: (c: { change: Stats; clean: Stats; firstCan: Stats }) => string): string => {
  const c = r.changes?.find((x) => x.kind === kind);
  return c === undefined ? 'n/a' : f(c);
};
const peer = (r: Result, name: string): string => {
  const p = r.peers?.results.find((x) => x.name === name);
  if (p === undefined || r.peers === undefined) return 'n/a';
  return `${fmtNs(p.perOp.median)} (${fmtRatio(p.perOp.median / r.peers.purview.perOp.median)})`;
};

const rows: [string, string[]][] = [
  ['`can()` median (p99) of batches', col((r) => `${fmtNs(r.can!.perOp.median)} (${fmtNs(r.can!.perOp.p99)})`)],
  ['`can()` p99 of batches without GC or preemption', col((r) => fmtNs(r.can!.clean.p99))],
  ['`can()` on a working set of 1,000 queries', col((r) => fmtNs(r.can!.hot.median))],
  ['`can()` first queries after build (profiles compiled)', col((r) => fmtNs(r.can!.coldPerOp))],
  ['build from a plain policy (median)', col((r) => fmtMs(r.build!.median))],
  ['heap: policy + index after build', col((r) => delta(r, 'afterBuild'))],
  ['heap: after queries / after whoCan', col((r) => `${delta(r, 'afterQueries')} / ${delta(r, 'afterWhoCan')}`)],
  ['`groupsOf` median (p99)', col((r) => `${fmtMs(r.groupsOf!.latency.median)} (${fmtMs(r.groupsOf!.latency.p99)})`)],
  ['`whoCan` median (first call)', col((r) => `${fmtMs(r.whoCan!.latency.median)} (${fmtMs(r.whoCan!.first)})`)],
];
for (const kind of (rs[0]?.changes ?? []).map((c) => c.kind)) {
  rows.push([`${kind}: median / p99 / p99 without GC or preemption`, col((r) => change(r, kind, (c) => `${fmtMs(c.change.median)} / ${fmtMs(c.change.p99)} / ${fmtMs(c.clean.p99)}`))]);
}
rows.push(['first `can()` after addMember (lazy recompute), median', col((r) => change(r, 'addMember (user)', (c) => fmtMs(c.firstCan.median)))]);
rows.push(['first `can()` after nesting a group, median', col((r) => change(r, 'nest a group', (c) => fmtMs(c.firstCan.median)))]);
rows.push(['purview (core policy) on the peer queries', col((r) => fmtNs(r.peers!.purview.perOp.median))]);
rows.push(['casbin (ratio)', col((r) => peer(r, 'casbin'))]);
rows.push(['Cedar (ratio)', col((r) => peer(r, 'cedar'))]);
rows.push(['peer agreement', col((r) => `${r.peers!.agreement.all}/${r.peers!.queries}`)]);
rows.push(['reference evaluator agreement (full policy)', col((r) => `${r.reference!.agree}/${r.reference!.sample}`)]);
rows.push(['load average (start / end)', col((r) => `${(r.machine.loadAtStart ?? 0).toFixed(1)} / ${(r.machine.loadAtEnd ?? 0).toFixed(1)}`)]);
rows.push(['src/ fingerprint', col((r) => r.machine.src ?? 'n/a')]);

process.stdout.write(table(['figure', ...rs.map((r) => r.size)], rows.map(([k, v]) => [k, ...v])) + '\n');
