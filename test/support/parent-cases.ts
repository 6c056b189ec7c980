/*
 * The cases of the parent-controlled-types property (SPEC 9), shared by the SQL dialects' tests
 * (test/{postgres,mysql,sqlite}/filter-parents.test.ts): random policies that declare controlled
 * types (one, or a two-level chain) with records of them; the table layout (the records of the
 * types with access of their own in one table with a type column, each controlled type in a table
 * of its own (id, parent_id), the mappings through `mapping.parent`); and the comparison of the
 * rows a dialect's query returns with can() (and of toPredicate with can(), in memory). Children
 * are stored without a tenant (in SQL a child is in its parent's), so the generated children carry
 * none. A dialect's test creates, fills and drops the tables and runs the queries.
 */
import fc from 'fast-check';
import { expect } from 'vitest';
import { createEngine, toPredicate, type AccessFilter, type AttributeValue, type PolicyInput, type Resource } from '../../src/index.js';
import type { SqlFragment, SqlMapping } from '../../src/adapters/sql/to-sql.js';
import { Choices, STREAM_LENGTH } from '../arbitraries/choices.js';
import { buildPolicy, buildResource, SMALL_TEXT } from '../arbitraries/policy.js';
import { buildChild, controlledTypes } from '../arbitraries/parents.js';
import { replaying, runParams } from '../arbitraries/settings.js';

export { controlledTypes };

/** A record and its parents without any tenant on the controlled ones. */
function untenanted(policy: PolicyInput, r: Resource): Resource {
  if (policy.resourceTypes[r.type]?.controlledBy === undefined || r.parent === undefined) return r;
  const { tenant: _tenant, ...rest } = r;
  return { ...rest, parent: untenanted(policy, r.parent) };
}

/** A policy (with controlled types or not: see {@link parentProperty}) and 12 records of its own types and up to 12 children. */
export const parentCases = fc
  .array(fc.nat({ max: 1 << 16 }), { minLength: STREAM_LENGTH * 4, maxLength: STREAM_LENGTH * 4 })
  .map((s) => {
    const c = new Choices(s);
    const policy = buildPolicy(c, SMALL_TEXT);
    const resources: Resource[] = [];
    for (let i = 0; i < 12; i++) resources.push(buildResource(c, policy, i));
    const controlled = controlledTypes(policy);
    for (let i = 0; controlled.length > 0 && i < 12; i++) {
      const child = buildChild(c, policy, c.pick(controlled)[0], `c${i}`, resources, (t) => ({ ...buildResource(c, policy, 100 + i), type: t, id: `p${i}` }));
      resources.push(untenanted(policy, child));
    }
    return { policy, resources };
  });

/** Every record, its parents included, once per (type, id). */
export function everyRecord(resources: readonly Resource[]): Resource[] {
  const out = new Map<string, Resource>();
  for (const r of resources) {
    for (let x: Resource | undefined = r; x !== undefined; x = x.parent) {
      const key = JSON.stringify([x.type, x.id]);
      if (!out.has(key)) out.set(key, x);
    }
  }
  return [...out.values()];
}

/** A row of the table of the types with access of their own (NULL where the record has nothing). */
export interface OwnRow {
  readonly id: string;
  readonly type: string;
  readonly tenant: string | null;
  readonly ownerUser: string | null;
  readonly ownerGroup: string | null;
  /** The access groups when the record lists them (an array), else null. */
  readonly accessGroups: readonly string[] | null;
  /** The attributes when the record has an object of them, else null. */
  readonly attributes: Readonly<Record<string, AttributeValue>> | null;
}

/** A row of a controlled type's table. */
export interface ChildRow {
  readonly id: string;
  readonly parent: string | null;
}

/** The tables of one case, their rows, and the mapping of each type. */
export interface ParentLayout {
  /** The table of the types with access of their own: (id, type, tenant_id, owner_user_id, owner_group_id, access_groups, attributes), primary key (type, id). */
  readonly own: string;
  readonly ownRows: readonly OwnRow[];
  /** Each controlled type's table (id primary key, parent_id), with its rows. */
  readonly children: readonly { readonly type: string; readonly table: string; readonly rows: readonly ChildRow[] }[];
  /** Every table of the case, the own one first. */
  readonly tables: readonly string[];
  /** The controlled types, whose filters are compared. */
  readonly types: readonly string[];
  /** The table of a controlled type. */
  tableOf(type: string): string;
  /** The mapping of a type's table: of a controlled type, `parent` through its controller's table and mapping. */
  mappingOf(type: string): SqlMapping;
}

const OWN_MAPPING: SqlMapping = { ownerUser: 'owner_user_id', ownerGroup: 'owner_group_id', tenant: 'tenant_id', accessGroups: 'access_groups', attributes: 'attributes', type: 'type' };

/** The layout of case number `n` over `records` (from {@link everyRecord}): tables `own<n>` and `ch<n>_<i>`. */
export function parentLayout(policy: PolicyInput, records: readonly Resource[], n: number): ParentLayout {
  const own = `own${n}`;
  const controlled = controlledTypes(policy);
  const tableOf = new Map<string, string>(controlled.map(([t], i) => [t, `ch${n}_${i}`]));
  const ownRows = records
    .filter((r) => !tableOf.has(r.type))
    .map((r): OwnRow => {
      const owner = r.owner as { readonly user?: unknown; readonly group?: unknown } | undefined;
      return {
        id: r.id,
        type: r.type,
        tenant: typeof r.tenant === 'string' ? r.tenant : null,
        ownerUser: typeof owner?.user === 'string' ? owner.user : null,
        ownerGroup: typeof owner?.group === 'string' ? owner.group : null,
        accessGroups: Array.isArray(r.accessGroups) ? r.accessGroups : null,
        attributes: typeof r.attributes === 'object' && r.attributes !== null && !Array.isArray(r.attributes) ? r.attributes : null,
      };
    });
  const children = [...tableOf].map(([type, table]) => ({ type, table, rows: records.filter((r) => r.type === type).map((r): ChildRow => ({ id: r.id, parent: r.parent?.id ?? null })) }));
  const mappingOf = (type: string): SqlMapping => {
    const over = policy.resourceTypes[type]?.controlledBy;
    if (over === undefined) return OWN_MAPPING;
    return { parent: { column: 'parent_id', table: tableOf.get(over) ?? own, id: 'id', mapping: mappingOf(over) } };
  };
  return {
    own,
    ownRows,
    children,
    tables: [own, ...tableOf.values()],
    types: controlled.map(([t]) => t),
    tableOf: (t) => {
      const table = tableOf.get(t);
      if (table === undefined) throw new Error(`no table of ${t}`);
      return table;
    },
    mappingOf,
  };
}

/** One branch of a dialect's query: ask `k`, its WHERE fragment, and the child table it selects from. */
export interface ParentBranch {
  readonly k: number;
  readonly where: SqlFragment;
  readonly table: string;
}

/** What the property compared, summed over its cases. */
export interface ParentStats {
  cases: number;
  /** (child row, user, action) comparisons. */
  compared: number;
  /** Of those, the ones can() allows. */
  allowed: number;
}

export const newParentStats = (): ParentStats => ({ cases: 0, compared: 0, allowed: 0 });

const show = (x: unknown): string => JSON.stringify(x);

/**
 * For every controlled type, action and user (and an unknown one): checks toPredicate against
 * can() on the records, compiles the filter with `compile` (given the number its first
 * placeholder would have, for a dialect with numbered ones, when the branches are run as one
 * query), runs every branch with `run` (which returns the `[k, id]` pairs the database found)
 * and throws, with the filter and SQL, where the rows differ from those can() allows.
 */
export async function compareParents(
  policy: PolicyInput,
  records: readonly Resource[],
  layout: ParentLayout,
  compile: (f: AccessFilter, m: SqlMapping, firstParam: number) => SqlFragment,
  run: (branches: readonly ParentBranch[]) => Promise<readonly (readonly [number, string])[]>,
  stats: ParentStats,
): Promise<void> {
  const engine = createEngine({ policy });
  const users = [...engine.policy.users.keys(), 'ghost'];
  const asks = layout.types.flatMap((type) => [...(engine.policy.resourceTypes.get(type)?.actions.keys() ?? [])].flatMap((action) => users.map((user) => ({ user, action, type }))));
  const filters = asks.map((a) => engine.filter(a.user, a.action, a.type));
  let params = 0;
  const branches = asks.map((a, k): ParentBranch => {
    const f = filters[k] as AccessFilter;
    // In memory too: the predicate agrees with can() on records carrying their parents.
    const pass = toPredicate(f);
    for (const r of records) {
      const expected = r.type === a.type && engine.can(a.user, a.action, r);
      if (pass(r) !== expected) throw new Error(`toPredicate: ${show(a)} ${show(r)}: can=${expected}, filter=${show(f)}`);
    }
    const where = compile(f, layout.mappingOf(a.type), params + 1);
    params += where.params.length;
    return { k, where, table: layout.tableOf(a.type) };
  });
  if (branches.length === 0) return;
  const got = new Map<number, string[]>();
  for (const [k, id] of await run(branches)) got.set(k, [...(got.get(k) ?? []), id]);
  asks.forEach((a, k) => {
    const expected = records.filter((r) => r.type === a.type && engine.can(a.user, a.action, r)).map((r) => r.id).sort();
    const actual = [...(got.get(k) ?? [])].sort();
    if (show(actual) !== show(expected)) {
      const wrong = records.filter((r) => r.type === a.type && expected.includes(r.id) !== actual.includes(r.id));
      throw new Error(
        [
          `${show(a)}: SQL returned ${show(actual)}, can() allows ${show(expected)}`,
          `  filter ${show(filters[k])}`,
          `  where ${branches[k]?.where.sql} params ${show(branches[k]?.where.params)}`,
          ...wrong.map((r) => `  ${expected.includes(r.id) ? 'missing' : 'extra'}: ${show(r)}; ${engine.explain(a.user, a.action, r)}`),
        ].join('\n'),
      );
    }
    stats.compared += records.filter((r) => r.type === a.type).length;
    stats.allowed += expected.length;
  });
}

/**
 * The property over {@link parentCases} with controlled types (others are skipped): `check` loads
 * the case's tables, compares (with {@link compareParents}) and drops them. Then prints the
 * counts and expects enough comparisons and allowed rows (not when replaying one case).
 */
export async function parentProperty(label: string, stats: ParentStats, check: (policy: PolicyInput, resources: readonly Resource[]) => Promise<void>, runs = 150): Promise<void> {
  await fc.assert(
    fc.asyncProperty(parentCases, async ({ policy, resources }) => {
      fc.pre(controlledTypes(policy).length > 0);
      await check(policy, resources);
      stats.cases++;
    }),
    { ...runParams(runs), maxSkipsPerRun: 1000 },
  );
  console.log(`${label}: ${stats.cases} cases, ${stats.compared} (child row, user, action) comparisons, ${stats.allowed} allowed`);
  if (!replaying) {
    expect(stats.compared).toBeGreaterThan(2000);
    expect(stats.allowed).toBeGreaterThan(100);
  }
}
