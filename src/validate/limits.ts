import { memberIds } from '../model/member-entry.js';
import { LimitError, quote } from '../errors/errors.js';
import { validationStats } from './cycles.js';
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
      const listed = policy.groups.get(top.id)?.members.groups;
      const children = listed === undefined ? [] : memberIds(listed);
      if (top.next < children.length) {
        const child = children[top.next++] as Id;
        if (!memo.has(child)) {
          validationStats.groupVisits++;
          stack.push({ id: child, next: 0 });
        }
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

/**
 * A checker of the nesting depth through changed groups: for each group asked about, the longest
 * chain of containers above it plus the longest chain below it (counting the group itself). Both
 * are memoised across every group of one change, so validating a change visits each group above
 * or below the changed ones once, however many of them there are. Chains are counted up to the
 * limit and one more (enough to refuse); a loop above a group counts as too deep. Call it for a
 * group only once the nesting below that group is known to be acyclic.
 */
export function nestingDepthChecker(policy: Policy, parentsOf: (id: Id) => Iterable<Id>, limits: ResolvedLimits): (id: Id) => void {
  if (limits.maxNestingDepth >= policy.groups.size) return () => undefined;
  const cap = limits.maxNestingDepth + 1;
  const down = new Map<Id, number>();
  const up = new Map<Id, number>();
  /** Longest chain of containers above `start`, capped, by iterative depth-first search with memo. */
  const upFrom = (start: Id): number => {
    const known = up.get(start);
    if (known !== undefined) return known;
    const onPath = new Set<Id>([start]);
    const stack: { id: Id; parents: Iterator<Id>; best: number }[] = [{ id: start, parents: parentsOf(start)[Symbol.iterator](), best: 0 }];
    while (stack.length > 0) {
      const top = stack[stack.length - 1] as { id: Id; parents: Iterator<Id>; best: number };
      const step = top.best >= cap ? undefined : top.parents.next();
      if (step !== undefined && step.done !== true) {
        const p = step.value;
        const memo = up.get(p);
        if (memo !== undefined) top.best = Math.max(top.best, Math.min(cap, memo + 1));
        else if (onPath.has(p)) top.best = cap; // a loop above: too deep by any count
        else {
          onPath.add(p);
          validationStats.groupVisits++;
          stack.push({ id: p, parents: parentsOf(p)[Symbol.iterator](), best: 0 });
        }
        continue;
      }
      up.set(top.id, top.best);
      onPath.delete(top.id);
      stack.pop();
      const below = stack[stack.length - 1];
      if (below !== undefined) below.best = Math.max(below.best, Math.min(cap, top.best + 1));
    }
    return up.get(start) ?? 0;
  };
  return (id) => {
    depthsDown(policy, [id], down);
    const above = upFrom(id);
    const depth = above + (down.get(id) ?? 1);
    if (depth > limits.maxNestingDepth) {
      const what = above >= cap ? `more than ${limits.maxNestingDepth}` : String(depth);
      throw new LimitError({ limit: 'maxNestingDepth', max: limits.maxNestingDepth, message: `nesting through group ${quote(id)} would be ${what} levels deep`, ids: [id], path: ['groups', id] });
    }
  };
}
