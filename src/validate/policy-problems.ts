import { PurviewError, formatPath, quote, type ErrorCode, type ErrorPath } from '../errors/errors.js';
import type { Id } from '../model/ids.js';
import {
  normalizeAccessGroup,
  normalizeAccessLevels,
  normalizeGroup,
  normalizeLevelRef,
  normalizePolicy,
  normalizeResourceType,
  normalizeRole,
  normalizeSharingRule,
  normalizeTenant,
  normalizeUser,
} from '../model/normalize.js';
import type { Policy } from '../model/policy.js';
import { deepFreeze } from '../model/freeze.js';
import { isPlainObject, own } from '../model/shape.js';
import { validationContext, type ValidationContext } from './context.js';
import { checkControlledTypes } from './controlled-by.js';
import { checkAllGroupCycles, checkRoleCycleFrom, checkTenantCycleFrom } from './cycles.js';
import { validateAccessGroup, validateGroup, validateRole, validateSharingRule, validateTenant, validateUser } from './entities.js';
import { checkEntityCount, checkGroupMembers, checkNestingDepth, type Limits } from './limits.js';

/*
 * Every problem of a policy, not just the first (up to a bound): each entity is read and checked
 * on its own, so that one bad user does not hide a bad group. What `createEngine` and `checkPolicy`
 * report first is always among them. An entity whose shape is wrong is left out of the later
 * checks, which may then also report what named it.
 */

/** One problem of a policy: the typed error's data, and a hint at the fix. */
export interface PolicyProblem {
  /** The error's stable code (`invalid-input`, `group-cycle`, `role-cycle`, `tenant`, `limit`, ...). */
  readonly code: ErrorCode;
  /** The error's class name (`InvalidInputError`, `GroupCycleError`, ...). */
  readonly error: string;
  /** Where in the policy: keys and list positions (`['groups', 3, 'members', 'users', 0]`). */
  readonly path: ErrorPath;
  /** What is wrong, and what to change. */
  readonly message: string;
  /** The ids involved. */
  readonly ids: readonly Id[];
  /** A general hint for this kind of problem. */
  readonly hint: string;
}

const HINTS: Readonly<Partial<Record<ErrorCode, string>>> = {
  'invalid-input': 'change the value at the path as the message says',
  'group-cycle': 'remove one of the nesting entries on the cycle (a group cannot contain itself)',
  'role-cycle': 'give one role on the cycle another parent (roles form a tree)',
  'tenant-cycle': 'give one tenant on the cycle another parent (tenants form a tree)',
  tenant: 'keep members, rules and grants inside their own tenant, and ceilings within the parent tenant\'s',
  limit: 'split the entity, or raise the limit in the engine options (limits)',
};

/** Options of {@link policyProblems}. */
export interface ProblemOptions {
  /** The most problems reported (default 100); past it the list ends with the count cut. */
  readonly max?: number;
  /** The size limits the policy must stay within (see `createEngine`). */
  readonly limits?: Limits;
}

const COLLECTIONS = [
  ['tenants', normalizeTenant],
  ['roles', normalizeRole],
  ['users', normalizeUser],
  ['groups', normalizeGroup],
  ['sharingRules', normalizeSharingRule],
  ['accessGroups', normalizeAccessGroup],
] as const;

const TOP = ['tenants', 'roles', 'users', 'groups', 'resourceTypes', 'sharingRules', 'accessGroups', 'accessLevels', 'defaultAccessLevel'];

/**
 * Every problem of a policy given as plain data (a policy file's content), up to `max`: its
 * shape entity by entity, then references, tenants, cycles, levels and limits. An empty list
 * means `createEngine({ policy })` accepts it.
 * @example
 * ```ts
 * for (const p of policyProblems(parse(text))) console.log(`${p.path.join('.')}: ${p.message} [${p.code}]`);
 * ```
 */
export function policyProblems(input: unknown, options: ProblemOptions = {}): PolicyProblem[] {
  const max = options.max ?? 100;
  const out: PolicyProblem[] = [];
  const full = (): boolean => out.length >= max;
  // The position of each entity in its list, so that a problem found by id points into the file.
  const positions = new Map<string, Map<Id, number>>();
  const located = (path: ErrorPath): ErrorPath => {
    const [key, id, ...rest] = path;
    const at = typeof key === 'string' && typeof id === 'string' ? positions.get(key)?.get(id) : undefined;
    return at === undefined ? path : [key as string, at, ...rest];
  };
  const attempt = (f: () => void): boolean => {
    if (full()) return false;
    try {
      f();
      return true;
    } catch (e) {
      const p = problemOf(e, located);
      if (!p.ids.some((id) => dropped.has(id))) out.push(p);
      return false;
    }
  };
  if (!isPlainObject(input)) {
    attempt(() => normalizePolicy(input));
    return out;
  }
  // Shape, entity by entity: the good ones are kept for the later checks. The ids of the bad
  // ones are remembered: a later problem about them ("does not exist") is only their echo.
  const kept: Record<string, unknown> = {};
  const dropped = new Set<Id>();
  for (const key of Object.keys(input)) {
    if (!TOP.includes(key)) attempt(() => normalizePolicy({ [key]: own(input, key) }));
  }
  for (const [key, normalize] of COLLECTIONS) {
    const raw = own(input, key);
    if (raw === undefined) continue;
    if (!Array.isArray(raw)) {
      attempt(() => normalizePolicy({ [key]: raw }));
      continue;
    }
    const good: unknown[] = [];
    const seen = new Map<Id, number>();
    positions.set(key, seen);
    raw.forEach((item: unknown, i: number) => {
      let id: Id | undefined;
      if (!attempt(() => (id = normalize(item, [key, i]).id)) || id === undefined) {
        const named = isPlainObject(item) ? own(item, 'id') : undefined;
        if (typeof named === 'string') dropped.add(named);
        return;
      }
      const first = seen.get(id);
      if (first !== undefined) {
        if (!full()) out.push(problem('invalid-input', 'InvalidInputError', [key, i, 'id'], `duplicate id ${quote(id)} in ${key}; the first is ${key}[${first}]`, [id]));
        return;
      }
      seen.set(id, i);
      good.push(item);
    });
    kept[key] = good;
  }
  const types = own(input, 'resourceTypes');
  if (types !== undefined) {
    if (!isPlainObject(types)) attempt(() => normalizePolicy({ resourceTypes: types }));
    else {
      const good: Record<string, unknown> = {};
      for (const name of Object.keys(types)) {
        const t = own(types, name);
        if (attempt(() => normalizeResourceType(name, t, ['resourceTypes', name]))) Object.defineProperty(good, name, { value: t, enumerable: true, writable: true, configurable: true });
      }
      kept.resourceTypes = good;
    }
  }
  const levels = own(input, 'accessLevels');
  if (levels !== undefined && attempt(() => normalizeAccessLevels(levels, ['accessLevels']))) kept.accessLevels = levels;
  const def = own(input, 'defaultAccessLevel');
  if (def !== undefined && attempt(() => normalizeLevelRef(def, ['defaultAccessLevel']))) kept.defaultAccessLevel = def;
  if (full()) return out;

  // Meaning: on the entities whose shape is right.
  let policy: Policy | undefined;
  if (!attempt(() => (policy = deepFreeze(normalizePolicy(kept)))) || policy === undefined) return out;
  const p = policy;
  let ctx: ValidationContext | undefined;
  if (!attempt(() => (ctx = validationContext(p, options.limits))) || ctx === undefined) return out;
  const c = ctx;
  attempt(() => checkEntityCount(p, c.limits));
  attempt(() => checkControlledTypes(p));
  for (const id of p.groups.keys()) attempt(() => checkGroupMembers(p, id, c.limits));
  const goodTenants = new Set<string>();
  let tenantsOk = true;
  for (const t of p.tenants.values()) if (!attempt(() => checkTenantCycleFrom(p, t.id, goodTenants))) tenantsOk = false;
  if (tenantsOk) for (const t of p.tenants.values()) attempt(() => validateTenant(c, t));
  for (const r of p.roles.values()) attempt(() => validateRole(c, r));
  const goodRoles = new Set<string>();
  for (const r of p.roles.values()) attempt(() => checkRoleCycleFrom(p, r.id, goodRoles));
  for (const u of p.users.values()) attempt(() => validateUser(c, u));
  for (const g of p.groups.values()) attempt(() => validateGroup(c, g));
  if (attempt(() => checkAllGroupCycles(p))) attempt(() => checkNestingDepth(p, c.limits));
  for (const r of p.sharingRules.values()) attempt(() => validateSharingRule(c, r));
  for (const a of p.accessGroups.values()) attempt(() => validateAccessGroup(c, a));
  return out;
}

function problem(code: ErrorCode, error: string, path: ErrorPath, message: string, ids: readonly Id[]): PolicyProblem {
  return Object.freeze({ code, error, path: Object.freeze([...path]), message, ids: Object.freeze([...ids]), hint: HINTS[code] ?? 'see the message' });
}

/** A typed error as a problem: its message without the path it starts with (the path is a field). */
function problemOf(e: unknown, located: (p: ErrorPath) => ErrorPath): PolicyProblem {
  if (!(e instanceof PurviewError)) throw e;
  const prefix = `${formatPath(e.path)}: `;
  const message = e.path.length > 0 && e.message.startsWith(prefix) ? e.message.slice(prefix.length) : e.message;
  return problem(e.code, e.name, located(e.path), message, e.ids);
}
