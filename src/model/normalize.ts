import { quote, type ErrorPath } from '../errors/errors.js';
import { TIERS, type AccessLevels, type Capability, type LevelRef } from './access-level.js';
import { DEFAULT_TENANT, type Id } from './ids.js';
import { LEVELS, type Level } from './level.js';
import type {
  AccessGroup,
  FieldPermission,
  Grant,
  Group,
  MemberEntry,
  Policy,
  ResourceType,
  Role,
  SharingRule,
  Tenant,
  TimeBounds,
  TimedMember,
  User,
} from './policy.js';
import { expectInstant, instantMillis } from './instant.js';
import {
  ACCESS_GROUP_FIELDS,
  CUSTOM_LEVEL_FIELDS,
  FIELD_PERMISSION_FIELDS,
  GRANT_FIELDS,
  GROUP_FIELDS,
  MAX_NUMBERED_LEVEL,
  MEMBER_LISTS,
  ORG_DEFAULTS,
  type OWN_ACCESS_FIELDS,
  POLICY_FIELDS,
  RESOURCE_TYPE_FIELDS,
  ROLE_FIELDS,
  SEGMENT_FIELDS,
  SHARING_RULE_FIELDS,
  SHARING_RULE_LEVELS,
  TENANT_FIELDS,
  TIER_REFS,
  TIMED_MEMBER_FIELDS,
  USER_FIELDS,
  USER_STATUSES,
} from './input-fields.js';
import { IdMap, isIdMap } from './id-map.js';
import { principalParts, type Principal, type RulePrincipal } from './principal.js';
import type { Condition, Segment } from './segment.js';
import {
  describe,
  expectArray,
  expectId,
  expectIdList,
  expectObject,
  expectOneOf,
  fail,
  onlyKeys,
  optionalId,
  optionalString,
  own,
  keyOf,
  bare,
  type Plain,
} from './shape.js';

/*
 * Shape normalization: untrusted plain data (or an entity a recipe wrote) to the engine's
 * normalized entities, with every default filled in. Only the shape is checked here; whether
 * references resolve is validate/'s business.
 *
 * Input is read own enumerable properties only, each once, and never kept: every object this
 * module returns is a fresh copy without a prototype ({@link bare}), so that neither a getter in
 * the input nor a key another library put on `Object.prototype` can reach the engine.
 */

/** Normalizes a tenant. */
export function normalizeTenant(value: unknown, path: ErrorPath): Tenant {
  const o = expectObject(value, path, 'a tenant');
  onlyKeys(o, TENANT_FIELDS, path);
  const id = expectId(own(o, 'id'), [...path, 'id'], 'tenant id');
  const parent = optionalId(o, 'parent', path, 'parent tenant id');
  const ceilingRaw = own(o, 'ceiling');
  return bare({
    id,
    ...(parent === undefined ? {} : { parent }),
    ...(ceilingRaw === undefined ? {} : { ceiling: normalizeCapabilities(ceilingRaw, [...path, 'ceiling']) }),
  });
}

/** Normalizes a role; `tenant` defaults to `default`. */
export function normalizeRole(value: unknown, path: ErrorPath): Role {
  const o = expectObject(value, path, 'a role');
  onlyKeys(o, ROLE_FIELDS, path);
  const id = expectId(own(o, 'id'), [...path, 'id'], 'role id');
  const parent = optionalId(o, 'parent', path, 'parent role id');
  const level = own(o, 'accessLevel');
  return bare({
    id,
    tenant: optionalId(o, 'tenant', path, 'tenant id') ?? DEFAULT_TENANT,
    ...(parent === undefined ? {} : { parent }),
    ...(level === undefined ? {} : { accessLevel: normalizeLevelRef(level, [...path, 'accessLevel']) }),
  });
}

/** Normalizes a user; `status` defaults to `active`, `tenant` to `default`. */
export function normalizeUser(value: unknown, path: ErrorPath): User {
  const o = expectObject(value, path, 'a user');
  onlyKeys(o, USER_FIELDS, path);
  const id = expectId(own(o, 'id'), [...path, 'id'], 'user id');
  const statusRaw = own(o, 'status');
  const role = optionalId(o, 'role', path, 'role id');
  const level = own(o, 'accessLevel');
  const tenantsRaw = own(o, 'tenants');
  return bare({
    id,
    tenant: optionalId(o, 'tenant', path, 'tenant id') ?? DEFAULT_TENANT,
    status: statusRaw === undefined ? 'active' : expectOneOf(statusRaw, USER_STATUSES, [...path, 'status']),
    ...(role === undefined ? {} : { role }),
    ...(level === undefined ? {} : { accessLevel: normalizeLevelRef(level, [...path, 'accessLevel']) }),
    tenants: tenantsRaw === undefined ? [] : expectIdList(tenantsRaw, [...path, 'tenants'], 'tenant id'),
  });
}

/** Normalizes a group; every member list defaults to empty. */
export function normalizeGroup(value: unknown, path: ErrorPath): Group {
  const o = expectObject(value, path, 'a group');
  onlyKeys(o, GROUP_FIELDS, path);
  const id = expectId(own(o, 'id'), [...path, 'id'], 'group id');
  const name = optionalString(o, 'name', path);
  const description = optionalString(o, 'description', path);
  const level = own(o, 'accessLevel');
  const membersRaw = own(o, 'members');
  const mp = [...path, 'members'];
  const m: Plain = membersRaw === undefined ? {} : expectObject(membersRaw, mp, 'the members');
  onlyKeys(m, MEMBER_LISTS, mp);
  const list = (key: string, what: string): MemberEntry[] => {
    const v = own(m, key);
    return v === undefined ? [] : normalizeMemberList(v, [...mp, key], what);
  };
  return bare({
    id,
    tenant: optionalId(o, 'tenant', path, 'tenant id') ?? DEFAULT_TENANT,
    ...(name === undefined ? {} : { name }),
    ...(description === undefined ? {} : { description }),
    members: bare({
      users: list('users', 'user id'),
      roles: list('roles', 'role id'),
      rolesAndSubordinates: list('rolesAndSubordinates', 'role id'),
      groups: list('groups', 'group id'),
    }),
    ...(level === undefined ? {} : { accessLevel: normalizeLevelRef(level, [...path, 'accessLevel']) }),
  });
}

/**
 * Reads `since` and `until` of a time-bound entry (each an instant, `since` before `until`) and
 * returns them to spread into the normalized entry.
 */
export function normalizeBounds(o: Plain, path: ErrorPath): TimeBounds {
  const sinceRaw = own(o, 'since');
  const untilRaw = own(o, 'until');
  // Each instant parsed once (a group may hold many thousands of time-bound entries).
  const sinceMs = typeof sinceRaw === 'string' ? instantMillis(sinceRaw) : undefined;
  const untilMs = typeof untilRaw === 'string' ? instantMillis(untilRaw) : undefined;
  const since = sinceRaw === undefined ? undefined : sinceMs === undefined ? expectInstant(sinceRaw, [...path, 'since'], 'since, an instant') : (sinceRaw as string);
  const until = untilRaw === undefined ? undefined : untilMs === undefined ? expectInstant(untilRaw, [...path, 'until'], 'until, an instant') : (untilRaw as string);
  if (sinceMs !== undefined && untilMs !== undefined && sinceMs >= untilMs) {
    fail([...path, 'until'], `until (${quote(until)}) must be after since (${quote(since)}): the entry would never be in effect`);
  }
  return bare({ ...(since === undefined ? {} : { since }), ...(until === undefined ? {} : { until }) });
}

/**
 * A member list: each entry an id or `{ id, since?, until? }`. The same id may appear in several
 * entries `{ id, ... }` (a member while any is in effect); an id listed plainly twice is a mistake.
 */
function normalizeMemberList(value: unknown, path: ErrorPath, what: string): MemberEntry[] {
  const list = expectArray(value, path);
  const plain = new Set<Id>();
  return list.map((item, i): MemberEntry => {
    if (typeof item === 'string') {
      const id = expectId(item, [...path, i], what);
      if (plain.has(id)) fail([...path, i], `${what} ${quote(id)} is listed twice`, [id]);
      plain.add(id);
      return id;
    }
    const ip = [...path, i];
    const o = expectObject(item, ip, `${what} (a string) or { id, since?, until? }`);
    onlyKeys(o, TIMED_MEMBER_FIELDS, ip);
    return bare({ id: expectId(own(o, 'id'), [...ip, 'id'], what), ...normalizeBounds(o, ip) }) as TimedMember;
  });
}

/** Checks a resource type or action name: an id without `:` and not `*`, so capabilities stay unambiguous. */
function expectTypeName(value: unknown, path: ErrorPath, what: string, allowColon: boolean): string {
  const name = expectId(value, path, what);
  if (name === '*') fail(path, `${what} must not be "*", which capabilities use as a wildcard`);
  if (!allowColon && name.includes(':')) {
    fail(path, `${what} ${quote(name)} must not contain ":", which separates type from action in capabilities`);
  }
  return name;
}

/**
 * Normalizes a type's field permissions: a plain object (input) or a `Map` (a recipe's draft) of
 * field names to `{ read, write? }`, each naming an action of the type.
 */
function normalizeFields(value: unknown, actions: ReadonlyMap<string, Level>, path: ErrorPath): ReadonlyMap<string, FieldPermission> {
  const entries = value instanceof Map ? mapEntries(value, path) : Object.entries(expectObject(value, path, 'an object of fields ({ field: { read, write? } })'));
  const out = new Map<string, FieldPermission>();
  const action = (v: unknown, p: ErrorPath): string => {
    if (typeof v !== 'string') fail(p, `expected an action name, got ${describe(v)}`);
    if (!actions.has(v)) fail(p, `action ${quote(v)} is not one of the type's actions (${[...actions.keys()].map(quote).join(', ')})`, [v]);
    return v;
  };
  for (const [field, spec] of entries) {
    if (typeof field !== 'string') fail([...path, keyOf(field)], 'fields are keyed by name (a string)');
    expectId(field, [...path, field], 'field name');
    const fp = [...path, field];
    const f = expectObject(spec, fp, 'a field ({ read, write? })');
    onlyKeys(f, FIELD_PERMISSION_FIELDS, fp);
    const write = own(f, 'write');
    out.set(field, bare({ read: action(own(f, 'read'), [...fp, 'read']), ...(write === undefined ? {} : { write: action(write, [...fp, 'write']) }) }));
  }
  return out;
}

/** Normalizes a resource type. `actions` may be a plain object (input) or a `Map` (a recipe's draft). */
export function normalizeResourceType(name: string, value: unknown, path: ErrorPath): ResourceType {
  expectTypeName(name, path, 'resource type name', false);
  const o = expectObject(value, path, 'a resource type');
  onlyKeys(o, RESOURCE_TYPE_FIELDS, path);
  const declaredName = own(o, 'name');
  if (declaredName !== undefined && declaredName !== name) {
    fail([...path, 'name'], `resource type is keyed ${quote(name)} but names itself ${describe(declaredName)}`);
  }
  const ap = [...path, 'actions'];
  const actionsRaw = own(o, 'actions');
  const entries = actionsRaw instanceof Map ? mapEntries(actionsRaw, ap) : Object.entries(expectObject(actionsRaw, ap, 'an object of actions'));
  if (entries.length === 0) fail(ap, 'a resource type needs at least one action');
  const actions = new Map<string, Level>();
  for (const [action, level] of entries) {
    if (typeof action !== 'string') fail([...ap, keyOf(action)], 'actions are keyed by name (a string)');
    expectTypeName(action, [...ap, action], 'action name', true);
    actions.set(action, expectOneOf(level, LEVELS, [...ap, action]));
  }
  const readRaw = own(o, 'readActions');
  let readActions: string[] | undefined;
  if (readRaw !== undefined) {
    readActions = expectIdList(readRaw, [...path, 'readActions'], 'action name');
    readActions.forEach((a, i) => {
      if (!actions.has(a)) fail([...path, 'readActions', i], `read action ${quote(a)} is not one of the type's actions`, [a]);
    });
  }
  const def = own(o, 'default');
  const hierarchy = own(o, 'hierarchy');
  if (hierarchy !== undefined && typeof hierarchy !== 'boolean') {
    fail([...path, 'hierarchy'], `expected true or false, got ${describe(hierarchy)}`);
  }
  const gol = own(o, 'groupOwnerLevel');
  const fieldsRaw = own(o, 'fields');
  const fields = fieldsRaw === undefined ? undefined : normalizeFields(fieldsRaw, actions, [...path, 'fields']);
  const controlledByRaw = own(o, 'controlledBy');
  const head = bare({
    name,
    actions,
    ...(readActions === undefined ? {} : { readActions }),
    ...(fields === undefined ? {} : { fields }),
  });
  if (controlledByRaw !== undefined) {
    // A controlled type has no record access of its own: what it would declare is refused, not
    // ignored, and the normalized type carries none of the three (so that serializing it gives
    // back what was written, and a recipe that turns a type into a controlled one must remove them).
    const controlledBy = expectTypeName(controlledByRaw, [...path, 'controlledBy'], 'controlling resource type name', false);
    const given: [(typeof OWN_ACCESS_FIELDS)[number], unknown][] = [['default', def], ['hierarchy', hierarchy], ['groupOwnerLevel', gol]];
    for (const [key, v] of given) {
      if (v !== undefined) {
        fail([...path, key], `resource type ${quote(name)} is controlled by ${quote(controlledBy)}, so its records have their parent's access and no ${key} of their own; remove ${key}`);
      }
    }
    return bare({ ...head, controlledBy });
  }
  return bare({
    ...head,
    default: def === undefined ? 'private' : expectOneOf(def, ORG_DEFAULTS, [...path, 'default']),
    hierarchy: hierarchy ?? true,
    groupOwnerLevel: gol === undefined ? 'full' : expectOneOf(gol, LEVELS, [...path, 'groupOwnerLevel']),
  });
}

/** Normalizes a principal of any of the four kinds. */
export function normalizePrincipal(value: unknown, path: ErrorPath): Principal {
  const parts = principalParts(value);
  if (parts === undefined) {
    fail(path, `expected exactly one of { user }, { role }, { roleAndSubordinates }, { group }, got ${describe(value)}`);
  }
  const id = expectId(parts.id, [...path, parts.kind], `${parts.kind} id`);
  switch (parts.kind) {
    case 'user':
      return bare({ user: id });
    case 'role':
      return bare({ role: id });
    case 'roleAndSubordinates':
      return bare({ roleAndSubordinates: id });
    case 'group':
      return bare({ group: id });
  }
}

/** Normalizes a principal of a sharing rule: a role, a role and subordinates, or a group. */
export function normalizeRulePrincipal(value: unknown, path: ErrorPath): RulePrincipal {
  const p = normalizePrincipal(value, path);
  if ('user' in p) fail(path, 'a sharing rule names a role, a role and subordinates, or a group, not a user');
  return p;
}

/** Normalizes a sharing rule. */
export function normalizeSharingRule(value: unknown, path: ErrorPath): SharingRule {
  const o = expectObject(value, path, 'a sharing rule');
  onlyKeys(o, SHARING_RULE_FIELDS, path);
  return bare({
    id: expectId(own(o, 'id'), [...path, 'id'], 'sharing rule id'),
    tenant: optionalId(o, 'tenant', path, 'tenant id') ?? DEFAULT_TENANT,
    resourceType: expectId(own(o, 'resourceType'), [...path, 'resourceType'], 'resource type'),
    from: normalizeRulePrincipal(own(o, 'from'), [...path, 'from']),
    to: normalizeRulePrincipal(own(o, 'to'), [...path, 'to']),
    level: expectOneOf(own(o, 'level'), SHARING_RULE_LEVELS, [...path, 'level']),
    ...normalizeBounds(o, path),
  });
}

/** Normalizes a segment. */
export function normalizeSegment(value: unknown, path: ErrorPath): Segment {
  const o = expectObject(value, path, 'a segment');
  onlyKeys(o, SEGMENT_FIELDS, path);
  const all = expectArray(own(o, 'all'), [...path, 'all']);
  return bare({
    all: all.map((c, i): Condition => {
      const cp = [...path, 'all', i];
      const co = expectObject(c, cp, 'a condition');
      const attribute = expectId(own(co, 'attribute'), [...cp, 'attribute'], 'attribute name');
      const keys = Object.keys(co).filter((k) => k !== 'attribute');
      if (keys.length !== 1) fail(cp, 'a condition has an attribute and exactly one of equals, in, contains');
      const op = keys[0];
      const v = own(co, op as string);
      if (op === 'equals') return bare({ attribute, equals: expectAttributeValue(v, [...cp, 'equals']) });
      if (op === 'contains') {
        if (typeof v !== 'string') fail([...cp, 'contains'], `expected a string, got ${describe(v)}`);
        return bare({ attribute, contains: v });
      }
      if (op === 'in') {
        const list = expectArray(v, [...cp, 'in']).map((x, j) => {
          if (typeof x !== 'string' && !(typeof x === 'number' && Number.isFinite(x)) && typeof x !== 'boolean') {
            fail([...cp, 'in', j], `expected a string, number or boolean, got ${describe(x)}`);
          }
          return x;
        });
        return bare({ attribute, in: list });
      }
      return fail([...cp, op as string], `unknown condition ${quote(op)}; expected equals, in or contains`);
    }),
  });
}

/** An attribute value a segment compares with; a list is copied, and a hole in it is refused like any non-string. */
function expectAttributeValue(v: unknown, path: ErrorPath): string | number | boolean | readonly string[] {
  if (typeof v === 'string' || typeof v === 'boolean') return v;
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (Array.isArray(v)) {
    return expectArray(v, path).map((x, i) => {
      if (typeof x !== 'string') fail([...path, i], `expected a string, got ${describe(x)}`);
      return x;
    });
  }
  return fail(path, `expected a string, finite number, boolean or list of strings, got ${describe(v)}`);
}

/** Normalizes an access group. */
export function normalizeAccessGroup(value: unknown, path: ErrorPath): AccessGroup {
  const o = expectObject(value, path, 'an access group');
  onlyKeys(o, ACCESS_GROUP_FIELDS, path);
  const typesRaw = own(o, 'resourceTypes');
  const segRaw = own(o, 'segment');
  const grantsRaw = own(o, 'grants');
  const grants = grantsRaw === undefined ? [] : expectArray(grantsRaw, [...path, 'grants']);
  return bare({
    id: expectId(own(o, 'id'), [...path, 'id'], 'access group id'),
    tenant: optionalId(o, 'tenant', path, 'tenant id') ?? DEFAULT_TENANT,
    ...(typesRaw === undefined ? {} : { resourceTypes: expectIdList(typesRaw, [...path, 'resourceTypes'], 'resource type') }),
    ...(segRaw === undefined ? {} : { segment: normalizeSegment(segRaw, [...path, 'segment']) }),
    grants: grants.map((g, i): Grant => {
      const gp = [...path, 'grants', i];
      const go = expectObject(g, gp, 'a grant');
      onlyKeys(go, GRANT_FIELDS, gp);
      return bare({ to: normalizePrincipal(own(go, 'to'), [...gp, 'to']), level: expectOneOf(own(go, 'level'), LEVELS, [...gp, 'level']), ...normalizeBounds(go, gp) });
    }),
  });
}

/** Normalizes a list of capabilities (shape only: `type:action`, `type:*`, `*:action`, `*`). */
export function normalizeCapabilities(value: unknown, path: ErrorPath): Capability[] {
  const list = expectArray(value, path);
  return list.map((c, i) => {
    if (typeof c !== 'string' || c.length === 0) fail([...path, i], `expected a capability string, got ${describe(c)}`);
    if (c !== '*' && (c.indexOf(':') <= 0 || c.indexOf(':') === c.length - 1)) {
      fail([...path, i], `capability ${quote(c)} is not of the form type:action, type:*, *:action or *`);
    }
    return c;
  });
}

/** Normalizes a level reference: a tier, a twin, 0-9, or `{ custom: [...] }`. */
export function normalizeLevelRef(value: unknown, path: ErrorPath): LevelRef {
  if (typeof value === 'number') {
    if (Number.isInteger(value) && value >= 0 && value <= MAX_NUMBERED_LEVEL) return value as LevelRef;
    if (value === 10) fail(path, 'level 10 is a custom level: write { custom: [capabilities] }');
    fail(path, `access level number must be 0 to 9, got ${value}`);
  }
  if (typeof value === 'string') {
    if (TIER_REFS.includes(value)) return value as LevelRef;
    fail(path, `unknown access level ${quote(value)}; expected one of ${TIER_REFS.join(', ')}, 0-9 or { custom: [...] }`);
  }
  const o = expectObject(value, path, 'an access level');
  onlyKeys(o, CUSTOM_LEVEL_FIELDS, path);
  return bare({ custom: normalizeCapabilities(own(o, 'custom'), [...path, 'custom']) });
}

/** Normalizes the access-level tiers. */
export function normalizeAccessLevels(value: unknown, path: ErrorPath): AccessLevels {
  const o = expectObject(value, path, 'the access levels');
  onlyKeys(o, TIERS, path);
  const out: { -readonly [K in keyof AccessLevels]: Capability[] } = bare({});
  for (const tier of TIERS) {
    const v = own(o, tier);
    if (v !== undefined) out[tier] = normalizeCapabilities(v, [...path, tier]);
  }
  return out;
}

/** Collects a list of entities into a map, rejecting duplicate ids. */
function collect<T extends { id: Id }>(raw: unknown, key: string, one: (v: unknown, p: ErrorPath) => T): IdMap<T> {
  const map = new IdMap<T>();
  if (raw === undefined) return map;
  expectArray(raw, [key]).forEach((item, i) => {
    const entity = one(item, [key, i]);
    if (map.has(entity.id)) fail([key, i, 'id'], `duplicate id ${quote(entity.id)} in ${key}`, [entity.id]);
    map.set(entity.id, entity);
  });
  return map;
}

/** The entries of a Map (a recipe's draft, or a Policy's), each checked to be a [key, value] pair. */
function mapEntries(map: Iterable<unknown>, path: ErrorPath): [unknown, unknown][] {
  const out: [unknown, unknown][] = [];
  for (const entry of map) {
    if (!Array.isArray(entry) || entry.length !== 2) fail(path, 'expected a map of [key, value] entries');
    out.push([entry[0], entry[1]]);
  }
  return out;
}

/**
 * Turns untrusted plain data into a normalized {@link Policy}, checking its shape. Throws
 * {@link InvalidInputError} with the path of the first problem. The input is a plain object (its
 * prototype `Object.prototype` or `null`) or a Policy this library made, from this copy of it or
 * another (ESM and CommonJS): collections are recognised by a registered brand, not `instanceof`, and every entity
 * is validated and copied all the same.
 */
export function normalizePolicy(value: unknown): Policy {
  const o = expectObject(value, [], 'a policy object ({ resourceTypes, users, ... })');
  onlyKeys(o, POLICY_FIELDS, []);
  const typesRaw = own(o, 'resourceTypes');
  const resourceTypes = new Map<string, ResourceType>();
  if (typesRaw !== undefined) {
    const entries = typesRaw instanceof Map ? mapEntries(typesRaw, ['resourceTypes']) : Object.entries(expectObject(typesRaw, ['resourceTypes']));
    for (const [name, t] of entries) {
      if (typeof name !== 'string') fail(['resourceTypes', keyOf(name)], 'resource types are keyed by name (a string)');
      resourceTypes.set(name, normalizeResourceType(name, t, ['resourceTypes', name]));
    }
  }
  const levels = own(o, 'accessLevels');
  const def = own(o, 'defaultAccessLevel');
  const coll = <T extends { id: Id }>(key: string, one: (v: unknown, p: ErrorPath) => T): IdMap<T> => {
    const raw = own(o, key);
    if (!(raw instanceof Map) && !isIdMap(raw)) return collect(raw, key, one);
    const map = new IdMap<T>();
    for (const [k, v] of mapEntries(raw as Iterable<unknown>, [key])) {
      const entity = one(v, [key, keyOf(k)]);
      if (entity.id !== k) fail([key, keyOf(k), 'id'], `entry keyed ${quote(keyOf(k))} has id ${quote(entity.id)}; the key must be the id`, [entity.id]);
      map.set(entity.id, entity);
    }
    return map;
  };
  return bare({
    tenants: coll('tenants', normalizeTenant),
    roles: coll('roles', normalizeRole),
    users: coll('users', normalizeUser),
    groups: coll('groups', normalizeGroup),
    resourceTypes,
    sharingRules: coll('sharingRules', normalizeSharingRule),
    accessGroups: coll('accessGroups', normalizeAccessGroup),
    ...(levels === undefined ? {} : { accessLevels: normalizeAccessLevels(levels, ['accessLevels']) }),
    ...(def === undefined ? {} : { defaultAccessLevel: normalizeLevelRef(def, ['defaultAccessLevel']) }),
  });
}
