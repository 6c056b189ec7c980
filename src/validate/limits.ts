import { LimitError, quote } from '../errors/errors.js';
import type { Id } from '../model/ids.js';
import type { Policy } from '../model/policy.js';
import { describe, expectObject, fail, onlyKeys, own } from '../model/shape.js';

/**
 * Bounds on the size and shape of a policy, so that an untrusted or runaway policy fails with a
 * clear error instead of exhausting memory or time. The defaults admit very large policies
 * (and a 100,000-deep group chain); lower them where policies come from outside.
 */
export interface Limits {
  /** Most entities (tenants, roles, users, groups, sharing rules, access groups) in all. Default 10,000,000. */
  readonly maxEntities?: number;
  /** Most member entries in one group (all four lists together). Default 1,000,000. */
  readonly maxGroupMembers?: number;
  /** Most groups in one chain of nesting. Default 1,000,000. */
  readonly maxNestingDepth?: number;
}

/** The limits with every default filled in. */
export type ResolvedLimits = Required<Limits>;

/** Checks a `limits` option: each limit a whole number of 1 or more, or Infinity. */
export function checkLimits(value: unknown): void {
  if (value === undefined) return;
  const o = expectObject(value, ['limits'], 'an object of limits');
  onlyKeys(o, ['maxEntities', 'maxGroupMembers', 'maxNestingDepth'], ['limits']);
  for (const key of Object.keys(o)) {
    const v = own(o, key);
    if (v === undefined) continue;
    if (typeof v !== 'number' || !(v === Infinity || (Number.isSafeInteger(v) && v >= 1))) {
      fail(['limits', key], `expected a whole number of 1 or more (or Infinity), got ${describe(v)}`);
    }
  }
}

/** Fills in the defaults. */
export function resolveLimits(limits: Limits | undefined): ResolvedLimits {
  return {
    maxEntities: limits?.maxEntities ?? 10_000_000,
    maxGroupMembers: limits?.maxGroupMembers ?? 1_000_000,
    maxNestingDepth: limits?.maxNestingDepth ?? 1_000_000,
  };
}

/** Checks the entity count. */
export function checkEntityCount(policy: Policy, limits: ResolvedLimits): void {
  const n =
    policy.tenants.size + policy.roles.size + policy.users.size + policy.groups.size + policy.sharingRules.size + policy.accessGroups.size;
  if (n > limits.maxEntities) throw new LimitError({ limit: 'maxEntities', max: limits.maxEntities, message: `the policy has ${n} entities` });
}

/** Checks one group's member count. */
export function checkGroupMembers(policy: Policy, id: Id, limits: ResolvedLimits): void {
  const m = policy.groups.get(id)?.members;
  if (m === undefined) return;
  const n = m.users.length + m.roles.length + m.rolesAndSubordinates.length + m.groups.length;
  if (n > limits.maxGroupMembers) {
    throw new LimitError({ limit: 'maxGroupMembers', max: limits.maxGroupMembers, message: `group ${quote(id)} has ${n} members`, ids: [id], path: ['groups', id, 'members'] });
  }
}

/**
 * The longest chain of nested groups going down from each of `starts` (counting the group
 * itself), by iterative depth-first search with memo. Requires an acyclic nesting.
 */
function depthsDown(policy: Policy, starts: Iterable<Id>, memo: Map<Id, number>): void {
  for (const start of starts) {
    if (memo.has(start)) continue;
    const stack: { id: Id; next: number }[] = [{ id: start, next: 0 }];
    while (stack.length > 0) {
      const top = stack[stack.length - 1] as { id: Id; next: number };
      const children = policy.groups.get(top.id)?.members.groups ?? [];
      if (top.next < children.length) {
        const child = children[top.next++] as Id;
        if (!memo.has(child)) stack.push({ id: child, next: 0 });
        continue;
      }
      let best = 0;
      for (const c of children) best = Math.max(best, memo.get(c) ?? 0);
      memo.set(top.id, best + 1);
      stack.pop();
    }
  }
}

/** Checks the nesting depth of the whole policy. */
export function checkNestingDepth(policy: Policy, limits: ResolvedLimits): void {
  if (limits.maxNestingDepth >= policy.groups.size) return;
  const memo = new Map<Id, number>();
  depthsDown(policy, policy.groups.keys(), memo);
  for (const [id, depth] of memo) {
    if (depth > limits.maxNestingDepth) {
      throw new LimitError({ limit: 'maxNestingDepth', max: limits.maxNestingDepth, message: `group ${quote(id)} has ${depth} levels of nested groups`, ids: [id], path: ['groups', id] });
    }
  }
}

/** Checks the nesting depth through one changed group: the longest chain above it plus below it. */
export function checkNestingDepthAt(policy: Policy, id: Id, parentsOf: (id: Id) => Iterable<Id>, limits: ResolvedLimits): void {
  if (limits.maxNestingDepth >= policy.groups.size) return;
  const down = new Map<Id, number>();
  depthsDown(policy, [id], down);
  // Longest chain of containers above `id`, breadth-first by levels (acyclic, so it ends).
  let up = 0;
  let level = new Set<Id>([id]);
  while (level.size > 0 && up <= limits.maxNestingDepth) {
    const next = new Set<Id>();
    for (const g of level) for (const p of parentsOf(g)) next.add(p);
    if (next.size > 0) up++;
    level = next;
  }
  const depth = up + (down.get(id) ?? 1);
  if (depth > limits.maxNestingDepth) {
    throw new LimitError({ limit: 'maxNestingDepth', max: limits.maxNestingDepth, message: `nesting through group ${quote(id)} would be ${depth} levels deep`, ids: [id], path: ['groups', id] });
  }
}
