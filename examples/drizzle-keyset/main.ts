/**
 * Keyset pagination with Drizzle: the engine's filter as a `SQL` condition (`permitted` from
 * purview/drizzle) inside `and(...)` with the keyset, pages of 50 on the primary key, each row
 * read back with `resourceFromRow` (its share rows fetched per page) and checked with `can()`.
 * The mapping names the database columns (`owner_user_id`), not the TypeScript fields
 * (`ownerUserId`): resourceFromRow reads a row keyed by column name, so the page selects its
 * columns under their database names.
 *
 *   npx tsx examples/drizzle-keyset/main.ts              # 5,000 leads
 *   npx tsx examples/drizzle-keyset/main.ts --rows 20000
 *
 * The database: PURVIEW_PG_URL when set, else a local server at 127.0.0.1:5432 (database `test`),
 * else a throwaway embedded PostgreSQL (test/support/postgres.ts). The example works in a schema
 * of its own, `purview_drizzle_<random>`, and drops it at the end. The policy and tables are the
 * Kysely example's (examples/kysely-keyset/policy.ts).
 */
import { and, asc, count, gt, inArray } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/node-postgres';
import { jsonb, pgTable, text, timestamp } from 'drizzle-orm/pg-core';
import pg from 'pg';
import { createEngine } from '../../src/index.js';
import { permitted, resourceFromRow } from '../../src/drizzle/index.js';
import { dropSchema, schemaName, testDatabase } from '../../test/support/postgres.js';
import { LOAD_SQL, MAPPING, POLICY, SCHEMA_SQL, USERS } from '../kysely-keyset/policy.js';

const leads = pgTable('leads', {
  id: text('id').primaryKey(),
  tenantId: text('tenant_id'),
  ownerUserId: text('owner_user_id'),
  ownerGroupId: text('owner_group_id'),
  accessGroups: text('access_groups').array(),
  attributes: jsonb('attributes'),
  name: text('name').notNull(),
});
const leadShares = pgTable('lead_shares', {
  leadId: text('lead_id').notNull(),
  principalKind: text('principal_kind').notNull(),
  principalId: text('principal_id').notNull(),
  level: text('level').notNull(),
  since: timestamp('since', { withTimezone: true }),
  until: timestamp('until', { withTimezone: true }),
});

/** The columns of a page, under their database names (as the mapping names them). */
const LEAD_COLUMNS = { id: leads.id, tenant_id: leads.tenantId, owner_user_id: leads.ownerUserId, owner_group_id: leads.ownerGroupId, access_groups: leads.accessGroups, attributes: leads.attributes, name: leads.name };
const SHARE_COLUMNS = { lead_id: leadShares.leadId, principal_kind: leadShares.principalKind, principal_id: leadShares.principalId, level: leadShares.level, since: leadShares.since, until: leadShares.until };

const i = process.argv.indexOf('--rows');
const ROWS = i < 0 ? 5000 : Number(process.argv[i + 1]);
if (!Number.isSafeInteger(ROWS) || ROWS < 100) throw new Error('--rows must be an integer of at least 100');
const fmt = (n: number): string => n.toLocaleString('en-US');

const database = await testDatabase();
const schema = schemaName('purview_drizzle');
const admin = new pg.Pool({ connectionString: database.url, max: 1 });
const pool = new pg.Pool({ connectionString: database.url, max: 2, options: `-c search_path=${schema}` });
const db = drizzle(pool);
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
      // The page: the filter's condition, bound by Drizzle, and the keyset.
      const rows = await db.select(LEAD_COLUMNS).from(leads).where(and(permitted(filter, MAPPING), gt(leads.id, after))).orderBy(asc(leads.id)).limit(50);
      if (rows.length === 0) break;
      const shares = await db.select(SHARE_COLUMNS).from(leadShares).where(inArray(leadShares.leadId, rows.map((r) => r.id)));
      for (const row of rows) {
        const lead = resourceFromRow(row, MAPPING, { type: 'lead', shares: shares.filter((s) => s.lead_id === row.id) });
        if (!engine.can(user, 'view', lead)) throw new Error(`${user}: page ${pages + 1} has ${row.id}, which can() denies`);
      }
      seen += rows.length;
      pages++;
      after = rows[rows.length - 1]?.id as string;
    }
    const [total] = await db.select({ n: count() }).from(leads).where(permitted(filter, MAPPING));
    if (total?.n !== seen) throw new Error(`${user}: ${seen} rows paged, count(*) ${total?.n}`);
    console.log(`${user.padEnd(4)} ${fmt(seen)} leads in ${pages} pages, each allowed by can(); count(*) agrees`);
  }

  // Every lead read back, and the SQL's answer compared with can() on all of them.
  const all = await db.select(LEAD_COLUMNS).from(leads);
  const shareRows = await db.select(SHARE_COLUMNS).from(leadShares);
  const everyLead = all.map((row) => resourceFromRow(row, MAPPING, { type: 'lead', shares: shareRows.filter((s) => s.lead_id === row.id) }));
  for (const user of USERS) {
    const filter = engine.filter(user, 'view', 'lead');
    const got = new Set((await db.select({ id: leads.id }).from(leads).where(permitted(filter, MAPPING))).map((r) => r.id));
    const wrong = everyLead.filter((l) => got.has(l.id) !== engine.can(user, 'view', l));
    if (wrong.length > 0) throw new Error(`${user}: the SQL and can() differ on ${wrong.map((l) => l.id).join(', ')}`);
  }
  console.log(`for ${USERS.join(', ')}: the SQL returns exactly the leads can() allows, of all ${fmt(ROWS)}`);
} finally {
  await pool.end();
  await dropSchema(admin, schema).catch(() => undefined);
  console.log(`== Dropped schema ${schema}`);
  await admin.end();
  await database.stop();
}
