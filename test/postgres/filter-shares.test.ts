/*
 * Record shares in SQL, against a real PostgreSQL server: for random policies and random record
 * tables whose records carry 0-5 shares (to users, roles, subtrees and groups of any tenant, to
 * unknown ids, bounded at a few fixed instants), the rows `SELECT id FROM t WHERE <toSql(filter)>`
 * returns are exactly the records `can()` allows, with the filter and the checks made at one
 * instant, exactly on and around the shares' bounds. The shares live in a share table (record id,
 * principal kind, principal id, level, since and until as timestamptz); a second mapping names
 * the record table's columns qualified.
 */
import fc from 'fast-check';
import type pg from 'pg';
import { describe, expect, it } from 'vitest';
import { toPredicate, type PolicyInput, type Queries, type Resource } from '../../src/index.js';
import { toSql, type SqlMapping } from '../../src/adapters/postgres/index.js';
import { Choices, STREAM_LENGTH } from '../arbitraries/choices.js';
import { buildPolicy, buildResource, SHARE_TIMES, SMALL_TEXT } from '../arbitraries/policy.js';
import { replaying, runParams } from '../arbitraries/settings.js';
import { queriesAt } from '../support/at-instant.js';
import { ident, usePostgres } from '../support/pg-context.js';

const db = usePostgres('purview_fshare');

const ROWS = 16;

/** The policy without access levels and ceilings, so that more filters have clauses to compile. */
function withoutCapabilities(p: PolicyInput): PolicyInput {
  const { accessLevels: _levels, defaultAccessLevel: _default, ...rest } = p;
  const strip = <T extends object>(xs: readonly T[] | undefined): T[] | undefined =>
    xs?.map((x) => {
      const { accessLevel: _level, ceiling: _ceiling, ...y } = x as T & { accessLevel?: unknown; ceiling?: unknown };
      return y as T;
    });
  const out: Record<string, unknown> = { ...rest };
  for (const key of ['users', 'roles', 'groups', 'tenants'] as const) {
    const list = strip(p[key] as readonly object[] | undefined);
    if (list !== undefined) out[key] = list;
  }
  return out as unknown as PolicyInput;
}

const arb = fc
  .array(fc.nat({ max: 1 << 16 }), { minLength: STREAM_LENGTH * 4, maxLength: STREAM_LENGTH * 4 })
  .map((s) => {
    const c = new Choices(s);
    const policy = withoutCapabilities(buildPolicy(c, SMALL_TEXT));
    const resources: Resource[] = [];
    for (let i = 0; i < ROWS; i++) resources.push(buildResource(c, policy, i, true));
    return { policy, resources, at: c.pick(SHARE_TIMES) };
  });

const mappings = (table: string, shares: string): SqlMapping[] => {
  const shareTable = { table: shares, recordId: 'record_id', principalKind: 'principal_kind', principalId: 'principal_id', level: 'level', since: 'since', until: 'until' };
  return [
    { ownerUser: 'owner_user_id', ownerGroup: 'owner_group_id', tenant: 'tenant_id', accessGroups: 'access_groups', attributes: 'attributes', type: 'type', shares: { ...shareTable, id: 'id' } },
    // Qualified record columns; the share table has an `id` of its own, which must not capture the record's.
    { ownerUser: `${table}.owner_user_id`, ownerGroup: `${table}.owner_group_id`, tenant: `${table}.tenant_id`, accessGroups: `${table}.access_groups`, attributes: `${table}.attributes`, type: `${table}.type`, shares: { ...shareTable, id: `${table}.id` } },
  ];
};

let tableNo = 0;

async function load(client: pg.PoolClient, resources: readonly Resource[]): Promise<{ table: string; shares: string }> {
  const table = `r${tableNo}`;
  const shares = `r${tableNo}_shares`;
  tableNo++;
  await client.query(
    `CREATE TABLE ${ident(table)} (id text PRIMARY KEY, type text NOT NULL, tenant_id text, owner_user_id text, owner_group_id text, access_groups text[], attributes jsonb);
     CREATE TABLE ${ident(shares)} (id serial PRIMARY KEY, record_id text NOT NULL, principal_kind text NOT NULL, principal_id text NOT NULL, level text NOT NULL, since timestamptz, until timestamptz)`,
  );
  await client.query(
    `INSERT INTO ${ident(table)} (id, type, tenant_id, owner_user_id, owner_group_id, access_groups, attributes)
     SELECT x->>'id', x->>'type', x->>'tenant', x->'owner'->>'user', x->'owner'->>'group',
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
  await client.query(
    `INSERT INTO ${ident(shares)} (record_id, principal_kind, principal_id, level, since, until)
     SELECT x->>'record', x->>'kind', x->>'id', x->>'level', (x->>'since')::timestamptz, (x->>'until')::timestamptz FROM jsonb_array_elements($1::jsonb) x`,
    [JSON.stringify(rows)],
  );
  return { table, shares };
}

const show = (x: unknown): string => JSON.stringify(x);
let compared = 0;
let viaShareOnly = 0;
let shareClauses = 0;

async function compare(client: pg.PoolClient, q: Queries, resources: readonly Resource[], table: string, shares: string, at: number): Promise<void> {
  const asks: { user: string; action: string; type: string }[] = [];
  for (const user of [...q.policy.users.keys(), 'ghost']) for (const [type, t] of q.policy.resourceTypes) if (t.controlledBy === undefined) for (const action of t.actions.keys()) asks.push({ user, action, type });
  const filters = asks.map((a) => q.filter(a.user, a.action, a.type));
  for (const f of filters) shareClauses += f.anyOf.filter((c) => c.kind === 'share').length;
  for (const mapping of mappings(table, shares)) {
    const params: unknown[] = [];
    const branches = asks.map((a, k) => {
      const w = toSql(filters[k] as (typeof filters)[number], mapping, { firstParam: params.length + 1 });
      params.push(...w.params);
      return `SELECT ${k} AS k, ${ident(table)}.id FROM ${ident(table)} WHERE (${w.sql})`;
    });
    const sql = `SELECT k, array_agg(id ORDER BY id) AS ids FROM (${branches.join('\nUNION ALL\n')}) q GROUP BY k`;
    const result = await client.query<{ k: number; ids: string[] }>(sql, params);
    const got = new Map<number, string[]>(result.rows.map((row) => [Number(row.k), row.ids]));
    asks.forEach(({ user, action, type }, k) => {
      const allowed = resources.filter((r) => r.type === type && q.can(user, action, r));
      const expected = allowed.map((r) => r.id).sort();
      const actual = [...(got.get(k) ?? [])].sort();
      if (show(actual) !== show(expected)) {
        throw new Error(`at ${new Date(at).toISOString()}: user ${show(user)} ${show(action)} on ${show(type)}: SQL ${show(actual)}, can() ${show(expected)}\n  filter: ${show(filters[k])}\n  resources: ${show(resources)}`);
      }
      const pass = toPredicate(filters[k] as (typeof filters)[number]);
      for (const r of resources) if (pass(r) !== (r.type === type && q.can(user, action, r))) throw new Error(`toPredicate disagrees on ${show(r)}`);
      for (const r of allowed) if (q.check(user, action, r).reasons.every((x) => x.source === 'record-share')) viaShareOnly++;
      compared += resources.length;
    });
  }
}

describe('record shares: toSql agrees with can() on a real PostgreSQL table', () => {
  it('rows returned by WHERE <toSql(filter)> over a share table are exactly those can() allows, at instants on the bounds', async () => {
    const schema = db.schema();
    const pool = db.pool('purview-filter-shares', 1);
    await pool.query(`CREATE SCHEMA ${ident(schema)}`);
    const client = await pool.connect();
    try {
      await client.query(`SET search_path TO ${ident(schema)}`);
      await fc.assert(
        fc.asyncProperty(arb, async ({ policy, resources, at }) => {
          const q = queriesAt(policy, at);
          const { table, shares } = await load(client, resources);
          try {
            await compare(client, q, resources, table, shares, at);
          } finally {
            await client.query(`DROP TABLE ${ident(table)}, ${ident(shares)}`);
          }
        }),
        runParams(150),
      );
    } finally {
      client.release();
    }
    console.log(`filter-shares: ${compared} (row, user, action, mapping) comparisons, ${viaShareOnly} allowed by a share alone, ${shareClauses} share clauses`);
    expect(compared).toBeGreaterThan(5_000);
    if (!replaying) expect(viaShareOnly).toBeGreaterThan(20);
  }, 300_000);
});
