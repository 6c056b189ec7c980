/*
 * SPEC section 9, "Time-bound entries", for the reference evaluator: the policy as it stands at
 * one instant. Written from the text, independently of src/:
 *
 * - an entry (a member entry, a sharing rule, an access-group grant) is in effect at `t` when
 *   `since <= t < until`, a missing bound being open;
 * - an entry not in effect counts for nothing: it is dropped;
 * - an entry in effect counts as the plain entry it would be without bounds;
 * - instants compare as points in time: they are read with `Date.parse` (every instant the tests
 *   write is one it reads exactly).
 *
 * What is left is a policy of sections 2-5, which evaluator.ts answers.
 */
import type { AccessGroupInput, GroupInput, PolicyInput, SharingRuleInput } from '../../src/model/policy-input.js';

type Bounded = { readonly since?: string; readonly until?: string };

function ms(instant: string): number {
  const t = Date.parse(instant);
  if (Number.isNaN(t)) throw new Error(`reference: not an instant: ${instant}`);
  return t;
}

/** Whether an entry with these bounds is in effect at `t`. */
export function inEffectAt(b: Bounded, t: number): boolean {
  return (b.since === undefined || ms(b.since) <= t) && (b.until === undefined || t < ms(b.until));
}

function members(list: readonly (string | ({ readonly id: string } & Bounded))[] | undefined, t: number): string[] | undefined {
  if (list === undefined) return undefined;
  const out: string[] = [];
  for (const e of list) {
    if (typeof e === 'string') out.push(e);
    else if (inEffectAt(e, t)) out.push(e.id);
  }
  // The same id listed by several entries in effect is one member.
  return [...new Set(out)];
}

function groupAt(g: GroupInput, t: number): GroupInput {
  const m = g.members;
  if (m === undefined) return g;
  const out: Record<string, string[]> = {};
  for (const key of ['users', 'roles', 'rolesAndSubordinates', 'groups'] as const) {
    const l = members(m[key], t);
    if (l !== undefined) out[key] = l;
  }
  return { ...g, members: out };
}

function ruleAt(r: SharingRuleInput, t: number): SharingRuleInput | undefined {
  if (!inEffectAt(r, t)) return undefined;
  const { since: _s, until: _u, ...rest } = r;
  return rest;
}

function accessGroupAt(a: AccessGroupInput, t: number): AccessGroupInput {
  if (a.grants === undefined) return a;
  return { ...a, grants: a.grants.filter((g) => inEffectAt(g, t)).map(({ since: _s, until: _u, ...g }) => g) };
}

/** The policy at instant `t` (epoch milliseconds): what counts then, and nothing about time. */
export function policyAt(policy: PolicyInput, t: number): PolicyInput {
  return {
    ...policy,
    ...(policy.groups === undefined ? {} : { groups: policy.groups.map((g) => groupAt(g, t)) }),
    ...(policy.sharingRules === undefined ? {} : { sharingRules: policy.sharingRules.map((r) => ruleAt(r, t)).filter((r): r is SharingRuleInput => r !== undefined) }),
    ...(policy.accessGroups === undefined ? {} : { accessGroups: policy.accessGroups.map((a) => accessGroupAt(a, t)) }),
  };
}

/**
 * The `until` a membership step must carry (SPEC: "a reason that an entry with an until gave
 * carries that until"): among the entries of `list` naming `id` in effect at `t`, none when one
 * has no `until`, else the latest `until` (as epoch milliseconds).
 */
export function stepUntil(list: readonly (string | ({ readonly id: string } & Bounded))[], id: string, t: number): number | undefined {
  let best: number | undefined;
  for (const e of list) {
    if (typeof e === 'string') {
      if (e === id) return undefined;
      continue;
    }
    if (e.id !== id || !inEffectAt(e, t)) continue;
    if (e.until === undefined) return undefined;
    best = Math.max(best ?? -Infinity, ms(e.until));
  }
  return best;
}
