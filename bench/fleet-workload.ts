/*
 * A seeded, deterministic multi-client ("fleet") workload for bench/fleet.ts: the same seed and
 * sizes always give the same policy and the same sample of queries.
 *
 * Shape (a SaaS with client tenants): root tenants, most of them with 0-3 child tenants
 * (sub-accounts), until `tenants` tenants exist; users spread over the tenants with Zipf-ish sizes
 * (exponent 0.6: the largest tenant holds about 1.6% of the users at 1,000 tenants); each tenant
 * with a role tree of 5-20 roles, 10-50 groups (a third nested in an earlier group of the tenant,
 * members by users, roles and role subtrees, a fifth with an access level), 0-3 sharing rules and
 * 0-3 access groups (half by segment, half listed by hand); about 1% agency users whose `tenants`
 * name 2-5 other tenants (of other clients), who sit in some groups of those tenants, hold some
 * of their grants and own some of their records: what makes a split by tenant non-trivial.
 * Access levels on users, roles and groups; a tenant ceiling on a tenth of the roots; 2% of users
 * inactive.
 *
 * Memory: the policy is plain data (it has to be, to be stored); everything else is indices in
 * typed arrays. Users of a tenant are contiguous (`tenantUserStart`), so a user's tenant is a
 * binary search, not a map of a million entries.
 */
import type { AccessGroupInput, GroupInput, PolicyInput, ResourceTypeInput, RoleInput, SharingRuleInput, TenantInput, UserInput } from '../src/model/policy-input.js';
import type { AccessLevels, LevelRef } from '../src/model/access-level.js';
import type { Principal, RulePrincipal } from '../src/model/principal.js';
import type { Resource } from '../src/model/resource.js';
import { Rng } from './workload.js';

export interface FleetParams {
  readonly tenants: number;
  readonly users: number;
  readonly seed: number;
  /**
   * Where agency users act besides their own tenant: `local` (default), tenants of other clients
   * of the same partner network (8 consecutive roots, as an agency serves a portfolio of clients);
   * `random`, tenants of any other clients.
   */
  readonly agency?: 'local' | 'random';
}

/** Roots per partner network (`agency: 'local'`). */
export const NETWORK_ROOTS = 8;

export const FLEET_TYPES: Readonly<Record<string, ResourceTypeInput>> = {
  account: { actions: { view: 'read', edit: 'readWrite', delete: 'full' }, hierarchy: true, groupOwnerLevel: 'full' },
  lead: { actions: { view: 'read', edit: 'readWrite', delete: 'full' }, hierarchy: true, groupOwnerLevel: 'readWrite' },
  opportunity: { actions: { view: 'read', edit: 'readWrite', delete: 'full' }, hierarchy: false, groupOwnerLevel: 'read' },
};
export const FLEET_TYPE_NAMES: readonly string[] = Object.keys(FLEET_TYPES);
export const FLEET_ACTIONS: readonly string[] = ['view', 'edit', 'delete'];
const ACCESS_LEVELS: AccessLevels = {
  minimum: ['account:view', 'lead:view', 'opportunity:view'],
  limited: ['lead:edit'],
  standard: ['account:edit', 'opportunity:edit'],
  extended: ['lead:delete', 'opportunity:delete'],
};
const LEVEL_CHOICES: readonly LevelRef[] = ['minimum', 'limited', 'standard', 'extended', 'full', 'standard:readOnly'];
const CEILING: readonly string[] = ['account:view', 'account:edit', 'lead:*', 'opportunity:view'];
const REGIONS: readonly string[] = ['emea', 'amer', 'apac', 'latam'];
const TAGS: readonly string[] = ['vip', 'churn', 'trial', 'partner', 'press', 'legal'];

export interface Fleet {
  readonly params: FleetParams;
  readonly policy: PolicyInput;
  /** Tenant ids; roots come before their children. */
  readonly tenantIds: readonly string[];
  /** Parent tenant index, -1 for a root. */
  readonly tenantParent: Int32Array;
  /** Indices of the root tenants, in order. */
  readonly roots: readonly number[];
  /** Users of tenant t are the indices tenantUserStart[t] .. tenantUserStart[t + 1] - 1. */
  readonly tenantUserStart: Int32Array;
  readonly userIds: readonly string[];
  /** Group ids per tenant. */
  readonly tenantGroups: readonly (readonly string[])[];
  /** Access group ids per tenant. */
  readonly tenantAccessGroups: readonly (readonly string[])[];
  /** Agency users (indices) and the extra tenants (indices) of each. */
  readonly agency: readonly { readonly user: number; readonly tenants: readonly number[] }[];
  /** Agency users (indices) who act in each tenant by their `tenants`. */
  readonly agencyIn: readonly (readonly number[])[];
  readonly counts: { roles: number; groups: number; memberEntries: number; sharingRules: number; accessGroups: number; agencyUsers: number; inactive: number };
}

/** The tenant (index) of a user (index). */
export function tenantOfUser(f: Pick<Fleet, 'tenantIds' | 'tenantUserStart'>, u: number): number {
  let lo = 0;
  let hi = f.tenantIds.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1;
    if ((f.tenantUserStart[mid] as number) <= u) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** The root of a tenant (index). */
export function rootOf(f: Pick<Fleet, 'tenantParent'>, t: number): number {
  let r = t;
  while ((f.tenantParent[r] as number) >= 0) r = f.tenantParent[r] as number;
  return r;
}

/** Generates the fleet. Deterministic in (tenants, users, seed). */
export function generateFleet(params: FleetParams): Fleet {
  const { tenants: T, users: U, seed } = params;
  if (!(T >= 2 && U >= T)) throw new Error('need at least 2 tenants and a user per tenant');
  const rng = new Rng(seed);

  // Tenants: roots with 0-3 children (40% none), until T exist.
  const tenantIds: string[] = [];
  const parents: number[] = [];
  const roots: number[] = [];
  while (tenantIds.length < T) {
    const r = tenantIds.length;
    roots.push(r);
    tenantIds.push(`c${roots.length - 1}`);
    parents.push(-1);
    const kids = rng.chance(0.4) ? 0 : 1 + rng.int(3);
    for (let k = 1; k <= kids && tenantIds.length < T; k++) {
      tenantIds.push(`c${roots.length - 1}.${k}`);
      parents.push(r);
    }
  }
  const tenantParent = Int32Array.from(parents);
  const tenants: TenantInput[] = tenantIds.map((id, t) => {
    const p = tenantParent[t] as number;
    if (p >= 0) return { id, parent: tenantIds[p] as string };
    return rng.chance(0.1) ? { id, ceiling: [...CEILING] } : { id };
  });

  // Users per tenant: Zipf-ish weights over a shuffled order of tenants, at least one each.
  const rank = rng.shuffle(Array.from({ length: T }, (_, i) => i));
  const weight = new Float64Array(T);
  let wsum = 0;
  for (let k = 0; k < T; k++) {
    const w = 1 / Math.pow(k + 1, 0.6);
    weight[rank[k] as number] = w;
    wsum += w;
  }
  const size = new Int32Array(T);
  let assigned = 0;
  for (let t = 0; t < T; t++) {
    size[t] = Math.max(1, Math.floor(((U - T) * (weight[t] as number)) / wsum) + 1);
    assigned += size[t] as number;
  }
  for (let t = 0; assigned < U; t = (t + 1) % T, assigned++) size[t] = (size[t] as number) + 1;
  for (let t = T - 1; assigned > U; t = (t + T - 1) % T) {
    if ((size[t] as number) > 1) {
      size[t] = (size[t] as number) - 1;
      assigned--;
    }
  }
  const tenantUserStart = new Int32Array(T + 1);
  for (let t = 0; t < T; t++) tenantUserStart[t + 1] = (tenantUserStart[t] as number) + (size[t] as number);

  const userIds: string[] = new Array<string>(U);
  for (let t = 0; t < T; t++) for (let u = tenantUserStart[t] as number, i = 0; u < (tenantUserStart[t + 1] as number); u++, i++) userIds[u] = `${tenantIds[t] as string}/u${i}`;

  // Roles: 5-20 per tenant, a random recursive tree.
  const roles: RoleInput[] = [];
  const tenantRoles: string[][] = [];
  for (let t = 0; t < T; t++) {
    const n = 5 + rng.int(16);
    const ids: string[] = [];
    for (let i = 0; i < n; i++) {
      const id = `${tenantIds[t] as string}:r${i}`;
      ids.push(id);
      const parent = i === 0 ? undefined : ids[rng.int(i)];
      const level = rng.chance(0.15) ? { accessLevel: rng.pick(LEVEL_CHOICES) } : {};
      roles.push({ id, tenant: tenantIds[t] as string, ...(parent === undefined ? {} : { parent }), ...level });
    }
    tenantRoles.push(ids);
  }

  // Agency users: about 1%, each also acting in 2-5 tenants of other clients (of its partner
  // network unless agency is 'random').
  const local = (params.agency ?? 'local') === 'local';
  const rootRank = new Int32Array(T).fill(-1);
  roots.forEach((r, i) => (rootRank[r] = i));
  const networkTenants: number[][] = Array.from({ length: Math.ceil(roots.length / NETWORK_ROOTS) }, () => []);
  for (let t = 0; t < T; t++) (networkTenants[Math.floor((rootRank[rootOf({ tenantParent }, t)] as number) / NETWORK_ROOTS)] as number[]).push(t);
  const agency: { user: number; tenants: number[] }[] = [];
  const agencyIn: number[][] = tenantIds.map(() => []);
  const extraTenants = new Map<number, number[]>();
  for (let u = 0; u < U; u++) {
    if (!rng.chance(0.01)) continue;
    const home = tenantOfUser({ tenantIds, tenantUserStart }, u);
    const homeRoot = rootOf({ tenantParent }, home);
    const want = 2 + rng.int(4);
    const list: number[] = [];
    const network = Math.floor(rootRank[homeRoot] as number / NETWORK_ROOTS);
    const near = local ? (networkTenants[network] as number[]) : [];
    for (let tries = 0; list.length < want && tries < 50; tries++) {
      const t = near.length > 0 ? rng.pick(near) : rng.int(T);
      if (rootOf({ tenantParent }, t) === homeRoot || list.includes(t)) continue;
      list.push(t);
    }
    if (list.length === 0) continue;
    agency.push({ user: u, tenants: list });
    extraTenants.set(u, list);
    for (const t of list) (agencyIn[t] as number[]).push(u);
  }

  let inactive = 0;
  const users: UserInput[] = new Array<UserInput>(U);
  for (let t = 0; t < T; t++) {
    const rs = tenantRoles[t] as string[];
    for (let u = tenantUserStart[t] as number; u < (tenantUserStart[t + 1] as number); u++) {
      const role = rng.chance(0.9) ? rs[rng.int(rs.length)] : undefined;
      const status = rng.chance(0.02) ? 'inactive' : undefined;
      if (status !== undefined) inactive++;
      const level = rng.chance(0.05) ? rng.pick(LEVEL_CHOICES) : undefined;
      const extra = extraTenants.get(u);
      users[u] = {
        id: userIds[u] as string,
        tenant: tenantIds[t] as string,
        ...(role === undefined ? {} : { role }),
        ...(status === undefined ? {} : { status }),
        ...(level === undefined ? {} : { accessLevel: level }),
        ...(extra === undefined ? {} : { tenants: extra.map((x) => tenantIds[x] as string) }),
      };
    }
  }

  // Groups: 10-50 per tenant; a third nested in an earlier group; each user in 1-2 groups of its
  // tenant, each agency user in a group of half its other tenants.
  const groups: GroupInput[] = [];
  const tenantGroups: string[][] = [];
  let memberEntries = 0;
  for (let t = 0; t < T; t++) {
    const n = 10 + rng.int(41);
    const tid = tenantIds[t] as string;
    const ids = Array.from({ length: n }, (_, i) => `${tid}#g${i}`);
    const usersOf: string[][] = ids.map(() => []);
    const nested: string[][] = ids.map(() => []);
    for (let i = 1; i < n; i++) if (rng.chance(0.33)) (nested[rng.int(i)] as string[]).push(ids[i] as string);
    for (let u = tenantUserStart[t] as number; u < (tenantUserStart[t + 1] as number); u++) {
      const a = rng.int(n);
      (usersOf[a] as string[]).push(userIds[u] as string);
      if (rng.chance(0.4)) {
        const b = rng.int(n);
        if (b !== a) (usersOf[b] as string[]).push(userIds[u] as string);
      }
    }
    for (const u of agencyIn[t] as number[]) if (rng.chance(0.5)) (usersOf[rng.int(n)] as string[]).push(userIds[u] as string);
    const rs = tenantRoles[t] as string[];
    for (let i = 0; i < n; i++) {
      const roleMembers = rng.chance(0.1) ? [rng.pick(rs)] : [];
      const subtreeMembers = rng.chance(0.1) ? [rng.pick(rs)] : [];
      const level = rng.chance(0.2) ? { accessLevel: rng.pick(LEVEL_CHOICES) } : {};
      const members = { users: usersOf[i] as string[], roles: roleMembers, rolesAndSubordinates: subtreeMembers, groups: nested[i] as string[] };
      memberEntries += members.users.length + roleMembers.length + subtreeMembers.length + members.groups.length;
      groups.push({ id: ids[i] as string, tenant: tid, members, ...level });
    }
    tenantGroups.push(ids);
  }

  // Sharing rules and access groups: 0-3 of each per tenant, between principals of the tenant.
  const sharingRules: SharingRuleInput[] = [];
  const accessGroups: AccessGroupInput[] = [];
  const tenantAccessGroups: string[][] = [];
  for (let t = 0; t < T; t++) {
    const tid = tenantIds[t] as string;
    const rs = tenantRoles[t] as string[];
    const gs = tenantGroups[t] as string[];
    const rulePrincipal = (): RulePrincipal => {
      const x = rng.next();
      if (x < 0.4) return { group: rng.pick(gs) };
      if (x < 0.7) return { roleAndSubordinates: rng.pick(rs) };
      return { role: rng.pick(rs) };
    };
    for (let i = rng.int(4); i > 0; i--) {
      sharingRules.push({ id: `${tid}>sr${i}`, tenant: tid, resourceType: rng.pick(FLEET_TYPE_NAMES), from: rulePrincipal(), to: rulePrincipal(), level: rng.chance(0.6) ? 'read' : 'readWrite' });
    }
    const from = tenantUserStart[t] as number;
    const count = (tenantUserStart[t + 1] as number) - from;
    const agencyHere = agencyIn[t] as number[];
    const grantPrincipal = (): Principal => {
      const x = rng.next();
      if (x < 0.4) return { group: rng.pick(gs) };
      if (x < 0.6) return { role: rng.pick(rs) };
      if (x < 0.75) return { roleAndSubordinates: rng.pick(rs) };
      if (x < 0.85 && agencyHere.length > 0) return { user: userIds[rng.pick(agencyHere)] as string };
      return { user: userIds[from + rng.int(count)] as string };
    };
    const ags: string[] = [];
    for (let i = rng.int(4); i > 0; i--) {
      const id = `${tid}>ag${i}`;
      ags.push(id);
      const grants = Array.from({ length: 1 + rng.int(3) }, () => ({ to: grantPrincipal(), level: rng.pick(['read', 'read', 'readWrite', 'full'] as const) }));
      const types = rng.chance(0.5) ? { resourceTypes: [rng.pick(FLEET_TYPE_NAMES)] } : {};
      if (rng.chance(0.5)) accessGroups.push({ id, tenant: tid, ...types, grants });
      else {
        const cond = rng.chance(0.5) ? { attribute: 'region', equals: rng.pick(REGIONS) } : { attribute: 'tags', contains: rng.pick(TAGS) };
        accessGroups.push({ id, tenant: tid, ...types, segment: { all: [cond] }, grants });
      }
    }
    tenantAccessGroups.push(ags);
  }

  const policy: PolicyInput = {
    tenants,
    roles,
    users,
    groups,
    resourceTypes: FLEET_TYPES,
    sharingRules,
    accessGroups,
    accessLevels: ACCESS_LEVELS,
    defaultAccessLevel: 'standard',
  };
  return {
    params,
    policy,
    tenantIds,
    tenantParent,
    roots,
    tenantUserStart,
    userIds,
    tenantGroups,
    tenantAccessGroups,
    agency,
    agencyIn,
    counts: { roles: roles.length, groups: groups.length, memberEntries, sharingRules: sharingRules.length, accessGroups: accessGroups.length, agencyUsers: agency.length, inactive },
  };
}

/* ------------------------------------------------------------------------------------------ */
/* The split and the sample of queries                                                          */

/**
 * The root tenants (ids) each of `n` instances serves: consecutive runs of roots (so that a partner
 * network mostly stays on one instance) of about equal numbers of users.
 */
export function splitRoots(f: Fleet, n: number): string[][] {
  const out: string[][] = Array.from({ length: n }, () => []);
  const usersOfRoot = new Float64Array(f.tenantIds.length);
  for (let t = 0; t < f.tenantIds.length; t++) usersOfRoot[rootOf(f, t)] = (usersOfRoot[rootOf(f, t)] as number) + ((f.tenantUserStart[t + 1] as number) - (f.tenantUserStart[t] as number));
  const total = f.userIds.length;
  let seen = 0;
  f.roots.forEach((r, i) => {
    const k = Math.min(n - 1, Math.max(Math.floor((seen * n) / total), n - (f.roots.length - i)));
    (out[k] as string[]).push(f.tenantIds[r] as string);
    seen += usersOfRoot[r] as number;
  });
  return out;
}

/**
 * What an instance serving `roots` holds, from the generator's indices (the rule of
 * src/changes/tenant-scope.ts, computed independently): the served tenants, the tenants of every
 * user acting in one of them, and the users acting in a held tenant.
 */
export function heldOf(f: Fleet, roots: readonly string[]): { served: number; tenants: number; users: number; held: ReadonlySet<number> } {
  const rootSet = new Set(roots.map((r) => tenantIndex(f, r)));
  const served = new Set<number>();
  for (let t = 0; t < f.tenantIds.length; t++) if (rootSet.has(rootOf(f, t))) served.add(t);
  const subtree = (t: number, into: Set<number>): void => {
    into.add(t);
    for (let c = 0; c < f.tenantIds.length; c++) if ((f.tenantParent[c] as number) === t) into.add(c);
  };
  const held = new Set(served);
  for (const a of f.agency) {
    const home = tenantOfUser(f, a.user);
    if (served.has(home) || a.tenants.some((t) => served.has(t))) {
      subtree(home, held);
      for (const t of a.tenants) subtree(t, held);
    }
  }
  let users = 0;
  for (const t of held) users += (f.tenantUserStart[t + 1] as number) - (f.tenantUserStart[t] as number);
  for (const a of f.agency) if (!held.has(tenantOfUser(f, a.user)) && a.tenants.some((t) => held.has(t))) users++;
  return { served: served.size, tenants: held.size, users, held };
}

/** One `check` / `can` query of the sample. */
export interface FleetQuery {
  readonly user: string;
  readonly action: string;
  readonly resource: Resource;
  /** Whether the instance must answer it (the record is served and the user acts in a served tenant). */
  readonly must: boolean;
}

/** The queries one instance is asked (and the full engine answers for comparison). */
export interface InstanceQueries {
  readonly instance: number;
  readonly roots: readonly string[];
  readonly checks: readonly FleetQuery[];
  readonly whoCan: readonly { readonly action: string; readonly resource: Resource; readonly must: boolean }[];
  readonly groupsOf: readonly { readonly user: string; readonly must: boolean }[];
  /** A record of a tenant the instance does not serve: it must refuse it. */
  readonly foreign: Resource;
}

/**
 * The sample for each instance: records of its tenants (5% of another instance's), owned by users
 * or groups of the record's tenant or by agency users acting in it; users of the record's tenant,
 * agency users acting in it, agency users at large, users of other served tenants and users of
 * tenants of other instances. Deterministic in (fleet, n, sizes, seed).
 */
export function sampleQueries(f: Fleet, n: number, sizes: { checks: number; whoCan: number; groupsOf: number }, seed: number): InstanceQueries[] {
  const rng = new Rng(seed ^ 0x5eed);
  const split = splitRoots(f, n);
  const instanceOfRoot = new Map<number, number>();
  split.forEach((roots, k) => roots.forEach((r) => instanceOfRoot.set(tenantIndex(f, r), k)));
  const instanceOf = (t: number): number => instanceOfRoot.get(rootOf(f, t)) as number;
  const tenantsOf: number[][] = Array.from({ length: n }, () => []);
  for (let t = 0; t < f.tenantIds.length; t++) (tenantsOf[instanceOf(t)] as number[]).push(t);
  const extra = new Map<number, readonly number[]>(f.agency.map((a) => [a.user, a.tenants]));
  const actsInInstance = (u: number, k: number): boolean => instanceOf(tenantOfUser(f, u)) === k || (extra.get(u) ?? []).some((t) => instanceOf(t) === k);
  const userOf = (t: number): number => (f.tenantUserStart[t] as number) + rng.int((f.tenantUserStart[t + 1] as number) - (f.tenantUserStart[t] as number));
  let serial = 0;
  const record = (t: number): Resource => {
    const type = rng.pick(FLEET_TYPE_NAMES);
    const x = rng.next();
    const here = f.agencyIn[t] as number[];
    const owner =
      x < 0.55 ? { user: f.userIds[userOf(t)] as string } : x < 0.85 || here.length === 0 ? { group: rng.pick(f.tenantGroups[t] as string[]) } : { user: f.userIds[rng.pick(here)] as string };
    const ags = f.tenantAccessGroups[t] as string[];
    const listed = ags.length > 0 && rng.chance(0.15) ? { accessGroups: [rng.pick(ags)] } : {};
    const attributes = rng.chance(0.3) ? { region: rng.pick(REGIONS), tags: [rng.pick(TAGS)] } : { region: rng.pick(REGIONS) };
    return { type, id: `${type}-${serial++}`, tenant: f.tenantIds[t] as string, owner, ...listed, attributes };
  };
  // Users related to a record, so that a fair share of the sample is allowed: direct members of
  // each group, and per tenant the users of its top role (superiors of every owner there).
  const membersOf = new Map<string, readonly string[]>();
  for (const g of f.policy.groups ?? []) membersOf.set(g.id, (g.members?.users ?? []).map((e) => (typeof e === 'string' ? e : e.id)));
  const topUsers: string[][] = f.tenantIds.map(() => []);
  for (const u of f.policy.users ?? []) {
    const t = u.tenant as string;
    if (u.role === `${t}:r0`) (topUsers[tenantIndex(f, t)] as string[]).push(u.id);
  }
  const related = (r: Resource, t: number): string | undefined => {
    const o = r.owner;
    if (o === undefined) return undefined;
    if ('group' in o) {
      const ms = membersOf.get(o.group) ?? [];
      return ms.length > 0 ? rng.pick(ms) : undefined;
    }
    const top = topUsers[t] as string[];
    return rng.chance(0.5) || top.length === 0 ? o.user : rng.pick(top);
  };
  const action = (): string => {
    const x = rng.next();
    return x < 0.5 ? 'view' : x < 0.85 ? 'edit' : 'delete';
  };
  const out: InstanceQueries[] = [];
  for (let k = 0; k < n; k++) {
    const mine = tenantsOf[k] as number[];
    const others = Array.from({ length: f.tenantIds.length }, (_, t) => t).filter((t) => instanceOf(t) !== k);
    const user = (t: number): number => {
      const x = rng.next();
      const here = f.agencyIn[t] as number[];
      if (x < 0.55) return userOf(t);
      if (x < 0.7 && here.length > 0) return rng.pick(here);
      if (x < 0.8 && f.agency.length > 0) return rng.pick(f.agency).user;
      if (x < 0.9) return userOf(rng.pick(mine));
      return others.length > 0 ? userOf(rng.pick(others)) : userOf(t);
    };
    const checks: FleetQuery[] = [];
    for (let i = 0; i < sizes.checks; i++) {
      const t = rng.chance(0.95) || others.length === 0 ? rng.pick(mine) : rng.pick(others);
      const resource = record(t);
      const rel = rng.chance(0.35) ? related(resource, t) : undefined;
      const u = rel === undefined ? user(t) : userIndex(f, rel);
      checks.push({ user: f.userIds[u] as string, action: action(), resource, must: instanceOf(t) === k && actsInInstance(u, k) });
    }
    const whoCan = checks.slice(0, sizes.whoCan).map((q) => ({ action: q.action, resource: q.resource, must: instanceOf(tenantIndex(f, q.resource.tenant as string)) === k }));
    const groupsOf = Array.from({ length: sizes.groupsOf }, () => {
      const u = user(rng.pick(mine));
      return { user: f.userIds[u] as string, must: actsInInstance(u, k) };
    });
    const foreign = record(others.length > 0 ? rng.pick(others) : (mine[0] as number));
    out.push({ instance: k, roots: split[k] as string[], checks, whoCan, groupsOf, foreign });
  }
  return out;
}

const indexCache = new WeakMap<Fleet, Map<string, number>>();
/** The index of a tenant id. */
export function tenantIndex(f: Fleet, id: string): number {
  let m = indexCache.get(f);
  if (m === undefined) indexCache.set(f, (m = new Map(f.tenantIds.map((t, i) => [t, i]))));
  const i = m.get(id);
  if (i === undefined) throw new Error(`unknown tenant ${id}`);
  return i;
}

/** The index of a user id (`<tenant>/u<i>`). */
export function userIndex(f: Fleet, id: string): number {
  const slash = id.lastIndexOf('/u');
  return (f.tenantUserStart[tenantIndex(f, id.slice(0, slash))] as number) + Number(id.slice(slash + 2));
}
