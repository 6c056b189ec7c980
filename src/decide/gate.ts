import type { ActionSlot } from '../access/action-table.js';
import { membershipOf } from '../compile/closure.js';
import type { Compiled, Membership, UserFacts } from '../compile/snapshot.js';
import type { Subject } from './sources/source.js';
import { compareIds, type Id } from '../model/ids.js';
import type { DenialCode } from './decision.js';

/*
 * Steps 1-4 of the decision, in the order of the decision guide: the user (known, active), the
 * tenant (one the user may act in), the capability (its access levels), the ceiling (the tenant's
 * and its ancestors'). One gate for `can`, `check`, `whoCan` and `filter`; the last asks it for
 * every tenant at once.
 */

/** A user past the gate, with the memberships that the gate read (its grants read on first need). */
export type Gated = Subject;

/** Step 1: the user, known and active. */
export function gateUser(c: Compiled, userId: Id): UserFacts | DenialCode {
  const u = c.ids.users.numOf(userId);
  const f = u < 0 ? undefined : c.users.get(u);
  if (f === undefined) return 'unknown-user';
  if (!f.active) return 'inactive-user';
  return f;
}

/** Whether tenant number `t` exists in the snapshot. */
export function tenantExists(c: Compiled, t: number): boolean {
  return t >= 0 && t < c.tenants.exists.length && c.tenants.exists[t] === 1;
}

/** Step 2: whether the user may act in tenant `t` (an existing tenant's number). */
export function reaches(c: Compiled, u: UserFacts, t: number): boolean {
  const { tin, tout } = c.tenants;
  const a = tin[t] as number;
  const b = tout[t] as number;
  // The user's own tenant first, without reading its list of further tenants.
  const home = u.tenant;
  if ((tin[home] as number) <= a && b <= (tout[home] as number)) return true;
  const reach = u.reach;
  for (let i = 0; i < reach.length; i++) {
    const r = reach[i] as number;
    if ((tin[r] as number) <= a && b <= (tout[r] as number)) return true;
  }
  return false;
}

/** Step 3 for a user: its memberships are read only when the policy has access levels. */
export function capableUser(c: Compiled, u: UserFacts, slot: ActionSlot): boolean {
  return c.frame.levels === undefined || capable(membershipOf(c, u), slot);
}

/** Step 3: whether the user's access levels allow the action (always, when the policy has none). */
export function capable(m: Membership, slot: ActionSlot): boolean {
  const bits = m.capsBits;
  if (bits >= 0) return ((bits >>> slot.index) & 1) === 1;
  return m.caps === undefined || m.caps[slot.index] === 1;
}

/** Step 4: whether tenant `t`'s effective ceiling allows the action. */
export function underCeiling(c: Compiled, t: number, slot: ActionSlot): boolean {
  const ceiling = c.tenants.ceiling[t];
  return ceiling === undefined || ceiling[slot.index] === 1;
}

/** Steps 2-4 for a user already past step 1 and one record's tenant (by number, -1 for one no snapshot ever had). */
export function gateSubject(c: Compiled, u: UserFacts, t: number, slot: ActionSlot): DenialCode | undefined {
  if (!tenantExists(c, t) || !reaches(c, u, t)) return 'tenant';
  if (!capableUser(c, u, slot)) return 'capability';
  if (!underCeiling(c, t, slot)) return 'ceiling';
  return undefined;
}

/** Steps 1-4 for one record's tenant (by number, -1 for one no snapshot ever had). */
export function gate(c: Compiled, userId: Id, t: number, slot: ActionSlot): Gated | DenialCode {
  const u = gateUser(c, userId);
  if (typeof u === 'string') return u;
  return gateSubject(c, u, t, slot) ?? u;
}

/** Steps 1-4 for every tenant at once: the tenants (ids, sorted) where the user may take the action. */
export function gateTenants(c: Compiled, userId: Id, slot: ActionSlot): { readonly s: Gated; readonly tenants: Id[] } | DenialCode {
  const u = gateUser(c, userId);
  if (typeof u === 'string') return u;
  const reached: number[] = [];
  for (let t = 0; t < c.tenants.exists.length; t++) if (c.tenants.exists[t] === 1 && reaches(c, u, t)) reached.push(t);
  if (reached.length === 0) return 'tenant';
  if (!capableUser(c, u, slot)) return 'capability';
  const tenants = reached.filter((t) => underCeiling(c, t, slot)).map((t) => c.ids.tenants.idOf(t));
  if (tenants.length === 0) return 'ceiling';
  tenants.sort(compareIds);
  return { s: u, tenants };
}
