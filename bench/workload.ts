/*
 * A seeded, deterministic workload: the same seed and size always give the same policy, records and
 * queries, so that figures from different runs (and different engines in one run) are comparable.
 *
 * Large: 100,000 users, 2,000 roles (a random recursive tree), 20,000 groups nested up to 8 levels
 * deep, 1,000,000 records of 3 types (40% owned by groups, Zipf-skewed), 50 sharing rules and 200
 * access groups. Medium is a tenth of every count, small a hundredth.
 */
import type {
  AccessGroupInput,
  GroupInput,
  PolicyInput,
  ResourceTypeInput,
  RoleInput,
  SharingRuleInput,
  UserInput,
} from '../src/model/policy-input.js';
import type { Resource } from '../src/model/resource.js';
import type { Principal, RulePrincipal } from '../src/model/principal.js';
import type { Level } from '../src/model/level.js';
import type { Condition } from '../src/model/segment.js';

export type SizeName = 'small' | 'medium' | 'large';

export interface SizeParams {
  readonly users: number;
  readonly roles: number;
  readonly groups: number;
  readonly records: number;
  readonly sharingRules: number;
  readonly accessGroups: number;
  /** Levels of group nesting: a group at level L is nested in a group at level L-1. */
  readonly depth: number;
}

const LARGE: SizeParams = { users: 100_000, roles: 2_000, groups: 20_000, records: 1_000_000, sharingRules: 50, accessGroups: 200, depth: 8 };

const scale = (f: number): SizeParams => ({
  users: Math.round(LARGE.users * f),
  roles: Math.round(LARGE.roles * f),
  groups: Math.round(LARGE.groups * f),
  records: Math.round(LARGE.records * f),
  sharingRules: Math.max(1, Math.round(LARGE.sharingRules * f)),
  accessGroups: Math.max(2, Math.round(LARGE.accessGroups * f)),
  depth: LARGE.depth,
});

export const SIZES: Readonly<Record<SizeName, SizeParams>> = { small: scale(0.01), medium: scale(0.1), large: LARGE };

/* ------------------------------------------------------------------------------------------ */
/* PRNG                                                                                         */

/** sfc32: a small, fast, well-distributed 32-bit generator (PractRand-clean), seeded by splitmix32. */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number) {
    let s = seed >>> 0;
    const split = (): number => {
      s = (s + 0x9e3779b9) | 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.a = split();
    this.b = split();
    this.c = split();
    this.d = split();
    for (let i = 0; i < 12; i++) this.u32();
  }

  /** A uniform 32-bit unsigned integer. */
  u32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** A uniform float in [0, 1). */
  next(): number {
    return this.u32() / 4294967296;
  }

  /** A uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(list: readonly T[]): T {
    if (list.length === 0) throw new Error('pick from an empty list');
    return list[this.int(list.length)] as T;
  }

  /** Fisher-Yates, in place. */
  shuffle<T>(list: T[]): T[] {
    for (let i = list.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = list[i] as T;
      list[i] = list[j] as T;
      list[j] = t;
    }
    return list;
  }
}

/** Samples ranks 0..n-1 with probability proportional to 1 / (rank + 1)^s. */
export class Zipf {
  private readonly cdf: Float64Array;

  constructor(n: number, s: number) {
    this.cdf = new Float64Array(n);
    let total = 0;
    for (let k = 0; k < n; k++) {
      total += 1 / Math.pow(k + 1, s);
      this.cdf[k] = total;
    }
    for (let k = 0; k < n; k++) this.cdf[k] = (this.cdf[k] as number) / total;
  }

  sample(rng: Rng): number {
    const u = rng.next();
    let lo = 0;
    let hi = this.cdf.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.cdf[mid] as number) < u) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

/* ------------------------------------------------------------------------------------------ */
/* The workload                                                                                 */

/** The three record types: actions, org-wide defaults, hierarchy and group-owner levels differ. */
export const RESOURCE_TYPES: Readonly<Record<string, ResourceTypeInput>> = {
  account: { actions: { view: 'read', edit: 'readWrite', delete: 'full' }, hierarchy: true, groupOwnerLevel: 'full' },
  lead: { actions: { view: 'read', edit: 'readWrite', delete: 'full' }, hierarchy: true, groupOwnerLevel: 'readWrite' },
  opportunity: { actions: { view: 'read', edit: 'readWrite', delete: 'full' }, hierarchy: false, groupOwnerLevel: 'read' },
};
export const TYPE_NAMES: readonly string[] = Object.keys(RESOURCE_TYPES);
export const ACTIONS: readonly string[] = ['view', 'edit', 'delete'];
const REGIONS: readonly string[] = ['emea', 'amer', 'apac', 'latam', 'nordics', 'dach', 'uki', 'anz'];
const TAGS: readonly string[] = Array.from({ length: 16 }, (_, i) => `t${i}`);
const NO_ACCESS_GROUPS: readonly string[] = Object.freeze([]);

export interface Workload {
  readonly size: SizeName;
  readonly seed: number;
  readonly params: SizeParams;
  /** The whole policy, as plain data. */
  readonly policy: PolicyInput;
  /**
   * The subset the peers can express honestly: the same users, roles and groups and the same
   * record owners, without sharing rules or access groups.
   */
  readonly core: PolicyInput;
  /** The application's records: supplied per call, the engine does not store them. */
  readonly records: Resource[];
  readonly userIds: string[];
  readonly roleIds: string[];
  readonly groupIds: string[];
  /** Parent role index, -1 for a root. */
  readonly roleParent: Int32Array;
  /** Role index per user, -1 for none. */
  readonly userRole: Int32Array;
  /** Users per role (indices). */
  readonly roleUsers: number[][];
  /** Children per role (indices). */
  readonly roleChildren: number[][];
  /** Nesting level per group, 0 = top. */
  readonly groupLevel: Uint8Array;
  /** Direct user members per group (indices), as generated. */
  readonly groupUsers: number[][];
  /** Groups nested in each group (indices), as generated. */
  readonly groupChildren: number[][];
  /** Index of one record owned by each group, -1 when it owns none. */
  readonly groupRecord: Int32Array;
  /** Longest chain of role parents (a root alone is 1). */
  readonly roleDepth: number;
}

/** Generates a workload. Deterministic in (size, seed). */
export function generateWorkload(size: SizeName, seed = 42): Workload {
  const P = SIZES[size];
  const rng = new Rng(seed);

  // Roles: a random recursive tree (each role's parent is a uniformly earlier role).
  const roleIds = Array.from({ length: P.roles }, (_, i) => `r${i}`);
  const roleParent = new Int32Array(P.roles).fill(-1);
  const roleChildren: number[][] = roleIds.map(() => []);
  for (let i = 1; i < P.roles; i++) {
    const p = rng.int(i);
    roleParent[i] = p;
    (roleChildren[p] as number[]).push(i);
  }
  let roleDepth = 0;
  const depthOf = new Int32Array(P.roles);
  for (let i = 0; i < P.roles; i++) {
    const p = roleParent[i] as number;
    depthOf[i] = p < 0 ? 1 : (depthOf[p] as number) + 1;
    roleDepth = Math.max(roleDepth, depthOf[i] as number);
  }
  const roles: RoleInput[] = roleIds.map((id, i) => {
    const p = roleParent[i] as number;
    return p < 0 ? { id } : { id, parent: roleIds[p] as string };
  });

  // Users: 95% have a role, uniformly.
  const userIds = Array.from({ length: P.users }, (_, i) => `u${i}`);
  const userRole = new Int32Array(P.users).fill(-1);
  const roleUsers: number[][] = roleIds.map(() => []);
  const users: UserInput[] = userIds.map((id, i) => {
    if (!rng.chance(0.95)) return { id };
    const r = rng.int(P.roles);
    userRole[i] = r;
    (roleUsers[r] as number[]).push(i);
    return { id, role: roleIds[r] as string };
  });

  // Groups in `depth` levels; level sizes grow toward the bottom (few departments, many teams).
  const weights = Array.from({ length: P.depth }, (_, l) => l + 1);
  const wsum = weights.reduce((a, b) => a + b, 0);
  const groupIds = Array.from({ length: P.groups }, (_, i) => `g${i}`);
  const groupLevel = new Uint8Array(P.groups);
  const byLevel: number[][] = weights.map(() => []);
  {
    let at = 0;
    for (let l = 0; l < P.depth; l++) {
      const n = l === P.depth - 1 ? P.groups - at : Math.max(1, Math.round((P.groups * (weights[l] as number)) / wsum));
      for (let k = 0; k < n && at < P.groups; k++, at++) {
        groupLevel[at] = l;
        (byLevel[l] as number[]).push(at);
      }
    }
  }
  const groupChildren: number[][] = groupIds.map(() => []);
  const groupUsers: number[][] = groupIds.map(() => []);
  const groupRoles: number[][] = groupIds.map(() => []);
  const groupSubtrees: number[][] = groupIds.map(() => []);
  // Nesting: each group below the top is in one group of the level above; 10% also in a second
  // group of any level above (a DAG, as real org charts with matrix teams are).
  for (let l = 1; l < P.depth; l++) {
    const above = byLevel[l - 1] as number[];
    for (const g of byLevel[l] as number[]) {
      const p = rng.pick(above);
      (groupChildren[p] as number[]).push(g);
      if (rng.chance(0.1)) {
        const l2 = rng.int(l);
        const p2 = rng.pick(byLevel[l2] as number[]);
        if (p2 !== p) (groupChildren[p2] as number[]).push(g);
      }
    }
  }
  // Direct user members: every user joins 1 or 2 groups (about 7.5 direct users per group).
  for (let u = 0; u < P.users; u++) {
    const n = rng.chance(0.5) ? 2 : 1;
    for (let k = 0; k < n; k++) {
      const g = rng.int(P.groups);
      const list = groupUsers[g] as number[];
      if (!list.includes(u)) list.push(u);
    }
  }
  // Roles and roles-with-subordinates as members: 5% of groups each.
  for (let g = 0; g < P.groups; g++) {
    if (rng.chance(0.05)) (groupRoles[g] as number[]).push(rng.int(P.roles));
    if (rng.chance(0.05)) (groupSubtrees[g] as number[]).push(rng.int(P.roles));
  }
  const groups: GroupInput[] = groupIds.map((id, g) => ({
    id,
    members: {
      users: (groupUsers[g] as number[]).map((u) => userIds[u] as string),
      roles: (groupRoles[g] as number[]).map((r) => roleIds[r] as string),
      rolesAndSubordinates: (groupSubtrees[g] as number[]).map((r) => roleIds[r] as string),
      groups: (groupChildren[g] as number[]).map((c) => groupIds[c] as string),
    },
  }));

  // Records: 3 types; 40% owned by groups (Zipf 1.1 over a shuffled order of groups), 60% by users.
  const zipf = new Zipf(P.groups, 1.1);
  const groupRank = rng.shuffle(Array.from({ length: P.groups }, (_, i) => i));
  const agCount = P.accessGroups;
  const agIds = Array.from({ length: agCount }, (_, i) => `ag${i}`);
  const records: Resource[] = new Array(P.records);
  const groupRecord = new Int32Array(P.groups).fill(-1);
  const prefixes: Readonly<Record<string, string>> = { account: 'acc', lead: 'lead', opportunity: 'opp' };
  for (let i = 0; i < P.records; i++) {
    const type = rng.pick(TYPE_NAMES);
    let owner: Resource['owner'];
    if (rng.chance(0.4)) {
      const g = groupRank[zipf.sample(rng)] as number;
      owner = { group: groupIds[g] as string };
      if (groupRecord[g] === -1) groupRecord[g] = i;
    } else {
      owner = { user: userIds[rng.int(P.users)] as string };
    }
    // 10% of records were put into one access group by hand; every record has a region, 20% tags.
    const accessGroups = rng.chance(0.1) ? [agIds[rng.int(agCount)] as string] : NO_ACCESS_GROUPS;
    const region = rng.pick(REGIONS);
    const attributes = rng.chance(0.2) ? { region, tags: [rng.pick(TAGS), rng.pick(TAGS)] } : { region };
    records[i] = { type, id: `${prefixes[type] ?? type}${i}`, owner, accessGroups, attributes };
  }

  // Sharing rules: from and to are groups of the upper three levels, roles, or role subtrees.
  const topGroups = byLevel.slice(0, 3).flat();
  const rulePrincipal = (): RulePrincipal => {
    const x = rng.next();
    if (x < 0.4) return { group: groupIds[rng.pick(topGroups)] as string };
    if (x < 0.7) return { roleAndSubordinates: roleIds[rng.int(P.roles)] as string };
    return { role: roleIds[rng.int(P.roles)] as string };
  };
  const sharingRules: SharingRuleInput[] = Array.from({ length: P.sharingRules }, (_, i) => ({
    id: `sr${i}`,
    resourceType: rng.pick(TYPE_NAMES),
    from: rulePrincipal(),
    to: rulePrincipal(),
    level: rng.chance(0.6) ? 'read' : 'readWrite',
  }));

  // Access groups: half hold records listed by hand, half match a segment (a region or a tag).
  const grantPrincipal = (): Principal => {
    const x = rng.next();
    if (x < 0.5) return { group: groupIds[rng.int(P.groups)] as string };
    if (x < 0.7) return { role: roleIds[rng.int(P.roles)] as string };
    if (x < 0.85) return { roleAndSubordinates: roleIds[rng.int(P.roles)] as string };
    return { user: userIds[rng.int(P.users)] as string };
  };
  const LEVELS: readonly Level[] = ['read', 'read', 'readWrite', 'full'];
  const accessGroups: AccessGroupInput[] = agIds.map((id) => {
    const grants = Array.from({ length: 1 + rng.int(3) }, () => ({ to: grantPrincipal(), level: rng.pick(LEVELS) }));
    const types = rng.chance(0.5) ? { resourceTypes: [rng.pick(TYPE_NAMES)] } : {};
    if (rng.chance(0.5)) return { id, ...types, grants };
    const cond: Condition = rng.chance(0.5)
      ? { attribute: 'region', equals: rng.pick(REGIONS) }
      : { attribute: 'tags', contains: rng.pick(TAGS) };
    return { id, ...types, segment: { all: [cond] }, grants };
  });

  const policy: PolicyInput = { resourceTypes: RESOURCE_TYPES, roles, users, groups, sharingRules, accessGroups };
  const core: PolicyInput = { resourceTypes: RESOURCE_TYPES, roles, users, groups };
  return {
    size,
    seed,
    params: P,
    policy,
    core,
    records,
    userIds,
    roleIds,
    groupIds,
    roleParent,
    userRole,
    roleUsers,
    roleChildren,
    groupLevel,
    groupUsers,
    groupChildren,
    groupRecord,
    roleDepth,
  };
}

/* ------------------------------------------------------------------------------------------ */
/* Queries                                                                                      */

/** A batch of can() queries, as parallel arrays (no per-query objects on the hot path). */
export interface Queries {
  readonly users: string[];
  readonly actions: string[];
  readonly resources: Resource[];
  /** The expected answer (from the classifier). */
  readonly expected: boolean[];
}

/**
 * A candidate query: a random record and, half of the time, a user related to it (its owner, a
 * member of a group nested in the owner group, or a superior of the owner) so that a good share of
 * candidates is allowed; otherwise a random user.
 */
export function candidate(w: Workload, rng: Rng): { user: string; action: string; resource: Resource } {
  const resource = w.records[rng.int(w.records.length)] as Resource;
  const action = rng.pick(ACTIONS);
  let user = w.userIds[rng.int(w.userIds.length)] as string;
  if (rng.chance(0.55)) {
    const o = resource.owner!;
    if ('user' in o) {
      const ui = Number(o.user.slice(1));
      const r = w.userRole[ui] as number;
      if (rng.chance(0.4) || r < 0) user = o.user;
      else {
        // A user of some role above the owner's role.
        const above: number[] = [];
        for (let p = w.roleParent[r] as number; p >= 0; p = w.roleParent[p] as number) above.push(p);
        const withUsers = above.filter((p) => (w.roleUsers[p] as number[]).length > 0);
        if (withUsers.length > 0) user = w.userIds[rng.pick(w.roleUsers[rng.pick(withUsers)] as number[])] as string;
      }
    } else {
      // Walk down a random path of nested groups, then pick a direct member there.
      let g = Number(o.group.slice(1));
      for (let steps = rng.int(4); steps > 0; steps--) {
        const kids = w.groupChildren[g] as number[];
        if (kids.length === 0) break;
        g = rng.pick(kids);
      }
      const members = w.groupUsers[g] as number[];
      if (members.length > 0) user = w.userIds[rng.pick(members)] as string;
    }
  }
  return { user, action, resource };
}

/**
 * `n` queries, exactly half of them allowed according to `classify` (the engine under test,
 * answers cross-checked against the peers and the reference evaluator), interleaved in a seeded
 * random order.
 */
export function balancedQueries(
  w: Workload,
  n: number,
  seed: number,
  classify: (user: string, action: string, resource: Resource) => boolean,
): Queries & { candidates: number } {
  const rng = new Rng(seed);
  const half = Math.floor(n / 2);
  const allow: { user: string; action: string; resource: Resource }[] = [];
  const deny: { user: string; action: string; resource: Resource }[] = [];
  let candidates = 0;
  while (allow.length < half || deny.length < n - half) {
    const q = candidate(w, rng);
    candidates++;
    if (classify(q.user, q.action, q.resource)) {
      if (allow.length < half) allow.push(q);
    } else if (deny.length < n - half) deny.push(q);
    if (candidates > n * 200) throw new Error(`could not find ${half} allowed queries among ${candidates} candidates`);
  }
  const all = rng.shuffle([...allow.map((q) => ({ q, ok: true })), ...deny.map((q) => ({ q, ok: false }))]);
  return {
    users: all.map((x) => x.q.user),
    actions: all.map((x) => x.q.action),
    resources: all.map((x) => x.q.resource),
    expected: all.map((x) => x.ok),
    candidates,
  };
}
