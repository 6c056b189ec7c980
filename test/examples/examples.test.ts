/*
 * Every example runs as its README says (examples/<name>/main.ts with tsx, and the CRM demo
 * examples/crm-groups/demo.ts): each exits 0, writes nothing to stderr, prints its key lines,
 * prints the same thing twice, and finishes in under 2 seconds of its own time (measured inside
 * the process, so that a busy machine's scheduling does not count).
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const EXAMPLES = join(ROOT, 'examples');

/** Examples that need a database and have their own test (test/examples/keyset.test.ts, orm-keyset.test.ts). */
const OWN_TEST = new Set(['keyset-leads', 'kysely-keyset', 'drizzle-keyset', 'crm-service', 'vault-service']);

/** Every examples/<name>/main.ts, and the CRM demo. */
const SCRIPTS = [
  ...readdirSync(EXAMPLES, { withFileTypes: true })
    .filter((d) => d.isDirectory() && !OWN_TEST.has(d.name) && existsSync(join(EXAMPLES, d.name, 'main.ts')))
    .map((d) => join('examples', d.name, 'main.ts'))
    .sort(),
  join('examples', 'crm-groups', 'demo.ts'),
];

/** Lines each example must print (whole lines). */
const KEY_LINES: Readonly<Record<string, readonly string[]>> = {
  'examples/vault/main.ts': [
    'acme-pardot-api  [acme-pardot] reveal: carl, dora, finn, olga',
    'eve   may reveal: acme-google-ads',
    'before: acme-salesforce in [acme-marketing]; reveal: dora, olga; edit: dora, olga',
    'after:  acme-salesforce in [acme-pardot]; reveal: carl, dora, finn, olga; edit: carl, dora, finn, olga',
    'the policy did not change: revision 0',
    'refused: InvalidInputError: access group "smallbiz-general" is in tenant "smallbiz", the record in "acme"',
    'ben may reveal: (nothing); gus may reveal: sb-wordpress, sb-analytics',
  ],
  'examples/contractor-until/main.ts': [
    '16:00Z carl rotate vpn: true',
    '    user "carl" → member of group "client-team" until 2026-12-31T17:00:00Z',
    '17:00Z carl rotate vpn: false',
    'pager viewers on 2027-01-04 at 07:00Z: ann, nina',
    'otto view vpn as of 2026-12-15: true, as of 2027-01-01: false',
    'policy revision: 0',
  ],
  'examples/contacts-by-account/main.ts': [
    'hank   edit: ray, vera; view: ray, vera',
    'peter  edit: rita; view: ray, rita',
    '- read: parent account "initech" (the record has its parent\'s access)',
    '    - read: sharing rule "reps-read-key"',
    'rita sees: peter',
  ],
  'examples/marketing-contacts/main.ts': [
    '  sendEmail c-b2b, c-newsletter, c-both, c-webinar',
    'sam sendEmail: none (capability)',
    'filter agrees with can() for every user, action and contact: true',
    'c-quiet tagged newsletter; sendEmail: ada, max, mia',
    'policy revision: 0',
  ],
  'examples/multi-client/main.ts': [
    'de-user    delete de-mailing      deny (ceiling)',
    'fr-user    view   de-recipient    deny (tenant)',
    'mo         send   fr-mailing      deny (ceiling)',
    'nina       view   pub-report-b2c  deny (record-access)',
    'revision 1: at-user edit at-recipient: true; delete: false',
    'still at revision 1; sub-de-berlin exists: false',
    'revision 2; whoCan edit fr-recipient: fr-user, mo',
    'acme instance holds users: ann, gus, ops',
    'initech instance holds users: ivy',
    'ops send acme-m1 on the acme instance: true (one engine holding everything: true)',
    'acme instance, an initech record: out-of-scope; the initech instance serves it: true, ivy send: true',
  ],
  'examples/http-service/main.ts': [
    'server started on 127.0.0.1 (ephemeral port)',
    'ok   GET    /leads      as bob     -> 200 [l1, l3]   # his own lead and his team\'s',
    'ok   GET    /leads/l2   as bob     -> 403 {"error":"forbidden","action":"view","denial":"record-access"}   # team-south\'s lead',
    'server stopped',
    '17 of 17 requests answered as expected',
  ],
  'examples/crm-groups/demo.ts': [
    'membersOf(sales): person-1, person-2, person-3, person-4, sam',
    'rejected: GroupCycleError (code group-cycle): group would contain itself: "team-a" contains "sales" contains "team-a"; remove one of these nestings',
    'deleted trade-fair; booth-setup is now owned by {"group":"team-a"}',
  ],
};

/** Loaded with --import before the example: prints the process's own running time on exit. */
const TIMER = `data:text/javascript,${encodeURIComponent(
  "process.on('exit', () => process.stderr.write('\\npurview-example-ms ' + Math.round(performance.now()) + '\\n'));",
)}`;

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** The process's own running time, from its start to its exit. */
  readonly ms: number;
}

/** Runs a script with tsx (`node --import tsx`), as `npx tsx SCRIPT` does, from the repository root. */
function runScript(script: string): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--import', TIMER, script], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (t: string) => (stdout += t));
    child.stderr.setEncoding('utf8').on('data', (t: string) => (stderr += t));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      const m = /\n?purview-example-ms (\d+)\n$/.exec(stderr);
      resolve({ code, stdout, stderr: m === null ? stderr : stderr.slice(0, m.index), ms: m === null ? Number.NaN : Number(m[1]) });
    });
  });
}

describe('examples', () => {
  it('include the four runnable examples and the CRM demo', () => {
    for (const name of ['vault', 'marketing-contacts', 'multi-client', 'http-service']) {
      expect(SCRIPTS).toContain(join('examples', name, 'main.ts'));
    }
    expect(existsSync(join(ROOT, 'examples', 'crm-groups', 'demo.ts'))).toBe(true);
  });

  // One run after another, so that the examples do not slow each other down.
  for (const script of SCRIPTS) {
    const key = relative(ROOT, join(ROOT, script)).split('\\').join('/');
    it(`${key} runs, exits 0, prints its key lines, twice alike, in under 2 s`, async () => {
      const first = await runScript(script);
      expect(first.stderr, `stderr of ${key}`).toBe('');
      expect(first.code, first.stdout).toBe(0);
      expect(first.stdout.trim().length).toBeGreaterThan(0);
      const lines = first.stdout.split('\n');
      for (const line of KEY_LINES[key] ?? []) expect(lines, `${key} prints: ${line}`).toContain(line);
      expect(first.ms, `${key} ran for ${first.ms} ms`).toBeLessThan(2000);
      const second = await runScript(script);
      expect(second.code).toBe(0);
      expect(second.stdout, `${key} prints the same output each time`).toBe(first.stdout);
    });
  }
});
