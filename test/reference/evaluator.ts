/*
 * A reference evaluator of SPEC sections 2-5, written to be obviously correct rather than fast.
 *
 * It works on the plain `PolicyInput` (arrays plus the `resourceTypes` record), independently of
 * src/: only types are imported from src/model. Every lookup goes through a `Map` or a `Set`
 * built from the input; ids are never used as object keys, so `__proto__` or `constructor` are
 * ordinary ids here. Recursion is naive, guarded by visited sets so that it terminates even on
 * policies the engine would reject.
 */
import type {
  AccessGroupInput,
  GroupInput,
  PolicyInput,
  RoleInput,
  SharingRuleInput,
  TenantInput,
  UserInput,
} from '../../src/model/policy-input.js';
import type { Level } from '../../src/model/level.js';
import type { Resource, Owner } from '../../src/model/resource.js';
import type { Principal } from '../../src/model/principal.js';
import type { Condition, Segment } from '../../src/model/segment.js';
import type { LevelRef } from '../../src/model/access-level.js';

export type Denial = 'unknown-user' | 'inactive-user' | 'tenant' | 'capability' | 'ceiling' | 'record-access';
export type Source = 'owner' | 'group-owner' | 'hierarchy' | 'default' | 'sharing-rule' | 'access-group' | 'record-share' | 'parent';

export interface RefDecision {
  readonly allowed: boolean;
  readonly denial?: Denial;
  /** The highest record-level access reached; `none` when a step before record access denied. */
  readonly level: Level;
  /** The level the action needs. */
  readonly required: Level;
  /** Every source that granted something, with its level (record access only). */
  readonly sources: readonly { readonly source: Source; readonly level: Level }[];
}

/** Thrown for an undeclared type or action (the engine throws `InvalidInputError`). */
export class RefInvalidInput extends Error {
  override readonly name = 'RefInvalidInput';
}

const DEFAULT = 'default';
const LEVEL_ORDER: readonly Level[] = ['none', 'read', 'readWrite', 'full'];
const TIER_ORDER = ['full', 'extended', 'standard', 'limited', 'minimum'] as const;
type Tier = (typeof TIER_ORDER)[number];

export function rank(l: Level): number {
  const r = LEVEL_ORDER.indexOf(l);
  if (r < 0) throw new Error(`not a level: ${String(l)}`);
  return r;
}

export function maxLevel(levels: Iterable<Level>): Level {
  let best: Level = 'none';
  for (const l of levels) if (rank(l) > rank(best)) best = l;
  return best;
}

/* ------------------------------------------------------------------------------------------ */
/* The policy, indexed by Maps.                                                                 */

interface TypeInfo {
  readonly actions: Map<string, Level>;
  readonly readActions: readonly string[] | undefined;
  readonly orgDefault: string;
  readonly hierarchy: boolean;
  readonly groupOwnerLevel: Level;
  /** SPEC 9: the type whose records control this type's records. */
  readonly controlledBy: string | undefined;
}

interface Ix {
  readonly policy: PolicyInput;
  readonly tenants: Map<string, TenantInput>;
  readonly roles: Map<string, RoleInput>;
  readonly users: Map<string, UserInput>;
  readonly groups: Map<string, GroupInput>;
  readonly types: Map<string, TypeInfo>;
  readonly sharingRules: readonly SharingRuleInput[];
  readonly accessGroups: readonly AccessGroupInput[];
}

function byId<T extends { readonly id: string }>(list: readonly T[] | undefined): Map<string, T> {
  const m = new Map<string, T>();
  for (const x of list ?? []) m.set(x.id, x);
  return m;
}

const cache = new WeakMap<PolicyInput, Ix>();

function ix(policy: PolicyInput): Ix {
  const hit = cache.get(policy);
  if (hit !== undefined) return hit;
  const types = new Map<string, TypeInfo>();
  // Object.entries reads own enumerable keys only: a type named `__proto__` is an ordinary key.
  for (const [name, t] of Object.entries(policy.resourceTypes)) {
    types.set(name, {
      actions: new Map(Object.entries(t.actions)),
      readActions: t.readActions,
      orgDefault: t.default ?? 'private',
      hierarchy: t.hierarchy ?? true,
      groupOwnerLevel: t.groupOwnerLevel ?? 'full',
      controlledBy: t.controlledBy,
    });
  }
  const built: Ix = {
    policy,
    tenants: byId(policy.tenants),
    roles: byId(policy.roles),
    users: byId(policy.users),
    groups: byId(policy.groups),
    types,
    sharingRules: policy.sharingRules ?? [],
    accessGroups: policy.accessGroups ?? [],
  };
  cache.set(policy, built);
  return built;
}

/* ------------------------------------------------------------------------------------------ */
/* Tenants.                                                                                     */

function tenantExists(p: Ix, t: string): boolean {
  return t === DEFAULT || p.tenants.has(t);
}

/** `t` followed by its ancestors, nearest first. */
function tenantChain(p: Ix, t: string): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  let cur: string | undefined = t;
  while (cur !== undefined && !seen.has(cur)) {
    seen.add(cur);
    out.push(cur);
    cur = p.tenants.get(cur)?.parent;
  }
  return out;
}

function userActsIn(p: Ix, u: UserInput, t: string): boolean {
  const chain = tenantChain(p, t);
  const bases = [u.tenant ?? DEFAULT, ...(u.tenants ?? [])];
  return bases.some((b) => chain.includes(b));
}

/* ------------------------------------------------------------------------------------------ */
/* Roles and membership.                                                                        */

/** The strict ancestors of a role. */
function roleAncestors(p: Ix, role: string): string[] {
  const out: string[] = [];
  const seen = new Set<string>([role]);
  let cur = p.roles.get(role)?.parent;
  while (cur !== undefined && !seen.has(cur)) {
    seen.add(cur);
    out.push(cur);
    cur = p.roles.get(cur)?.parent;
  }
  return out;
}

/**
 * A member list as ids. The evaluator of sections 2-5 sees no time: a policy with time-bound
 * entries is first resolved at an instant by `policyAt` (at-instant.ts), which leaves ids only.
 */
function plainIds(list: readonly (string | { readonly id: string })[] | undefined): readonly string[] {
  return (list ?? []).map((e) => {
    if (typeof e !== 'string') throw new Error('reference evaluator: resolve time-bound entries with policyAt(policy, t) first');
    return e;
  });
}

function roleInSubtree(p: Ix, role: string, root: string): boolean {
  return role === root || roleAncestors(p, role).includes(root);
}

/** Whether user `userId` (who must exist) is a member of group `groupId`, at any depth. */
function memberOfGroup(p: Ix, userId: string, groupId: string, visiting: Set<string> = new Set()): boolean {
  const user = p.users.get(userId);
  const group = p.groups.get(groupId);
  if (user === undefined || group === undefined) return false;
  if (visiting.has(groupId)) return false;
  visiting.add(groupId);
  const m = group.members ?? {};
  if (plainIds(m.users).includes(userId)) return true;
  const role = user.role;
  if (role !== undefined) {
    if (plainIds(m.roles).includes(role)) return true;
    if (plainIds(m.rolesAndSubordinates).some((r) => roleInSubtree(p, role, r))) return true;
  }
  return plainIds(m.groups).some((g) => memberOfGroup(p, userId, g, visiting));
}

function memberOfPrincipal(p: Ix, userId: string, pr: Principal): boolean {
  const user = p.users.get(userId);
  if (user === undefined) return false;
  if ('user' in pr) return pr.user === userId;
  if ('role' in pr) return user.role !== undefined && user.role === pr.role;
  if ('roleAndSubordinates' in pr) return user.role !== undefined && roleInSubtree(p, user.role, pr.roleAndSubordinates);
  return memberOfGroup(p, userId, pr.group);
}

/** Whether group `inner` is `outer` or nested inside it at any depth. */
function groupWithin(p: Ix, inner: string, outer: string, visiting: Set<string> = new Set()): boolean {
  if (inner === outer) return true;
  if (visiting.has(outer)) return false;
  visiting.add(outer);
  const g = p.groups.get(outer);
  if (g === undefined) return false;
  return plainIds(g.members?.groups).some((child) => groupWithin(p, inner, child, visiting));
}

/* ------------------------------------------------------------------------------------------ */
/* Capabilities (section 4).                                                                    */

/** A (type, action) pair as a Set key; JSON keeps `:` inside action names unambiguous. */
function pairKey(type: string, action: string): string {
  return JSON.stringify([type, action]);
}

function allPairs(p: Ix): string[] {
  const out: string[] = [];
  for (const [t, info] of p.types) for (const a of info.actions.keys()) out.push(pairKey(t, a));
  return out;
}

function expandCapability(p: Ix, cap: string): string[] {
  if (cap === '*') return allPairs(p);
  const colon = cap.indexOf(':');
  const type = cap.slice(0, colon);
  const action = cap.slice(colon + 1);
  const out: string[] = [];
  for (const [t, info] of p.types) {
    if (type !== '*' && t !== type) continue;
    for (const a of info.actions.keys()) if (action === '*' || a === action) out.push(pairKey(t, a));
  }
  return out;
}

function capsOf(p: Ix, caps: readonly string[]): Set<string> {
  const s = new Set<string>();
  for (const c of caps) for (const k of expandCapability(p, c)) s.add(k);
  return s;
}

function isReadAction(p: Ix, type: string, action: string): boolean {
  const info = p.types.get(type);
  if (info === undefined) return false;
  if (info.readActions !== undefined) return info.readActions.includes(action);
  return info.actions.get(action) === 'read';
}

function readOnlyTwin(p: Ix, set: Set<string>): Set<string> {
  const out = new Set<string>();
  for (const k of set) {
    const [t, a] = JSON.parse(k) as [string, string];
    if (isReadAction(p, t, a)) out.add(k);
  }
  return out;
}

function tierSet(p: Ix, tier: Tier): Set<string> {
  const levels = p.policy.accessLevels ?? {};
  const given = (t: Tier): Set<string> => capsOf(p, levels[t] ?? []);
  const union = (a: Set<string>, b: Set<string>): Set<string> => new Set([...a, ...b]);
  const minimum = given('minimum');
  const limited = union(minimum, given('limited'));
  const standard = union(limited, given('standard'));
  const extended = union(standard, given('extended'));
  const full = levels.full === undefined ? new Set(allPairs(p)) : union(extended, given('full'));
  switch (tier) {
    case 'minimum':
      return minimum;
    case 'limited':
      return limited;
    case 'standard':
      return standard;
    case 'extended':
      return extended;
    case 'full':
      return full;
  }
}

function capsOfRef(p: Ix, ref: LevelRef): Set<string> {
  if (typeof ref === 'object') return capsOf(p, ref.custom);
  if (typeof ref === 'number') {
    const tier = TIER_ORDER[ref % 5] as Tier;
    return ref < 5 ? tierSet(p, tier) : readOnlyTwin(p, tierSet(p, tier));
  }
  if (ref.endsWith(':readOnly')) return readOnlyTwin(p, tierSet(p, ref.slice(0, -':readOnly'.length) as Tier));
  return tierSet(p, ref as Tier);
}

function userCaps(p: Ix, u: UserInput): Set<string> {
  const refs: LevelRef[] = [];
  if (u.accessLevel !== undefined) refs.push(u.accessLevel);
  const role = u.role === undefined ? undefined : p.roles.get(u.role);
  if (role?.accessLevel !== undefined) refs.push(role.accessLevel);
  for (const g of p.groups.values()) if (g.accessLevel !== undefined && memberOfGroup(p, u.id, g.id)) refs.push(g.accessLevel);
  if (refs.length === 0 && p.policy.defaultAccessLevel !== undefined) refs.push(p.policy.defaultAccessLevel);
  const out = new Set<string>();
  for (const r of refs) for (const k of capsOfRef(p, r)) out.add(k);
  return out;
}

/* ------------------------------------------------------------------------------------------ */
/* Segments.                                                                                    */

function conditionHolds(c: Condition, attrs: Map<string, unknown>): boolean {
  if (!attrs.has(c.attribute)) return false;
  const v = attrs.get(c.attribute);
  if (v === undefined) return false;
  if ('equals' in c) {
    const e = c.equals;
    if (Array.isArray(e)) return Array.isArray(v) && v.length === e.length && v.every((x, i) => x === e[i]);
    return v === e;
  }
  if ('in' in c) {
    if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') return false;
    return c.in.some((x) => x === v);
  }
  return Array.isArray(v) && v.includes(c.contains);
}

function segmentMatches(s: Segment, attributes: Resource['attributes']): boolean {
  const attrs = new Map<string, unknown>(Object.entries(attributes ?? {}));
  return s.all.every((c) => conditionHolds(c, attrs));
}

/* ------------------------------------------------------------------------------------------ */
/* Record access (section 3, step 5).                                                           */

/** Whether the rule principal `from` owns a resource owned by `owner`. */
/* ------------------------------------------------------------------------------------------ */
/* SPEC 9, parent-controlled types.                                                             */

/**
 * Checks a record against its type: a record of a controlled type carries `parent`, a record of
 * type `controlledBy`, and no `owner`, `shares` or `accessGroups`; a record of any other type has
 * no `parent` and has an owner. Throws {@link RefInvalidInput}. Checks the whole chain.
 */
function checkRecord(p: Ix, resource: Resource): void {
  const type = p.types.get(resource.type);
  if (type === undefined) throw new RefInvalidInput(`undeclared type ${resource.type}`);
  const has = (k: string): boolean => Object.hasOwn(resource, k) && (resource as unknown as Record<string, unknown>)[k] != null;
  if (type.controlledBy === undefined) {
    if (has('parent')) throw new RefInvalidInput(`a ${resource.type} record has no parent`);
    if (!has('owner')) throw new RefInvalidInput('missing owner');
    return;
  }
  if (has('owner') || has('shares') || has('accessGroups')) throw new RefInvalidInput(`a controlled ${resource.type} record has no owner, shares or access groups`);
  const parent = resource.parent;
  if (parent === undefined || parent === null) throw new RefInvalidInput(`a ${resource.type} record needs a parent`);
  if (parent.type !== type.controlledBy) throw new RefInvalidInput(`the parent of a ${resource.type} record is a ${type.controlledBy}`);
  checkRecord(p, parent);
}

/** A record's tenant: its own; for a controlled record without one, its parent's. */
function tenantOfRecord(p: Ix, resource: Resource): string {
  if (resource.tenant !== undefined && resource.tenant !== null) return resource.tenant;
  if (p.types.get(resource.type)?.controlledBy !== undefined && resource.parent !== undefined) return tenantOfRecord(p, resource.parent);
  return DEFAULT;
}

/** Whether every controlled record of the chain is in its parent's tenant. */
function tenantsAgree(p: Ix, resource: Resource): boolean {
  if (p.types.get(resource.type)?.controlledBy === undefined || resource.parent === undefined) return true;
  return tenantOfRecord(p, resource) === tenantOfRecord(p, resource.parent) && tenantsAgree(p, resource.parent);
}

/** The record-access level a user reaches on a record (step 5): a controlled record's is the level reached on its parent. */
function recordLevel(p: Ix, userId: string, resource: Resource, at: number): Level {
  const type = p.types.get(resource.type) as TypeInfo;
  if (type.controlledBy !== undefined) return recordLevel(p, userId, resource.parent as Resource, at);
  return maxLevel(recordSources(p, userId, type, resource.type, resource, tenantOfRecord(p, resource), at).map((s) => s.level));
}

function fromOwns(p: Ix, from: SharingRuleInput['from'], owner: Owner): boolean {
  if ('user' in owner) {
    if (!p.users.has(owner.user)) return false;
    return memberOfPrincipal(p, owner.user, from);
  }
  if (!('group' in from)) return false;
  return groupWithin(p, owner.group, from.group);
}

/** SPEC 9: an entry is in effect at `t` when `since <= t < until`, a missing bound open. */
function inEffect(e: { readonly since?: string | null; readonly until?: string | null }, t: number): boolean {
  const since = e.since === undefined || e.since === null ? -Infinity : Date.parse(e.since);
  const until = e.until === undefined || e.until === null ? Infinity : Date.parse(e.until);
  return since <= t && t < until;
}

/**
 * SPEC 9: whether a share's principal is a principal of `tenant` (the record's): a user who may
 * act in it, or a role or group of it. Unknown ids are principals of no tenant.
 */
function principalOfTenant(p: Ix, pr: Principal, tenant: string): boolean {
  if ('user' in pr) {
    const u = p.users.get(pr.user);
    return u !== undefined && userActsIn(p, u, tenant);
  }
  if ('group' in pr) {
    const g = p.groups.get(pr.group);
    return g !== undefined && (g.tenant ?? DEFAULT) === tenant;
  }
  const role = p.roles.get('role' in pr ? pr.role : pr.roleAndSubordinates);
  return role !== undefined && (role.tenant ?? DEFAULT) === tenant;
}

function recordSources(p: Ix, userId: string, type: TypeInfo, typeName: string, resource: Resource, tenant: string, at: number): { source: Source; level: Level }[] {
  const out: { source: Source; level: Level }[] = [];
  const user = p.users.get(userId) as UserInput;
  const owner = resource.owner as Owner;
  if ('user' in owner && owner.user === userId) out.push({ source: 'owner', level: 'full' });
  if ('group' in owner && memberOfGroup(p, userId, owner.group)) out.push({ source: 'group-owner', level: type.groupOwnerLevel });
  if (type.hierarchy && 'user' in owner) {
    const ownerUser = p.users.get(owner.user);
    if (ownerUser?.role !== undefined && user.role !== undefined && roleAncestors(p, ownerUser.role).includes(user.role)) {
      out.push({ source: 'hierarchy', level: 'full' });
    }
  }
  const byDefault = new Map<string, Level>([
    ['private', 'none'],
    ['publicRead', 'read'],
    ['publicReadWrite', 'readWrite'],
    ['publicFull', 'full'],
  ]).get(type.orgDefault);
  if (byDefault === undefined) throw new Error(`unknown default ${type.orgDefault}`);
  out.push({ source: 'default', level: byDefault });
  for (const rule of p.sharingRules) {
    if (rule.resourceType !== typeName || (rule.tenant ?? DEFAULT) !== tenant) continue;
    if (fromOwns(p, rule.from, owner) && memberOfPrincipal(p, userId, rule.to)) out.push({ source: 'sharing-rule', level: rule.level });
  }
  for (const ag of p.accessGroups) {
    if ((ag.tenant ?? DEFAULT) !== tenant) continue;
    if (ag.resourceTypes !== undefined && !ag.resourceTypes.includes(typeName)) continue;
    const listed = (resource.accessGroups ?? []).includes(ag.id);
    const matched = ag.segment !== undefined && segmentMatches(ag.segment, resource.attributes);
    if (!listed && !matched) continue;
    for (const g of ag.grants ?? []) if (memberOfPrincipal(p, userId, g.to)) out.push({ source: 'access-group', level: g.level });
  }
  // SPEC 9, record shares: a share in effect whose `to`, a principal of the record's tenant, has the user as a member.
  for (const share of resource.shares ?? []) {
    if (inEffect(share, at) && principalOfTenant(p, share.to, tenant) && memberOfPrincipal(p, userId, share.to)) out.push({ source: 'record-share', level: share.level });
  }
  return out;
}

/* ------------------------------------------------------------------------------------------ */
/* Queries.                                                                                     */

/** The decision of `check(user, action, resource)` (section 3) at instant `at` (epoch ms). Throws {@link RefInvalidInput}. */
export function refCheck(policy: PolicyInput, userId: string, action: string, resource: Resource, at: number = Date.now()): RefDecision {
  const p = ix(policy);
  const type = p.types.get(resource.type);
  if (type === undefined) throw new RefInvalidInput(`undeclared type ${resource.type}`);
  const required = type.actions.get(action);
  if (required === undefined) throw new RefInvalidInput(`undeclared action ${action}`);
  const deny = (denial: Denial): RefDecision => ({ allowed: false, denial, level: 'none', required, sources: [] });

  // A malformed record is an InvalidInputError whoever asks (SPEC 9: a controlled record needs its
  // parent, another record has none), before any step.
  checkRecord(p, resource);

  // 1. The user exists and is active.
  const user = p.users.get(userId);
  if (user === undefined) return deny('unknown-user');
  if ((user.status ?? 'active') !== 'active') return deny('inactive-user');

  // 2. Tenant (SPEC 9: a controlled record without one is in its parent's; one in another tenant than its parent's is denied).
  const tenant = tenantOfRecord(p, resource);
  if (!tenantsAgree(p, resource)) return deny('tenant');
  if (!tenantExists(p, tenant) || !userActsIn(p, user, tenant)) return deny('tenant');

  // 3. Capability, only when the policy defines access levels.
  const pair = pairKey(resource.type, action);
  if (policy.accessLevels !== undefined && !userCaps(p, user).has(pair)) return deny('capability');

  // 4. Ceilings of the resource's tenant and its ancestors.
  for (const t of tenantChain(p, tenant)) {
    const ceiling = p.tenants.get(t)?.ceiling;
    if (ceiling !== undefined && !capsOf(p, ceiling).has(pair)) return deny('ceiling');
  }

  // 5. Record access (SPEC 9: a controlled record's is the level reached on its parent, source `parent`).
  if (type.controlledBy !== undefined) {
    const level = recordLevel(p, userId, resource, at);
    const sources = level === 'none' ? [] : [{ source: 'parent' as const, level }];
    const allowed = rank(level) >= rank(required);
    return allowed ? { allowed, level, required, sources } : { allowed, denial: 'record-access', level, required, sources };
  }
  const sources = recordSources(p, userId, type, resource.type, resource, tenant, at);
  const level = maxLevel(sources.map((s) => s.level));
  const allowed = rank(level) >= rank(required);
  return allowed ? { allowed, level, required, sources } : { allowed, denial: 'record-access', level, required, sources };
}

/** Every group the user is a member of, at any depth, sorted. An unknown user has none. */
export function refGroupsOf(policy: PolicyInput, userId: string): string[] {
  const p = ix(policy);
  if (!p.users.has(userId)) return [];
  return [...p.groups.keys()].filter((g) => memberOfGroup(p, userId, g)).sort();
}

/** Every user who is a member of the group (inactive users included), sorted. */
export function refMembersOf(policy: PolicyInput, groupId: string): string[] {
  const p = ix(policy);
  if (!p.groups.has(groupId)) return [];
  return [...p.users.keys()].filter((u) => memberOfGroup(p, u, groupId)).sort();
}

/** The owner user, or the members of the owner group, sorted; unknown owners have none. */
export function refEffectiveOwners(policy: PolicyInput, resource: Resource): string[] {
  const p = ix(policy);
  // The owners of a record of an undeclared type are its owner's (the type does not matter to them).
  if (p.types.has(resource.type)) checkRecord(p, resource);
  else if (resource.owner === undefined || resource.owner === null) throw new RefInvalidInput('missing owner');
  // SPEC 9: a controlled record's owners are its parent's.
  if (p.types.get(resource.type)?.controlledBy !== undefined) return refEffectiveOwners(policy, resource.parent as Resource);
  const owner = resource.owner as Owner;
  if ('user' in owner) return p.users.has(owner.user) ? [owner.user] : [];
  return refMembersOf(policy, owner.group);
}

/** Every active user that `check` allows (at instant `at`), sorted. */
export function refWhoCan(policy: PolicyInput, action: string, resource: Resource, at: number = Date.now()): string[] {
  const p = ix(policy);
  return [...p.users.values()]
    .filter((u) => (u.status ?? 'active') === 'active' && refCheck(policy, u.id, action, resource, at).allowed)
    .map((u) => u.id)
    .sort();
}

/**
 * SPEC 9, field permissions: the declared fields whose `read` (`write`) action `check` allows;
 * a field without `write` is never writable. Straight from the text: one check per field.
 */
export function refPermittedFields(policy: PolicyInput, userId: string, resource: Resource, at: number = Date.now()): { read: string[]; write: string[] } {
  const type = Object.hasOwn(policy.resourceTypes, resource.type) ? policy.resourceTypes[resource.type] : undefined;
  if (type === undefined) throw new RefInvalidInput(`undeclared type ${resource.type}`);
  const read: string[] = [];
  const write: string[] = [];
  for (const [field, f] of Object.entries(type.fields ?? {})) {
    if (refCheck(policy, userId, f.read, resource, at).allowed) read.push(field);
    if (f.write !== undefined && refCheck(policy, userId, f.write, resource, at).allowed) write.push(field);
  }
  return { read, write };
}

/* ------------------------------------------------------------------------------------------ */
/* Proof paths.                                                                                 */

/** A step of a membership path, as decisions report them (structurally; see src/decide/decision.ts). */
export interface RefPathStep {
  readonly kind: 'user' | 'role' | 'group';
  readonly id: string;
  readonly via?: string;
}

/** A reason of a decision, as far as proofs are concerned. */
export interface RefReason {
  readonly source: string;
  readonly level: Level;
  readonly path: readonly RefPathStep[];
  readonly rule?: string;
  readonly accessGroup?: string;
  readonly ownerPath?: readonly RefPathStep[];
  /** SPEC 9, `parent`: the parent record and the reasons it gives. */
  readonly parent?: { readonly type: string; readonly id: string; readonly reasons: readonly RefReason[] };
  readonly share?: number;
  readonly until?: string;
}

/** Problems with one step of a path, given the step before it. */
function stepProblem(p: Ix, prev: RefPathStep, step: RefPathStep): string | undefined {
  const bad = (why: string): string => `step ${JSON.stringify(step)} after ${JSON.stringify(prev)}: ${why}`;
  if (step.kind === 'role' && step.via === 'has-role') {
    if (prev.kind !== 'user' || p.users.get(prev.id)?.role !== step.id) return bad('the user does not have this role');
    return undefined;
  }
  if (step.kind === 'role' && step.via === 'under') {
    if (prev.kind !== 'role' || !roleInSubtree(p, prev.id, step.id)) return bad("the role before is not in this role's subtree");
    return undefined;
  }
  if (step.kind === 'role' && step.via === 'superior-of') {
    if (prev.kind !== 'role' || !roleAncestors(p, step.id).includes(prev.id)) return bad('the role before is not a strict ancestor of this one');
    return undefined;
  }
  if (step.kind === 'user' && step.via === 'owned-by') {
    if (prev.kind !== 'role' || p.users.get(step.id)?.role !== prev.id) return bad("the role before is not this user's");
    return undefined;
  }
  if (step.kind === 'group' && step.via === 'member-of') {
    const m = p.groups.get(step.id)?.members;
    if (m === undefined) return bad('no such group');
    const ok =
      prev.kind === 'user'
        ? plainIds(m.users).includes(prev.id)
        : prev.kind === 'group'
          ? plainIds(m.groups).includes(prev.id)
          : prev.via === 'under'
            ? plainIds(m.rolesAndSubordinates).includes(prev.id)
            : plainIds(m.roles).includes(prev.id) || plainIds(m.rolesAndSubordinates).includes(prev.id);
    return ok ? undefined : bad('the step before is not listed in this group');
  }
  return bad('unknown kind of step');
}

function chainProblems(p: Ix, path: readonly RefPathStep[]): string[] {
  const out: string[] = [];
  for (let i = 1; i < path.length; i++) {
    const problem = stepProblem(p, path[i - 1] as RefPathStep, path[i] as RefPathStep);
    if (problem !== undefined) out.push(problem);
  }
  return out;
}

/** Whether the end of a path is principal `pr`. */
function endsAt(path: readonly RefPathStep[], pr: Principal): boolean {
  const last = path[path.length - 1];
  if (last === undefined) return false;
  if ('user' in pr) return last.kind === 'user' && last.id === pr.user;
  if ('group' in pr) return last.kind === 'group' && last.id === pr.group;
  if ('role' in pr) return last.kind === 'role' && last.id === pr.role && last.via === 'has-role';
  return last.kind === 'role' && last.id === pr.roleAndSubordinates;
}

/**
 * Problems with the proofs of a decision's reasons: each path must start at the user, each step
 * must hold in the policy, and it must end where the source says (the owning group, the owner,
 * the rule's `to`, a grant's principal); a sharing rule's owner path must lead from the owner to
 * the rule's `from`.
 */
export function refPathProblems(
  policy: PolicyInput,
  userId: string,
  resource: Resource,
  reasons: readonly RefReason[],
): string[] {
  const p = ix(policy);
  const out: string[] = [];
  for (const r of reasons) {
    const label = `${r.source} reason ${JSON.stringify(r)}`;
    if (r.source === 'default') continue;
    const first = r.path[0];
    if (first === undefined || first.kind !== 'user' || first.id !== userId) {
      out.push(`${label}: does not start at the user`);
      continue;
    }
    for (const problem of chainProblems(p, r.path)) out.push(`${label}: ${problem}`);
    if (r.source === 'parent') {
      // SPEC 9: the reason names the record's parent and holds the parent's reasons, each with its proof.
      const parent = resource.parent;
      if (parent === undefined || r.parent === undefined || r.parent.type !== parent.type || r.parent.id !== parent.id) {
        out.push(`${label}: does not name the record's parent`);
        continue;
      }
      if (r.parent.reasons.length === 0) out.push(`${label}: holds no reasons of the parent`);
      for (const problem of refPathProblems(policy, userId, parent, r.parent.reasons)) out.push(`${label}: ${problem}`);
      continue;
    }
    const owner = resource.owner as Owner;
    switch (r.source) {
      case 'owner':
        if (!endsAt(r.path, { user: userId }) || !('user' in owner) || owner.user !== userId) out.push(`${label}: the user is not the owner`);
        break;
      case 'group-owner':
        if (!('group' in owner) || !endsAt(r.path, { group: owner.group })) out.push(`${label}: does not end at the owning group`);
        break;
      case 'hierarchy':
        if (!('user' in owner) || !endsAt(r.path, { user: owner.user })) out.push(`${label}: does not end at the owner`);
        break;
      case 'sharing-rule': {
        const rule = p.sharingRules.find((x) => x.id === r.rule);
        if (rule === undefined) {
          out.push(`${label}: no such rule`);
          break;
        }
        if (!endsAt(r.path, rule.to)) out.push(`${label}: does not end at the rule's to`);
        const op = r.ownerPath ?? [];
        const start = op[0];
        if ('user' in owner) {
          if (start === undefined || start.kind !== 'user' || start.id !== owner.user) out.push(`${label}: owner path does not start at the owner`);
        } else if (start === undefined || start.kind !== 'group' || start.id !== owner.group) {
          out.push(`${label}: owner path does not start at the owning group`);
        }
        for (const problem of chainProblems(p, op)) out.push(`${label}: owner path: ${problem}`);
        if (!endsAt(op, rule.from)) out.push(`${label}: owner path does not end at the rule's from`);
        break;
      }
      case 'access-group': {
        const ag = p.accessGroups.find((x) => x.id === r.accessGroup);
        if (ag === undefined) {
          out.push(`${label}: no such access group`);
          break;
        }
        if (!(ag.grants ?? []).some((g) => g.level === r.level && endsAt(r.path, g.to))) out.push(`${label}: ends at no grant of that level`);
        break;
      }
      case 'record-share': {
        const share = typeof r.share === 'number' ? resource.shares?.[r.share] : undefined;
        if (share === undefined) {
          out.push(`${label}: no such share on the record`);
          break;
        }
        if (share.level !== r.level) out.push(`${label}: the share gives ${share.level}`);
        if (!endsAt(r.path, share.to)) out.push(`${label}: does not end at the share's to`);
        if ((share.until ?? undefined) !== r.until) out.push(`${label}: until ${String(r.until)}, the share's is ${String(share.until)}`);
        break;
      }
      default:
        out.push(`${label}: unknown source`);
    }
  }
  return out;
}

/** Problems with a path that should prove `userId` is a member of `groupId` (as `groupsOf(user, { paths: true })` gives). */
export function refMembershipPathProblems(policy: PolicyInput, userId: string, groupId: string, path: readonly RefPathStep[]): string[] {
  const p = ix(policy);
  const out: string[] = [];
  const first = path[0];
  if (first === undefined || first.kind !== 'user' || first.id !== userId) out.push('does not start at the user');
  out.push(...chainProblems(p, path));
  if (!endsAt(path, { group: groupId })) out.push('does not end at the group');
  const shortest = shortestMembership(p, userId).get(groupId);
  if (shortest !== undefined && path.length !== shortest) out.push(`has ${path.length} steps, but the shortest proof has ${shortest}`);
  return out;
}

/**
 * The length in steps of a shortest membership proof of the user in each group, counted over the
 * whole path: a group listing the user is `user → group` (2), one listing its role or its role as
 * `rolesAndSubordinates` `user → role → group` (3), one listing a role above it as
 * `rolesAndSubordinates` `user → role → role → group` (4); containing a group adds one.
 * Relaxed to a fixed point, straight from the definition.
 */
function shortestMembership(p: Ix, userId: string): Map<string, number> {
  const out = new Map<string, number>();
  const user = p.users.get(userId);
  if (user === undefined) return out;
  const role = user.role;
  for (const g of p.groups.values()) {
    const m = g.members ?? {};
    let best = Infinity;
    if (plainIds(m.users).includes(userId)) best = 2;
    else if (role !== undefined && (plainIds(m.roles).includes(role) || plainIds(m.rolesAndSubordinates).includes(role))) best = 3;
    else if (role !== undefined && plainIds(m.rolesAndSubordinates).some((r) => r !== role && roleInSubtree(p, role, r))) best = 4;
    if (best < Infinity) out.set(g.id, best);
  }
  for (let changed = true; changed; ) {
    changed = false;
    for (const g of p.groups.values()) {
      for (const c of plainIds(g.members?.groups)) {
        const via = out.get(c);
        if (via !== undefined && via + 1 < (out.get(g.id) ?? Infinity)) {
          out.set(g.id, via + 1);
          changed = true;
        }
      }
    }
  }
  return out;
}
