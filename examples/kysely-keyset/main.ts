/**
 * Keyset pagination with Kysely: the engine's filter as a `.where(...)` condition
 * (`permitted` from purview/kysely), pages of 50 on the primary key, each row read back with
 * `resourceFromRow` (its share rows fetched per page) and checked with `can()`.
 *
 *   npx tsx examples/kysely-keyset/main.ts              # 5,000 leads
 *   npx tsx examples/kysely-keyset/main.ts --rows 20000
 *
 * The database: PURVIEW_PG_URL when set, else a local server at 127.0.0.1:5432 (database `test`),
 * else a throwaway embedded PostgreSQL (test/support/postgres.ts). The example works in a schema
 * of its own, `purview_kysely_<random>`, and drops it at the end.
 */
import { Kysely, PostgresDialect, type Generated } from 'kysely';
import pg from 'pg';
import { createEngine } from '../../src/index.js';
import { permitted, resourceFromRow } from '../../src/kysely/index.js';
import { dropSchema, schemaName, testDatabase } from '../../test/support/postgres.js';
import { LOAD_SQL, MAPPING, POLICY, SCHEMA_SQL, USERS } from './policy.js';

interface Database {
  leads: { id: string; tenant_id: string | null; owner_user_id: string | null; owner_group_id: string | null; access_groups: string[] | null; attributes: unknown; name: string };
  lead_shares: { lead_id: string; principal_kind: string; principal_id: string; level: string; since: Date | null; until: Date | null; id?: Generated<number> };
}

const i = process.argv.indexOf('--rows');
const ROWS = i < 0 ? 5000 : Number(process.argv[i + 1]);
if (!Number.isSafeInteger(ROWS) || ROWS < 100) throw new Error('--rows must be an integer of at least 100');
const fmt = (n: number): string => n.toLocaleString('en-US');

const database = await testDatabase();
const schema = schemaName('purview_kysely');
const admin = new pg.Pool({ connectionString: database.url, max: 1 });
const pool = new pg.Pool({ connectionString: database.url, max: 2, options: `-c search_path=${schema}` });
const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
try {
  await admin.query(`CREATE SCHEMA "${schema}"`);
  await pool.query(SCHEMA_SQL);
  for (const statement of LOAD_SQL) await pool.query(statement, [ROWS]);
  await pool.query('ANALYZE leads, lead_shares');
  console.log(`== ${fmt(ROWS)} leads in schema ${schema.replace(/_[0-9a-f]+$/, '_<random>')}`);

  const engine = createEngine({ policy: POLICY });
  for (const user of USERS) {
    const filter = engine.filter(user, 'view', 'lead');
    let after = '';
    let pages = 0;
    let seen = 0;
    for (;;) {
      // The page: the filter's condition, bound by Kysely, and the keyset.
      const rows = await db.selectFrom('leads').selectAll().where(permitted(filter, MAPPING)).where('id', '>', after).orderBy('id').limit(50).execute();
      if (rows.length === 0) break;
      const shares = await db.selectFrom('lead_shares').selectAll().where('lead_id', 'in', rows.map((r) => r.id)).execute();
      for (const row of rows) {
        const lead = resourceFromRow(row, MAPPING, { type: 'lead', shares: shares.filter((s) => s.lead_id === row.id) });
        if (!engine.can(user, 'view', lead)) throw new Error(`${user}: page ${pages + 1} has ${row.id}, which can() denies`);
      }
      seen += rows.length;
      pages++;
      after = rows[rows.length - 1]?.id as string;
    }
    const { n } = await db.selectFrom('leads').select((eb) => eb.fn.countAll<string>().as('n')).where(permitted(filter, MAPPING)).executeTakeFirstOrThrow();
    if (Number(n) !== seen) throw new Error(`${user}: ${seen} rows paged, count(*) ${n}`);
    console.log(`${user.padEnd(4)} ${fmt(seen)} leads in ${pages} pages, each allowed by can(); count(*) agrees`);
  }

  // Every lead read back, and the SQL's answer compared with can() on all of them.
  const all = await db.selectFrom('leads').selectAll().execute();
  const shareRows = await db.selectFrom('lead_shares').selectAll().execute();
  const leads = all.map((row) => resourceFromRow(row, MAPPING, { type: 'lead', shares: shareRows.filter((s) => s.lead_id === row.id) }));
  for (const user of USERS) {
    const filter = engine.filter(user, 'view', 'lead');
    const got = new Set((await db.selectFrom('leads').select('id').where(permitted(filter, MAPPING)).execute()).map((r) => r.id));
    const wrong = leads.filter((l) => got.has(l.id) !== engine.can(user, 'view', l));
    if (wrong.length > 0) throw new Error(`${user}: the SQL and can() differ on ${wrong.map((l) => l.id).join(', ')}`);
  }
  console.log(`for ${USERS.join(', ')}: the SQL returns exactly the leads can() allows, of all ${fmt(ROWS)}`);
} finally {
  await db.destroy();
  await dropSchema(admin, schema).catch(() => undefined);
  console.log(`== Dropped schema ${schema}`);
  await admin.end();
  await database.stop();
}
