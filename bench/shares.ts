/*
 * The record-shares section of the benchmark (issue 12): the workload's records, each given 0-5
 * shares (to users, roles, role subtrees and groups of the workload; a third bounded in time, some
 * expired), measured beside the same records without shares.
 *
 *   can()     the same balanced queries (half allowed on the plain records), on the plain records
 *             and on their shared copies, passes interleaved so that both see the same machine;
 *   filter()  building the filter of random users, and testing the filter's predicate on records
 *             with and without shares.
 */
import { toPredicate } from '../src/index.js';
import type { Engine } from '../src/engine/types.js';
import type { Principal } from '../src/model/principal.js';
import type { Resource, Share, ShareLevel } from '../src/model/resource.js';
import { fmtInt, fmtNs, latencies, nsPerOpBatches, stats, type Stats } from './measure.js';
import { ACTIONS, balancedQueries, Rng, TYPE_NAMES, type Queries, type Workload } from './workload.js';

export interface SharesResult {
  readonly records: number;
  readonly meanShares: number;
  readonly queries: number;
  readonly can: { readonly fresh: Stats; readonly plain: Stats; readonly shared: Stats; readonly allowedPlain: number; readonly allowedShared: number };
  readonly filter: { readonly users: number; readonly build: Stats; readonly meanClauses: number; readonly predicatePlain: Stats; readonly predicateShared: Stats };
}

const LEVELS: readonly ShareLevel[] = ['read', 'readWrite', 'full'];

/** 0-5 random shares of the workload's principals; a third bounded (open, still running, or expired). */
function sharesFor(w: Workload, rng: Rng): Share[] {
  const out: Share[] = [];
  for (let n = rng.int(6); n > 0; n--) {
    let to: Principal;
    const k = rng.int(4);
    if (k === 0 || w.roleIds.length === 0) to = { user: rng.pick(w.userIds) };
    else if (k === 1) to = { role: rng.pick(w.roleIds) };
    else if (k === 2) to = { roleAndSubordinates: rng.pick(w.roleIds) };
    else to = { group: rng.pick(w.groupIds) };
    const level = rng.pick(LEVELS);
    const b = rng.int(6);
    out.push(b === 0 ? { to, level, until: '2999-12-31T00:00:00Z' } : b === 1 ? { to, level, since: '2020-01-01T00:00:00Z', until: '2021-01-01T00:00:00Z' } : { to, level });
  }
  return out;
}

function run(engine: Engine, q: Queries, resources: readonly Resource[], from: number, to: number): number {
  let allowed = 0;
  for (let i = from; i < to; i++) if (engine.can(q.users[i] as string, q.actions[i] as string, resources[i] as Resource)) allowed++;
  return allowed;
}

/** Runs the section. */
export function sharesSection(engine: Engine, w: Workload, seed: number, queries: number, log: (s: string) => void): SharesResult {
  const rng = new Rng(seed + 11);
  const shared = new Map<Resource, Resource>();
  let total = 0;
  for (const r of w.records) {
    const shares = sharesFor(w, rng);
    total += shares.length;
    shared.set(r, { ...r, shares });
  }
  const q = balancedQueries(w, queries, seed + 12, (u, a, r) => engine.can(u, a, r));
  const plainRes = q.resources;
  const sharedRes = q.resources.map((r) => shared.get(r) ?? r);
  const passes = Math.max(3, Math.ceil(1_000_000 / q.users.length));
  // First the plain records alone, before any record with shares reaches the engine: property
  // loads in the request reader still see the workload's shapes only.
  run(engine, q, plainRes, 0, plainRes.length);
  run(engine, q, plainRes, 0, plainRes.length);
  const fresh = nsPerOpBatches(q.users.length, 1_000, passes, (from, to) => run(engine, q, plainRes, from, to));
  // Then both, interleaved so that both see the same machine (and the same, now more varied, shapes).
  for (let i = 0; i < 2; i++) {
    run(engine, q, plainRes, 0, plainRes.length);
    run(engine, q, sharedRes, 0, sharedRes.length);
  }
  const plainSamples: number[] = [];
  const sharedSamples: number[] = [];
  let allowedPlain = 0;
  let allowedShared = 0;
  for (let p = 0; p < passes; p++) {
    const a = nsPerOpBatches(q.users.length, 1_000, 1, (from, to) => run(engine, q, plainRes, from, to));
    const b = nsPerOpBatches(q.users.length, 1_000, 1, (from, to) => run(engine, q, sharedRes, from, to));
    plainSamples.push(...a.samples);
    sharedSamples.push(...b.samples);
    allowedPlain += a.sink;
    allowedShared += b.sink;
  }
  const can = { fresh: fresh.perOp, plain: stats(plainSamples), shared: stats(sharedSamples), allowedPlain: allowedPlain / (passes * q.users.length), allowedShared: allowedShared / (passes * q.users.length) };
  log(`shares: can() median ${fmtNs(can.fresh.median)}/op without shares before records with shares are seen, ${fmtNs(can.plain.median)}/op after, ${fmtNs(can.shared.median)}/op with 0-5 (${(total / w.records.length).toFixed(1)} on average); allowed ${(can.allowedPlain * 100).toFixed(1)}% / ${(can.allowedShared * 100).toFixed(1)}%`);

  // filter(): random users, every type, `view`; then its predicate over records with and without shares.
  const users = Array.from({ length: 200 }, () => rng.pick(w.userIds));
  const type = TYPE_NAMES[0] as string;
  let clauses = 0;
  const filters = users.map((u) => engine.filter(u, ACTIONS[0] as string, type));
  for (const f of filters) clauses += f.anyOf.length;
  const build = latencies(users.length, (i) => engine.filter(users[i] as string, ACTIONS[0] as string, type));
  const sample = w.records.filter((r) => r.type === type).slice(0, 2_000);
  const sampleShared = sample.map((r) => shared.get(r) ?? r);
  const preds = filters.map((f) => toPredicate(f));
  const predicate = (records: readonly Resource[]): Stats => {
    const samples: number[] = [];
    for (let rep = 0; rep < 3; rep++) {
      for (const pass of preds) {
        const t = nsPerOpBatches(records.length, records.length, 1, () => {
          let n = 0;
          for (const r of records) if (pass(r)) n++;
          return n;
        });
        samples.push(...t.samples);
      }
    }
    return stats(samples);
  };
  predicate(sample);
  predicate(sampleShared);
  const filter = { users: users.length, build, meanClauses: clauses / users.length, predicatePlain: predicate(sample), predicateShared: predicate(sampleShared) };
  log(`shares: filter() median ${build.median.toFixed(3)} ms (${filter.meanClauses.toFixed(1)} clauses); its predicate ${fmtNs(filter.predicatePlain.median)}/record without shares, ${fmtNs(filter.predicateShared.median)}/record with`);
  return { records: w.records.length, meanShares: total / w.records.length, queries: q.users.length, can, filter };
}

/** The section's part of the markdown report. */
export function sharesReport(r: SharesResult): string {
  const row = (what: string, x: Stats, unit: (n: number) => string): string => `| ${what} | ${unit(x.median)} | ${unit(x.p99)} |`;
  const lines = [
    `Record shares: the ${fmtInt(r.records)} records given 0-5 shares each (${r.meanShares.toFixed(1)} on average; a third bounded in time), beside the same records without (${fmtInt(r.queries)} balanced queries for \`can()\`, ${r.filter.users} users for \`filter()\`):`,
    '',
    '| query | median | p99 |',
    '| --- | --- | --- |',
    row('`can()`, records without shares, before any record with shares is seen (the baseline)', r.can.fresh, fmtNs),
    row('`can()`, records without shares, after (interleaved with the next row)', r.can.plain, fmtNs),
    row('`can()`, records with 0-5 shares', r.can.shared, fmtNs),
    row("`filter()`'s predicate, per record without shares", r.filter.predicatePlain, fmtNs),
    row("`filter()`'s predicate, per record with 0-5 shares", r.filter.predicateShared, fmtNs),
    '',
    `The first two rows differ only in what the engine had seen before them: records of twice as many shapes can make its property loads polymorphic. \`filter()\` itself does not depend on the records: median ${r.filter.build.median.toFixed(3)} ms, p99 ${r.filter.build.p99.toFixed(3)} ms, ${r.filter.meanClauses.toFixed(1)} clauses on average. Allowed: ${(r.can.allowedPlain * 100).toFixed(1)}% without shares, ${(r.can.allowedShared * 100).toFixed(1)}% with.`,
  ];
  return lines.join('\n');
}
