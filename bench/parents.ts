/*
 * Benchmark section `parents` (issue 12): parent-controlled types on the workload, a two-level
 * chain (contacts controlled by their account, notes controlled by their contact). `can()` on the
 * accounts themselves, on contacts (one parent) and on notes (two), and `filter()` of each type.
 */
import { createEngine, toPredicate } from '../src/index.js';
import type { PolicyInput } from '../src/model/policy-input.js';
import type { Resource } from '../src/model/resource.js';
import { latencies, nsPerOpBatches, stats, type Stats } from './measure.js';
import { ACTIONS, RESOURCE_TYPES, Rng, type Workload } from './workload.js';

export interface ParentsResult {
  readonly records: { readonly accounts: number; readonly contacts: number; readonly notes: number };
  /** can() ns/op (median of batches) per type, with the share allowed. */
  readonly can: readonly { readonly type: string; readonly perOp: Stats; readonly allowShare: number }[];
  /** filter() latency per type (ms), and how many of the type's records its predicate admits on average. */
  readonly filter: readonly { readonly type: string; readonly latency: Stats; readonly meanAdmitted: number }[];
}

const QUERIES = 20_000;

export function parentsBench(w: Workload, seed: number): ParentsResult {
  const rng = new Rng(seed);
  const policy: PolicyInput = {
    ...w.policy,
    resourceTypes: {
      ...RESOURCE_TYPES,
      contact: { actions: { view: 'read', edit: 'readWrite', delete: 'full' }, controlledBy: 'account' },
      note: { actions: { view: 'read', edit: 'readWrite', delete: 'full' }, controlledBy: 'contact' },
    },
  };
  const engine = createEngine({ policy });
  const accounts = w.records.filter((r) => r.type === 'account');
  const contacts: Resource[] = Array.from({ length: Math.min(QUERIES, accounts.length * 2) }, (_, i) => ({ type: 'contact', id: `c${i}`, parent: accounts[rng.int(accounts.length)] as Resource }));
  const notes: Resource[] = Array.from({ length: contacts.length }, (_, i) => ({ type: 'note', id: `n${i}`, parent: contacts[rng.int(contacts.length)] as Resource }));
  /** Queries on records: half by an owner of the top record (so that some are allowed), half by anyone. */
  const queriesOn = (records: readonly Resource[]): { users: string[]; actions: string[]; resources: Resource[] } => {
    const users: string[] = [];
    const actions: string[] = [];
    const resources: Resource[] = [];
    for (let i = 0; i < QUERIES; i++) {
      const r = records[rng.int(records.length)] as Resource;
      let top = r;
      while (top.parent !== undefined) top = top.parent;
      const owner = top.owner !== undefined && 'user' in top.owner ? top.owner.user : undefined;
      users.push(owner !== undefined && rng.chance(0.5) ? owner : (w.userIds[rng.int(w.userIds.length)] as string));
      actions.push(rng.pick(ACTIONS));
      resources.push(r);
    }
    return { users, actions, resources };
  };
  const can = [
    { type: 'account', records: accounts },
    { type: 'contact', records: contacts },
    { type: 'note', records: notes },
  ].map(({ type, records }) => {
    const q = queriesOn(records);
    const run = (from: number, to: number): number => {
      let n = 0;
      for (let i = from; i < to; i++) if (engine.can(q.users[i] as string, q.actions[i] as string, q.resources[i] as Resource)) n++;
      return n;
    };
    run(0, QUERIES); // warm-up
    const passes = 5;
    const r = nsPerOpBatches(QUERIES, 1_000, passes, run);
    return { type, perOp: r.perOp, allowShare: r.sink / (QUERIES * passes) };
  });
  const byType = new Map<string, readonly Resource[]>([['account', accounts], ['contact', contacts], ['note', notes]]);
  const filter = ['account', 'contact', 'note'].map((type) => {
    const users = Array.from({ length: 200 }, () => w.userIds[rng.int(w.userIds.length)] as string);
    for (const u of users.slice(0, 20)) engine.filter(u, 'view', type); // warm
    const latency = latencies(users.length, (i) => engine.filter(users[i] as string, 'view', type));
    const sample = (byType.get(type) ?? []).slice(0, 2_000);
    const admitted = users.slice(0, 20).map((u) => sample.filter(toPredicate(engine.filter(u, 'view', type))).length);
    return { type, latency, meanAdmitted: stats(admitted).median };
  });
  return { records: { accounts: accounts.length, contacts: contacts.length, notes: notes.length }, can, filter };
}
