/**
 * The vault service, in one command: PostgreSQL tables, the Fastify app on a port of its own, and
 * a session against it over HTTP (ben on his client's credentials, cleo on another client's, ada
 * the agency's operator, finn the contractor), then the audit log the engine's decision
 * hook wrote.
 *
 *   npx tsx examples/vault-service/main.ts
 *
 * The database: PURVIEW_PG_URL when set, else a local server at 127.0.0.1:5432 (database `test`),
 * else a throwaway embedded PostgreSQL (test/support/postgres.ts). The example works in a schema of
 * its own, `purview_vault_<random>`, and drops it at the end.
 */
import { drizzle } from 'drizzle-orm/node-postgres';
import pg from 'pg';
import { createEngine } from '../../src/index.js';
import { dropSchema, schemaName, testDatabase } from '../../test/support/postgres.js';
import { AuditBuffer, createApp } from './app.js';
import { POLICY, SCHEMA_SQL } from './policy.js';

const database = await testDatabase();
const schema = schemaName('purview_vault');
const admin = new pg.Pool({ connectionString: database.url, max: 1 });
const pool = new pg.Pool({ connectionString: database.url, max: 4, options: `-c search_path=${schema}` });
const db = drizzle(pool);
const audit = new AuditBuffer(db);
const engine = createEngine({ policy: POLICY, onDecision: audit.hook });
const app = createApp(engine, db, audit);
try {
  await admin.query(`CREATE SCHEMA "${schema}"`);
  await pool.query(SCHEMA_SQL);
  const base = await app.listen({ port: 0, host: '127.0.0.1' });
  const call = async (method: string, path: string, token?: string, body?: unknown): Promise<{ status: number; json: unknown }> => {
    const r = await fetch(`${base}${path}`, {
      method,
      headers: { ...(token === undefined ? {} : { authorization: `Bearer ${token}` }), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: r.status, json: await r.json() };
  };
  const login = async (user: string): Promise<string> => ((await call('POST', '/login', undefined, { user })).json as { token: string }).token;
  const ids = (j: unknown): string => (j as { id: string }[]).map((c) => c.id).join(', ');

  console.log('== the vault service on', base.replace(/:\d+$/, ':<port>'));
  const ben = await login('ben');
  console.log(`ben   GET /credentials: ${ids((await call('GET', '/credentials', ben)).json)}`);
  console.log(`ben   GET /credentials/acme-ads: ${JSON.stringify((await call('GET', '/credentials/acme-ads', ben)).json)}`);
  const rotated = await call('POST', '/credentials/acme-ads/rotate', ben);
  console.log(`ben   POST /credentials/acme-ads/rotate: ${rotated.status} ${JSON.stringify(rotated.json)}`);
  const other = await call('GET', '/credentials/globex-ads', ben);
  console.log(`ben   GET /credentials/globex-ads: ${other.status} ${JSON.stringify(other.json)}`);
  const cleo = await login('cleo');
  console.log(`cleo  GET /credentials: ${ids((await call('GET', '/credentials', cleo)).json)}`);
  const ada = await login('ada');
  console.log(`ada   GET /credentials: ${ids((await call('GET', '/credentials', ada)).json)}`);
  console.log(`ada   GET /credentials/globex-ads: ${JSON.stringify((await call('GET', '/credentials/globex-ads', ada)).json)}`);
  const adaRotate = await call('POST', '/credentials/globex-ads/rotate', ada);
  console.log(`ada   POST /credentials/globex-ads/rotate: ${adaRotate.status} ${JSON.stringify(adaRotate.json)}`);
  const finn = await login('finn');
  console.log(`finn  GET /credentials: ${ids((await call('GET', '/credentials', finn)).json)}`);
  console.log(`nobody GET /credentials/acme-ads: ${(await call('GET', '/credentials/acme-ads')).status}`);
  console.log('\n== the audit log (latest first)');
  for (const e of (await call('GET', '/audit')).json as { user: string; action: string; resource: string; allowed: boolean; denial: string | null }[]) {
    console.log(`${e.user.padEnd(5)} ${e.action.padEnd(6)} ${e.resource.padEnd(23)} ${e.allowed ? 'allow' : `deny (${e.denial ?? ''})`}`);
  }
} finally {
  await app.close();
  await pool.end();
  await dropSchema(admin, schema);
  await admin.end();
  await database.stop();
}
