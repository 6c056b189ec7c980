/*
 * SPEC 9, parent-controlled types, against a real PostgreSQL server: for random policies that
 * declare controlled types (one, or a two-level chain), the rows
 * `SELECT id FROM <child table> WHERE <toSql(filter(u, a, childType))>` are exactly the records of
 * the child type that `can(u, a, r)` allows, for every user (and an unknown one) and action; the
 * parent's condition is a sub-select on the parent's table through `mapping.parent`. Records of
 * the types with access of their own live in one table (with a type column), each controlled
 * type in a table of its own (id, parent_id). Children are stored without a tenant (in SQL a
 * child is in its parent's), so the generated children carry none.
 */
import fc from 'fast-check';
import type pg from 'pg';
import { describe, expect, it } from 'vitest';
import { createEngine, toPredicate, type Engine, type PolicyInput, type Resource } from '../../src/index.js';
import { toSql, type SqlMapping } from '../../src/adapters/postgres/index.js';
import { Choices, STREAM_LENGTH } from '../arbitraries/choices.js';
import { buildPolicy, buildResource, SMALL_TEXT } from '../arbitraries/policy.js';
import { buildChild, controlledTypes } from '../arbitraries/parents.js';
import { replaying, runParams } from '../arbitraries/settings.js';
import { ident, usePostgres } from '../support/pg-context.js';

const db = usePostgres('purview_fpar');

/** A record and its parents without any tenant on the controlled ones. */
function untenanted(policy: PolicyInput, r: Resource): Resource {
  if (policy.resourceTypes[r.type]?.controlledBy === undefined || r.parent === undefined) return r;
  const { tenant: _tenant, ...rest } = r;
  return { ...rest, parent: untenanted(policy, r.parent) };
}

const arb = fc
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
function everyRecord(resources: readonly Resource[]): Resource[] {
  const out = new Map<string, Resource>();
  for (const r of resources) {
    for (let x: Resource | undefined = r; x !== undefined; x = x.parent) {
      const key = JSON.stringify([x.type, x.id]);
      if (!out.has(key)) out.set(key, x);
    }
  }
  return [...out.values()];
}

let tableNo = 0;
let compared = 0;
let childRowsAllowed = 0;
let cases = 0;

async function checkCase(client: pg.PoolClient, policy: PolicyInput, resources: readonly Resource[]): Promise<void> {
  const engine = createEngine({ policy });
  const records = everyRecord(resources);
  const n = tableNo++;
  const own = `own${n}`;
  const controlled = controlledTypes(policy);
  const tableOf = new Map<string, string>(controlled.map(([t], i) => [t, `ch${n}_${i}`]));
  const tables = [own, ...tableOf.values()];
  try {
    await client.query(`CREATE TABLE ${ident(own)} (id text, type text NOT NULL, tenant_id text, owner_user_id text, owner_group_id text, access_groups text[], attributes jsonb, PRIMARY KEY (type, id))`);
    for (const t of tableOf.values()) await client.query(`CREATE TABLE ${ident(t)} (id text PRIMARY KEY, parent_id text)`);
    const owned = records.filter((r) => !tableOf.has(r.type));
    await client.query(
      `INSERT INTO ${ident(own)} SELECT x->>'id', x->>'type', x->>'tenant', x->'owner'->>'user', x->'owner'->>'group',
              CASE WHEN jsonb_typeof(x->'accessGroups') = 'array' THEN ARRAY(SELECT jsonb_array_elements_text(x->'accessGroups')) END,
              CASE WHEN jsonb_typeof(x->'attributes') = 'object' THEN x->'attributes' END
       FROM jsonb_array_elements($1::jsonb) x`,
      [JSON.stringify(owned)],
    );
    for (const [type, table] of tableOf) {
      const rows = records.filter((r) => r.type === type).map((r) => ({ id: r.id, parent: r.parent?.id }));
      await client.query(`INSERT INTO ${ident(table)} SELECT x->>'id', x->>'parent' FROM jsonb_array_elements($1::jsonb) x`, [JSON.stringify(rows)]);
    }
    const ownMapping: SqlMapping = { ownerUser: 'owner_user_id', ownerGroup: 'owner_group_id', tenant: 'tenant_id', accessGroups: 'access_groups', attributes: 'attributes', type: 'type' };
    const mappingOf = (type: string): SqlMapping => {
      const over = policy.resourceTypes[type]?.controlledBy;
      if (over === undefined) return ownMapping;
      return { parent: { column: 'parent_id', table: tableOf.get(over) ?? own, id: 'id', mapping: mappingOf(over) } };
    };
    await compare(client, engine, records, controlled.map(([t]) => t), (t) => tableOf.get(t) as string, mappingOf);
  } finally {
    await client.query(`DROP TABLE ${tables.map(ident).join(', ')}`);
  }
  cases++;
}

async function compare(client: pg.PoolClient, engine: Engine, records: readonly Resource[], types: readonly string[], tableOf: (t: string) => string, mappingOf: (t: string) => SqlMapping): Promise<void> {
  const users = [...engine.policy.users.keys(), 'ghost'];
  const asks = types.flatMap((type) => [...(engine.policy.resourceTypes.get(type)?.actions.keys() ?? [])].flatMap((action) => users.map((user) => ({ user, action, type }))));
  const params: unknown[] = [];
  const branches: string[] = [];
  const filters = asks.map((a) => engine.filter(a.user, a.action, a.type));
  asks.forEach((a, k) => {
    const f = filters[k]!;
    // In memory too: the predicate agrees with can() on records carrying their parents.
    const pass = toPredicate(f);
    for (const r of records) {
      const expected = r.type === a.type && engine.can(a.user, a.action, r);
      if (pass(r) !== expected) throw new Error(`toPredicate: ${JSON.stringify(a)} ${JSON.stringify(r)}: can=${expected}, filter=${JSON.stringify(f)}`);
    }
    const w = toSql(f, mappingOf(a.type), { firstParam: params.length + 1 });
    params.push(...w.params);
    branches.push(`SELECT ${k} AS k, id FROM ${ident(tableOf(a.type))} WHERE ${w.sql}`);
  });
  if (branches.length === 0) return;
  const sql = `SELECT k, array_agg(id ORDER BY id) AS ids FROM (${branches.join('\nUNION ALL\n')}) q GROUP BY k`;
  const result = await client.query<{ k: number; ids: string[] }>(sql, params);
  const got = new Map<number, string[]>(result.rows.map((row) => [Number(row.k), row.ids]));
  asks.forEach((a, k) => {
    const expected = records.filter((r) => r.type === a.type && engine.can(a.user, a.action, r)).map((r) => r.id).sort();
    const actual = [...(got.get(k) ?? [])].sort();
    if (JSON.stringify(actual) !== JSON.stringify(expected)) {
      throw new Error(`${JSON.stringify(a)}: SQL returned ${JSON.stringify(actual)}, can() allows ${JSON.stringify(expected)}\n  filter ${JSON.stringify(filters[k])}`);
    }
    compared += records.filter((r) => r.type === a.type).length;
    childRowsAllowed += expected.length;
  });
}

describe('toSql of a controlled type agrees with can() on a real PostgreSQL server', () => {
  it('rows of the child tables returned by WHERE <toSql(filter(u, a, child))> are exactly those can() allows', async () => {
    const schema = db.schema();
    const pool = db.pool('purview-filter-parents', 1);
    await pool.query(`CREATE SCHEMA ${ident(schema)}`);
    const client = await pool.connect();
    try {
      await client.query(`SET search_path TO ${ident(schema)}`);
      await fc.assert(
        fc.asyncProperty(arb, async ({ policy, resources }) => {
          fc.pre(controlledTypes(policy).length > 0);
          await checkCase(client, policy, resources);
        }),
        { ...runParams(150), maxSkipsPerRun: 1000 },
      );
    } finally {
      client.release();
    }
    console.log(`filter-parents: ${cases} cases, ${compared} (child row, user, action) comparisons, ${childRowsAllowed} allowed`);
    if (!replaying) {
      expect(compared).toBeGreaterThan(2000);
      expect(childRowsAllowed).toBeGreaterThan(100);
    }
  });

  it('a filter of a controlled type needs mapping.parent, and its table has no tenant', () => {
    const engine = createEngine({
      policy: {
        users: [{ id: 'u1' }],
        resourceTypes: { account: { actions: { view: 'read' } }, contact: { actions: { view: 'read' }, controlledBy: 'account' } },
      },
    });
    const f = engine.filter('u1', 'view', 'contact');
    expect(() => toSql(f, {})).toThrow(expect.objectContaining({ name: 'InvalidInputError', path: ['mapping', 'parent'] }));
    expect(() => toSql(f, { tenant: 't', parent: { column: 'a', table: 'accounts', id: 'id', mapping: { ownerUser: 'o', ownerGroup: 'g' } } })).toThrow(
      expect.objectContaining({ name: 'InvalidInputError', path: ['mapping', 'tenant'] }),
    );
    const w = toSql(f, { parent: { column: 'account_id', table: 'accounts', id: 'id', mapping: { ownerUser: 'owner_user_id', ownerGroup: 'owner_group_id' } } });
    expect(w.sql).toBe('"account_id" IN (SELECT "id" FROM "accounts" WHERE "owner_user_id" = ANY($1::text[]))');
    expect(w.params).toEqual([['u1']]);
  });
});
