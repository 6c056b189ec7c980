/*
 * A list endpoint's first page over 1,000,000 rows (issue 14): the page of 50 a user may view,
 * through purview (engine.filter, then `permitted()` from purview/kysely in a Kysely query) beside
 * the hand-written SQL it replaces (the same access written by hand for each user, as an
 * application without purview would, run with pg directly), measured in alternating rounds in one
 * run on the same table. Both must return the same rows.
 *
 *   npx tsx bench/list-page.ts [--rows 1000000] [--rounds 30]
 *
 * The data and policy are those of examples/kysely-keyset (reps, a manager over them, a group
 * owner, an access group listed on rows, a segment on a jsonb attribute, a share table). The
 * database: PURVIEW_PG_URL, else the local server at 127.0.0.1:5432, else an embedded PostgreSQL
 * (test/support/postgres.ts), in a schema of its own, dropped at the end. Run on a quiet machine.
 */
import { CompiledQuery, Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { createEngine } from '../src/index.js';
import { permitted } from '../src/kysely/index.js';
import { toSql } from '../src/adapters/postgres/index.js';
import { dropSchema, schemaName, testDatabase } from '../test/support/postgres.js';
import { LOAD_SQL, MAPPING, POLICY, SCHEMA_SQL } from '../examples/kysely-keyset/policy.js';

const arg = (name: string, def: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? def : Number(process.argv[i + 1]);
};
const ROWS = arg('rows', 1_000_000);
const ROUNDS = arg('rounds', 30);
const PAGE = 50;

/**
 * A share of a lead with any of these principals, in effect now, written by hand: every share
 * level allows view, so no level test. `$n` is the first of this clause's parameters.
 */
function shared(principals: readonly [kind: string, ids: readonly string[]][], n: number): { sql: string; params: unknown[] } {
  const arms = principals.map(([kind], i) => `(s.principal_kind = '${kind}' AND s.principal_id = ANY($${n + i}::text[]))`);
  return {
    sql: `EXISTS (SELECT 1 FROM lead_shares s WHERE s.lead_id = leads.id AND (${arms.join(' OR ')}) AND (s.since IS NULL OR s.since <= now()) AND (s.until IS NULL OR now() < s.until))`,
    params: principals.map(([, ids]) => ids),
  };
}

/**
 * What each user's page is, written by hand: the access the policy gives, as SQL an application
 * would write without purview (the user's groups, roles and access groups known to it), shares
 * included, as the policy lets any record be shared with a user, a role or a group.
 */
const HAND_WRITTEN: Readonly<Record<string, { why: string; where: string; params: unknown[] }>> = (() => {
  const make = (why: string, own: string, ownParams: unknown[], principals: readonly [string, readonly string[]][]): { why: string; where: string; params: unknown[] } => {
    const sh = shared(principals, ownParams.length + 1);
    return { why, where: `tenant_id = 'acme' AND (${own} OR ${sh.sql})`, params: [...ownParams, ...sh.params] };
  };
  return {
    rob: make('a rep: own leads', 'owner_user_id = $1', ['rob'], [['user', ['rob']], ['role', ['rep']], ['roleAndSubordinates', ['manager', 'rep']]]),
    mia: make("a manager: own and her reps' leads", 'owner_user_id = ANY($1::text[])', [['mia', 'rob', 'rae']], [['user', ['mia']], ['role', ['manager']], ['roleAndSubordinates', ['manager']]]),
    rae: make("a rep in emea: own and the group's leads", '(owner_user_id = $1 OR owner_group_id = $2)', ['rae', 'emea'], [['user', ['rae']], ['group', ['emea']], ['role', ['rep']], ['roleAndSubordinates', ['manager', 'rep']]]),
    kai: make('an access group listed on rows', '(owner_user_id = $1 OR access_groups && $2::text[])', ['kai', ['key-accounts']], [['user', ['kai']]]),
    zoe: make('a segment (jsonb) and a share table', '(owner_user_id = $1 OR owner_group_id = $2 OR attributes @> $3::jsonb)', ['zoe', 'marketing', JSON.stringify({ tags: ['webinar'] })], [['user', ['zoe']], ['group', ['marketing']]]),
  };
})();

interface Db {
  leads: { id: string; tenant_id: string | null; owner_user_id: string | null; owner_group_id: string | null; access_groups: string[] | null; attributes: unknown; name: string };
  lead_shares: { lead_id: string; principal_kind: string; principal_id: string; level: string; since: Date | null; until: Date | null };
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)] as number;
};
const p90 = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) * 0.9)] as number;
};
const ms = (x: number): string => (x < 10 ? x.toFixed(2) : x.toFixed(1));

async function main(): Promise<void> {
  const database = await testDatabase();
  const schema = schemaName('purview_listpage');
  const admin = new pg.Pool({ connectionString: database.url, max: 1 });
  const pool = new pg.Pool({ connectionString: database.url, max: 2, options: `-c search_path=${schema}` });
  const db = new Kysely<Db>({ dialect: new PostgresDialect({ pool }) });
  const engine = createEngine({ policy: POLICY });
  const rows: string[][] = [];
  try {
    await admin.query(`CREATE SCHEMA "${schema}"`);
    await pool.query(SCHEMA_SQL);
    process.stderr.write(`loading ${ROWS.toLocaleString('en-US')} leads\n`);
    // The examples' ids are 6 digits; a million rows needs 7.
    for (const statement of LOAD_SQL) await pool.query(statement.replaceAll("lpad(i::text, 6, '0')", "lpad(i::text, 7, '0')"), [ROWS]);
    await pool.query('ANALYZE leads, lead_shares');

    const viaPurview = async (user: string): Promise<string[]> => {
      const filter = engine.filter(user, 'view', 'lead');
      const page = await db.selectFrom('leads').select(['id', 'name']).where(permitted(filter, MAPPING)).where('id', '>', '').orderBy('id').limit(PAGE).execute();
      return page.map((r) => r.id);
    };
    // The same condition as toSql writes it, run with pg directly: tells Kysely's share from the SQL's.
    const viaToSql = async (user: string): Promise<string[]> => {
      const w = toSql(engine.filter(user, 'view', 'lead'), MAPPING, { firstParam: 2 });
      const r = await pool.query<{ id: string }>(`SELECT id, name FROM leads WHERE ${w.sql} AND id > $1 ORDER BY id LIMIT ${PAGE}`, ['', ...w.params]);
      return r.rows.map((x) => x.id);
    };
    // The hand-written query executed by Kysely: what Kysely itself costs a query.
    const byHandKysely = async (user: string): Promise<string[]> => {
      const h = HAND_WRITTEN[user] as (typeof HAND_WRITTEN)[string];
      const n = h.params.length;
      const r = await db.executeQuery<{ id: string }>(CompiledQuery.raw(`SELECT id, name FROM leads WHERE ${h.where} AND id > $${n + 1} ORDER BY id LIMIT ${PAGE}`, [...h.params, '']));
      return r.rows.map((x) => x.id);
    };
    const byHand = async (user: string): Promise<string[]> => {
      const h = HAND_WRITTEN[user] as (typeof HAND_WRITTEN)[string];
      const n = h.params.length;
      const r = await pool.query<{ id: string }>(`SELECT id, name FROM leads WHERE ${h.where} AND id > $${n + 1} ORDER BY id LIMIT ${PAGE}`, [...h.params, '']);
      return r.rows.map((x) => x.id);
    };
    for (const user of Object.keys(HAND_WRITTEN)) {
      const a = await viaPurview(user);
      const b = await byHand(user);
      const c = await viaToSql(user);
      const d = await byHandKysely(user);
      const same = a.length === b.length && a.every((x, i) => x === b[i] && x === c[i] && x === d[i]);
      const tp: number[] = [];
      const th: number[] = [];
      const tt: number[] = [];
      const tk: number[] = [];
      const ways = [viaPurview, byHand, viaToSql, byHandKysely];
      for (let round = 0; round < ROUNDS; round++) {
        // Rotate which goes first, so that none always meets a warmer cache.
        for (let k = 0; k < ways.length; k++) {
          const f = ways[(round + k) % ways.length] as (u: string) => Promise<string[]>;
          const t0 = performance.now();
          await f(user);
          (f === viaPurview ? tp : f === byHand ? th : f === viaToSql ? tt : tk).push(performance.now() - t0);
        }
      }
      const t0 = performance.now();
      for (let i = 0; i < 1000; i++) engine.filter(user, 'view', 'lead');
      const filterUs = ((performance.now() - t0) / 1000) * 1000;
      rows.push([
        `\`${user}\` (${(HAND_WRITTEN[user] as { why: string }).why})`,
        String(a.length),
        `${ms(median(tp))} / ${ms(p90(tp))}`,
        `${ms(median(th))} / ${ms(p90(th))}`,
        `${ms(median(tk))} / ${ms(p90(tk))}`,
        `${ms(median(tt))} / ${ms(p90(tt))}`,
        `${(median(tp) / median(th)).toFixed(2)}x`,
        `${filterUs.toFixed(1)} µs`,
        same ? 'yes' : 'NO',
      ]);
    }
  } finally {
    await db.destroy().catch(() => undefined);
    await dropSchema(admin, schema).catch(() => undefined);
    await admin.end();
    await database.stop();
  }
  const head = ['user', 'rows on the page', 'purview + Kysely, ms (median / p90)', 'hand-written SQL with pg, ms (median / p90)', 'hand-written SQL with Kysely, ms', 'toSql with pg, ms', 'purview + Kysely / hand-written', 'engine.filter alone', 'same rows'];
  console.log(`first page of ${PAGE} over ${ROWS.toLocaleString('en-US')} leads, ${ROUNDS} rounds each, alternating; node ${process.version}\n`);
  console.log(`| ${head.join(' | ')} |\n| ${head.map(() => '---').join(' | ')} |`);
  for (const r of rows) console.log(`| ${r.join(' | ')} |`);
}

await main();
