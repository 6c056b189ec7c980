/*
 * toSql against a real PostgreSQL server: for random policies and random resource tables, the rows
 * `SELECT id FROM t WHERE <toSql(filter(u, a, type))>` returns are exactly the resources of `type`
 * that `can(u, a, r)` allows, for every user (and an unknown one), type and action; toPredicate
 * agrees on the same resources.
 *
 * Each case gets its own table (and join table) in this file's schema, loaded from JSON in one
 * statement, and each mapping variant is checked with one batched query (a UNION ALL of one
 * branch per user, type and action), so a case costs a handful of round trips.
 *
 * Mapping variants:
 *   A  text[] access groups, a `type` column mapping, unqualified column names;
 *   B  a join table of access groups (which has an `id` column of its own), the type checked by the
 *      caller, unqualified column names;
 *   C  no tenant column (rows stored in tenant `default` only), qualified names `t.x`, text[].
 * A second test compares every segment condition over the generator's attribute names and values
 * (and a few more) with segmentMatches, exhaustively.
 *
 * Half of the cases make some member entries, rules and grants time-bound and decide at an instant
 * near their bounds (the engine's clock), so the filter of an instant is checked too.
 *
 * Rows without a tenant store NULL (even index) or 'default' (odd index); rows without access
 * groups or attributes store NULL or an empty value, alternately.
 */
import fc from 'fast-check';
import type pg from 'pg';
import { describe, expect, it } from 'vitest';
import { createEngine, segmentMatches, toPredicate, type Engine, type PolicyInput, type Resource, type Segment } from '../../src/index.js';
import { toSql, type SqlMapping } from '../../src/adapters/postgres/index.js';
import { replaying, runParams } from '../arbitraries/settings.js';
import { attributeRows, conditionsOn, filterCases, mappingVariants, SEGMENT_KEYS, segmentFilter } from '../support/filter-cases.js';
import { ident, usePostgres } from '../support/pg-context.js';

const db = usePostgres('purview_fsql');

/** Resources per generated table; the cases come from test/support/filter-cases.ts. */
const arb = filterCases;

interface Variant {
  readonly name: string;
  readonly mapping: (table: string, join: string) => SqlMapping;
  /** The FROM clause. */
  readonly from: (table: string) => string;
  /** A condition the caller adds (type, and the tenant when the mapping has none); `$1` is the type. */
  readonly extra?: string;
  /** Whether the resource is in the table this variant sees. */
  readonly sees: (r: Resource) => boolean;
}

const VARIANTS: readonly Variant[] = mappingVariants(ident, '$1::text');

let tableNo = 0;

async function loadTable(client: pg.PoolClient, resources: readonly Resource[]): Promise<{ table: string; join: string }> {
  const table = `t${tableNo}`;
  const join = `t${tableNo}_ag`;
  tableNo++;
  await client.query(
    `CREATE TABLE ${ident(table)} (id text PRIMARY KEY, type text NOT NULL, tenant_id text, owner_user_id text, owner_group_id text, access_groups text[], attributes jsonb);
     CREATE TABLE ${ident(join)} (id serial PRIMARY KEY, record_id text NOT NULL, access_group text NOT NULL)`,
  );
  const rows = resources.map((r, i) => ({
    ...r,
    // Tenantless rows: NULL or 'default'; rows without access groups or attributes: NULL or empty.
    tenant: r.tenant ?? (i % 2 === 0 ? null : 'default'),
    accessGroups: r.accessGroups ?? (i % 2 === 0 ? null : []),
    attributes: r.attributes ?? (i % 2 === 0 ? null : {}),
  }));
  await client.query(
    `INSERT INTO ${ident(table)} (id, type, tenant_id, owner_user_id, owner_group_id, access_groups, attributes)
     SELECT x->>'id', x->>'type', x->>'tenant', x->'owner'->>'user', x->'owner'->>'group',
            CASE WHEN jsonb_typeof(x->'accessGroups') = 'array' THEN ARRAY(SELECT jsonb_array_elements_text(x->'accessGroups')) END,
            CASE WHEN jsonb_typeof(x->'attributes') = 'object' THEN x->'attributes' END
     FROM jsonb_array_elements($1::jsonb) x`,
    [JSON.stringify(rows)],
  );
  await client.query(
    `INSERT INTO ${ident(join)} (record_id, access_group)
     SELECT x->>'id', g FROM jsonb_array_elements($1::jsonb) x, jsonb_array_elements_text(CASE WHEN jsonb_typeof(x->'accessGroups') = 'array' THEN x->'accessGroups' ELSE '[]' END) g`,
    [JSON.stringify(rows)],
  );
  return { table, join };
}

interface Ask {
  readonly user: string;
  readonly action: string;
  readonly type: string;
}

/** Every (user, type, action) of the policy, with an unknown user. */
function asks(engine: Engine): Ask[] {
  const out: Ask[] = [];
  for (const user of [...engine.policy.users.keys(), 'ghost']) {
    // Controlled types (SPEC 9) have tables of their own: test/postgres/filter-parents.test.ts.
    for (const [type, t] of engine.policy.resourceTypes) if (t.controlledBy === undefined) for (const action of t.actions.keys()) out.push({ user, action, type });
  }
  return out;
}

const show = (x: unknown): string => JSON.stringify(x);

let compared = 0;
let rowsMatched = 0;
let cases = 0;
const kinds = { none: 0, all: 0, some: 0 };
const clauseKinds = new Map<string, number>();
/** Segment conditions compiled, by kind (`equals` of a scalar or a list, `in`, `contains`). */
const conditionKinds = new Map<string, number>();

async function checkCase(client: pg.PoolClient, policy: PolicyInput, resources: readonly Resource[], at: number = Date.now()): Promise<void> {
  const engine = createEngine({ policy, clock: () => at });
  const { table, join } = await loadTable(client, resources);
  try {
    await compare(client, engine, resources, table, join);
  } finally {
    // Dropped whether or not the case passed: a shrinking run fails thousands of cases, and
    // DROP SCHEMA ... CASCADE of thousands of tables would exceed max_locks_per_transaction.
    await client.query(`DROP TABLE ${ident(table)}, ${ident(join)}`);
  }
  cases++;
}

async function compare(client: pg.PoolClient, engine: Engine, resources: readonly Resource[], table: string, join: string): Promise<void> {
  const all = asks(engine);
  const filters = all.map((a) => engine.filter(a.user, a.action, a.type));
  for (const f of filters) {
    kinds[f.kind]++;
    for (const c of f.anyOf) {
      clauseKinds.set(c.kind, (clauseKinds.get(c.kind) ?? 0) + 1);
      if (c.kind !== 'segment') continue;
      for (const cond of c.segment.all) {
        const kind = 'equals' in cond ? (Array.isArray(cond.equals) ? 'equals-list' : 'equals') : 'in' in cond ? 'in' : 'contains';
        conditionKinds.set(kind, (conditionKinds.get(kind) ?? 0) + 1);
      }
    }
  }
  // In memory: toPredicate agrees with can().
  for (let k = 0; k < all.length; k++) {
    const { user, action, type } = all[k] as Ask;
    const pass = toPredicate(filters[k] as (typeof filters)[number]);
    for (const r of resources) {
      const expected = r.type === type && engine.can(user, action, r);
      if (pass(r) !== expected) throw new Error(`toPredicate: user ${show(user)} ${show(action)} ${show(r)}: can=${expected}, filter=${show(filters[k])}`);
    }
  }
  for (const v of VARIANTS) {
    const mapping = v.mapping(table, join);
    const params: unknown[] = [];
    const branches: string[] = [];
    const fragments: { sql: string; params: unknown[] }[] = [];
    for (let k = 0; k < all.length; k++) {
      const ask = all[k] as Ask;
      const typeParam = params.length + 1;
      params.push(ask.type);
      const w = toSql(filters[k] as (typeof filters)[number], mapping, { firstParam: params.length + 1 });
      fragments.push(w);
      params.push(...w.params);
      const extra = v.extra === undefined ? '' : `${v.extra.replaceAll('$1', `$${typeParam}`)} AND `;
      branches.push(`SELECT ${k} AS k, id FROM ${v.from(table)} WHERE ${extra}(${w.sql})${v.extra === undefined ? ` AND $${typeParam}::text IS NOT NULL` : ''}`);
    }
    const sql = `SELECT k, array_agg(id ORDER BY id) AS ids FROM (${branches.join('\nUNION ALL\n')}) q GROUP BY k`;
    let result: pg.QueryResult<{ k: number; ids: string[] }>;
    try {
      result = await client.query<{ k: number; ids: string[] }>(sql, params);
    } catch (e) {
      throw new Error(`variant ${v.name}: the query failed: ${String(e)}\n${sql.slice(0, 4000)}`);
    }
    const got = new Map<number, string[]>(result.rows.map((row) => [Number(row.k), row.ids]));
    for (let k = 0; k < all.length; k++) {
      const { user, action, type } = all[k] as Ask;
      const expected = resources
        .filter((r) => v.sees(r) && r.type === type && engine.can(user, action, r))
        .map((r) => r.id)
        .sort();
      const actual = [...(got.get(k) ?? [])].sort();
      if (show(actual) !== show(expected)) {
        const wrong = resources.filter((r) => v.sees(r) && expected.includes(r.id) !== actual.includes(r.id));
        throw new Error(
          [
            `variant ${v.name}: user ${show(user)} ${show(action)} on ${show(type)}`,
            `  SQL returned ${show(actual)}, can() allows ${show(expected)}`,
            `  filter: ${show(filters[k])}`,
            `  where: ${fragments[k]?.sql} params ${show(fragments[k]?.params)}`,
            ...wrong.map((r) => `  ${expected.includes(r.id) ? 'missing' : 'extra'}: ${show(r)}; ${engine.explain(user, action, r)}`),
          ].join('\n'),
        );
      }
      compared += resources.filter(v.sees).length;
      rowsMatched += expected.length;
    }
  }
}

describe('toSql agrees with can() on a real PostgreSQL table', () => {
  it('rows returned by WHERE <toSql(filter(u, a, t))> are exactly those can() allows, in three mappings', async () => {
    const schema = db.schema();
    const pool = db.pool('purview-filter-sql', 1);
    await pool.query(`CREATE SCHEMA ${ident(schema)}`);
    const client = await pool.connect();
    try {
      await client.query(`SET search_path TO ${ident(schema)}`);
      await fc.assert(
        fc.asyncProperty(arb, async ({ policy, resources, at }) => {
          await checkCase(client, policy, resources, at);
        }),
        runParams(300),
      );
    } finally {
      client.release();
    }
    console.log(`filter-sql: ${cases} cases, ${compared} (row, user, action) comparisons, ${rowsMatched} rows allowed; filters ${show(kinds)}; clauses ${show(Object.fromEntries(clauseKinds))}; segment conditions ${show(Object.fromEntries(conditionKinds))}`);
    expect(compared).toBeGreaterThan(10_000);
    expect(rowsMatched).toBeGreaterThan(500);
    expect(kinds.some).toBeGreaterThan(100);
    if (!replaying) {
      for (const kind of ['ownerUser', 'ownerGroup', 'accessGroup', 'segment']) expect(clauseKinds.get(kind) ?? 0, kind).toBeGreaterThan(20);
      // Each kind of segment condition is compiled (counts vary a lot between seeds; the exhaustive
      // test below covers every kind over every value).
      expect(conditionKinds.size).toBeGreaterThanOrEqual(3);
    }
  });
});

/* Segment conditions, exhaustively (the conditions and rows of test/support/filter-cases.ts). */

describe('segments in SQL', () => {
  it('every condition (equals, in, contains) over odd keys and values matches exactly as segmentMatches', async () => {
    const schema = db.schema();
    const pool = db.pool('purview-filter-sql-segments', 1);
    await pool.query(`CREATE SCHEMA ${ident(schema)}`);
    const rows = attributeRows();
    await pool.query(`CREATE TABLE ${ident(schema)}.seg (n int PRIMARY KEY, attributes jsonb)`);
    await pool.query(
      `INSERT INTO ${ident(schema)}.seg SELECT (x.n - 1)::int, CASE WHEN jsonb_typeof(x.a) = 'object' THEN x.a END FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY x(a, n)`,
      [JSON.stringify(rows)],
    );
    const single = SEGMENT_KEYS.flatMap((k) => conditionsOn(k)).map((c) => ({ all: [c] }));
    const pairs: Segment[] = [];
    const some = conditionsOn('region').filter((_, i) => i % 4 === 0);
    const tags = conditionsOn('tags').filter((_, i) => i % 3 === 0);
    for (const a of some) for (const b of tags) pairs.push({ all: [a, b] });
    const segments: Segment[] = [{ all: [] }, ...single, ...pairs];
    // The table holds attributes only: no owner columns to map (a segment clause reads none).
    const mapping: SqlMapping = { attributes: 'attributes', shares: false };
    let checked = 0;
    for (let from = 0; from < segments.length; from += 200) {
      const batch = segments.slice(from, from + 200);
      const params: unknown[] = [];
      const branches = batch.map((segment, k) => {
        const w = toSql(segmentFilter(segment), mapping, { firstParam: params.length + 1 });
        params.push(...w.params);
        return `SELECT ${k} AS k, n FROM ${ident(schema)}.seg WHERE ${w.sql}`;
      });
      const result = await pool.query<{ k: number; ns: number[] }>(
        `SELECT k, array_agg(n ORDER BY n) AS ns FROM (${branches.join(' UNION ALL ')}) q GROUP BY k`,
        params,
      );
      const got = new Map(result.rows.map((r) => [Number(r.k), r.ns.map(Number)]));
      batch.forEach((segment, k) => {
        const expected = rows.flatMap((a, n) => (segmentMatches(segment, a ?? undefined) ? [n] : []));
        const actual = got.get(k) ?? [];
        if (show(actual) !== show(expected)) {
          const wrong = rows.filter((_, n) => expected.includes(n) !== actual.includes(n));
          throw new Error(`segment ${show(segment)}: SQL ${show(actual)}, in memory ${show(expected)}; differs on ${wrong.map((a) => show(a)).join(', ')}`);
        }
        checked += rows.length;
      });
    }
    expect(segments.length).toBeGreaterThan(200);
    expect(checked).toBeGreaterThan(10_000);
  });
});
