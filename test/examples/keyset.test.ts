/*
 * The keyset-leads example, on 20,000 leads: it runs as its README says (`npx tsx
 * examples/keyset-leads/main.ts --rows 20000`), exits 0 without writing to stderr, pages through
 * the main user's leads, checks every shown user's rows against can() on all 20,000 leads, prints
 * an EXPLAIN whose plan uses the indexes, keeps the user in 10,000 groups to a handful of
 * parameters, and drops its schema.
 */
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { runScript, type ScriptRun } from '../support/run-script.js';
import { testDatabase } from '../support/postgres.js';


const run = (args: readonly string[]): Promise<ScriptRun> => runScript('examples/keyset-leads/main.ts', args);

/** The lines of the section that starts with `== title`. */
function section(stdout: string, title: string): string[] {
  const lines = stdout.split('\n');
  const start = lines.findIndex((l) => l.startsWith(`== ${title}`));
  if (start < 0) return [];
  const end = lines.findIndex((l, i) => i > start && l.startsWith('== '));
  return lines.slice(start + 1, end < 0 ? undefined : end);
}

describe('examples/keyset-leads', () => {
  it('pages through a user\'s leads on 20,000 rows, agrees with can(), uses the indexes and drops its schema', async () => {
    const r = await run(['--rows', '20000']);
    expect(r.stderr, 'stderr').toBe('');
    expect(r.code, r.stdout).toBe(0);
    const out = r.stdout;
    const lines = out.split('\n');
    expect(lines).toContain('== Loading 20,000 leads');
    expect(lines).toContain('every lead on every page is allowed by can()');
    expect(lines).toContain('for u00220, u00210, u00215, u00035, u00011, u00001, ops: the SQL returns exactly the leads can() allows, of all 20,000');
    // The main user's page count agrees with count(*) (the example throws otherwise), and its filter
    // reaches leads through all four kinds of clause.
    expect(out).toMatch(/^\d[\d,]* leads in \d+ pages \(median [\d.]+ ms a page\); count\(\*\) with the same filter: [\d,]+$/m);
    for (const clause of ['ownerUser in [u00220]', 'OR ownerGroup in [region-04, team-0044]', 'OR accessGroup in [campaign-042, trade-fair] in acme', 'OR segment of campaign-042 in acme']) {
      expect(out).toContain(clause);
    }
    // The plan of the first page uses the indexes, and no sequential scan.
    const plan = section(out, 'EXPLAIN (ANALYZE, BUFFERS) of the first page').join('\n');
    expect(plan).toMatch(/Index Scan|Bitmap Index Scan/);
    expect(plan).not.toContain('Seq Scan');
    expect(plan).toContain('Execution Time:');
    // The user in 10,000 groups: one query, a bounded number of parameters.
    const others = section(out, 'Other users').join('\n');
    expect(others).toContain('ops    member of 10,000 groups');
    const opsParams = /ops {4}member of 10,000 groups\n.*; (\d+) parameters,/.exec(others);
    expect(opsParams, others).not.toBeNull();
    expect(Number(opsParams?.[1])).toBeLessThanOrEqual(12);
    // The schema is gone.
    const dropped = /^== Dropped schema (purview_keyset_[0-9a-f]+)$/m.exec(out);
    expect(dropped, 'the example drops its schema').not.toBeNull();
    if (/^== Database: (env|local) /m.test(out)) {
      const db = await testDatabase();
      const client = new pg.Client({ connectionString: db.url });
      await client.connect();
      try {
        const left = await client.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [dropped?.[1]]);
        expect(left.rowCount).toBe(0);
      } finally {
        await client.end();
        await db.stop();
      }
    }
    expect(r.ms, `ran for ${Math.round(r.ms)} ms`).toBeLessThan(60_000);
  });
});
