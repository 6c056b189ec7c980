/*
 * `purview diff`, `purview test --reporter`, `--version` and `--help`: output, formats, errors and
 * exit codes, through runCli (no process) and once through the binary.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { TEST_USAGE, USAGE, runCli } from '../../src/cli/cli.js';
import { DIFF_USAGE } from '../../src/cli/diff.js';
import { xmlText } from '../../src/cli/report-junit.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'purview-diff-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

let n = 0;
function write(text: string, ext = 'yaml'): string {
  const path = join(tmp, `f${n++}.${ext}`);
  writeFileSync(path, text);
  return path;
}

function cli(argv: string[]): { code: number; out: string; err: string } {
  let out = '';
  let err = '';
  const code = runCli(argv, { stdout: (t) => (out += t), stderr: (t) => (err += t) });
  return { code, out, err };
}

const TYPES = `
resourceTypes:
  lead: { actions: { view: read, edit: readWrite } }`;

/** The old version: team-a (u1) nested in sales, which owns l1; u2 alone. */
const OLD = `
policy:${TYPES.replace(/\n/g, '\n  ')}
  users: [{ id: u1 }, { id: u2 }, { id: "odd\\nname" }]
  groups:
    - { id: team-a, members: { users: [u1] } }
    - { id: sales, members: { groups: [team-a] } }
resources:
  - { type: lead, id: l1, owner: { group: sales } }
  - { type: lead, id: l2, owner: { user: u2 } }
`;

/** The new version: team-a moves out of sales, u2 and the odd user join sales, u3 is added. */
const NEW = `${TYPES}
users: [{ id: u1 }, { id: u2 }, { id: "odd\\nname" }, { id: u3 }]
groups:
  - { id: team-a, members: { users: [u1] } }
  - { id: sales, members: { users: [u2, "odd\\nname"] } }
`;

describe('purview diff', () => {
  const oldFile = write(OLD);
  const newFile = write(NEW);

  it('lists each flipped decision on one line, the structural changes and the summary line', () => {
    const { code, out, err } = cli(['diff', oldFile, newFile, '--as-of', '2026-01-01T00:00:00Z']);
    expect(err).toBe('');
    expect(code).toBe(0);
    const lines = out.trimEnd().split('\n');
    expect(lines[0]).toBe(`access from ${oldFile} to ${newFile}, as of 2026-01-01T00:00:00Z:`);
    expect(lines, out).toContain('  - user "u1" view lead "l1": allow (group-owner full) -> deny (record-access)');
    expect(lines).toContain('  - user "u1" edit lead "l1": allow (group-owner full) -> deny (record-access)');
    expect(lines).toContain('  + user "u2" view lead "l1": deny (record-access) -> allow (group-owner full)');
    // A name with a line break stays on its line, quoted as the rest of the CLI quotes it.
    expect(lines).toContain('  + user "odd\\nname" edit lead "l1": deny (record-access) -> allow (group-owner full)');
    expect(lines).toContain('  users added: "u3"');
    expect(lines).toContain('  user "u1" leaves "sales"');
    expect(lines).toContain('  user "u2" joins "sales"');
    expect(lines).toContain('  group "team-a" no longer nested in "sales"');
    expect(lines.at(-1)).toBe('6 decisions changed: 4 gained, 2 lost');
    // u2's own lead l2 does not change, nor does anything of u3 (no access before or after).
    expect(out).not.toContain('"l2"');
  });

  it('prints one JSON object with changes, structural and summary', () => {
    const { code, out } = cli(['diff', oldFile, newFile, '--format', 'json']);
    expect(code).toBe(0);
    const d = JSON.parse(out) as {
      changes: { user: string; action: string; resource: string; before: string; after: string; reasonsBefore: { source: string }[]; denialAfter?: string }[];
      structural: { usersAdded: string[]; memberships: { user: string; gained: string[]; lost: string[] }[] };
      summary: { changed: number; gained: number; lost: number };
    };
    expect(d.summary).toMatchObject({ changed: 6, gained: 4, lost: 2 });
    const u1 = d.changes.find((c) => c.user === 'u1' && c.action === 'view');
    expect(u1).toMatchObject({ user: 'u1', action: 'view', resource: 'l1', before: 'allow', after: 'deny', denialAfter: 'record-access' });
    expect(u1?.reasonsBefore[0]?.source).toBe('group-owner');
    expect(d.changes.every((c) => ['allow', 'deny'].includes(c.before) && ['allow', 'deny'].includes(c.after) && c.before !== c.after)).toBe(true);
    expect(d.structural.usersAdded).toEqual(['u3']);
    expect(d.structural.memberships).toContainEqual({ user: 'odd\nname', gained: ['sales'], lost: [] });
  });

  it('--fail-on gain, loss and any exit 1 when that kind of change is there', () => {
    expect(cli(['diff', oldFile, newFile, '--fail-on', 'gain']).code).toBe(1);
    expect(cli(['diff', oldFile, newFile, '--fail-on', 'loss']).code).toBe(1);
    expect(cli(['diff', oldFile, newFile, '--fail-on=any']).code).toBe(1);
    // Only gains: the reverse of a change that only loses.
    const lossOnly = write(OLD.replace('groups: [team-a]', 'groups: []'));
    expect(cli(['diff', oldFile, lossOnly, '--fail-on', 'gain']).code).toBe(0);
    expect(cli(['diff', oldFile, lossOnly, '--fail-on', 'loss']).code).toBe(1);
    expect(cli(['diff', lossOnly, oldFile, '--fail-on', 'loss']).code).toBe(0);
    const same = cli(['diff', oldFile, oldFile, '--fail-on', 'any']);
    expect(same.code).toBe(0);
    expect(same.out).toContain('  no decision changes\nstructure: unchanged\n0 decisions changed: 0 gained, 0 lost\n');
  });

  it('takes the resources from --resources FILE (a list, or a file with resources), else from NEW, else OLD', () => {
    const list = write('- { type: lead, id: only, owner: { group: sales } }\n');
    const listed = cli(['diff', oldFile, newFile, '--resources', list]);
    expect(listed.out).toContain('lead "only"');
    expect(listed.out).not.toContain('"l1"');
    const asTestFile = cli(['diff', oldFile, newFile, '-r', oldFile]);
    expect(asTestFile.out).toContain('lead "l1"');
    // Two bare policies and no resources: say what to type.
    const none = cli(['diff', newFile, newFile]);
    expect(none.code).toBe(1);
    expect(none.err).toContain('no resources to compare: pass --resources FILE');
  });

  it('decides both versions at --as-of: time-bound entries count as they do then', () => {
    const timed = write(NEW.replace('users: [u2, "odd\\nname"]', 'users: [u2, { id: "odd\\nname", until: "2026-06-01T00:00:00Z" }]'));
    const early = cli(['diff', oldFile, timed, '--as-of', '2026-01-01T00:00:00Z', '--format', 'json']);
    const late = cli(['diff', oldFile, timed, '--as-of', '2026-07-01T00:00:00Z', '--format', 'json']);
    const odd = (out: string) => (JSON.parse(out) as { changes: { user: string }[] }).changes.filter((c) => c.user === 'odd\nname').length;
    expect(odd(early.out)).toBe(2);
    expect(odd(late.out)).toBe(0);
  });

  it('refuses a diff larger than --limit with a message that says what to do', () => {
    const { code, err } = cli(['diff', oldFile, newFile, '--limit', '3']);
    expect(code).toBe(1);
    expect(err).toContain('LimitError: the diff needs');
    expect(err).toContain('--limit N of purview diff');
  });

  it('ends bad input in a clear message and exit code, never a stack trace', () => {
    const broken = write('policy: [unclosed\n');
    const bad = cli(['diff', broken, newFile]);
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/^purview: .*f\d+\.yaml/);
    const invalid = write('policy: { users: [{ id: u1, role: nope }] }\nresources: []\n');
    const inv = cli(['diff', oldFile, invalid]);
    expect(inv.code).toBe(1);
    expect(inv.err).toContain('the policy does not load: InvalidInputError');
    const undeclared = write('- { type: account, id: a1, owner: { user: u1 } }\n');
    const und = cli(['diff', oldFile, newFile, '--resources', undeclared]);
    expect(und.code).toBe(1);
    expect(und.err).toContain('no resource type "account" in either policy');
    expect(cli(['diff', oldFile]).err).toContain('diff needs two files, OLD and NEW; got 1');
    for (const [args, text] of [
      [['--format', 'xml'], 'unknown format "xml"; expected text or json'],
      [['--fail-on', 'some'], 'unknown --fail-on "some"; expected gain, loss or any'],
      [['--as-of', 'tomorrow'], 'is not an instant; write an RFC 3339 date-time'],
      [['--limit', 'lots'], 'write a whole number such as --limit 5000000'],
      [['--colour'], "Unknown option '--colour'"],
    ] as const) {
      const r = cli(['diff', oldFile, newFile, ...args]);
      expect(r.code, text).toBe(2);
      expect(r.err).toContain(text);
      expect(r.err).toContain(DIFF_USAGE);
    }
  });
});

const PASSING = `
policy:${TYPES.replace(/\n/g, '\n  ')}
  users: [{ id: u1 }]
resources:
  - { type: lead, id: l1, owner: { user: u1 } }
assertions:
  - { check: { user: u1, action: view, resource: l1 }, expect: allow }
`;
const FAILING = `
name: "a <b> & 'c'"
policy:${TYPES.replace(/\n/g, '\n  ')}
  users: [{ id: u1 }, { id: "x\\u0001<y>" }]
resources:
  - { type: lead, id: l1, owner: { user: u1 } }
assertions:
  - { check: { user: u1, action: view, resource: l1 }, expect: allow }
  - { name: "quote \\" and ]]>", check: { user: "x\\u0001<y>", action: edit, resource: l1 }, expect: allow }
`;

describe('purview test --reporter', () => {
  const passing = write(PASSING);
  const failing = write(FAILING);

  it('text is the default and the same as --reporter text', () => {
    const a = cli(['test', passing, failing]);
    const b = cli(['test', '--reporter', 'text', passing, failing]);
    expect(a).toEqual(b);
    expect(a.code).toBe(1);
    expect(a.out.trimEnd().split('\n').at(-1)).toBe('2 passed, 1 failed');
  });

  it('json prints one object with every file, every test and the totals', () => {
    const { code, out } = cli(['test', passing, failing, '--reporter=json']);
    expect(code).toBe(1);
    const r = JSON.parse(out) as { files: { file: string; name?: string; tests: { passed: boolean; index?: number; expected?: string; actual?: string }[] }[]; summary: unknown };
    expect(r.summary).toEqual({ passed: 2, failed: 1 });
    expect(r.files.map((f) => f.file)).toEqual([passing, failing]);
    expect(r.files[1]?.name).toBe("a <b> & 'c'");
    expect(r.files[1]?.tests[1]).toMatchObject({ index: 1, passed: false, expected: 'allow', actual: 'deny (record-access)' });
  });

  it('junit prints JUnit XML: testsuites, a testsuite per file, a testcase per test, failures escaped', () => {
    const { code, out } = cli(['test', passing, failing, '-r', 'junit']);
    expect(code).toBe(1);
    expect(out.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="purview" tests="3" failures="1" errors="0">\n')).toBe(true);
    expect(out.trimEnd().endsWith('</testsuites>')).toBe(true);
    expect(out.match(/<testsuite /g)).toHaveLength(2);
    expect(out.match(/<testcase /g)).toHaveLength(3);
    expect(out.match(/<failure /g)).toHaveLength(1);
    expect(out).toContain(`<testsuite name="${failing} (a &lt;b&gt; &amp; &apos;c&apos;)" tests="2" failures="1" errors="0" skipped="0">`);
    expect(out).toContain('name="assertions[1] (quote &quot; and ]]&gt;): check user &quot;x\\u0001&lt;y&gt;&quot; edit lead &quot;l1&quot;"');
    expect(out).toContain('<failure message="expected allow, got deny (record-access)" type="AssertionError">expected: allow\nactual:   deny (record-access)\n');
    // Well-formed: no raw control character, and every < opens a tag.
    expect(out).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/);
    for (const m of out.matchAll(/</g)) expect(out.slice(m.index, m.index + 2)).toMatch(/^<[?/a-z]/);
  });

  it('xmlText escapes the five specials and writes characters XML cannot hold as \\uXXXX', () => {
    expect(xmlText(`<a href="x">&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&amp;&apos;&lt;/a&gt;');
    expect(xmlText('a\u0000b\ufffe\ud800')).toBe('a\\u0000b\\ufffe\\ud800');
  });

  it('an unknown reporter is a usage error that lists the reporters', () => {
    const r = cli(['test', passing, '--reporter', 'tap']);
    expect(r.code).toBe(2);
    expect(r.err).toContain('unknown reporter "tap"; expected text, json or junit');
    expect(r.err).toContain(TEST_USAGE);
  });
});

describe('--version and --help', () => {
  it('prints the package version', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    expect(cli(['--version'])).toEqual({ code: 0, out: `purview ${pkg.version}\n`, err: '' });
    expect(cli(['-V']).out).toBe(`purview ${pkg.version}\n`);
  });

  it('every command has its --help', () => {
    expect(cli(['--help']).out).toBe(USAGE);
    expect(cli(['test', '--help'])).toEqual({ code: 0, out: TEST_USAGE, err: '' });
    expect(cli(['diff', '-h'])).toEqual({ code: 0, out: DIFF_USAGE, err: '' });
    for (const command of ['explain', 'graph']) {
      const r = cli([command, '--help']);
      expect(r.code).toBe(0);
      expect(r.out).toMatch(new RegExp(`^Usage: purview ${command} `));
    }
    expect(USAGE).toContain('purview diff OLD NEW');
  });

  it('an unknown command or option says what to type', () => {
    expect(cli(['difff']).err).toContain('unknown command "difff"; the commands are test, explain, graph, validate, diff and play');
    expect(cli([]).err).toContain('missing command; type one of test, explain, graph, validate, diff, play');
    const r = cli(['test', '--bogus', 'x.yaml']);
    expect(r.code).toBe(2);
    expect(r.err).toContain("Unknown option '--bogus'");
    expect(r.err).toContain(TEST_USAGE);
  });
});

describe('through the binary', () => {
  const tsxCli = join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs');
  const run = (args: string[]) =>
    existsSync(tsxCli)
      ? spawnSync(process.execPath, [tsxCli, join(ROOT, 'src', 'cli', 'main.ts'), ...args], { cwd: ROOT, encoding: 'utf8' })
      : spawnSync('npx', ['tsx', join(ROOT, 'src', 'cli', 'main.ts'), ...args], { cwd: ROOT, encoding: 'utf8' });

  it('diffs with --fail-on as runCli does, and prints its version', () => {
    const d = run(['diff', write(OLD), write(NEW), '--fail-on', 'loss']);
    expect(d.stderr).toBe('');
    expect(d.status).toBe(1);
    expect(d.stdout.trimEnd().split('\n').at(-1)).toBe('6 decisions changed: 4 gained, 2 lost');
    expect(run(['--version']).stdout).toMatch(/^purview \d+\.\d+\.\d+/);
  });
});
