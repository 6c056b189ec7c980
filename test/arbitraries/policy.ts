/*
 * fast-check arbitraries for random VALID policies, resources that point at them (or at nothing),
 * and random changes to the policy expressed as immer recipes.
 *
 * Policies are built from a stream of choices (see choices.ts): validity holds by construction
 * (tenants form a tree with ceilings within their parent's, role forests per tenant, acyclic group
 * nesting inside one tenant, principals of the right tenant, levels only when access levels are
 * declared). Ids come from small pools full of nasty ids, so that collisions between kinds and
 * with Object.prototype names are frequent.
 */
import fc from 'fast-check';
import type {
  AccessGroupInput,
  GroupInput,
  PolicyInput,
  ResourceTypeInput,
  RoleInput,
  SharingRuleInput,
  TenantInput,
  UserInput,
} from '../../src/model/policy-input.js';
import type { Level } from '../../src/model/level.js';
import type { AttributeValue, Owner, Resource, Share, ShareLevel } from '../../src/model/resource.js';
import type { Principal, RulePrincipal } from '../../src/model/principal.js';
import type { Condition, Segment } from '../../src/model/segment.js';
import type { AccessLevels, LevelRef } from '../../src/model/access-level.js';
import type { OrgDefault, PolicyDraft } from '../../src/model/policy.js';
import { Choices, STREAM_LENGTH } from './choices.js';
import { buildChild, controlledTypeInputs, controlledTypes } from './parents.js';

/**
 * A member list of a group draft, own properties only: a group written earlier in the same recipe
 * as a plain literal may lack `members` or a list, and under the pollution fuzz a missing one must
 * not be read from Object.prototype (the recipes here are application code, and must read own).
 */
function ownMembers(group: unknown, list: string): string[] | undefined {
  if (typeof group !== 'object' || group === null || !Object.hasOwn(group, 'members')) return undefined;
  const members = (group as { members: unknown }).members;
  if (typeof members !== 'object' || members === null || !Object.hasOwn(members, list)) return undefined;
  const value = (members as Record<string, unknown>)[list];
  return Array.isArray(value) ? (value as string[]) : undefined;
}


/* ------------------------------------------------------------------------------------------ */
/* Pools.                                                                                       */

/** An id of the greatest length accepted (256 characters). */
export const LONG_ID = 'l'.repeat(256);
/** Ids that hold NUL (which PostgreSQL text cannot store). */
export const hasNul = (id: string): boolean => id.includes('\u0000');

/**
 * Ids of users, roles, groups, rules and access groups (each kind has its own namespace): ids that
 * collide under any separator (`a\0b` is `a` and `b` joined by NUL, `a:b` joined by `:`), the
 * string filter() once used as its "any tenant" key, Object.prototype names, ids that look empty
 * (a space, a zero-width space) and the longest id accepted.
 */
export const ID_POOL: readonly string[] = [
  'a',
  'b',
  'a\u0000b',
  'a:b',
  '\u0000any',
  '__proto__',
  'constructor',
  'toString',
  'hasOwnProperty',
  'valueOf',
  ' ',
  '\u200b',
  'default',
  LONG_ID,
];
/** Tenants besides `default`. */
export const TENANT_POOL: readonly string[] = ['acme', 'a', 'b', 'a\u0000b', '\u0000any', '__proto__', 'constructor', 'a:b', ' '];
/** Resource type names: no `:`, never `*`. */
export const TYPE_POOL: readonly string[] = ['lead', '__proto__', 'constructor', 'x y'];
export const ACTION_POOL: readonly string[] = ['view', 'edit', 'delete', 'a:b', 'toString', '__proto__', 'share', 'hasOwnProperty'];
export const ATTRIBUTE_POOL: readonly string[] = ['region', 'tags', '__proto__'];
const SCALARS: readonly (string | number | boolean)[] = ['EU', 1, '1', true, '__proto__'];
const STRING_LISTS: readonly string[][] = [[], ['x'], ['x', 'y'], ['__proto__'], ['y', 'x']];
export const LEVELS: readonly Level[] = ['read', 'readWrite', 'full', 'none'];
const ORG_DEFAULTS: readonly OrgDefault[] = ['private', 'publicRead', 'publicReadWrite', 'publicFull'];
const TIERS = ['full', 'extended', 'standard', 'limited', 'minimum'] as const;
const NAMED_REFS: readonly LevelRef[] = [
  ...TIERS,
  ...TIERS.map((t) => `${t}:readOnly` as LevelRef),
  0, 1, 2, 3, 4, 5, 6, 7, 8, 9,
];
/** An id that is in no pool: unknown users, owners, tenants. */
export const GHOST = 'ghost';

/** A plain object with exactly these own keys, safe for `__proto__` (no setter is invoked). */
export function record<V>(entries: Iterable<readonly [string, V]>): Record<string, V> {
  return Object.fromEntries(entries) as Record<string, V>;
}

/* ------------------------------------------------------------------------------------------ */
/* Policies.                                                                                    */

type Pair = readonly [type: string, action: string];

const pairKey = (p: Pair): string => JSON.stringify(p);

interface Built {
  readonly types: Map<string, { actions: Map<string, Level> }>;
  readonly pairs: Pair[];
  readonly tenantIds: string[];
  readonly tenantParent: Map<string, string | undefined>;
  readonly roles: RoleInput[];
  readonly users: UserInput[];
  readonly groups: GroupInput[];
}

const tenantOf = (e: { readonly tenant?: string }): string => e.tenant ?? 'default';

/** `t` and its ancestors. */
function chain(b: Built, t: string): string[] {
  const out: string[] = [];
  let cur: string | undefined = t;
  while (cur !== undefined && !out.includes(cur)) {
    out.push(cur);
    cur = b.tenantParent.get(cur);
  }
  return out;
}

function actsIn(b: Built, u: UserInput, t: string): boolean {
  const c = chain(b, t);
  return [tenantOf(u), ...(u.tenants ?? [])].some((x) => c.includes(x));
}

/** Capabilities that cover exactly `pairs`, written with a random mix of `type:*`, `*` and `type:action`. */
function capsFor(c: Choices, b: Built, pairs: readonly Pair[]): string[] {
  const want = new Set(pairs.map(pairKey));
  if (want.size === b.pairs.length && want.size > 0 && c.chance(2)) return ['*'];
  const out: string[] = [];
  // `*:action` when every type that declares the action is wanted for it.
  for (const action of new Set(b.pairs.map(([, a]) => a))) {
    const all = b.pairs.filter(([, a]) => a === action).every((p) => want.has(pairKey(p)));
    if (all && c.chance(3)) {
      out.push(`*:${action}`);
      for (const p of b.pairs) if (p[1] === action) want.delete(pairKey(p));
    }
  }
  for (const [type, info] of b.types) {
    const all = [...info.actions.keys()].every((a) => want.has(pairKey([type, a])));
    if (all && info.actions.size > 0 && c.chance(2)) {
      out.push(`${type}:*`);
      continue;
    }
    for (const a of info.actions.keys()) if (want.has(pairKey([type, a]))) out.push(`${type}:${a}`);
  }
  return out;
}

/** A random capability list over the declared types and actions (any of the four forms). */
function randomCaps(c: Choices, b: Built): string[] {
  const n = c.int(4);
  const out = new Set<string>();
  for (let i = 0; i < n; i++) {
    const [type, action] = c.pick(b.pairs);
    switch (c.int(4)) {
      case 0:
        out.add(`${type}:${action}`);
        break;
      case 1:
        out.add(`${type}:*`);
        break;
      case 2:
        out.add(`*:${action}`);
        break;
      default:
        if (c.chance(3)) out.add('*');
        else out.add(`${type}:${action}`);
    }
  }
  return [...out];
}

function randomLevelRef(c: Choices, b: Built): LevelRef {
  if (c.chance(5)) return { custom: randomCaps(c, b) };
  return c.pick(NAMED_REFS);
}

function randomScalar(c: Choices): string | number | boolean {
  return c.pick(SCALARS);
}

/** A value for an attribute: `tags` holds lists, `region` scalars, others either (mostly the usual kind). */
function randomAttributeValue(c: Choices, attribute: string): AttributeValue {
  const list = attribute === 'tags' ? !c.chance(6) : attribute === 'region' ? c.chance(6) : c.chance(2);
  return list ? [...c.pick(STRING_LISTS)] : randomScalar(c);
}

function randomSegment(c: Choices): Segment {
  const n = c.int(3);
  const all: Condition[] = [];
  for (let i = 0; i < n; i++) {
    const attribute = c.pick(ATTRIBUTE_POOL);
    switch (c.int(3)) {
      case 0:
        all.push({ attribute, equals: randomAttributeValue(c, attribute) });
        break;
      case 1:
        all.push({ attribute, in: c.distinct(SCALARS, 3) });
        break;
      default:
        all.push({ attribute, contains: c.pick(['x', 'y', '__proto__']) });
    }
  }
  return { all };
}

/** The rule principals of tenant `t`: its roles (alone or with subordinates) and its groups. */
function rulePrincipals(b: Built, t: string): RulePrincipal[] {
  const out: RulePrincipal[] = [];
  for (const r of b.roles) if (tenantOf(r) === t) out.push({ role: r.id }, { roleAndSubordinates: r.id });
  for (const g of b.groups) if (tenantOf(g) === t) out.push({ group: g.id });
  return out;
}

function principals(b: Built, t: string): Principal[] {
  return [...b.users.filter((u) => actsIn(b, u, t)).map((u) => ({ user: u.id })), ...rulePrincipals(b, t)];
}

/** A tenant, `default` about half the time (entities of one tenant meet more often), or more with a higher `spread`. */
function someTenant(c: Choices, tenantIds: readonly string[], spread = 2): string {
  return c.chance(spread) ? c.pick(tenantIds) : 'default';
}

/** Writes `tenant` only sometimes when it is `default`, to exercise the default. */
function withTenant(c: Choices, t: string): { tenant?: string } {
  return t === 'default' && !c.chance(3) ? {} : { tenant: t };
}

/** Builds a random valid policy from a stream of choices. */
/** How big a generated policy may get, and the ids it draws from. */
export interface Size {
  readonly ids: readonly string[];
  /** The tenants besides `default` it draws from. */
  readonly tenantPool: readonly string[];
  readonly tenants: number;
  readonly roles: number;
  readonly users: number;
  readonly groups: number;
  readonly rules: number;
  readonly accessGroups: number;
  /** A group nests each earlier group of its tenant with probability 1/nesting. */
  readonly nesting: number;
  /** Groups often nest `['a', 'b']` or `['a\0b']` (when those groups exist), lists that join alike with NUL. */
  readonly twins?: boolean;
  /** An entity is put in a random tenant one time in `spread` (default 2), else in `default`. */
  readonly spread?: number;
  /** At most this many random resources per scenario (default 4). */
  readonly resources?: number;
  /** Give random resources 0-5 record shares, and the scenario an instant to ask at (see {@link SHARE_TIMES}). */
  readonly shares?: boolean;
  /** Also one resource owned by each group, in the group's tenant (what sharing rules from groups reach). */
  readonly groupOwned?: boolean;
}

/** Small policies over the nasty pool: ids collide often. */
export const SMALL: Size = { ids: ID_POOL, tenantPool: TENANT_POOL, tenants: 3, roles: 5, users: 6, groups: 5, rules: 3, accessGroups: 3, nesting: 2 };

/** {@link SMALL} without the ids that hold NUL, for suites that store policies and records in PostgreSQL text. */
export const SMALL_TEXT: Size = { ...SMALL, ids: ID_POOL.filter((id) => !hasNul(id)), tenantPool: TENANT_POOL.filter((id) => !hasNul(id)) };

/**
 * Small policies over ids that collide under a separator and little else, so that a list and its
 * re-split twin (`['a\0b']` and `['a', 'b']`) both name existing entities often: change detection
 * that compares joined strings shows here.
 */
export const COLLIDING: Size = {
  ids: ['a', 'b', 'a\u0000b', 'a:b', '\u0000any', 'c', 'd'],
  tenantPool: ['a', 'b', 'a\u0000b'],
  tenants: 6,
  roles: 3,
  users: 5,
  // More than the pool holds, so that most policies have every id as a group.
  groups: 12,
  rules: 4,
  accessGroups: 2,
  nesting: 2,
  twins: true,
  spread: 5,
  resources: 4,
  groupOwned: true,
};

/** Larger policies with deeper nesting and role trees, for incremental maintenance. */
export const LARGE: Size = {
  ids: [...ID_POOL, ...Array.from({ length: 10 }, (_, i) => `x${i}`)],
  tenantPool: TENANT_POOL,
  tenants: 2,
  roles: 10,
  users: 14,
  groups: 12,
  rules: 4,
  accessGroups: 4,
  nesting: 3,
};

export function buildPolicy(c: Choices, size: Size = SMALL): PolicyInput {
  // Resource types.
  const typeNames = [c.pick(TYPE_POOL), ...c.distinct(TYPE_POOL, 2)].filter((x, i, a) => a.indexOf(x) === i);
  const types = new Map<string, { actions: Map<string, Level> }>();
  const typeInputs: [string, ResourceTypeInput][] = [];
  for (const name of typeNames) {
    const actionNames = [c.pick(ACTION_POOL), ...c.distinct(ACTION_POOL, 3)].filter((x, i, a) => a.indexOf(x) === i);
    const actions = new Map<string, Level>(actionNames.map((a) => [a, c.pick(LEVELS)]));
    types.set(name, { actions });
    const t: { -readonly [K in keyof ResourceTypeInput]: ResourceTypeInput[K] } = { actions: record(actions) };
    if (c.chance(3)) t.readActions = c.subset(actionNames, 2);
    if (c.chance(2)) t.default = c.pick(ORG_DEFAULTS);
    if (c.chance(3)) t.hierarchy = c.chance(2);
    if (c.chance(3)) t.groupOwnerLevel = c.pick(LEVELS);
    typeInputs.push([name, t]);
  }
  // SPEC 9: sometimes controlled types (never named by the rules and access groups below).
  for (const [name, t] of controlledTypeInputs(c, typeNames)) {
    types.set(name, { actions: new Map(Object.entries(t.actions)) });
    typeInputs.push([name, t]);
  }
  const pairs: Pair[] = [];
  for (const [type, info] of types) for (const a of info.actions.keys()) pairs.push([type, a]);

  const b: Built = { types, pairs, tenantIds: ['default'], tenantParent: new Map(), roles: [], users: [], groups: [] };

  // Tenants: a tree (default is a root), with ceilings each within the parent's effective one.
  const tenants: TenantInput[] = [];
  const ceilingOf = new Map<string, Pair[] | undefined>();
  const effective = (t: string | undefined): Pair[] => {
    for (const x of t === undefined ? [] : chain(b, t)) {
      const cl = ceilingOf.get(x);
      if (cl !== undefined) return cl;
    }
    return pairs;
  };
  const maybeCeiling = (parent: string | undefined): Pair[] | undefined => {
    if (!c.chance(3)) return undefined;
    return c.subset(effective(parent), 2);
  };
  if (c.chance(3)) {
    const ceiling = maybeCeiling(undefined);
    ceilingOf.set('default', ceiling);
    tenants.push({ id: 'default', ...(ceiling === undefined ? {} : { ceiling: capsFor(c, b, ceiling) }) });
  }
  for (const id of c.distinct(size.tenantPool, size.tenants)) {
    const parent = c.chance(4) ? undefined : c.pick(b.tenantIds);
    const ceiling = maybeCeiling(parent);
    ceilingOf.set(id, ceiling);
    b.tenantIds.push(id);
    b.tenantParent.set(id, parent);
    tenants.push({ id, ...(parent === undefined ? {} : { parent }), ...(ceiling === undefined ? {} : { ceiling: capsFor(c, b, ceiling) }) });
  }

  // Access levels come before the entities that name them.
  let accessLevels: AccessLevels | undefined;
  if (c.chance(2)) {
    const levels: { -readonly [K in keyof AccessLevels]: AccessLevels[K] } = {};
    for (const tier of TIERS) if (c.chance(2)) levels[tier] = randomCaps(c, b);
    accessLevels = levels;
  }
  const maybeLevel = (): { accessLevel?: LevelRef } =>
    accessLevels !== undefined && c.chance(3) ? { accessLevel: randomLevelRef(c, b) } : {};

  // Roles: a forest per tenant.
  for (const id of c.distinct(size.ids, size.roles)) {
    const tenant = someTenant(c, b.tenantIds, size.spread);
    const candidates = b.roles.filter((r) => tenantOf(r) === tenant);
    const parent = candidates.length > 0 && !c.chance(3) ? c.pick(candidates).id : undefined;
    b.roles.push({ id, ...withTenant(c, tenant), ...(parent === undefined ? {} : { parent }), ...maybeLevel() });
  }

  // Users: a role of their own tenant, maybe inactive, maybe further tenants.
  for (const id of c.distinct(size.ids, size.users)) {
    const tenant = someTenant(c, b.tenantIds, size.spread);
    const roles = b.roles.filter((r) => tenantOf(r) === tenant);
    const role = roles.length > 0 && !c.chance(4) ? c.pick(roles).id : undefined;
    const extra = c.chance(3) ? c.subset(b.tenantIds, 2) : undefined;
    b.users.push({
      id,
      ...withTenant(c, tenant),
      ...(c.chance(4) ? { status: 'inactive' as const } : c.chance(4) ? { status: 'active' as const } : {}),
      ...(role === undefined ? {} : { role }),
      ...maybeLevel(),
      ...(extra === undefined ? {} : { tenants: extra }),
    });
  }

  // Groups: nested only inside groups built earlier of the same tenant, so acyclic.
  for (const id of c.distinct(size.ids, size.groups)) {
    const tenant = someTenant(c, b.tenantIds, size.spread);
    const users = c.subset(b.users.filter((u) => actsIn(b, u, tenant)).map((u) => u.id), 2);
    const tenantRoles = b.roles.filter((r) => tenantOf(r) === tenant).map((r) => r.id);
    const roles = c.subset(tenantRoles, 4);
    const rolesAndSubordinates = c.subset(tenantRoles, 4);
    const earlier = b.groups.filter((g) => tenantOf(g) === tenant).map((g) => g.id);
    let groups = c.subset(earlier, size.nesting);
    // With twins: often exactly one of two lists that join alike, ['a', 'b'] or ['a\0b'], for a rewrite to turn into the other.
    if (size.twins === true && ['a', 'b', 'a\u0000b'].every((x) => earlier.includes(x)) && !c.chance(3)) groups = c.chance(2) ? ['a', 'b'] : ['a\u0000b'];
    const members: Record<string, string[]> = {};
    if (users.length > 0 || c.chance(4)) members.users = users;
    if (roles.length > 0) members.roles = roles;
    if (rolesAndSubordinates.length > 0) members.rolesAndSubordinates = rolesAndSubordinates;
    if (groups.length > 0) members.groups = groups;
    b.groups.push({
      id,
      ...withTenant(c, tenant),
      ...(c.chance(6) ? { name: `group ${id}` } : {}),
      ...(Object.keys(members).length > 0 || c.chance(2) ? { members } : {}),
      ...maybeLevel(),
    });
  }

  // Sharing rules.
  const sharingRules: SharingRuleInput[] = [];
  for (const id of c.distinct(size.ids, size.rules)) {
    const tenant = someTenant(c, b.tenantIds, size.spread);
    const ps = rulePrincipals(b, tenant);
    if (ps.length === 0) continue;
    // With twins, mostly from a group that nests a twin list: what a rewrite of that list changes.
    const twinned = b.groups.filter((g) => tenantOf(g) === tenant && (g.members?.groups ?? []).some((m) => m === 'a\u0000b' || m === 'a'));
    const from = size.twins === true && twinned.length > 0 && !c.chance(3) ? { group: c.pick(twinned).id } : c.pick(ps);
    sharingRules.push({
      id,
      ...withTenant(c, tenant),
      resourceType: c.pick(typeNames),
      from,
      to: c.pick(ps),
      level: c.pick(['read', 'readWrite'] as const),
    });
  }

  // Access groups.
  const accessGroups: AccessGroupInput[] = [];
  for (const id of c.distinct(size.ids, size.accessGroups)) {
    const tenant = someTenant(c, b.tenantIds, size.spread);
    const ps = principals(b, tenant);
    const grants: { to: Principal; level: Level }[] = [];
    const nGrants = ps.length === 0 ? 0 : c.int(4);
    for (let i = 0; i < nGrants; i++) grants.push({ to: c.pick(ps), level: c.pick(LEVELS) });
    accessGroups.push({
      id,
      ...withTenant(c, tenant),
      ...(c.chance(3) ? { resourceTypes: c.subset(typeNames, 2) } : {}),
      ...(c.chance(2) ? { segment: randomSegment(c) } : {}),
      ...(grants.length > 0 || c.chance(3) ? { grants } : {}),
    });
  }

  const defaultAccessLevel = accessLevels !== undefined && c.chance(3) ? randomLevelRef(c, b) : undefined;

  return {
    ...(tenants.length > 0 ? { tenants } : {}),
    ...(b.roles.length > 0 ? { roles: b.roles } : {}),
    ...(b.users.length > 0 ? { users: b.users } : {}),
    ...(b.groups.length > 0 ? { groups: b.groups } : {}),
    resourceTypes: record(typeInputs),
    ...(sharingRules.length > 0 ? { sharingRules } : {}),
    ...(accessGroups.length > 0 ? { accessGroups } : {}),
    ...(accessLevels === undefined ? {} : { accessLevels }),
    ...(defaultAccessLevel === undefined ? {} : { defaultAccessLevel }),
  };
}

/* ------------------------------------------------------------------------------------------ */
/* Resources.                                                                                   */

const ids = (list: readonly { readonly id: string }[] | undefined): string[] => (list ?? []).map((x) => x.id);

/** The instants record shares start and end at, ascending as points in time (one with an offset, one with a fraction). */
export const SHARE_INSTANTS: readonly string[] = ['2030-01-01T00:00:00Z', '2030-06-01T12:00:00+02:00', '2031-01-01T00:00:00.500Z'];
const SHARE_MS = SHARE_INSTANTS.map((t) => Date.parse(t));
/** The instants a scenario with shares asks at: exactly at each bound, just before the middle one, after the last. */
export const SHARE_TIMES: readonly number[] = [...SHARE_MS, (SHARE_MS[1] as number) - 1, (SHARE_MS[2] as number) + 1];

const SHARE_LEVELS: readonly ShareLevel[] = ['read', 'readWrite', 'full'];

/**
 * 0-5 random record shares: to users, roles, role subtrees and groups of any tenant (so some of
 * another tenant than the record's), to unknown ids, some bounded by `since` and/or `until` at the
 * instants of {@link SHARE_INSTANTS}.
 */
export function buildShares(c: Choices, policy: PolicyInput): Share[] {
  const users = ids(policy.users);
  const roles = ids(policy.roles);
  const groups = ids(policy.groups);
  const out: Share[] = [];
  const n = c.int(6);
  for (let i = 0; i < n; i++) {
    const orGhost = (list: string[]): string => (list.length === 0 || c.chance(6) ? GHOST : c.pick(list));
    let to: Principal;
    switch (c.int(4)) {
      case 0:
        to = { user: orGhost(users) };
        break;
      case 1:
        to = { role: orGhost(roles) };
        break;
      case 2:
        to = { roleAndSubordinates: orGhost(roles) };
        break;
      default:
        to = { group: orGhost(groups) };
    }
    const level = c.pick(SHARE_LEVELS);
    const a = c.int(SHARE_INSTANTS.length);
    const b = a + 1 + c.int(SHARE_INSTANTS.length - a);
    const since = SHARE_INSTANTS[a] as string;
    const until = SHARE_INSTANTS[b];
    switch (c.int(4)) {
      case 0:
        out.push({ to, level });
        break;
      case 1:
        out.push({ to, level, since });
        break;
      case 2:
        out.push({ to, level, until: SHARE_INSTANTS[a] as string });
        break;
      default:
        out.push(until === undefined ? { to, level, since } : { to, level, since, until });
    }
  }
  return out;
}

/** Builds a random resource for `policy`: owners that exist or not, any tenant, listed access groups, attributes, and with `shares`, record shares. */
export function buildResource(c: Choices, policy: PolicyInput, n: number, shares = false): Resource {
  // Records with owners: of the types with access of their own (SPEC 9: see parents.ts for the others).
  const types = Object.keys(policy.resourceTypes).filter((t) => policy.resourceTypes[t]?.controlledBy === undefined);
  const users = ids(policy.users);
  const groups = ids(policy.groups);
  let owner: Owner;
  if (c.chance(2) && groups.length > 0) owner = { group: c.chance(6) ? GHOST : c.pick(groups) };
  else {
    // Owners with a role half the time, so that superiors (hierarchy) and role-based rules apply.
    const withRole = (policy.users ?? []).filter((u) => u.role !== undefined).map((u) => u.id);
    owner = { user: c.chance(6) || users.length === 0 ? GHOST : c.chance(2) && withRole.length > 0 ? c.pick(withRole) : c.pick(users) };
  }
  const tenants = ['default', ...ids(policy.tenants).filter((t) => t !== 'default')];
  const tenantChoice = c.int(8);
  const tenant = tenantChoice < 3 ? undefined : tenantChoice === 7 ? GHOST : c.pick(tenants);
  const listed = c.chance(2) ? c.subset([...ids(policy.accessGroups), GHOST], 2) : undefined;
  const attrs = c.chance(2) ? c.distinct(ATTRIBUTE_POOL, 3).map((a) => [a, randomAttributeValue(c, a)] as const) : undefined;
  return {
    type: c.pick(types),
    id: `r${n}`,
    ...(tenant === undefined ? {} : { tenant }),
    owner,
    ...(listed === undefined ? {} : { accessGroups: listed }),
    ...(attrs === undefined ? {} : { attributes: record(attrs) }),
    ...(shares ? { shares: buildShares(c, policy) } : {}),
  };
}

/** A policy and a few resources to ask about. */
export interface Scenario {
  readonly policy: PolicyInput;
  readonly resources: readonly Resource[];
  /** With `size.shares`: the instant (epoch ms) to ask at, one of {@link SHARE_TIMES}. */
  readonly at?: number;
}

export function buildScenario(c: Choices, size: Size = SMALL): Scenario {
  const policy = buildPolicy(c, size);
  const n = 1 + c.int(size.resources ?? 4);
  const resources: Resource[] = [];
  for (let i = 0; i < n; i++) resources.push(buildResource(c, policy, i, size.shares === true));
  // SPEC 9: records of the controlled types, with parents among the records above or fresh ones.
  const controlled = controlledTypes(policy);
  if (controlled.length > 0) {
    const m = 1 + c.int(3);
    for (let i = 0; i < m; i++) {
      const [type] = c.pick(controlled);
      resources.push(buildChild(c, policy, type, `c${i}`, resources, (t) => ({ ...buildResource(c, policy, n + i), type: t, id: `p${i}` })));
    }
  }
  if (size.groupOwned === true) {
    const types = Object.keys(policy.resourceTypes).filter((t) => policy.resourceTypes[t]?.controlledBy === undefined);
    (policy.groups ?? []).forEach((g, i) => {
      resources.push({ type: c.pick(types), id: `g${i}`, ...(g.tenant === undefined ? {} : { tenant: g.tenant }), owner: { group: g.id } });
    });
  }
  return size.shares === true ? { policy, resources, at: c.pick(SHARE_TIMES) } : { policy, resources };
}

const stream = (length = STREAM_LENGTH): fc.Arbitrary<number[]> => fc.array(fc.nat({ max: 1 << 16 }), { minLength: length, maxLength: length });

/** Random valid policies. */
export const policyArb = (size: Size = SMALL): fc.Arbitrary<PolicyInput> => stream(streamLength(size)).map((s) => buildPolicy(new Choices(s), size));

/** Enough choices for a policy of this size, its resources and its changes. */
function streamLength(size: Size): number {
  return size === SMALL || size === SMALL_TEXT || size === COLLIDING ? STREAM_LENGTH : STREAM_LENGTH + 40 * (size.users + size.groups + size.roles);
}

/** A random valid policy with 1-4 resources (that may point at unknown owners, tenants and access groups). */
export const scenarioArb = (size: Size = SMALL): fc.Arbitrary<Scenario> => stream(streamLength(size)).map((s) => buildScenario(new Choices(s), size));

/**
 * {@link scenarioArb} without the records of controlled types (SPEC 9), for suites whose model of
 * a well-formed record is an owned one (the fuzzers of requests and test files; records with
 * parents have their own suites: test/engine/parents.test.ts and the property suites).
 */
export const ownedScenarioArb = (size: Size = SMALL): fc.Arbitrary<Scenario> =>
  scenarioArb(size).map((s) => ({ ...s, resources: s.resources.filter((r) => r.parent === undefined) }));

/** A random resource for a given policy. */
export const resourceArb = (policy: PolicyInput): fc.Arbitrary<Resource> =>
  stream().map((s) => buildResource(new Choices(s), policy, 0));

/* ------------------------------------------------------------------------------------------ */
/* Changes.                                                                                     */

/** A recipe over the policy draft with a description; prints as its description. */
export interface Change {
  readonly description: string;
  readonly recipe: (draft: PolicyDraft) => void;
}

/**
 * A deep copy of a recipe's parameter, made each time the recipe runs. A recipe runs more than
 * once (on the engine and on the test's own copy); immer freezes what a recipe inserts, and a later
 * edit in the same recipe may mutate it in place, so recipes never insert shared objects.
 */
function fresh<T>(value: T): T {
  return structuredClone(value);
}

/**
 * An entity written by a recipe, as prototype-less data (nested objects too, arrays stay arrays):
 * a later step of the same recipe that reads one of its missing fields gets `undefined`, never a
 * value from a polluted Object.prototype (the pollution fuzz replays these recipes).
 */
function entity<T>(value: T): T {
  const copy = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(copy);
    if (typeof v !== 'object' || v === null) return v;
    const out = Object.create(null) as Record<string, unknown>;
    for (const k of Object.keys(v)) out[k] = copy((v as Record<string, unknown>)[k]);
    return out;
  };
  return copy(value) as T;
}

function change(description: string, recipe: (draft: PolicyDraft) => void): Change {
  return {
    description,
    recipe,
    toString: () => description,
    [fc.toStringMethod]: () => description,
  } as Change;
}

const q = (s: string | undefined): string => (s === undefined ? 'undefined' : JSON.stringify(s));
const show = (v: unknown): string => (v === undefined ? 'undefined' : JSON.stringify(v));

type MemberList = 'users' | 'roles' | 'rolesAndSubordinates' | 'groups';
const MEMBER_LISTS: readonly MemberList[] = ['users', 'roles', 'rolesAndSubordinates', 'groups'];

/**
 * Where changes draw their ids from: mostly the ids of the policy they will run on (so that they
 * hit something), sometimes any pool id or an unknown one (so that they also create, dangle,
 * reach across tenants and close cycles).
 */
export interface IdSource {
  readonly users: readonly string[];
  readonly roles: readonly string[];
  readonly groups: readonly string[];
  readonly tenants: readonly string[];
  readonly sharingRules: readonly string[];
  readonly accessGroups: readonly string[];
  readonly types: readonly string[];
  readonly actions: readonly string[];
  /** Members as listed: group, list, member. */
  readonly memberships: readonly (readonly [string, MemberList, string])[];
}

/** The ids of a policy, for changes that are to hit it. */
export function idSourceOf(policy: PolicyInput): IdSource {
  // Changes name the types with access of their own: a rule, grant or default on a controlled type is refused.
  const types = Object.keys(policy.resourceTypes).filter((t) => policy.resourceTypes[t]?.controlledBy === undefined);
  return {
    users: ids(policy.users),
    roles: ids(policy.roles),
    groups: ids(policy.groups),
    tenants: ['default', ...ids(policy.tenants).filter((t) => t !== 'default')],
    sharingRules: ids(policy.sharingRules),
    accessGroups: ids(policy.accessGroups),
    types,
    actions: [...new Set(Object.values(policy.resourceTypes).flatMap((t) => Object.keys(t.actions)))],
    memberships: (policy.groups ?? []).flatMap((g) => MEMBER_LISTS.flatMap((list) => (g.members?.[list] ?? []).map((m) => [g.id, list, typeof m === 'string' ? m : m.id] as const))),
  };
}

/** Ids that hit nothing in particular: every pool id, plus an unknown one. */
export const POOL_IDS: IdSource = {
  users: ID_POOL,
  roles: ID_POOL,
  groups: ID_POOL,
  tenants: ['default', ...TENANT_POOL],
  sharingRules: ID_POOL,
  accessGroups: ID_POOL,
  types: TYPE_POOL,
  actions: ACTION_POOL,
  memberships: [],
};

/** One id of a kind: usually one the policy has, sometimes any pool id or an unknown one. */
function someId(c: Choices, known: readonly string[], pool: readonly string[]): string {
  if (known.length > 0 && !c.chance(4)) return c.pick(known);
  return c.chance(5) ? GHOST : c.pick(pool);
}

function someCaps(c: Choices, src: IdSource): string[] {
  const out = new Set<string>();
  const n = c.int(4);
  for (let i = 0; i < n; i++) {
    const type = someId(c, src.types, TYPE_POOL);
    const action = someId(c, src.actions, ACTION_POOL);
    out.add(c.pick([`${type}:${action}`, `${type}:*`, `*:${action}`, '*']));
  }
  return [...out];
}

function someLevelRef(c: Choices, src: IdSource): LevelRef {
  return c.chance(5) ? { custom: someCaps(c, src) } : c.pick(NAMED_REFS);
}

function someRulePrincipal(c: Choices, src: IdSource): RulePrincipal {
  switch (c.int(3)) {
    case 0:
      return { group: someId(c, src.groups, ID_POOL) };
    case 1:
      return { role: someId(c, src.roles, ID_POOL) };
    default:
      return { roleAndSubordinates: someId(c, src.roles, ID_POOL) };
  }
}

function somePrincipal(c: Choices, src: IdSource): Principal {
  return c.chance(3) ? { user: someId(c, src.users, ID_POOL) } : someRulePrincipal(c, src);
}

/** Separators under which ids of the pools collide. */
const SEPARATORS: readonly string[] = ['\u0000', ':'];

/**
 * A list that equals `list` when both are joined with `sep` but differs as a list: one id split
 * at `sep` into its parts, or two neighbours joined into one (`['a\0b']` and `['a', 'b']`). `at`
 * picks which, mostly among those whose new ids `exist` (so that the change can land); undefined
 * when there is nothing to split or join.
 */
function collide(list: readonly string[], sep: string, at: number, exists: (id: string) => boolean): string[] | undefined {
  const good: string[][] = [];
  const other: string[][] = [];
  const offer = (made: readonly string[], next: string[]): void => void (made.every(exists) && new Set(next).size === next.length ? good : other).push(next);
  list.forEach((id, i) => {
    if (id.includes(sep)) offer(id.split(sep), [...list.slice(0, i), ...id.split(sep), ...list.slice(i + 1)]);
    const next = list[i + 1];
    if (next !== undefined) offer([`${id}${sep}${next}`], [...list.slice(0, i), `${id}${sep}${next}`, ...list.slice(i + 2)]);
  });
  if (good.length > 0 && at % 4 !== 0) return good[at % good.length];
  // Nothing that can land: mostly a list that a later rewrite can turn into its twin.
  const seed = at % 4 !== 0 ? twinSeed(sep, at, exists) : undefined;
  if (seed !== undefined) return seed;
  const all = [...good, ...other];
  return all.length === 0 ? undefined : all[at % all.length];
}

/** `[a, b]` or `[a<sep>b]` (when all three exist): a list that a later rewrite can turn into its twin. */
function twinSeed(sep: string, at: number, exists: (id: string) => boolean): string[] | undefined {
  const joined = `a${sep}b`;
  if (!exists('a') || !exists('b') || !exists(joined)) return undefined;
  return at % 2 === 0 ? ['a', 'b'] : [joined];
}

/** Rewrites of a list into its twin under a separator: ['a\\0b'] and ['a', 'b'], ['a:b'] and ['a', 'b']. A change like this must count as a change everywhere. */
const REWRITE_KINDS: readonly { weight: number; build: (c: Choices, s: IdSource) => Change }[] = [
  {
    weight: 3,
    build: (c, s) => {
      // Usually a list that has members, nested groups first: a split or a join needs something to work on.
      const twins = new Set(['a', 'b', 'a\u0000b', 'a:b']);
      const nested = s.memberships.filter(([, l, m]) => l === 'groups' && twins.has(m));
      const listed = nested.length > 0 && !c.chance(4) ? nested : s.memberships.filter(([, l]) => l === 'groups');
      const [g, list] =
        listed.length > 0 && !c.chance(3)
          ? c.pick(listed)
          : s.memberships.length > 0 && !c.chance(3)
            ? c.pick(s.memberships)
            : [someId(c, s.groups, ID_POOL), c.pick(MEMBER_LISTS)];
      const sep = c.pick(SEPARATORS);
      const at = c.int(1 << 16);
      return change(`rewrite group ${q(g)}.members.${list} into a list that joins alike with ${q(sep)}`, (d) => {
        const group = d.groups.get(g);
        const members = group?.members;
        const old = ownMembers(group, list);
        if (group === undefined || members === undefined || old === undefined) return;
        // Ids that exist, and for groups and roles are of the group's tenant: the rewrite can land.
        const exists = (id: string): boolean =>
          list === 'users' ? d.users.has(id) : (list === 'groups' ? d.groups.get(id)?.tenant : d.roles.get(id)?.tenant) === group.tenant;
        const next = collide([...old], sep, at, exists);
        if (next !== undefined) members[list] = next;
      });
    },
  },
  {
    weight: 2,
    build: (c, s) => {
      const u = someId(c, s.users, ID_POOL);
      const sep = c.pick(SEPARATORS);
      const at = c.int(1 << 16);
      return change(`rewrite the tenants of user ${q(u)} into a list that joins alike with ${q(sep)}`, (d) => {
        const user = d.users.get(u);
        if (user?.tenants === undefined) return;
        const next = collide([...user.tenants], sep, at, (id) => d.tenants.has(id));
        if (next !== undefined) user.tenants = next;
      });
    },
  },
];

/** The kinds of change, each with a weight and a builder that draws its parameters. */
const CHANGE_KINDS: readonly { weight: number; build: (c: Choices, s: IdSource) => Change }[] = [
  // Group membership (nesting may close a cycle; members may be of another tenant or missing).
  {
    weight: 8,
    build: (c, s) => {
      const g = someId(c, s.groups, ID_POOL);
      const list = c.pick(MEMBER_LISTS);
      const pool = list === 'users' ? s.users : list === 'groups' ? s.groups : s.roles;
      const m = someId(c, pool, ID_POOL);
      return change(`add ${q(m)} to group ${q(g)}.members.${list}`, (d) => {
        // `?.` on members: a group put earlier in the same recipe may have been written without them
        // (and then, under the pollution fuzz, a missing list must not be read from Object.prototype).
        const members = ownMembers(d.groups.get(g), list);
        if (members !== undefined && !members.includes(m)) members.push(m);
      });
    },
  },
  {
    weight: 4,
    build: (c, s) => {
      // Usually a member that is listed, so that the removal does something.
      const [g, list, m] =
        s.memberships.length > 0 && !c.chance(4)
          ? c.pick(s.memberships)
          : ([someId(c, s.groups, ID_POOL), c.pick(MEMBER_LISTS), someId(c, s.users, ID_POOL)] as const);
      return change(`remove ${q(m)} from group ${q(g)}.members.${list}`, (d) => {
        const gr = d.groups.get(g);
        const listed = ownMembers(gr, list);
        if (gr !== undefined && listed?.includes(m) === true) gr.members[list] = listed.filter((x) => x !== m);
      });
    },
  },
  ...REWRITE_KINDS,
  // Users.
  {
    weight: 3,
    build: (c, s) => {
      const u = someId(c, s.users, ID_POOL);
      const r = c.chance(4) ? undefined : someId(c, s.roles, ID_POOL);
      return change(`set role of user ${q(u)} to ${q(r)}`, (d) => {
        const user = d.users.get(u);
        if (user === undefined) return;
        if (r === undefined) delete user.role;
        else user.role = r;
      });
    },
  },
  {
    weight: 3,
    build: (c, s) => {
      const u = someId(c, s.users, ID_POOL);
      return change(`toggle status of user ${q(u)}`, (d) => {
        const user = d.users.get(u);
        if (user !== undefined) user.status = user.status === 'inactive' ? 'active' : 'inactive';
      });
    },
  },
  {
    weight: 2,
    build: (c, s) => {
      const u = someId(c, s.users, ID_POOL);
      const l = c.chance(3) ? undefined : someLevelRef(c, s);
      return change(`set access level of user ${q(u)} to ${show(l)}`, (d) => {
        const user = d.users.get(u);
        if (user === undefined) return;
        if (l === undefined) delete user.accessLevel;
        else user.accessLevel = fresh(l);
      });
    },
  },
  {
    weight: 2,
    build: (c, s) => {
      const u = someId(c, s.users, ID_POOL);
      const ts = [...new Set([someId(c, s.tenants, TENANT_POOL), someId(c, s.tenants, TENANT_POOL)])].slice(0, c.int(3));
      return change(`set tenants of user ${q(u)} to ${show(ts)}`, (d) => {
        const user = d.users.get(u);
        if (user !== undefined) user.tenants = fresh(ts);
      });
    },
  },
  {
    weight: 2,
    build: (c, s) => {
      const u = someId(c, s.users, ID_POOL);
      const t = someId(c, s.tenants, TENANT_POOL);
      const r = c.chance(2) ? someId(c, s.roles, ID_POOL) : undefined;
      return change(`put user ${q(u)} (tenant ${q(t)}, role ${q(r)})`, (d) => {
        d.users.set(u, entity({ id: u, tenant: t, status: 'active', tenants: [], ...(r === undefined ? {} : { role: r }) }));
      });
    },
  },
  {
    weight: 2,
    build: (c, s) => {
      const u = someId(c, s.users, ID_POOL);
      return change(`delete user ${q(u)} (leaving references)`, (d) => {
        d.users.delete(u);
      });
    },
  },
  {
    weight: 1,
    build: (c, s) => {
      const u = someId(c, s.users, ID_POOL);
      return change(`delete user ${q(u)} and every group membership and grant naming it`, (d) => {
        if (!d.users.delete(u)) return;
        for (const g of d.groups.values()) {
          const users = ownMembers(g, 'users');
          if (users?.includes(u) === true) g.members.users = users.filter((x) => x !== u);
        }
        for (const a of d.accessGroups.values()) {
          if (a.grants.some((x) => 'user' in x.to && x.to.user === u)) a.grants = a.grants.filter((x) => !('user' in x.to && x.to.user === u));
        }
      });
    },
  },
  // Roles.
  {
    weight: 3,
    build: (c, s) => {
      const r = someId(c, s.roles, ID_POOL);
      const p = c.chance(4) ? undefined : someId(c, s.roles, ID_POOL);
      return change(`set parent of role ${q(r)} to ${q(p)}`, (d) => {
        const role = d.roles.get(r);
        if (role === undefined) return;
        if (p === undefined) delete role.parent;
        else role.parent = p;
      });
    },
  },
  {
    weight: 1,
    build: (c, s) => {
      const r = someId(c, s.roles, ID_POOL);
      const l = c.chance(3) ? undefined : someLevelRef(c, s);
      return change(`set access level of role ${q(r)} to ${show(l)}`, (d) => {
        const role = d.roles.get(r);
        if (role === undefined) return;
        if (l === undefined) delete role.accessLevel;
        else role.accessLevel = fresh(l);
      });
    },
  },
  {
    weight: 2,
    build: (c, s) => {
      const r = someId(c, s.roles, ID_POOL);
      const t = someId(c, s.tenants, TENANT_POOL);
      const p = c.chance(2) ? someId(c, s.roles, ID_POOL) : undefined;
      return change(`put role ${q(r)} (tenant ${q(t)}, parent ${q(p)})`, (d) => {
        d.roles.set(r, entity({ id: r, tenant: t, ...(p === undefined ? {} : { parent: p }) }));
      });
    },
  },
  {
    weight: 1,
    build: (c, s) => {
      const r = someId(c, s.roles, ID_POOL);
      return change(`delete role ${q(r)} (leaving references)`, (d) => {
        d.roles.delete(r);
      });
    },
  },
  // Groups.
  {
    weight: 1,
    build: (c, s) => {
      const g = someId(c, s.groups, ID_POOL);
      const l = c.chance(3) ? undefined : someLevelRef(c, s);
      return change(`set access level of group ${q(g)} to ${show(l)}`, (d) => {
        const group = d.groups.get(g);
        if (group === undefined) return;
        if (l === undefined) delete group.accessLevel;
        else group.accessLevel = fresh(l);
      });
    },
  },
  {
    weight: 2,
    build: (c, s) => {
      const g = someId(c, s.groups, ID_POOL);
      const t = someId(c, s.tenants, TENANT_POOL);
      return change(`put empty group ${q(g)} in tenant ${q(t)}`, (d) => {
        d.groups.set(g, entity({ id: g, tenant: t, members: { users: [], roles: [], rolesAndSubordinates: [], groups: [] } }));
      });
    },
  },
  {
    weight: 2,
    build: (c, s) => {
      const g = someId(c, s.groups, ID_POOL);
      return change(`delete group ${q(g)} (leaving references)`, (d) => {
        d.groups.delete(g);
      });
    },
  },
  {
    weight: 2,
    build: (c, s) => {
      const g = someId(c, s.groups, ID_POOL);
      return change(`delete group ${q(g)} and every reference to it`, (d) => {
        if (!d.groups.delete(g)) return;
        for (const other of d.groups.values()) {
          const groups = ownMembers(other, 'groups');
          if (groups?.includes(g) === true) other.members.groups = groups.filter((x) => x !== g);
        }
        for (const [id, r] of [...d.sharingRules.entries()]) {
          if (('group' in r.from && r.from.group === g) || ('group' in r.to && r.to.group === g)) d.sharingRules.delete(id);
        }
        for (const a of d.accessGroups.values()) {
          if (a.grants.some((x) => 'group' in x.to && x.to.group === g)) a.grants = a.grants.filter((x) => !('group' in x.to && x.to.group === g));
        }
      });
    },
  },
  // Sharing rules and access groups.
  {
    weight: 2,
    build: (c, s) => {
      const id = someId(c, s.sharingRules, ID_POOL);
      const t = someId(c, s.tenants, TENANT_POOL);
      const type = someId(c, s.types, TYPE_POOL);
      const from = someRulePrincipal(c, s);
      const to = someRulePrincipal(c, s);
      const level = c.pick(['read', 'readWrite'] as const);
      return change(`put sharing rule ${q(id)} (tenant ${q(t)}, ${type}: ${show(from)} -> ${show(to)} at ${level})`, (d) => {
        d.sharingRules.set(id, entity({ id, tenant: t, resourceType: type, from: fresh(from), to: fresh(to), level }));
      });
    },
  },
  {
    weight: 1,
    build: (c, s) => {
      const id = someId(c, s.sharingRules, ID_POOL);
      return change(`delete sharing rule ${q(id)}`, (d) => {
        d.sharingRules.delete(id);
      });
    },
  },
  {
    weight: 2,
    build: (c, s) => {
      const id = someId(c, s.accessGroups, ID_POOL);
      const t = someId(c, s.tenants, TENANT_POOL);
      const n = c.int(3);
      const grants: { to: Principal; level: Level }[] = [];
      for (let i = 0; i < n; i++) grants.push({ to: somePrincipal(c, s), level: c.pick(LEVELS) });
      const segment = c.chance(2) ? randomSegment(c) : undefined;
      const types = c.chance(3) ? [someId(c, s.types, TYPE_POOL)] : undefined;
      return change(`put access group ${q(id)} (tenant ${q(t)}, types ${show(types)}, grants ${show(grants)}, segment ${show(segment)})`, (d) => {
        d.accessGroups.set(id, entity(fresh({ id, tenant: t, grants, ...(segment === undefined ? {} : { segment }), ...(types === undefined ? {} : { resourceTypes: types }) })));
      });
    },
  },
  {
    weight: 1,
    build: (c, s) => {
      const id = someId(c, s.accessGroups, ID_POOL);
      const to = somePrincipal(c, s);
      const level = c.pick(LEVELS);
      return change(`add grant ${show({ to, level })} to access group ${q(id)}`, (d) => {
        d.accessGroups.get(id)?.grants.push(fresh({ to, level }));
      });
    },
  },
  {
    weight: 1,
    build: (c, s) => {
      const id = someId(c, s.accessGroups, ID_POOL);
      return change(`delete access group ${q(id)}`, (d) => {
        d.accessGroups.delete(id);
      });
    },
  },
  // Tenants, types and access levels.
  {
    weight: 1,
    build: (c, s) => {
      const t = someId(c, s.tenants, TENANT_POOL);
      const caps = c.chance(3) ? undefined : someCaps(c, s);
      return change(`set ceiling of tenant ${q(t)} to ${show(caps)}`, (d) => {
        const tenant = d.tenants.get(t);
        if (tenant === undefined) return;
        if (caps === undefined) delete tenant.ceiling;
        else tenant.ceiling = fresh(caps);
      });
    },
  },
  {
    weight: 1,
    build: (c, s) => {
      const t = someId(c, [], TENANT_POOL);
      const p = c.chance(3) ? undefined : someId(c, s.tenants, TENANT_POOL);
      return change(`add tenant ${q(t)} with parent ${q(p)}`, (d) => {
        if (!d.tenants.has(t)) d.tenants.set(t, entity({ id: t, ...(p === undefined ? {} : { parent: p }) }));
      });
    },
  },
  {
    weight: 1,
    build: (c, s) => {
      const t = someId(c, s.tenants, TENANT_POOL);
      const p = c.chance(3) ? undefined : someId(c, s.tenants, TENANT_POOL);
      return change(`set parent of tenant ${q(t)} to ${q(p)}`, (d) => {
        const tenant = d.tenants.get(t);
        if (tenant === undefined) return;
        if (p === undefined) delete tenant.parent;
        else tenant.parent = p;
      });
    },
  },
  {
    weight: 1,
    build: (c, s) => {
      const t = someId(c, s.tenants, TENANT_POOL);
      return change(`delete tenant ${q(t)} (may leave entities in it)`, (d) => {
        d.tenants.delete(t);
      });
    },
  },
  {
    weight: 1,
    build: (c, s) => {
      const t = someId(c, s.types, TYPE_POOL);
      const def = c.pick(ORG_DEFAULTS);
      const h = c.chance(2);
      const gol = c.pick(LEVELS);
      return change(`set type ${q(t)} default ${def}, hierarchy ${String(h)}, groupOwnerLevel ${gol}`, (d) => {
        const type = d.resourceTypes.get(t);
        if (type === undefined) return;
        type.default = def;
        type.hierarchy = h;
        type.groupOwnerLevel = gol;
      });
    },
  },
  {
    weight: 1,
    build: (c, s) => {
      const levels: { -readonly [K in keyof AccessLevels]: string[] } | undefined = c.chance(4) ? undefined : {};
      if (levels !== undefined) for (const tier of TIERS) if (c.chance(3)) levels[tier] = someCaps(c, s);
      return change(`set accessLevels to ${show(levels)}`, (d) => {
        if (levels === undefined) delete d.accessLevels;
        else d.accessLevels = fresh(levels);
      });
    },
  },
  {
    weight: 1,
    build: (c, s) => {
      const l = c.chance(3) ? undefined : someLevelRef(c, s);
      return change(`set defaultAccessLevel to ${show(l)}`, (d) => {
        if (l === undefined) delete d.defaultAccessLevel;
        else d.defaultAccessLevel = fresh(l);
      });
    },
  },
  // Entities written with only some fields: the engine fills in the defaults.
  {
    weight: 1,
    build: (c, s) => {
      const g = someId(c, s.groups, ID_POOL);
      const u = c.chance(2) ? someId(c, s.users, ID_POOL) : undefined;
      return change(`put group ${q(g)} with only an id${u === undefined ? '' : ` and user ${q(u)}`}`, (d) => {
        d.groups.set(g, entity((u === undefined ? { id: g } : { id: g, members: { users: [u] } }) as never));
      });
    },
  },
  {
    weight: 1,
    build: (c, s) => {
      const u = someId(c, s.users, ID_POOL);
      return change(`put user ${q(u)} with only an id`, (d) => {
        d.users.set(u, entity({ id: u } as never));
      });
    },
  },
  // Malformed or self-cancelling recipes.
  {
    weight: 1,
    build: (c, s) => {
      const u = someId(c, s.users, ID_POOL);
      const other = someId(c, [], ID_POOL);
      return change(`give user ${q(u)} the id ${q(other)} without re-keying it`, (d) => {
        const user = d.users.get(u);
        if (user !== undefined) (user as { id: string }).id = other;
      });
    },
  },
  {
    weight: 1,
    build: (c, s) => {
      const g = someId(c, [], ID_POOL);
      const t = someId(c, s.tenants, TENANT_POOL);
      return change(`put group ${q(g)} in tenant ${q(t)}, then delete it`, (d) => {
        d.groups.set(g, entity({ id: g, tenant: t, members: { users: [], roles: [], rolesAndSubordinates: [], groups: [] } }));
        d.groups.delete(g);
      });
    },
  },
  {
    weight: 1,
    build: (c, s) => {
      const u = someId(c, s.users, ID_POOL);
      return change(`toggle status of user ${q(u)} twice`, (d) => {
        const user = d.users.get(u);
        if (user === undefined) return;
        const was = user.status;
        user.status = was === 'inactive' ? 'active' : 'inactive';
        user.status = was;
      });
    },
  },
];

const TOTAL_WEIGHT = CHANGE_KINDS.reduce((n, k) => n + k.weight, 0);

function buildSimpleChange(c: Choices, src: IdSource, rewriteOneIn: number): Change {
  if (rewriteOneIn > 0 && c.chance(rewriteOneIn)) return c.pick(REWRITE_KINDS).build(c, src);
  let w = c.int(TOTAL_WEIGHT);
  for (const k of CHANGE_KINDS) {
    if (w < k.weight) return k.build(c, src);
    w -= k.weight;
  }
  throw new Error('unreachable');
}

/**
 * Builds one random change (valid or not) drawing ids from `src`: usually one edit, sometimes
 * two or three in one recipe (validated and applied together, as a whole).
 */
export function buildChange(c: Choices, src: IdSource, rewriteOneIn = 0): Change {
  if (!c.chance(5)) return buildSimpleChange(c, src, rewriteOneIn);
  const parts = [buildSimpleChange(c, src, rewriteOneIn), buildSimpleChange(c, src, rewriteOneIn)];
  if (c.chance(2)) parts.push(buildSimpleChange(c, src, rewriteOneIn));
  return change(`{ ${parts.map((p) => p.description).join('; ')} }`, (d) => {
    for (const p of parts) p.recipe(d);
  });
}

/** Random changes over pool ids, for policies not known in advance. */
export const changeArb = (): fc.Arbitrary<Change> => stream().map((s) => buildChange(new Choices(s), POOL_IDS));

/** A scenario and a sequence of 1-8 changes aimed at its policy. */
export interface ChangeScenario extends Scenario {
  readonly changes: readonly Change[];
}

/**
 * A scenario and 1-`maxChanges` changes. With `rewriteOneIn`, about one change in `rewriteOneIn`
 * rewrites a list into its twin under a separator (see {@link COLLIDING}).
 */
export const changeScenarioArb = (size: Size = SMALL, maxChanges = 8, rewriteOneIn = 0): fc.Arbitrary<ChangeScenario> =>
  stream(streamLength(size) + 30 * maxChanges).map((s) => {
    const c = new Choices(s);
    const scenario = buildScenario(c, size);
    const src = idSourceOf(scenario.policy);
    const n = 1 + c.int(maxChanges);
    const changes: Change[] = [];
    for (let i = 0; i < n; i++) changes.push(buildChange(c, src, rewriteOneIn));
    return { ...scenario, changes };
  });
