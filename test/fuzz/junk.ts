/*
 * Inputs for the fuzz suites:
 *  - junk: fully arbitrary values (JSON values with prototype-ish keys, fc.anything with boxed
 *    values, Maps, Sets, null-prototype objects, sparse arrays...), classic prototype-pollution
 *    payloads, and big values (deep nesting, long strings, huge arrays);
 *  - mutations of valid policies: take a policy from the generator of valid policies and corrupt
 *    it at one place (wrong type, dangling reference, deleted id, duplicate id, unknown key,
 *    injected cycle, cross-tenant move, bad enum value) or anywhere (replace, delete, retype,
 *    swap strings, duplicate, blow up). Targeted mutations say what the engine must answer
 *    (`expect`), so that a single corruption of a valid policy is not only "some typed error" but
 *    the right one.
 *
 * Objects are always built with own data properties (Object.defineProperty), as JSON.parse and
 * YAML parsers build them, so that a key `__proto__` is an own key and not a prototype change.
 */
import fc from 'fast-check';
import type { PolicyInput } from '../../src/index.js';

/** Keys that name Object.prototype members or are used in prototype-pollution payloads. */
export const PROTO_KEYS: readonly string[] = [
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'valueOf',
  'hasOwnProperty',
  '__defineGetter__',
  'isPrototypeOf',
  'polluted',
];

/** Every field name the policy format knows (so that unknown keys can avoid them). */
export const POLICY_KEYS: readonly string[] = [
  'tenants', 'roles', 'users', 'groups', 'resourceTypes', 'sharingRules', 'accessGroups', 'accessLevels', 'defaultAccessLevel',
  'id', 'parent', 'ceiling', 'tenant', 'accessLevel', 'status', 'role', 'name', 'description', 'members',
  'rolesAndSubordinates', 'actions', 'readActions', 'default', 'hierarchy', 'groupOwnerLevel', 'resourceType',
  'from', 'to', 'level', 'segment', 'grants', 'all', 'attribute', 'equals', 'in', 'contains', 'custom', 'user', 'group',
  'roleAndSubordinates', 'full', 'extended', 'standard', 'limited', 'minimum', 'type', 'owner', 'attributes',
];

/** Sets an own enumerable data property (never a prototype change, even for `__proto__`). */
export function setOwn(o: object, key: string, value: unknown): void {
  Object.defineProperty(o, key, { value, writable: true, enumerable: true, configurable: true });
}

/** A plain object with exactly these own keys (later duplicates win). */
export function ownObject(entries: readonly (readonly [string, unknown])[]): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  for (const [k, v] of entries) setOwn(o, k, v);
  return o;
}

/** Deep copy of JSON-shaped data; own `__proto__` keys stay own keys. */
export function cloneJson<T>(v: T): T {
  return JSON.parse(JSON.stringify(v)) as T;
}

/** `cloneJson`, or the value itself when it cannot be copied that way (too deep, a BigInt, a cycle). */
function copyOrSame<T>(v: T): T {
  try {
    return v === undefined ? v : cloneJson(v);
  } catch {
    return v;
  }
}

function stringified(v: unknown): string {
  try {
    return JSON.stringify(v) ?? 'undefined';
  } catch {
    return 'unprintable';
  }
}

/** A short rendering of any value for a mutation's note. */
function label(v: unknown): string {
  const t = stringified(v);
  return t.length > 60 ? `${t.slice(0, 57)}...` : t;
}

/* ------------------------------------------------------------------------------------------ */
/* Junk.                                                                                        */

export const keyArb: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...PROTO_KEYS) },
  { weight: 2, arbitrary: fc.constantFrom(...POLICY_KEYS) },
  { weight: 2, arbitrary: fc.string({ maxLength: 6 }) },
);

/** Strings that are interesting as ids, names, levels and capabilities. */
export const ODD_STRINGS: readonly string[] = [
  '', ' ', 'x'.repeat(256), 'x'.repeat(257), '\u0000', '\ud800', '💥', 'default', 'ghost', '*', ':', 'a:', ':a', 'lead:view', '*:*',
  'full', 'standard:readOnly', 'read', 'readWrite', 'none', 'publicFull', 'active', 'inactive', ...PROTO_KEYS,
];

const leafArb: fc.Arbitrary<unknown> = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.integer(),
  fc.constantFrom(0, -1, 1.5, 9, 10, 1e308, -0, Number.MAX_SAFE_INTEGER + 2),
  fc.string({ maxLength: 10 }),
  fc.constantFrom(...ODD_STRINGS),
);

/** JSON values whose object keys are often prototype-ish or policy field names. */
export const jsonJunkArb: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown; array: unknown[]; object: Record<string, unknown> }>((tie) => ({
  value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, leafArb, tie('array'), tie('object')),
  array: fc.array(tie('value'), { maxLength: 5 }),
  object: fc.array(fc.tuple(keyArb, tie('value')), { maxLength: 5 }).map(ownObject),
})).value;

/** Anything JavaScript: boxed values, Maps, Sets, Dates, typed and sparse arrays, null prototypes, NaN, undefined. */
export const anythingArb: fc.Arbitrary<unknown> = fc.anything({
  key: keyArb,
  maxDepth: 3,
  maxKeys: 5,
  withBoxedValues: true,
  withMap: true,
  withSet: true,
  withNullPrototype: true,
  withObjectString: true,
  withSparseArray: true,
  withDate: true,
  withBigInt: true,
  withTypedArray: true,
});

/** Classic prototype-pollution payloads, as JSON.parse builds them. */
export const POLLUTION_PAYLOADS: readonly string[] = [
  '{"__proto__":{"polluted":"yes"}}',
  '{"constructor":{"prototype":{"polluted":"yes"}}}',
  '{"__proto__":{"__proto__":{"polluted":"yes"}}}',
  '{"prototype":{"polluted":"yes"}}',
  '{"__proto__":[{"polluted":"yes"}]}',
];
export const pollutionArb: fc.Arbitrary<unknown> = fc.constantFrom(...POLLUTION_PAYLOADS).map((s) => JSON.parse(s) as unknown);

/** A value nested `n` levels deep in arrays (or objects under `key`). */
export function deepValue(n: number, kind: 'array' | 'object', key = 'a'): unknown {
  let v: unknown = 'x';
  for (let i = 0; i < n; i++) v = kind === 'array' ? [v] : ownObject([[key, v]]);
  return v;
}

/** Big values, built lazily. `maxDepth` caps how deep the deep ones are. */
export function bigJunkArb(maxDepth: number): fc.Arbitrary<unknown> {
  const specs: (() => unknown)[] = [
    () => 'x'.repeat(257),
    () => 'x'.repeat(100_000),
    () => Array.from({ length: 50_000 }, (_, i) => `id${i}`),
    () => Array.from({ length: 50_000 }, () => 'a'),
    () => Array.from({ length: 20_000 }, (_, i) => ({ id: `e${i}` })),
    () => ownObject(Array.from({ length: 20_000 }, (_, i) => [`k${i}`, 'read'] as const)),
  ];
  for (const d of [100, 1_000, 10_000, 100_000]) {
    if (d > maxDepth) continue;
    specs.push(() => deepValue(d, 'array'), () => deepValue(d, 'object'), () => deepValue(d, 'object', 'users'));
  }
  return fc.nat({ max: specs.length - 1 }).map((i) => (specs[i] as () => unknown)());
}

/** Any junk: JSON-ish, anything, pollution payloads, big values. */
export function junkArb(options: { maxDepth?: number; withUndefined?: boolean } = {}): fc.Arbitrary<unknown> {
  const maxDepth = options.maxDepth ?? 100_000;
  const anything = options.withUndefined === false ? anythingArb.filter((v) => v !== undefined) : anythingArb;
  return fc.oneof(
    { weight: 5, arbitrary: jsonJunkArb },
    { weight: 3, arbitrary: anything },
    { weight: 1, arbitrary: pollutionArb },
    { weight: 1, arbitrary: bigJunkArb(maxDepth) },
  );
}

/* ------------------------------------------------------------------------------------------ */
/* Mutations of valid policies.                                                                 */

/** What a targeted mutation requires of the engine: the error it must throw, or acceptance. */
export type Expectation = 'InvalidInputError' | 'GroupCycleError' | 'RoleCycleError' | 'TenantCycleError' | 'TenantError' | 'accept';

export const TARGETED_OPS = ['deleteId', 'dupEntity', 'badId', 'unknownKey', 'dangling', 'cycle', 'crossTenantUser', 'crossTenantGroup', 'badEnum'] as const;
export const GENERIC_OPS = ['replace', 'retype', 'delete', 'swapString', 'dupElement', 'hugeList', 'deep', 'longString', 'addKey'] as const;
export type MutationOp = (typeof TARGETED_OPS)[number] | (typeof GENERIC_OPS)[number];

/** One mutation: an operator and the random numbers and values it draws on. */
export interface Mutation {
  readonly op: MutationOp;
  readonly pick: number;
  readonly pick2: number;
  readonly junk: unknown;
  readonly key: string;
}

/**
 * Mutations; `deep: false` leaves out the one that nests a value thousands of levels deep,
 * `huge: false` the one that blows a list up to tens of thousands of elements.
 */
export function mutationArb(junk: fc.Arbitrary<unknown>, options: { deep?: boolean; huge?: boolean } = {}): fc.Arbitrary<Mutation> {
  const generic = GENERIC_OPS.filter((op) => (options.deep !== false || op !== 'deep') && (options.huge !== false || op !== 'hugeList'));
  return fc.record({
    op: fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...TARGETED_OPS) }, { weight: 2, arbitrary: fc.constantFrom(...generic) }),
    pick: fc.nat(),
    pick2: fc.nat(),
    junk,
    key: keyArb,
  });
}

const ENTITY_LISTS = ['tenants', 'roles', 'users', 'groups', 'sharingRules', 'accessGroups'] as const;
type Obj = Record<string, unknown>;

/**
 * The containers of the copy being mutated: only these are walked into and written, never junk
 * that a mutation put in (which fast-check owns, and which may be a boxed value or a Map).
 */
let owned = new WeakSet<object>();

function own_(root: unknown): void {
  owned = new WeakSet();
  const stack = [root];
  while (stack.length > 0) {
    const v = stack.pop();
    if (typeof v !== 'object' || v === null) continue;
    owned.add(v);
    stack.push(...(Array.isArray(v) ? v : Object.values(v)));
  }
}

/** A container made by a mutation: part of the copy from now on. */
function fresh<T extends object>(o: T): T {
  owned.add(o);
  return o;
}

/** An object of the copy being mutated (see `owned`). */
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v) && owned.has(v);
const list = (o: Obj, k: string): Obj[] => (Array.isArray(o[k]) && owned.has(o[k] as object) ? (o[k] as unknown[]).filter(isObj) : []);
const tenantOf = (e: Obj): string => (typeof e.tenant === 'string' ? e.tenant : 'default');
const own = (o: Obj, k: string): unknown => (Object.prototype.hasOwnProperty.call(o, k) ? o[k] : undefined);

interface Node {
  readonly parent: Obj | unknown[] | undefined;
  readonly key: string | number;
  readonly value: unknown;
}

/** Every node of the owned part of a JSON tree, iteratively (the root has no parent). */
function nodesOf(root: unknown): Node[] {
  const out: Node[] = [{ parent: undefined, key: '', value: root }];
  for (let i = 0; i < out.length && out.length < 5000; i++) {
    const v = (out[i] as Node).value;
    if (typeof v !== 'object' || v === null || !owned.has(v)) continue;
    if (Array.isArray(v)) v.forEach((x, j) => out.push({ parent: v, key: j, value: x }));
    else for (const k of Object.keys(v)) out.push({ parent: v as Obj, key: k, value: (v as Obj)[k] });
  }
  return out;
}

function put(n: Node, value: unknown): void {
  if (n.parent !== undefined && !owned.has(n.parent)) return; // never write into junk
  if (Array.isArray(n.parent)) n.parent[n.key as number] = value;
  else if (n.parent !== undefined) setOwn(n.parent, n.key as string, value);
}

function remove(n: Node): void {
  if (n.parent !== undefined && !owned.has(n.parent)) return;
  if (Array.isArray(n.parent)) n.parent.splice(n.key as number, 1);
  else if (n.parent !== undefined) delete n.parent[n.key as string];
}

function pickOf<T>(xs: readonly T[], k: number): T | undefined {
  return xs.length === 0 ? undefined : xs[k % xs.length];
}

/** A value of another JSON type than `v`, built from it where possible. */
function retyped(v: unknown, k: number): unknown {
  if (typeof v === 'string') return pickOf([v.length, [v], ownObject([[v, v]]), v === 'true', null], k);
  if (typeof v === 'number' || typeof v === 'boolean') return pickOf([String(v), [v], null, {}], k);
  // Array.from visits holes too (map skips them, which left holes in the entries: a sparse list crashed here).
  if (Array.isArray(v)) return pickOf([ownObject(Array.from(v as unknown[], (x, i) => [String(i), x] as const)), v.length, v[0] ?? null, stringified(v)], k);
  if (isObj(v)) return pickOf([Object.values(v), Object.keys(v), null, 'object'], k);
  return pickOf(['null', 0, [], {}], k);
}

/** `t` and its ancestors in the tenant tree of `p`. */
function tenantChain(p: Obj, t: string): string[] {
  const parent = new Map(list(p, 'tenants').map((x) => [x.id as string, typeof x.parent === 'string' ? x.parent : undefined]));
  const out: string[] = [];
  let cur: string | undefined = t;
  while (cur !== undefined && !out.includes(cur)) {
    out.push(cur);
    cur = parent.get(cur);
  }
  return out;
}

function actsIn(p: Obj, u: Obj | undefined, t: string): boolean {
  if (u === undefined) return false;
  const chain = tenantChain(p, t);
  const mine = [tenantOf(u), ...(Array.isArray(u.tenants) ? (u.tenants as string[]) : [])];
  return mine.some((x) => chain.includes(x));
}

function allTenants(p: Obj): string[] {
  return [...new Set(['default', ...list(p, 'tenants').map((t) => t.id as string)])];
}

/** Whether anything outside the group names it: a containing group, a sharing rule, a grant. */
function groupIsNamed(p: Obj, id: string): boolean {
  const named = (x: unknown): boolean => isObj(x) && own(x, 'group') === id;
  if (list(p, 'groups').some((g) => isObj(g.members) && Array.isArray(g.members.groups) && (g.members.groups as unknown[]).includes(id))) return true;
  if (list(p, 'sharingRules').some((r) => named(r.from) || named(r.to))) return true;
  return list(p, 'accessGroups').some((a) => Array.isArray(a.grants) && (a.grants as unknown[]).some((g) => isObj(g) && named(g.to)));
}

/** The reference sites of a policy: where a dangling id must be rejected. */
function referenceSites(p: Obj): Node[] {
  const out: Node[] = [];
  const field = (o: Obj, k: string): void => {
    if (typeof own(o, k) === 'string') out.push({ parent: o, key: k, value: o[k] });
  };
  const items = (o: Obj, k: string): void => {
    const v = own(o, k);
    if (Array.isArray(v)) v.forEach((x, i) => out.push({ parent: v, key: i, value: x }));
  };
  const principal = (x: unknown): void => {
    if (isObj(x)) for (const k of Object.keys(x)) field(x, k);
  };
  for (const t of list(p, 'tenants')) field(t, 'parent');
  for (const r of list(p, 'roles')) (field(r, 'tenant'), field(r, 'parent'));
  for (const u of list(p, 'users')) (field(u, 'tenant'), field(u, 'role'), items(u, 'tenants'));
  for (const g of list(p, 'groups')) {
    field(g, 'tenant');
    if (isObj(g.members)) for (const k of ['users', 'roles', 'rolesAndSubordinates', 'groups']) items(g.members, k);
  }
  for (const r of list(p, 'sharingRules')) (field(r, 'tenant'), field(r, 'resourceType'), principal(r.from), principal(r.to));
  for (const a of list(p, 'accessGroups')) {
    field(a, 'tenant');
    items(a, 'resourceTypes');
    if (Array.isArray(a.grants)) for (const g of a.grants as unknown[]) if (isObj(g)) principal(g.to);
  }
  return out;
}

/** Sites holding one of a fixed set of values, with values outside that set. */
function enumSites(p: Obj): { node: Node; bad: readonly unknown[] }[] {
  const out: { node: Node; bad: readonly unknown[] }[] = [];
  const at = (o: Obj, k: string, bad: readonly unknown[]): void => {
    if (own(o, k) !== undefined) out.push({ node: { parent: o, key: k, value: o[k] }, bad });
  };
  const LEVEL_BAD = ['admin', 'Read', '', 3, null, ['read']];
  const REF_BAD = ['godlike', 'full:readonly', 10, -1, 3.5, '3', { custom: 'lead:view' }, { custom: [], extra: 1 }, null];
  for (const u of list(p, 'users')) (at(u, 'status', ['deleted', 'ACTIVE', true]), at(u, 'accessLevel', REF_BAD));
  for (const r of list(p, 'roles')) at(r, 'accessLevel', REF_BAD);
  for (const g of list(p, 'groups')) at(g, 'accessLevel', REF_BAD);
  for (const r of list(p, 'sharingRules')) at(r, 'level', ['full', 'none', ...LEVEL_BAD]);
  for (const a of list(p, 'accessGroups')) {
    if (Array.isArray(a.grants)) for (const g of a.grants as unknown[]) if (isObj(g)) at(g, 'level', LEVEL_BAD);
  }
  const types = own(p, 'resourceTypes');
  if (isObj(types)) {
    for (const name of Object.keys(types)) {
      const t = types[name];
      if (!isObj(t)) continue;
      out.push({ node: { parent: t, key: 'default', value: t.default }, bad: ['public', 'Private', 1, null] });
      out.push({ node: { parent: t, key: 'hierarchy', value: t.hierarchy }, bad: ['true', 1, null] });
      out.push({ node: { parent: t, key: 'groupOwnerLevel', value: t.groupOwnerLevel }, bad: LEVEL_BAD });
      if (isObj(t.actions)) for (const a of Object.keys(t.actions)) out.push({ node: { parent: t.actions, key: a, value: t.actions[a] }, bad: LEVEL_BAD });
    }
  }
  if (own(p, 'defaultAccessLevel') !== undefined) at(p, 'defaultAccessLevel', REF_BAD);
  return out;
}

function unknownKey(k: string, n: number): string {
  return POLICY_KEYS.includes(k) || k === '' ? (pickOf(PROTO_KEYS, n) as string) : k;
}

/** Applies a targeted mutation; `undefined` when the policy has no place for it. */
function targeted(p: Obj, m: Mutation): { note: string; expect: Expectation } | undefined {
  const entities = ENTITY_LISTS.flatMap((k) => list(p, k).map((e) => ({ coll: k, e })));
  switch (m.op) {
    case 'deleteId': {
      const x = pickOf(entities, m.pick);
      if (x === undefined) return undefined;
      delete x.e.id;
      return { note: `delete the id of one of ${x.coll}`, expect: 'InvalidInputError' };
    }
    case 'dupEntity': {
      const x = pickOf(entities, m.pick);
      if (x === undefined) return undefined;
      (p[x.coll] as unknown[]).push(copyOrSame(x.e));
      return { note: `duplicate ${x.coll} ${label(x.e.id)}`, expect: 'InvalidInputError' };
    }
    case 'badId': {
      const x = pickOf(entities, m.pick);
      if (x === undefined) return undefined;
      const bad = pickOf<unknown>([5, null, true, [], {}, '', 'x'.repeat(257), [x.e.id], ownObject([['id', x.e.id]])], m.pick2);
      setOwn(x.e, 'id', bad);
      return { note: `set the id of one of ${x.coll} to ${label(bad)}`, expect: 'InvalidInputError' };
    }
    case 'unknownKey': {
      const targets: Obj[] = [p, ...entities.map((x) => x.e)];
      for (const g of list(p, 'groups')) if (isObj(g.members)) targets.push(g.members);
      for (const a of list(p, 'accessGroups')) {
        if (Array.isArray(a.grants)) for (const g of a.grants as unknown[]) if (isObj(g)) targets.push(g, ...(isObj(g.to) ? [g.to] : []));
        if (isObj(a.segment)) targets.push(a.segment, ...(Array.isArray(a.segment.all) ? (a.segment.all as unknown[]).filter(isObj) : []));
      }
      const types = own(p, 'resourceTypes');
      if (isObj(types)) for (const t of Object.values(types)) if (isObj(t)) targets.push(t);
      const o = pickOf(targets, m.pick) as Obj;
      const key = unknownKey(m.key, m.pick2);
      setOwn(o, key, m.junk);
      return { note: `add unknown key ${label(key)}`, expect: 'InvalidInputError' };
    }
    case 'dangling': {
      const site = pickOf(referenceSites(p), m.pick);
      if (site === undefined) return undefined;
      put(site, `ghost~${m.pick2 % 7}`);
      return { note: `point ${label(site.key)} (was ${stringified(site.value).slice(0, 60)}) at a missing id`, expect: 'InvalidInputError' };
    }
    case 'cycle': {
      const kind = m.pick2 % 3;
      if (kind === 0) {
        const groups = list(p, 'groups').filter((g) => typeof g.id === 'string');
        const a = pickOf(groups, m.pick);
        if (a === undefined) return undefined;
        const same = groups.filter((g) => tenantOf(g) === tenantOf(a));
        const b = pickOf(same, m.pick2 >> 2) as Obj;
        const add = (into: Obj, id: unknown): void => {
          if (!isObj(into.members)) setOwn(into, 'members', fresh({}));
          const members = into.members as Obj;
          if (!Array.isArray(members.groups) || !owned.has(members.groups)) setOwn(members, 'groups', fresh([]));
          const gs = members.groups as unknown[];
          if (!gs.includes(id)) gs.push(id);
        };
        add(a, b.id);
        add(b, a.id);
        return { note: `make groups ${label(a.id)} and ${label(b.id)} contain each other`, expect: 'GroupCycleError' };
      }
      const coll = kind === 1 ? 'roles' : 'tenants';
      const xs = list(p, coll).filter((x) => typeof x.id === 'string');
      const a = pickOf(xs, m.pick);
      if (a === undefined) return undefined;
      // A descendant of `a` (or `a` itself): walking parents from it reaches `a`.
      const parentOf = new Map(xs.map((x) => [x.id as string, typeof x.parent === 'string' ? x.parent : undefined]));
      const below = xs.filter((x) => {
        let cur: string | undefined = x.id as string;
        const seen = new Set<string>();
        while (cur !== undefined && !seen.has(cur)) {
          if (cur === a.id) return true;
          seen.add(cur);
          cur = parentOf.get(cur);
        }
        return false;
      });
      const d = pickOf(below, m.pick2 >> 2) as Obj;
      setOwn(a, 'parent', d.id);
      return { note: `make ${coll} ${label(a.id)} a child of its descendant ${label(d.id)}`, expect: kind === 1 ? 'RoleCycleError' : 'TenantCycleError' };
    }
    case 'crossTenantUser': {
      // A user with a role, moved to another tenant: its role is now of another tenant.
      const users = list(p, 'users').filter((u) => typeof u.role === 'string');
      const u = pickOf(users, m.pick);
      if (u === undefined) return undefined;
      const others = allTenants(p).filter((t) => t !== tenantOf(u));
      const t = pickOf(others, m.pick2);
      if (t === undefined) return undefined;
      setOwn(u, 'tenant', t);
      return { note: `move user ${label(u.id)} (with role ${label(u.role)}) to tenant ${label(t)}`, expect: 'TenantError' };
    }
    case 'crossTenantGroup': {
      const g = pickOf(list(p, 'groups'), m.pick);
      if (g === undefined) return undefined;
      const others = allTenants(p).filter((t) => t !== tenantOf(g));
      const t = pickOf(others, m.pick2);
      if (t === undefined) return undefined;
      const users = new Map(list(p, 'users').map((u) => [u.id as string, u]));
      const mem = isObj(g.members) ? g.members : {};
      const ids = (k: string): unknown[] => (Array.isArray(mem[k]) ? (mem[k] as unknown[]) : []);
      const cross =
        ids('users').some((id) => !actsIn(p, users.get(id as string), t)) ||
        ids('roles').length + ids('rolesAndSubordinates').length + ids('groups').length > 0 ||
        groupIsNamed(p, g.id as string);
      setOwn(g, 'tenant', t);
      return { note: `move group ${label(g.id)} to tenant ${label(t)}`, expect: cross ? 'TenantError' : 'accept' };
    }
    case 'badEnum': {
      const s = pickOf(enumSites(p), m.pick);
      if (s === undefined) return undefined;
      const bad = pickOf(s.bad, m.pick2);
      put(s.node, bad);
      return { note: `set ${label(s.node.key)} to ${label(bad)}`, expect: 'InvalidInputError' };
    }
    default:
      return undefined;
  }
}

/** Applies a mutation anywhere in the tree. */
function generic(root: { p: unknown }, m: Mutation): string {
  const nodes = nodesOf(root.p).slice(1); // never the root itself: that is plain junk, tested elsewhere
  const n = pickOf(nodes, m.pick);
  if (n === undefined) {
    root.p = m.junk;
    return 'replace the whole policy';
  }
  const where = label(n.key);
  switch (m.op) {
    case 'retype':
      put(n, retyped(n.value, m.pick2));
      return `retype ${where}`;
    case 'delete':
      remove(n);
      return `delete ${where}`;
    case 'swapString': {
      const strings = nodes.filter((x) => typeof x.value === 'string').map((x) => x.value as string);
      const s = pickOf([...strings, 'ghost', 'default'], m.pick2) as string;
      const target = pickOf(nodes.filter((x) => typeof x.value === 'string'), m.pick) ?? n;
      put(target, s);
      return `set string ${label(target.key)} to ${label(s)}`;
    }
    case 'dupElement': {
      const arrays = nodes.filter((x) => Array.isArray(x.value) && (x.value as unknown[]).length > 0);
      const a = pickOf(arrays, m.pick);
      if (a === undefined) break;
      const xs = a.value as unknown[];
      xs.push(copyOrSame(xs[m.pick2 % xs.length]));
      return `duplicate an element of ${label(a.key)}`;
    }
    case 'hugeList': {
      const arrays = nodes.filter((x) => Array.isArray(x.value));
      const a = pickOf(arrays, m.pick) ?? n;
      const size = [1_000, 20_000, 60_000][m.pick2 % 3] as number;
      const first = Array.isArray(a.value) ? (a.value as unknown[])[0] : a.value;
      // Distinct elements (strings made unique, small objects copied) or one value repeated; never
      // tens of thousands of copies of something big (a lengthened string, a deep value).
      const text = stringified(first);
      const small = text !== 'unprintable' && text.length <= 300;
      const distinct = m.pick2 % 2 === 0 && small;
      put(a, distinct ? Array.from({ length: size }, (_, i) => (typeof first === 'string' ? `${first}~${i}` : i === 0 ? first : copyOrSame(first ?? null))) : Array(size).fill(first ?? 'x'));
      return `blow ${label(a.key)} up to ${size} elements`;
    }
    case 'deep':
      put(n, deepValue([50, 2_000, 20_000][m.pick2 % 3] as number, m.pick2 % 2 === 0 ? 'array' : 'object', typeof n.key === 'string' ? n.key : 'users'));
      return `nest ${where} deeply`;
    case 'longString': {
      const target = pickOf(nodes.filter((x) => typeof x.value === 'string'), m.pick) ?? n;
      put(target, `${String(target.value)}${'y'.repeat([1, 250, 100_000][m.pick2 % 3] as number)}`);
      return `lengthen string ${label(target.key)}`;
    }
    case 'addKey': {
      const objs = nodes.filter((x) => isObj(x.value));
      const o = pickOf(objs, m.pick);
      if (o === undefined) break;
      setOwn(o.value as Obj, m.key, m.junk);
      return `add key ${label(m.key)} to ${label(o.key)}`;
    }
    default:
      break;
  }
  put(n, m.junk);
  return `replace ${where} with junk`;
}

/** The result of mutating a policy. */
export interface Mutated {
  readonly policy: unknown;
  readonly notes: readonly string[];
  /** Set when the mutations were one targeted mutation: what the engine must answer. */
  readonly expect?: Expectation;
}

/** Applies the mutations in order to a copy of `policy`. */
export function mutatePolicy(policy: PolicyInput, mutations: readonly Mutation[]): Mutated {
  const root = { p: cloneJson(policy) as unknown };
  own_(root.p);
  const notes: string[] = [];
  let expect: Expectation | undefined;
  for (const m of mutations) {
    const t = isObj(root.p) && (TARGETED_OPS as readonly string[]).includes(m.op) ? targeted(root.p, m) : undefined;
    if (t !== undefined) {
      notes.push(t.note);
      expect = mutations.length === 1 ? t.expect : undefined;
    } else notes.push(generic(root, m));
  }
  return { policy: root.p, notes, ...(expect === undefined ? {} : { expect }) };
}
