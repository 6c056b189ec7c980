/*
 * The cases of the filter-vs-can() property, shared by the SQL dialects' tests (the model is
 * test/postgres/filter-sql.test.ts): random policies (two in three without capabilities and
 * ceilings, so that filters have clauses), random resources, half of them decided at an instant
 * near time bounds; the asks (every user and an unknown one, every type and action); the
 * comparison of the rows a dialect's query returns with can(); and the exhaustive segment rows.
 */
import fc from 'fast-check';
import { createEngine, type AccessFilter, type AttributeValue, type Condition, type PolicyInput, type Resource, type Segment } from '../../src/index.js';
import { Choices, STREAM_LENGTH } from '../arbitraries/choices.js';
import { buildPolicy, buildResource, SHARE_TIMES, SMALL_TEXT } from '../arbitraries/policy.js';
import { QUERY_TIMES, retime } from '../arbitraries/time.js';
import type { SqlMapping } from '../../src/adapters/sql/to-sql.js';

/** Resources per generated table. */
export const ROWS = 24;

function withoutCapabilities(p: PolicyInput): PolicyInput {
  const { accessLevels: _levels, defaultAccessLevel: _default, ...rest } = p;
  const strip = <T extends { readonly accessLevel?: unknown }>(xs: readonly T[] | undefined): T[] | undefined =>
    xs?.map((x) => {
      const { accessLevel: _level, ...y } = x;
      return y as T;
    });
  const users = strip(p.users);
  const roles = strip(p.roles);
  const groups = strip(p.groups);
  const tenants = p.tenants?.map(({ ceiling: _ceiling, ...u }) => u);
  return {
    ...rest,
    ...(users === undefined ? {} : { users }),
    ...(roles === undefined ? {} : { roles }),
    ...(groups === undefined ? {} : { groups }),
    ...(tenants === undefined ? {} : { tenants }),
  };
}

/** A policy, its resources and the instant to decide at. */
export const filterCases = fc.array(fc.nat({ max: 1 << 16 }), { minLength: STREAM_LENGTH * 4, maxLength: STREAM_LENGTH * 4 }).map((s) => {
  const c = new Choices(s);
  const built = buildPolicy(c, SMALL_TEXT);
  const plain = c.int(3) === 0 ? built : withoutCapabilities(built);
  const resources: Resource[] = [];
  for (let i = 0; i < ROWS; i++) resources.push(buildResource(c, plain, i));
  const timedCase = c.chance(2);
  const policy = timedCase ? retime(c, plain) : plain;
  const at = timedCase ? (QUERY_TIMES[c.int(QUERY_TIMES.length)] as number) : Date.now();
  return { policy, resources, at };
});

/** A mapping of the generated table, and what the caller's query adds. */
export interface FilterVariant<M> {
  readonly name: string;
  readonly mapping: (table: string, join: string) => M;
  readonly from: (table: string) => string;
  /** A condition the caller adds; its one placeholder is the type. */
  readonly extra?: string;
  /** Whether the resource is in the table this variant sees. */
  readonly sees: (r: Resource) => boolean;
}

/**
 * The three mappings of the filter test, for any dialect (a mapping names columns only):
 *   A  an array column of access groups, a `type` column mapping, unqualified column names;
 *   B  a join table of access groups (which has an `id` column of its own), the type checked by the caller;
 *   C  no tenant column (rows stored in tenant `default` only), qualified names `t.x`.
 * `quote` quotes the table name; `typeParam` is the placeholder of the type in `extra`.
 */
export function mappingVariants(quote: (table: string) => string, typeParam: string): FilterVariant<SqlMapping>[] {
  return [
    {
      name: 'A (array column, type column)',
      mapping: () => ({ ownerUser: 'owner_user_id', ownerGroup: 'owner_group_id', tenant: 'tenant_id', accessGroups: 'access_groups', attributes: 'attributes', type: 'type', shares: false }),
      from: (table) => quote(table),
      sees: () => true,
    },
    {
      name: 'B (join table, type checked by the caller)',
      mapping: (_table, join) => ({
        ownerUser: 'owner_user_id',
        ownerGroup: 'owner_group_id',
        tenant: 'tenant_id',
        accessGroups: { table: join, recordId: 'record_id', accessGroup: 'access_group', id: 'id' },
        attributes: 'attributes',
        shares: false,
      }),
      from: (table) => quote(table),
      extra: `type = ${typeParam}`,
      sees: () => true,
    },
    {
      name: 'C (no tenant column, qualified names)',
      mapping: () => ({ ownerUser: 't.owner_user_id', ownerGroup: 't.owner_group_id', accessGroups: 't.access_groups', attributes: 't.attributes', type: 't.type', shares: false }),
      from: (table) => `${quote(table)} t`,
      extra: `(t.tenant_id IS NULL OR t.tenant_id = 'default') AND ${typeParam} IS NOT NULL`,
      sees: (r) => (r.tenant ?? 'default') === 'default',
    },
  ];
}

/** A mapping with a share table, for the record-share property. */
export const shareVariant = (quote: (table: string) => string): FilterVariant<SqlMapping> => ({
  name: 'shares',
  mapping: (table, shares) => ({
    ownerUser: 'owner_user_id',
    ownerGroup: 'owner_group_id',
    tenant: 'tenant_id',
    accessGroups: 'access_groups',
    attributes: 'attributes',
    type: 'type',
    shares: { table: shares, recordId: 'record_id', principalKind: 'principal_kind', principalId: 'principal_id', level: 'level', since: 'since', until: 'until', id: `${table}.id` },
  }),
  from: (table) => quote(table),
  sees: () => true,
});

/** One branch of the batched query: ask `k`, its WHERE fragment and type. */
export interface Branch {
  readonly k: number;
  readonly where: { readonly sql: string; readonly params: readonly unknown[] };
  readonly type: string;
}

const show = (x: unknown): string => JSON.stringify(x);

/**
 * Compiles the filter of every ask with `compile`, runs them with `run` (which returns the
 * `[k, id]` pairs the database found) and throws, with the filter and SQL, where they differ from
 * can(). Resolves to what was compared.
 */
export async function compareCase<M>(
  policy: PolicyInput,
  resources: readonly Resource[],
  at: number,
  v: FilterVariant<M>,
  table: string,
  join: string,
  compile: (f: AccessFilter, m: M) => { sql: string; params: unknown[] },
  run: (branches: readonly Branch[]) => Promise<readonly (readonly [number, string])[]>,
): Promise<{ compared: number; allowed: number; some: number }> {
  const engine = createEngine({ policy, clock: () => at });
  const asks: { user: string; action: string; type: string }[] = [];
  for (const user of [...engine.policy.users.keys(), 'ghost']) {
    for (const [type, t] of engine.policy.resourceTypes) if (t.controlledBy === undefined) for (const action of t.actions.keys()) asks.push({ user, action, type });
  }
  const filters = asks.map((a) => engine.filter(a.user, a.action, a.type));
  const mapping = v.mapping(table, join);
  const branches = asks.map((a, k) => ({ k, where: compile(filters[k] as AccessFilter, mapping), type: a.type }));
  const got = new Map<number, string[]>();
  for (const [k, id] of await run(branches)) got.set(k, [...(got.get(k) ?? []), id]);
  let compared = 0;
  let allowed = 0;
  asks.forEach(({ user, action, type }, k) => {
    const expected = resources.filter((r) => v.sees(r) && r.type === type && engine.can(user, action, r)).map((r) => r.id).sort();
    const actual = [...(got.get(k) ?? [])].sort();
    if (show(actual) !== show(expected)) {
      const wrong = resources.filter((r) => v.sees(r) && expected.includes(r.id) !== actual.includes(r.id));
      throw new Error(
        [
          `variant ${v.name}: user ${show(user)} ${show(action)} on ${show(type)}`,
          `  SQL returned ${show(actual)}, can() allows ${show(expected)}`,
          `  filter: ${show(filters[k])}`,
          `  where: ${branches[k]?.where.sql} params ${show(branches[k]?.where.params)}`,
          ...wrong.map((r) => `  ${expected.includes(r.id) ? 'missing' : 'extra'}: ${show(r)}; ${engine.explain(user, action, r)}`),
        ].join('\n'),
      );
    }
    compared += resources.filter(v.sees).length;
    allowed += expected.length;
  });
  return { compared, allowed, some: filters.filter((f) => f.kind === 'some').length };
}

/* Segment conditions, exhaustively. */

const SCALAR_VALUES: readonly (string | number | boolean)[] = ['EU', 1, '1', true, false, 0, 1.5, '', '__proto__', 'x', 'y', 'null'];
const LIST_VALUES: readonly string[][] = [[], ['x'], ['x', 'y'], ['y', 'x'], ['x', 'x'], ['__proto__'], ['1'], ['EU']];
const IN_LISTS: readonly (string | number | boolean)[][] = [[], ['EU'], [1, '1'], [true, 'x'], ['x', 'y', '__proto__'], [0, false, ''], [1.5, 'null']];
const CONTAINS = ['x', 'y', '__proto__', '1', 'EU', ''];
/** The attribute names of the exhaustive segment test. */
export const SEGMENT_KEYS = ['region', 'tags', '__proto__', 'a b', 'constructor'];

const values = (extra: readonly AttributeValue[]): AttributeValue[] => [...SCALAR_VALUES, ...LIST_VALUES, ...extra];

/** Every condition on `key`: equals each value, in each list, contains each string. */
export function conditionsOn(key: string, extra: readonly AttributeValue[] = []): Condition[] {
  const scalars = extra.filter((v): v is string | number | boolean => !Array.isArray(v));
  return [
    ...values(extra).map((v) => ({ attribute: key, equals: v })),
    ...[...IN_LISTS, scalars].map((l) => ({ attribute: key, in: l })),
    ...[...CONTAINS, ...scalars.filter((v): v is string => typeof v === 'string')].map((x) => ({ attribute: key, contains: x })),
  ];
}

/** Attribute objects: none, empty, one key with each value, and some with two keys. */
export function attributeRows(extraKeys: readonly string[] = [], extra: readonly AttributeValue[] = []): (Record<string, AttributeValue> | null)[] {
  const rows: (Record<string, AttributeValue> | null)[] = [null, {}];
  for (const k of [...SEGMENT_KEYS, ...extraKeys]) for (const v of values(extra)) rows.push(Object.fromEntries([[k, v]]) as Record<string, AttributeValue>);
  rows.push({ region: 'EU', tags: ['x', 'y'] }, { region: ['EU'], tags: 'x' }, Object.fromEntries([['__proto__', ['x']], ['region', 1]]) as Record<string, AttributeValue>);
  return rows;
}

/** A filter with one segment clause. */
export const segmentFilter = (segment: Segment): AccessFilter => ({
  user: 'u',
  action: 'view',
  type: 'lead',
  revision: 0,
  kind: 'some',
  tenants: ['default'],
  anyOf: [{ kind: 'segment', segment, tenant: 'default', accessGroup: 'ag' }],
  sources: [],
});

/** Policies without capabilities and ceilings, and records with 0-5 shares, decided at one of the share bounds (test/postgres/filter-shares.test.ts). */
export const shareCases = fc.array(fc.nat({ max: 1 << 16 }), { minLength: STREAM_LENGTH * 4, maxLength: STREAM_LENGTH * 4 }).map((s) => {
  const c = new Choices(s);
  const policy = withoutCapabilities(buildPolicy(c, SMALL_TEXT));
  const resources: Resource[] = [];
  for (let i = 0; i < 16; i++) resources.push(buildResource(c, policy, i, true));
  return { policy, resources, at: c.pick(SHARE_TIMES) };
});

/** The share rows of `resources`: record id, principal kind and id, level, and the bounds as `toISOString` text (or null). */
export function shareRows(resources: readonly Resource[]): [string, string, string, string, string | null, string | null][] {
  const iso = (t: string | undefined): string | null => (t === undefined ? null : new Date(t).toISOString());
  return resources.flatMap((r) =>
    (r.shares ?? []).map((s) => {
      const [kind, id] = Object.entries(s.to)[0] as [string, string];
      return [r.id, kind, id, s.level, iso(s.since), iso(s.until)] as [string, string, string, string, string | null, string | null];
    }),
  );
}
