/**
 * The CRM service, in one command: PostgreSQL tables, the Express app on a port of its own, and a
 * session against it over HTTP (sign in as rob, list, show, edit; as sam, a lead shared read-only;
 * as kim, the key accounts), then the audit log the engine's decision hook wrote.
 *
 *   npx tsx examples/crm-service/main.ts
 *
 * The database: PURVIEW_PG_URL when set, else a local server at 127.0.0.1:5432 (database `test`),
 * else a throwaway embedded PostgreSQL (test/support/postgres.ts). The example works in a schema of
 * its own, `purview_crm_<random>`, and drops it at the end.
 */
import type { AddressInfo } from 'node:net';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { createEngine } from '../../src/index.js';
import { dropSchema, schemaName, testDatabase } from '../../test/support/postgres.js';
import { AuditBuffer, createApp, type Db } from './app.js';
import { POLICY, SCHEMA_SQL, SEED_SQL } from './policy.js';

const database = await testDatabase();
const schema = schemaName('purview_crm');
const admin = new pg.Pool({ connectionString: database.url, max: 1 });
const pool = new pg.Pool({ connectionString: database.url, max: 4, options: `-c search_path=${schema}` });
const db = new Kysely<Db>({ dialect: new PostgresDialect({ pool }) });
const audit = new AuditBuffer(db);
const engine = createEngine({ policy: POLICY, onDecision: audit.hook });
let server: ReturnType<ReturnType<typeof createApp>['listen']> | undefined;
try {
  await admin.query(`CREATE SCHEMA "${schema}"`);
  await pool.query(SCHEMA_SQL);
  await pool.query(SEED_SQL);
  const app = createApp(engine, db, audit);
  server = await new Promise<NonNullable<typeof server>>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const call = async (method: string, path: string, token?: string, body?: unknown): Promise<{ status: number; json: unknown }> => {
    const r = await fetch(`${base}${path}`, {
      method,
      headers: { ...(token === undefined ? {} : { authorization: `Bearer ${token}` }), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: r.status, json: await r.json() };
  };
  const login = async (user: string): Promise<string> => ((await call('POST', '/login', undefined, { user })).json as { token: string }).token;
  const ids = (j: unknown): string => (j as { id: string }[]).map((l) => l.id).join(', ');

  console.log('== the CRM service on', base.replace(/:\d+$/, ':<port>'));
  console.log(`anonymous GET /leads: ${(await call('GET', '/leads')).status}`);
  const rob = await login('rob');
  console.log(`rob   GET /leads: ${ids((await call('GET', '/leads', rob)).json)}`);
  console.log(`rob   GET /leads/L003: ${JSON.stringify((await call('GET', '/leads/L003', rob)).json)}`);
  const patched = await call('PATCH', '/leads/L003', rob, { stage: 'qualified' });
  console.log(`rob   PATCH /leads/L003 stage=qualified: ${patched.status} ${JSON.stringify(patched.json)}`);
  const denied = await call('PATCH', '/leads/L001', rob, { stage: 'lost' });
  console.log(`rob   PATCH /leads/L001 (rae's): ${denied.status} ${JSON.stringify(denied.json)}`);
  console.log(`rob   GET /leads/L999: ${(await call('GET', '/leads/L999', rob)).status}`);
  const sam = await login('sam');
  console.log(`sam   GET /leads: ${ids((await call('GET', '/leads', sam)).json)}`);
  const samEdit = await call('PATCH', '/leads/L002', sam, { stage: 'won' });
  console.log(`sam   PATCH /leads/L002 (shared read-only): ${samEdit.status} ${JSON.stringify(samEdit.json)}`);
  const kim = await login('kim');
  console.log(`kim   GET /leads: ${ids((await call('GET', '/leads', kim)).json)}`);
  const vera = await login('vera');
  console.log(`vera  GET /leads: ${ids((await call('GET', '/leads', vera)).json)}`);
  console.log('\n== the audit log (latest first)');
  for (const e of (await call('GET', '/audit')).json as { user_id: string; action: string; resource: string; allowed: boolean; denial: string | null }[]) {
    console.log(`${e.user_id.padEnd(5)} ${e.action.padEnd(5)} ${e.resource.padEnd(9)} ${e.allowed ? 'allow' : `deny (${e.denial ?? ''})`}`);
  }
} finally {
  await new Promise<void>((resolve) => (server === undefined ? resolve() : server.close(() => resolve())));
  await db.destroy();
  await dropSchema(admin, schema);
  await admin.end();
  await database.stop();
}
