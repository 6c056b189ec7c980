/*
 * Comparisons used by the property tests: an engine against the reference evaluator, and an
 * engine against another engine. Each returns a list of readable mismatches (empty when they
 * agree), capped so that a broken engine does not print megabytes.
 */
import type { PolicyInput } from '../../src/model/policy-input.js';
import type { Resource } from '../../src/model/resource.js';
import type { Level } from '../../src/model/level.js';
import type { Decision, Reason } from '../../src/decide/decision.js';
import type { Queries } from '../../src/engine/types.js';
import { RefInvalidInput, maxLevel, rank, refCheck, refEffectiveOwners, refGroupsOf, refMembersOf, refMembershipPathProblems, refPathProblems, refWhoCan, type Source } from './evaluator.js';

const MAX_MISMATCHES = 8;
const UNDECLARED = 'no-such-action';

/** Every id worth asking about: the ids of the policy plus extra ones (pools, unknown ids). */
function idsOf(list: readonly { readonly id: string }[] | undefined, extra: readonly string[]): string[] {
  return [...new Set([...(list ?? []).map((x) => x.id), ...extra])].sort();
}

function actionsOf(policy: PolicyInput, type: string): string[] {
  const t = new Map(Object.entries(policy.resourceTypes)).get(type);
  return t === undefined ? [] : Object.keys(t.actions);
}

const show = (v: unknown): string => JSON.stringify(v);
const same = (a: unknown, b: unknown): boolean => show(a) === show(b);

/** What happens when an engine call runs: its value, or the name of the error it threw. */
function attempt<T>(f: () => T): { ok: true; value: T } | { ok: false; error: string; message: string } {
  try {
    return { ok: true, value: f() };
  } catch (e) {
    return { ok: false, error: e instanceof Error ? e.name : String(e), message: e instanceof Error ? e.message : String(e) };
  }
}

/** The highest level per source among a decision's reasons, ignoring `none`. */
function levelsBySource(reasons: readonly { readonly source: string; readonly level: Level }[]): Map<string, Level> {
  const m = new Map<string, Level>();
  for (const r of reasons) {
    if (r.level === 'none') continue;
    m.set(r.source, maxLevel([m.get(r.source) ?? 'none', r.level]));
  }
  return m;
}

const SOURCES: readonly Source[] = ['owner', 'group-owner', 'hierarchy', 'default', 'sharing-rule', 'access-group', 'record-share', 'parent'];

/**
 * Invariants of one decision on its own (property (c)): when allowed, `level` is the highest
 * level among the reasons and reaches `required`; when denied, `denial` is set.
 */
export function decisionInvariants(d: Decision): string[] {
  const out: string[] = [];
  const top = maxLevel(d.reasons.map((r) => r.level));
  if (d.allowed) {
    if (d.denial !== undefined) out.push(`allowed but denial ${d.denial}`);
    if (d.level !== top) out.push(`allowed with level ${d.level} but reasons reach ${top}`);
    if (rank(d.level) < rank(d.required)) out.push(`allowed with level ${d.level} below required ${d.required}`);
  } else {
    if (d.denial === undefined) out.push('denied without a denial code');
    if (d.denial === 'record-access') {
      if (d.level !== top) out.push(`record-access denial with level ${d.level} but reasons reach ${top}`);
      if (rank(d.level) >= rank(d.required)) out.push(`denied with level ${d.level} reaching required ${d.required}`);
    } else if (d.level !== 'none') out.push(`denied at ${String(d.denial)} with level ${d.level}, expected none`);
  }
  for (const r of d.reasons) if (r.path.length > 0 && (r.path[0]?.kind !== 'user' || r.path[0].id !== d.user)) out.push(`reason ${show(r)} does not start at the user`);
  return out;
}

export interface CompareOptions {
  /** Extra user ids to ask about (unknown users, pool ids). */
  readonly users: readonly string[];
  /** Extra group ids to ask about. */
  readonly groups: readonly string[];
  /** Also check `explain` does not throw (slower). */
  readonly explain?: boolean;
  /** The instant (epoch ms) the engine answers at, for the reference; default now. */
  readonly at?: number;
}

/** Counts of what a comparison covered, for the test's summary. */
export const coverage = { checks: 0, allowed: 0, denials: new Map<string, number>(), sources: new Map<string, number>(), queries: 0 };

/** Compares an engine with the reference evaluator on every query over `policy` and `resources`. */
const INVALID: unique symbol = Symbol('invalid');

/** A reference answer, or INVALID when the reference refuses the input (RefInvalidInput). */
function refOrInvalid<T>(f: () => T): T | typeof INVALID {
  try {
    return f();
  } catch (e) {
    if (e instanceof RefInvalidInput) return INVALID;
    throw e;
  }
}

export function compareWithReference(engine: Queries, policy: PolicyInput, resources: readonly Resource[], opts: CompareOptions): string[] {
  const out: string[] = [];
  const users = idsOf(policy.users, opts.users);
  const groups = idsOf(policy.groups, opts.groups);
  const push = (s: string): boolean => {
    out.push(s);
    return out.length >= MAX_MISMATCHES;
  };

  for (const u of users) {
    coverage.queries++;
    const got = attempt(() => engine.groupsOf(u));
    const want = refGroupsOf(policy, u);
    if (!got.ok || !same(got.value, want)) if (push(`groupsOf(${show(u)}): engine ${show(got)}, reference ${show(want)}`)) return out;
    const withPaths = attempt(() => engine.groupsOf(u, { paths: true }));
    if (!withPaths.ok || !same(withPaths.value.map((m) => m.group), want)) {
      if (push(`groupsOf(${show(u)}, { paths: true }): engine ${show(withPaths)}, reference ${show(want)}`)) return out;
    } else {
      for (const m of withPaths.value) {
        for (const problem of refMembershipPathProblems(policy, u, m.group, m.path)) {
          if (push(`groupsOf(${show(u)}, { paths: true }): path to ${show(m.group)} ${show(m.path)}: ${problem}`)) return out;
        }
      }
    }
  }
  for (const g of groups) {
    coverage.queries++;
    const got = attempt(() => engine.membersOf(g));
    const want = refMembersOf(policy, g);
    if (!got.ok || !same(got.value, want)) if (push(`membersOf(${show(g)}): engine ${show(got)}, reference ${show(want)}`)) return out;
  }

  for (const r of resources) {
    coverage.queries++;
    const owners = attempt(() => engine.effectiveOwners(r));
    // A record the reference finds malformed (a record of a controlled type without its parent, say) must be an InvalidInputError.
    const wantOwners = refOrInvalid(() => refEffectiveOwners(policy, r));
    if (wantOwners === INVALID) {
      if (owners.ok || owners.error !== 'InvalidInputError') if (push(`effectiveOwners(${show(r)}): engine ${show(owners)}, expected InvalidInputError`)) return out;
    } else if (!owners.ok || !same(owners.value, wantOwners)) {
      if (push(`effectiveOwners(${show(r)}): engine ${show(owners)}, reference ${show(wantOwners)}`)) return out;
    }
    for (const action of [...actionsOf(policy, r.type), UNDECLARED]) {
      const declared = action !== UNDECLARED;
      coverage.queries++;
      const who = attempt(() => engine.whoCan(action, r));
      if (!declared) {
        if (who.ok || who.error !== 'InvalidInputError') if (push(`whoCan(${show(action)}, ${show(r)}) of an undeclared action: engine ${show(who)}, expected InvalidInputError`)) return out;
      } else {
        const wantWho = refOrInvalid(() => refWhoCan(policy, action, r, opts.at));
        if (wantWho === INVALID) {
          if (who.ok || who.error !== 'InvalidInputError') if (push(`whoCan(${show(action)}, ${show(r)}): engine ${show(who)}, expected InvalidInputError`)) return out;
        } else if (!who.ok || !same(who.value, wantWho)) if (push(`whoCan(${show(action)}, ${show(r)}): engine ${show(who)}, reference ${show(wantWho)}`)) return out;
      }
      for (const u of users) {
        coverage.checks++;
        const label = `check(${show(u)}, ${show(action)}, ${show(r)})`;
        const got = attempt(() => engine.check(u, action, r));
        const can = attempt(() => engine.can(u, action, r));
        let want;
        try {
          want = refCheck(policy, u, action, r, opts.at);
        } catch (e) {
          if (!(e instanceof RefInvalidInput)) throw e;
          if (got.ok || got.error !== 'InvalidInputError') if (push(`${label}: engine ${show(got)}, expected InvalidInputError`)) return out;
          if (can.ok || can.error !== 'InvalidInputError') if (push(`can of ${label}: engine ${show(can)}, expected InvalidInputError`)) return out;
          continue;
        }
        if (!got.ok) {
          if (push(`${label}: engine threw ${got.error}: ${got.message}`)) return out;
          continue;
        }
        const d = got.value;
        for (const [source] of levelsBySource(want.sources)) coverage.sources.set(source, (coverage.sources.get(source) ?? 0) + 1);
        if (d.allowed) coverage.allowed++;
        else coverage.denials.set(String(d.denial), (coverage.denials.get(String(d.denial)) ?? 0) + 1);
        const summary = (x: { allowed: boolean; denial?: string | undefined; level: Level; required: Level }): string =>
          show({ allowed: x.allowed, denial: x.denial, level: x.level, required: x.required });
        if (summary(d) !== summary(want)) {
          if (push(`${label}: engine ${summary(d)}, reference ${summary(want)} (engine reasons ${show(d.reasons)}, reference sources ${show(want.sources)})`)) return out;
          continue;
        }
        if (!can.ok || can.value !== d.allowed) if (push(`can of ${label}: ${show(can)} but check says ${String(d.allowed)}`)) return out;
        const gotBy = levelsBySource(d.reasons);
        const wantBy = levelsBySource(want.sources);
        for (const s of SOURCES) {
          if (gotBy.get(s) !== wantBy.get(s)) {
            if (push(`${label}: source ${s} engine ${String(gotBy.get(s))}, reference ${String(wantBy.get(s))} (engine reasons ${show(d.reasons)})`)) return out;
          }
        }
        for (const problem of decisionInvariants(d)) if (push(`${label}: ${problem} (decision ${show(d)})`)) return out;
        for (const problem of refPathProblems(policy, u, r, d.reasons)) if (push(`${label}: proof: ${problem}`)) return out;
        if (opts.explain === true) {
          const text = attempt(() => engine.explain(u, action, r));
          if (!text.ok || typeof text.value !== 'string' || text.value.length === 0) if (push(`explain of ${label}: ${show(text)}`)) return out;
        }
      }
    }
  }
  return out;
}

/**
 * The parts of a decision that two engines on equal policies must agree on: not the revision, nor
 * the proof paths, nor the `until`s that follow from them (two engines may pick different paths of
 * the same length: their interners number groups in different orders).
 */
function decisionShape(d: Decision): unknown {
  const reasons = d.reasons
    .map((r: Reason) => show({ source: r.source, level: r.level, rule: r.rule, accessGroup: r.accessGroup, via: r.via, share: r.share }))
    .sort();
  return { allowed: d.allowed, denial: d.denial, level: d.level, required: d.required, reasons };
}

/** Compares two engines (say, one updated incrementally and one built from scratch) on every query. */
export function compareEngines(a: Queries, b: Queries, policy: PolicyInput, resources: readonly Resource[], opts: CompareOptions): string[] {
  const out: string[] = [];
  const users = idsOf(policy.users, opts.users);
  const groups = idsOf(policy.groups, opts.groups);
  const check = (label: string, f: (q: Queries) => unknown): boolean => {
    const x = attempt(() => f(a));
    const y = attempt(() => f(b));
    const norm = (r: typeof x): string => (r.ok ? show(r.value) : `throws ${r.error}`);
    if (norm(x) !== norm(y)) out.push(`${label}: updated engine ${norm(x)}, fresh engine ${norm(y)}`);
    return out.length >= MAX_MISMATCHES;
  };
  for (const u of users) if (check(`groupsOf(${show(u)})`, (q) => q.groupsOf(u))) return out;
  for (const g of groups) if (check(`membersOf(${show(g)})`, (q) => q.membersOf(g))) return out;
  for (const r of resources) {
    if (check(`effectiveOwners(${show(r)})`, (q) => q.effectiveOwners(r))) return out;
    for (const action of [...actionsOf(policy, r.type), UNDECLARED]) {
      if (check(`whoCan(${show(action)}, ${show(r)})`, (q) => q.whoCan(action, r))) return out;
      for (const u of users) {
        if (check(`check(${show(u)}, ${show(action)}, ${show(r)})`, (q) => decisionShape(q.check(u, action, r)))) return out;
        if (check(`can(${show(u)}, ${show(action)}, ${show(r)})`, (q) => q.can(u, action, r))) return out;
      }
    }
  }
  return out;
}
