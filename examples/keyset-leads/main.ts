/**
 * Paging through a user's accessible leads in a 1,000,000-row PostgreSQL table: the engine's
 * filter compiled to a WHERE clause with `toSql` (purview/postgres), keyset pagination on the
 * primary key, and indexes the plan uses.
 *
 *   npx tsx examples/keyset-leads/main.ts                 # 1,000,000 leads
 *   npx tsx examples/keyset-leads/main.ts --rows 20000    # fewer
 *
 * Options: `--rows N` (default 1,000,000), `--pages N` (pages shown for the main user, default
 * 5), `--user ID` (the main user, default u00220), `--keep` (leave the schema in place).
 *
 * The database: PURVIEW_PG_URL when set, else a local server at 127.0.0.1:5432 (database `test`),
 * else a throwaway embedded PostgreSQL (the test suite's own logic, test/support/postgres.ts). The
 * example works in a schema of its own, `purview_keyset_<random>`, and drops it at the end.
 */
import { availableParallelism, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { createEngine, type AccessFilter, type Engine, type Resource } from '../../src/index.js';
import { toSql, type SqlMapping } from '../../src/adapters/postgres/index.js';
import { dropSchema, schemaName, testDatabase } from '../../test/support/postgres.js';
import { buildPolicy, buildPolicyWithOps } from './policy.js';

/* ------------------------------------------------------------------------------------------ */
/* Options.                                                                                     */

function option(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? undefined : process.argv[i + 1];
}
const ROWS = Number(option('rows') ?? 1_000_000);
const PAGES = Number(option('pages') ?? 5);
const MAIN_USER = option('user') ?? 'u00220';
const KEEP = process.argv.includes('--keep');
const PAGE_SIZE = 50;
/** Up to this many rows, every shown user's whole result is compared with can() on every lead. */
const FULL_CHECK_ROWS = 100_000;
if (!Number.isSafeInteger(ROWS) || ROWS < 1000) throw new Error('--rows must be an integer of at least 1000');
if (!Number.isSafeInteger(PAGES) || PAGES < 1) throw new Error('--pages must be a positive integer');

/* ------------------------------------------------------------------------------------------ */
/* Helpers.                                                                                     */

const fmt = (n: number): string => n.toLocaleString('en-US');
const msText = (ms: number): string => (ms < 10 ? ms.toFixed(2) : ms < 100 ? ms.toFixed(1) : ms.toFixed(0));
const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? Number.NaN : (s[Math.floor((s.length - 1) / 2)] as number);
};
function time<T>(f: () => T): [T, number] {
  const t0 = performance.now();
  const v = f();
  return [v, performance.now() - t0];
}
async function timeAsync<T>(f: () => Promise<T>): Promise<[T, number]> {
  const t0 = performance.now();
  const v = await f();
  return [v, performance.now() - t0];
}
const heading = (title: string): void => console.log(`\n== ${title}\n`);

/** How the leads table stores what a filter looks at. */
const MAPPING: SqlMapping = {
  ownerUser: 'owner_user_id',
  ownerGroup: 'owner_group_id',
  tenant: 'tenant_id',
  accessGroups: 'access_groups',
  attributes: 'attributes',
  // These records are never shared one by one (see docs/record-shares.md for a share table).
  shares: false,
};

interface LeadRow {
  id: string;
  tenant_id: string;
  owner_user_id: string | null;
  owner_group_id: string | null;
  access_groups: string[] | null;
  attributes: Record<string, string | string[]>;
  name: string;
}

const COLUMNS = 'id, tenant_id, owner_user_id, owner_group_id, access_groups, attributes, name';

/** A row as the engine sees it. */
function resourceOf(r: LeadRow): Resource {
  return {
    type: 'lead',
    id: String(r.id),
    tenant: r.tenant_id,
    owner: r.owner_user_id !== null ? { user: r.owner_user_id } : { group: r.owner_group_id as string },
    ...(r.access_groups === null ? {} : { accessGroups: r.access_groups }),
    attributes: r.attributes,
  };
}

/** A filter as one line. */
function describeFilter(f: AccessFilter): string {
  if (f.kind !== 'some') return `${f.kind} (tenants ${f.tenants.join(', ')})${f.denial === undefined ? '' : `, ${f.denial}`}`;
  const ids = (xs: readonly string[]): string => (xs.length <= 4 ? xs.join(', ') : `${xs.slice(0, 3).join(', ')}, ... ${fmt(xs.length)} ids`);
  const clauses = f.anyOf.map((c) => {
    if (c.kind === 'parent') return `parent ${c.type} passes ${describeFilter(c.filter)}`;
    const where = c.tenant === undefined ? '' : ` in ${c.tenant}`;
    if (c.kind === 'segment') return `segment of ${c.accessGroup}${where} ${JSON.stringify(c.segment.all)}`;
    if (c.kind === 'share') return `shared at ${c.minLevel}+ with [${ids(Object.values(c.principals).flat())}]${where}`;
    return `${c.kind} in [${ids(c.ids)}]${where}`;
  });
  return `${clauses.join('\n     OR ')}\n  (tenants ${f.tenants.join(', ')})`;
}

interface PlanNode {
  'Node Type': string;
  'Index Name'?: string;
  'Relation Name'?: string;
  Plans?: PlanNode[];
}

/** A plan as one line: `Limit > Sort > Bitmap Heap Scan > BitmapOr(Bitmap Index Scan on a, ...)`. */
function planShape(node: PlanNode): string {
  const self = `${node['Node Type']}${node['Index Name'] === undefined ? '' : ` on ${node['Index Name']}`}`;
  const kids = node.Plans ?? [];
  if (kids.length === 0) return self;
  if (kids.length === 1) return `${self} > ${planShape(kids[0] as PlanNode)}`;
  return `${self}(${kids.map(planShape).join(', ')})`;
}

/* ------------------------------------------------------------------------------------------ */
/* The table.                                                                                   */

/**
 * One million leads in one statement. Owners: 4 in 5 a user (uniform over the 10,000), 1 in 5 a
 * team (uniform over the 1,980); 1 in 20 in tenant globex; 1 in 50 listed in `key-accounts`, 1 in
 * 1,000 in `trade-fair`; attributes: a region (EU, US, APAC, LATAM, MEA), tags (20% enterprise,
 * 20% webinar), a source, one of 1,000 campaigns.
 */
const LOAD = `
INSERT INTO leads (id, tenant_id, owner_user_id, owner_group_id, access_groups, attributes, name)
SELECT i,
       CASE WHEN (i / 3) % 20 = 0 THEN 'globex' ELSE 'acme' END,
       CASE WHEN i % 5 <> 0 THEN 'u' || lpad(((i * 7919) % 10000)::text, 5, '0') END,
       CASE WHEN i % 5 = 0 THEN 'team-' || lpad((((i / 5) * 7) % 1980)::text, 4, '0') END,
       CASE WHEN i % 2000 = 57 THEN ARRAY['key-accounts', 'trade-fair'] WHEN i % 50 = 7 THEN ARRAY['key-accounts']
            WHEN i % 2000 = 11 THEN ARRAY['trade-fair'] END,
       jsonb_build_object(
         'region', (ARRAY['EU', 'US', 'APAC', 'LATAM', 'MEA'])[1 + (i / 7) % 5],
         'tags', CASE (i * 13) % 10 WHEN 0 THEN '["webinar"]'::jsonb WHEN 1 THEN '["enterprise", "webinar"]'::jsonb
                                   WHEN 2 THEN '["enterprise"]'::jsonb ELSE '[]'::jsonb END,
         'source', (ARRAY['web', 'partner', 'reseller', 'event', 'import'])[1 + ((i * 17) / 3) % 5],
         'campaign', 'c-' || lpad(((i * 31) % 1000)::text, 3, '0')),
       'Lead ' || i
FROM generate_series(1, $1::bigint) AS i`;

/**
 * The indexes: btree (owner, id) so that a user's or a group's leads come in id order, the tenant
 * the same way, GIN on the access groups (&&) and on the attributes (@>, jsonb_path_ops).
 */
const INDEXES = [
  'CREATE INDEX leads_owner_user_idx ON leads (owner_user_id, id)',
  'CREATE INDEX leads_owner_group_idx ON leads (owner_group_id, id)',
  'CREATE INDEX leads_tenant_idx ON leads (tenant_id, id)',
  'CREATE INDEX leads_access_groups_idx ON leads USING gin (access_groups)',
  'CREATE INDEX leads_attributes_idx ON leads USING gin (attributes jsonb_path_ops)',
];

/* ------------------------------------------------------------------------------------------ */
/* Pages.                                                                                       */

/** One page after `after` (a lead id; 0 for the first page). */
function pageQuery(f: AccessFilter): { sql: string; params: (after: number) => unknown[]; nParams: number } {
  // $1 is the keyset; the filter's own parameters follow.
  const w = toSql(f, MAPPING, { firstParam: 2 });
  return {
    sql: `SELECT ${COLUMNS} FROM leads WHERE ${w.sql} AND id > $1::bigint ORDER BY id LIMIT ${PAGE_SIZE}`,
    params: (after) => [after, ...w.params],
    nParams: w.params.length,
  };
}

interface UserFigures {
  user: string;
  why: string;
  filterFirstMs: number;
  filterMedianMs: number;
  toSqlMs: number;
  params: number;
  sqlChars: number;
  accessible: number;
  firstPageMs: number;
  firstPageMedianMs: number;
  /** Planning and execution time of the first page as the server reports them (EXPLAIN ANALYZE). */
  planningMs: number;
  executionMs: number;
  plan: string;
}

type Explained = { plan: string; planningMs: number; executionMs: number };

/** EXPLAIN ANALYZE of a query: its shape and the server's planning and execution times. */
async function explainShort(client: pg.PoolClient, sql: string, params: unknown[]): Promise<Explained> {
  type Json = { Plan: PlanNode; 'Planning Time': number; 'Execution Time': number };
  const res = await client.query<{ 'QUERY PLAN': [Json] }>(`EXPLAIN (ANALYZE, FORMAT JSON) ${sql}`, params);
  const j = res.rows[0]?.['QUERY PLAN'][0] as Json;
  return { plan: planShape(j.Plan), planningMs: j['Planning Time'], executionMs: j['Execution Time'] };
}

/** Runs `f` in a transaction with a planner setting changed for that transaction only. */
async function withSetting<T>(client: pg.PoolClient, name: string, value: string, f: () => Promise<T>): Promise<T> {
  await client.query('BEGIN');
  try {
    await client.query(`SELECT set_config($1, $2, true)`, [name, value]);
    return await f();
  } finally {
    await client.query('COMMIT');
  }
}

async function measureUser(client: pg.PoolClient, engine: Engine, user: string, why: string): Promise<UserFigures> {
  const [filter, filterFirstMs] = time(() => engine.filter(user, 'view', 'lead'));
  const warm: number[] = [];
  for (let i = 0; i < 20; i++) warm.push(time(() => engine.filter(user, 'view', 'lead'))[1]);
  const [q, toSqlMs] = time(() => pageQuery(filter));
  const [first, firstPageMs] = await timeAsync(() => client.query<LeadRow>(q.sql, q.params(0)));
  const again: number[] = [];
  for (let i = 0; i < 10; i++) again.push((await timeAsync(() => client.query(q.sql, q.params(0))))[1]);
  for (const row of first.rows) {
    if (!engine.can(user, 'view', resourceOf(row))) throw new Error(`${user} may not view lead ${row.id}, yet the page lists it`);
  }
  const w = toSql(filter, MAPPING);
  const count = await client.query<{ n: string }>(`SELECT count(*) AS n FROM leads WHERE ${w.sql}`, w.params);
  const explained = await explainShort(client, q.sql, q.params(0));
  return {
    user,
    why,
    filterFirstMs,
    filterMedianMs: median(warm),
    toSqlMs,
    params: q.nParams + 1,
    sqlChars: q.sql.length,
    accessible: Number(count.rows[0]?.n),
    firstPageMs,
    firstPageMedianMs: median(again),
    planningMs: explained.planningMs,
    executionMs: explained.executionMs,
    plan: explained.plan,
  };
}

/** Pages through every lead `user` may view; prints the first `show` pages. */
async function pageThrough(client: pg.PoolClient, engine: Engine, user: string, q: ReturnType<typeof pageQuery>, show: number): Promise<{ leads: number; pages: number; pageMs: number[] }> {
  let after = 0;
  let leads = 0;
  let pages = 0;
  const pageMs: number[] = [];
  for (let page = 1; page <= 1000; page++) {
    const [res, ms] = await timeAsync(() => client.query<LeadRow>(q.sql, q.params(after)));
    if (res.rows.length === 0) break;
    pageMs.push(ms);
    for (const row of res.rows) {
      if (Number(row.id) <= after) throw new Error('keyset pages must advance');
      after = Number(row.id);
      if (!engine.can(user, 'view', resourceOf(row))) throw new Error(`${user} may not view lead ${row.id}, yet page ${page} lists it`);
    }
    leads += res.rows.length;
    pages = page;
    const first = res.rows[0] as LeadRow;
    if (page <= show) {
      console.log(`page ${page}: ${res.rows.length} leads, ids ${first.id} .. ${after}, ${msText(ms)} ms; first: ${first.name} (${first.owner_user_id ?? first.owner_group_id}, ${JSON.stringify(first.attributes)})`);
    }
    if (res.rows.length < PAGE_SIZE) break;
  }
  if (pages > show && show > 0) console.log(`... ${pages - show} more pages`);
  return { leads, pages, pageMs };
}

/** Every lead, compared with can() for `user`: the ids the SQL returns must be exactly those. */
async function fullCheck(client: pg.PoolClient, engine: Engine, user: string, all: readonly LeadRow[]): Promise<void> {
  const w = toSql(engine.filter(user, 'view', 'lead'), MAPPING);
  const got = (await client.query<{ id: string }>(`SELECT id FROM leads WHERE ${w.sql} ORDER BY id`, w.params)).rows.map((r) => String(r.id));
  const expected = all.filter((r) => engine.can(user, 'view', resourceOf(r))).map((r) => String(r.id));
  if (got.join() !== expected.join()) throw new Error(`${user}: the SQL returns ${got.length} leads, can() allows ${expected.length}`);
}

/* ------------------------------------------------------------------------------------------ */
/* Main.                                                                                        */

async function main(): Promise<void> {
  const db = await testDatabase();
  const pool = new pg.Pool({ connectionString: db.url, max: 2, application_name: 'purview-keyset-example' });
  pool.on('error', () => undefined);
  const schema = schemaName('purview_keyset');
  const client = await pool.connect();
  try {
    const version = (await client.query<{ v: string }>(`SELECT current_setting('server_version') AS v`)).rows[0]?.v;
    heading(`Database: ${db.source} PostgreSQL ${version}, schema ${schema}`);
    const rpc = (await client.query<{ v: string }>(`SELECT current_setting('random_page_cost') AS v`)).rows[0]?.v;
    console.log(`random_page_cost ${rpc}, shared_buffers ${(await client.query<{ v: string }>(`SELECT current_setting('shared_buffers') AS v`)).rows[0]?.v}`);
    console.log(`load average ${loadavg().map((x) => x.toFixed(2)).join(', ')} on ${availableParallelism()} CPUs (timings are wall clock, client included)`);
    await client.query(`CREATE SCHEMA "${schema}"`);
    await client.query(`SET search_path TO "${schema}"`);
    await client.query(
      `CREATE TABLE leads (id bigint PRIMARY KEY, tenant_id text NOT NULL, owner_user_id text, owner_group_id text,
                           access_groups text[], attributes jsonb NOT NULL, name text NOT NULL)`,
    );

    heading(`Loading ${fmt(ROWS)} leads`);
    const [, loadMs] = await timeAsync(() => client.query(LOAD, [ROWS]));
    await client.query(`SET maintenance_work_mem = '256MB'`);
    const [, indexMs] = await timeAsync(async () => {
      for (const sql of INDEXES) await client.query(sql);
    });
    const [, analyzeMs] = await timeAsync(() => client.query('VACUUM ANALYZE leads'));
    const size = (await client.query<{ t: string; i: string }>(`SELECT pg_size_pretty(pg_table_size('leads')) AS t, pg_size_pretty(pg_indexes_size('leads')) AS i`)).rows[0];
    console.log(`inserted in ${msText(loadMs / 1000)} s (generate_series), indexes in ${msText(indexMs / 1000)} s, vacuum analyze in ${msText(analyzeMs / 1000)} s`);
    console.log(`table ${size?.t}, indexes ${size?.i}:`);
    for (const sql of INDEXES) console.log(`  ${sql}`);

    heading('The policy');
    const [engine, engineMs] = time(() => createEngine({ policy: buildPolicy() }));
    console.log(`${fmt(engine.policy.users.size)} users, ${fmt(engine.policy.groups.size)} groups, ${fmt(engine.policy.roles.size)} roles, ` +
      `${engine.policy.sharingRules.size} sharing rule, ${engine.policy.accessGroups.size} access groups; engine built in ${msText(engineMs)} ms`);

    heading(`Paging through ${MAIN_USER}'s leads, ${PAGE_SIZE} at a time`);
    const [filter, filterMs] = time(() => engine.filter(MAIN_USER, 'view', 'lead'));
    console.log(`${MAIN_USER} is in ${engine.groupsOf(MAIN_USER).join(', ') || 'no group'}; filter(${MAIN_USER}, view, lead), built in ${msText(filterMs)} ms:`);
    console.log(`  ${describeFilter(filter)}`);
    const q = pageQuery(filter);
    console.log(`the query (${q.nParams + 1} parameters; $1 is the last id of the previous page):`);
    console.log(`  ${q.sql}`);
    console.log('');
    const paged = await pageThrough(client, engine, MAIN_USER, q, PAGES);
    const w = toSql(filter, MAPPING);
    const total = Number((await client.query<{ n: string }>(`SELECT count(*) AS n FROM leads WHERE ${w.sql}`, w.params)).rows[0]?.n);
    console.log(`${fmt(paged.leads)} leads in ${paged.pages} pages (median ${msText(median(paged.pageMs))} ms a page); count(*) with the same filter: ${fmt(total)}`);
    if (paged.pages < 1000 && paged.leads !== total) throw new Error('the pages do not add up to the count');
    console.log('every lead on every page is allowed by can()');

    heading('EXPLAIN (ANALYZE, BUFFERS) of the first page');
    const plan = await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, BUFFERS) ${q.sql}`, q.params(0));
    for (const row of plan.rows) console.log(row['QUERY PLAN']);

    // The planner weighs walking the primary key (stopping after 50 matches) against combining
    // the indexes of the filter's clauses (BitmapOr, then a top-50 sort). The other plan, for
    // comparison: the same query with the chosen scan disabled for one transaction.
    const chosen = (await explainShort(client, q.sql, q.params(0))).plan;
    const bitmap = chosen.includes('Bitmap');
    heading(`For comparison: the plan not chosen (SET LOCAL ${bitmap ? 'enable_bitmapscan' : 'enable_indexscan'} = off)`);
    await withSetting(client, bitmap ? 'enable_bitmapscan' : 'enable_indexscan', 'off', async () => {
      const other = await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, BUFFERS) ${q.sql}`, q.params(0));
      for (const row of other.rows) console.log(row['QUERY PLAN']);
      console.log('');
      const again = await pageThrough(client, engine, MAIN_USER, q, 0);
      console.log(`paging through ${MAIN_USER}'s leads with this plan: ${fmt(again.leads)} leads in ${again.pages} pages (median ${msText(median(again.pageMs))} ms a page)`);
    });

    heading('Other users: building the filter and the first page');
    const ops = createEngine({ policy: buildPolicyWithOps() });
    const figures: UserFigures[] = [];
    figures.push(await measureUser(client, engine, MAIN_USER, MAIN_USER === 'u00220' ? 'team-0044 (trade-fair), region-04 (campaign-042)' : ''));
    figures.push(await measureUser(client, engine, 'u00210', 'team-0042: segment eu-enterprise'));
    figures.push(await measureUser(client, engine, 'u00215', 'region-03: key-accounts (listed)'));
    figures.push(await measureUser(client, engine, 'u00035', 'region-07: sharing rule from vp-3'));
    figures.push(await measureUser(client, engine, 'u00011', 'manager-000: hierarchy'));
    figures.push(await measureUser(client, engine, 'u00001', 'vp-0: hierarchy'));
    figures.push(await measureUser(client, ops, 'ops', `member of ${fmt(ops.groupsOf('ops').length)} groups`));
    for (const f of figures) {
      console.log(`${f.user.padEnd(6)} ${f.why}`);
      console.log(`       filter ${msText(f.filterFirstMs)} ms first call, ${msText(f.filterMedianMs)} ms median; toSql ${msText(f.toSqlMs)} ms; ${f.params} parameters, ${fmt(f.sqlChars)} characters of SQL`);
      console.log(`       ${fmt(f.accessible)} leads; first page ${msText(f.firstPageMs)} ms, then median ${msText(f.firstPageMedianMs)} ms (server: planning ${msText(f.planningMs)} ms, execution ${msText(f.executionMs)} ms)`);
      console.log(`       plan: ${f.plan}`);
    }

    if (ROWS <= FULL_CHECK_ROWS) {
      heading('Every lead, checked');
      const all = (await client.query<LeadRow>(`SELECT ${COLUMNS} FROM leads ORDER BY id`)).rows;
      for (const f of figures) await fullCheck(client, f.user === 'ops' ? ops : engine, f.user, all);
      console.log(`for ${figures.map((f) => f.user).join(', ')}: the SQL returns exactly the leads can() allows, of all ${fmt(all.length)}`);
    }
  } finally {
    client.release();
    if (!KEEP) await dropSchema(pool, schema);
    await pool.end();
    await db.stop();
  }
  heading(KEEP ? `Kept schema ${schema}` : `Dropped schema ${schema}`);
}

await main();
