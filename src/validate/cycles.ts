import { entryId } from '../model/member-entry.js';
import type { MemberEntry } from '../model/policy.js';
import { GroupCycleError, RoleCycleError, TenantCycleError } from '../errors/errors.js';
import type { Id } from '../model/ids.js';
import type { Policy } from '../model/policy.js';

/** Test-only counters (read by the cost tests from this internal module, not the public API). */
export const validationStats = { groupVisits: 0 };

/**
 * The cycle that walking `parent` links up from `start` runs into, in order with its first
 * element repeated last, or `undefined`. Iterative: deep hierarchies cannot overflow the stack.
 */
export function parentCycleFrom(start: Id, parentOf: (id: Id) => Id | undefined, good?: Set<Id>): Id[] | undefined {
  const order: Id[] = [];
  const at = new Map<Id, number>();
  let cur: Id | undefined = start;
  while (cur !== undefined && !(good?.has(cur) ?? false)) {
    const seenAt = at.get(cur);
    if (seenAt !== undefined) return [...order.slice(seenAt), cur];
    at.set(cur, order.length);
    order.push(cur);
    cur = parentOf(cur);
  }
  // Everything walked leads to a root (or to a role already known to): remember it.
  if (good !== undefined) for (const id of order) good.add(id);
  return undefined;
}

/** Throws {@link RoleCycleError} when the role hierarchy above `start` loops. */
export function checkRoleCycleFrom(policy: Policy, start: Id, good?: Set<Id>): void {
  const cycle = parentCycleFrom(start, (id) => policy.roles.get(id)?.parent, good);
  if (cycle !== undefined) throw new RoleCycleError({ cycle, path: ['roles', start, 'parent'] });
}

/** Throws when the tenant tree above `start` loops. */
export function checkTenantCycleFrom(policy: Policy, start: Id, good?: Set<Id>): void {
  const cycle = parentCycleFrom(start, (id) => policy.tenants.get(id)?.parent, good);
  if (cycle !== undefined) {
    throw new TenantCycleError({ cycle, path: ['tenants', start, 'parent'] });
  }
}

/**
 * Throws {@link GroupCycleError} when group `start` contains itself through `members.groups`.
 * Depth-first with an explicit stack, so that 100,000 nested groups are fine; visits only
 * the groups nested inside `start`, each once.
 */
export function checkGroupCycleFrom(policy: Policy, start: Id, done?: Set<Id>): void {
  // Each frame: a group and the index of the next child to visit.
  const stack: { id: Id; next: number }[] = [{ id: start, next: 0 }];
  const onPath = new Set<Id>([start]);
  const visited = done ?? new Set<Id>();
  while (stack.length > 0) {
    const top = stack[stack.length - 1] as { id: Id; next: number };
    const children = policy.groups.get(top.id)?.members.groups ?? [];
    if (top.next >= children.length) {
      stack.pop();
      onPath.delete(top.id);
      visited.add(top.id);
      continue;
    }
    const child = entryId(children[top.next++] as MemberEntry);
    if (onPath.has(child)) {
      const from = stack.findIndex((f) => f.id === child);
      const cycle = [...stack.slice(from).map((f) => f.id), child];
      throw new GroupCycleError({ cycle, path: ['groups', top.id, 'members', 'groups', top.next - 1] });
    }
    if (visited.has(child)) continue;
    validationStats.groupVisits++;
    onPath.add(child);
    stack.push({ id: child, next: 0 });
  }
}

/** Throws on the first group cycle anywhere in the policy. */
export function checkAllGroupCycles(policy: Policy): void {
  const done = new Set<Id>();
  for (const id of policy.groups.keys()) if (!done.has(id)) checkGroupCycleFrom(policy, id, done);
}
