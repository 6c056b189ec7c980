/*
 * A hand-written, interned-integer closure of a policy: the baseline the benchmark targets compare
 * purview's `can()` against. It is built once from the plain policy (`PolicyInput`) and never
 * changes.
 *
 * Every id is interned to an integer (one Map<string, number> per kind). Each user keeps the Set
 * of every group it is a member of, at any depth (listed as a user, through its role, through a
 * role-and-subordinates entry, and through nested groups); each role keeps the Set of its strict
 * ancestors. A query is then one Map lookup per id and a Set test:
 *
 * - `owner: { user }`: the owner is the user (owner, `full`), or the type has `hierarchy` and the
 *   user's role is a strict ancestor of the owner's role (`full`);
 * - `owner: { group }`: the group is in the user's set and the action needs no more than the type's
 *   `groupOwnerLevel`.
 *
 * It does not implement sharing rules, access groups, organization-wide defaults, user status,
 * tenants, access levels or ceilings (the benchmark workload uses the first two; it has no
 * defaults other than `private`, no inactive user, one tenant and no access levels). So where it
 * says yes, purview must say yes; where it says no, purview may still allow through a sharing
 * rule or an access group.
 */
import { entryIdOf } from './entry-id.js';
import type { Level } from '../src/model/level.js';
import type { PolicyInput } from '../src/model/policy-input.js';
import type { Resource } from '../src/model/resource.js';
import type { RulePrincipal } from '../src/model/principal.js';

const RANK: Readonly<Record<Level, number>> = { none: 0, read: 1, readWrite: 2, full: 3 };

/** A resource type, as the closure needs it: the rank each action needs. */
interface TypeRow {
  readonly actions: Map<string, number>;
  readonly hierarchy: boolean;
  readonly groupOwnerRank: number;
}

const NO_GROUPS: ReadonlySet<number> = new Set();

export class ClosureBaseline {
  /** Interned ids. */
  readonly userIx = new Map<string, number>();
  readonly roleIx = new Map<string, number>();
  readonly groupIx = new Map<string, number>();
  /** Per user: its role's index, -1 for none. */
  private readonly userRole: Int32Array;
  /** Per user: every group it is a member of, at any depth. */
  private readonly userGroups: ReadonlySet<number>[];
  /** Per role: its strict ancestors. */
  private readonly roleAncestors: ReadonlySet<number>[];
  private readonly types = new Map<string, TypeRow>();
  /** Per group: the groups it is listed in (its direct parents). */
  private readonly groupParents: number[][];
  /** The user ids, by index. */
  readonly userIds: readonly string[];

  constructor(policy: PolicyInput) {
    const users = policy.users ?? [];
    const roles = policy.roles ?? [];
    const groups = policy.groups ?? [];
    this.userIds = users.map((u) => u.id);
    users.forEach((u, i) => this.userIx.set(u.id, i));
    roles.forEach((r, i) => this.roleIx.set(r.id, i));
    groups.forEach((g, i) => this.groupIx.set(g.id, i));
    for (const [name, t] of Object.entries(policy.resourceTypes)) {
      const actions = new Map<string, number>();
      for (const [a, l] of Object.entries(t.actions)) actions.set(a, RANK[l]);
      this.types.set(name, { actions, hierarchy: t.hierarchy ?? true, groupOwnerRank: RANK[t.groupOwnerLevel ?? 'full'] });
    }

    // Roles: parents, strict ancestors, children.
    const R = roles.length;
    const roleParent = new Int32Array(R).fill(-1);
    roles.forEach((r, i) => {
      if (r.parent !== undefined) roleParent[i] = this.roleIx.get(r.parent) ?? -1;
    });
    this.roleAncestors = roles.map((_, i) => {
      const s = new Set<number>();
      for (let p = roleParent[i] as number; p >= 0 && !s.has(p); p = roleParent[p] as number) s.add(p);
      return s;
    });

    // Users: roles.
    this.userRole = new Int32Array(users.length).fill(-1);
    users.forEach((u, i) => {
      if (u.role !== undefined) this.userRole[i] = this.roleIx.get(u.role) ?? -1;
    });

    // Groups: the groups each user, role and role subtree is listed in directly; nesting edges.
    const G = groups.length;
    const byUser: number[][] = users.map(() => []);
    const byRole: number[][] = roles.map(() => []);
    const bySubtree: number[][] = roles.map(() => []);
    this.groupParents = groups.map(() => []);
    groups.forEach((g, gi) => {
      const m = g.members ?? {};
      for (const u of (m.users ?? []).map(entryIdOf)) {
        const ui = this.userIx.get(u);
        if (ui !== undefined) (byUser[ui] as number[]).push(gi);
      }
      for (const r of (m.roles ?? []).map(entryIdOf)) {
        const ri = this.roleIx.get(r);
        if (ri !== undefined) (byRole[ri] as number[]).push(gi);
      }
      for (const r of (m.rolesAndSubordinates ?? []).map(entryIdOf)) {
        const ri = this.roleIx.get(r);
        if (ri !== undefined) (bySubtree[ri] as number[]).push(gi);
      }
      for (const c of (m.groups ?? []).map(entryIdOf)) {
        const ci = this.groupIx.get(c);
        if (ci !== undefined) (this.groupParents[ci] as number[]).push(gi);
      }
    });
    // Per role: the groups its users are in directly (listed as the role, or under a listed subtree).
    const roleDirect: number[][] = roles.map((_, ri) => {
      const out = [...(byRole[ri] as number[]), ...(bySubtree[ri] as number[])];
      for (const a of this.roleAncestors[ri] as ReadonlySet<number>) out.push(...(bySubtree[a] as number[]));
      return out;
    });
    // Per group: itself and every group above it (memoized, the nesting is a DAG).
    const up: (Set<number> | undefined)[] = new Array<Set<number> | undefined>(G);
    const above = (g: number): Set<number> => {
      const hit = up[g];
      if (hit !== undefined) return hit;
      const s = new Set<number>([g]);
      up[g] = s; // a cycle (rejected by the engine) would stop here
      for (const p of this.groupParents[g] as number[]) for (const x of above(p)) s.add(x);
      return s;
    };
    this.userGroups = users.map((_, ui) => {
      const r = this.userRole[ui] as number;
      const direct = r >= 0 ? [...(byUser[ui] as number[]), ...(roleDirect[r] as number[])] : (byUser[ui] as number[]);
      if (direct.length === 0) return NO_GROUPS;
      const s = new Set<number>();
      for (const g of direct) for (const x of above(g)) s.add(x);
      return s;
    });
  }

  /** May `user` do `action` on `resource`, by the rules this closure implements (see the file comment)? */
  can(user: string, action: string, resource: Resource): boolean {
    const t = this.types.get(resource.type);
    if (t === undefined) return false;
    const need = t.actions.get(action);
    if (need === undefined) return false;
    const u = this.userIx.get(user);
    if (u === undefined) return false;
    const owner = resource.owner!;
    if ('user' in owner) {
      if (owner.user === user) return true;
      if (!t.hierarchy) return false;
      const ru = this.userRole[u] as number;
      if (ru < 0) return false;
      const o = this.userIx.get(owner.user);
      if (o === undefined) return false;
      const ro = this.userRole[o] as number;
      return ro >= 0 && (this.roleAncestors[ro] as ReadonlySet<number>).has(ru);
    }
    if (need > t.groupOwnerRank) return false;
    const g = this.groupIx.get(owner.group);
    return g !== undefined && (this.userGroups[u] as ReadonlySet<number>).has(g);
  }

  /** The groups `user` is a member of (indices), for the benchmark's choice of related records. */
  groupsOf(user: string): ReadonlySet<number> {
    const u = this.userIx.get(user);
    return u === undefined ? NO_GROUPS : (this.userGroups[u] as ReadonlySet<number>);
  }

  /** The users a rule principal (a role, a role and subordinates, or a group) stands for, as ids. */
  usersOf(p: RulePrincipal): string[] {
    const out: string[] = [];
    if ('group' in p) {
      const g = this.groupIx.get(p.group);
      if (g === undefined) return out;
      this.userGroups.forEach((s, ui) => {
        if (s.has(g)) out.push(this.userIds[ui] as string);
      });
      return out;
    }
    const root = this.roleIx.get('role' in p ? p.role : p.roleAndSubordinates);
    if (root === undefined) return out;
    const subtree = 'roleAndSubordinates' in p;
    this.userRole.forEach((r, ui) => {
      if (r < 0) return;
      if (r === root || (subtree && (this.roleAncestors[r] as ReadonlySet<number>).has(root))) out.push(this.userIds[ui] as string);
    });
    return out;
  }

  /** Whether a record with this owner is owned by the rule principal `from` (as sharing rules read it). */
  ownedBy(from: RulePrincipal, owner: NonNullable<Resource['owner']>): boolean {
    if ('user' in owner) {
      const u = this.userIx.get(owner.user);
      if (u === undefined) return false;
      if ('group' in from) {
        const g = this.groupIx.get(from.group);
        return g !== undefined && (this.userGroups[u] as ReadonlySet<number>).has(g);
      }
      const r = this.userRole[u] as number;
      const root = this.roleIx.get('role' in from ? from.role : from.roleAndSubordinates);
      if (r < 0 || root === undefined) return false;
      return r === root || ('roleAndSubordinates' in from && (this.roleAncestors[r] as ReadonlySet<number>).has(root));
    }
    if (!('group' in from)) return false;
    const target = this.groupIx.get(from.group);
    const start = this.groupIx.get(owner.group);
    if (target === undefined || start === undefined) return false;
    // Is the owner group `from` or nested inside it: walk up from the owner group.
    const seen = new Set<number>();
    const stack = [start];
    while (stack.length > 0) {
      const g = stack.pop() as number;
      if (g === target) return true;
      if (seen.has(g)) continue;
      seen.add(g);
      stack.push(...(this.groupParents[g] as number[]));
    }
    return false;
  }
}

/** The sources of record access the closure implements (the names of `Decision.reasons[].source`). */
export const CLOSURE_SOURCES: ReadonlySet<string> = new Set(['owner', 'group-owner', 'hierarchy']);
