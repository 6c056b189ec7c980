/*
 * The `purview test` command: loading and strict validation of test files, running them,
 * reporting failures with what was expected and what came back, and exit codes.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli, runFiles } from '../../src/cli/cli.js';
import { renderReport, summaryLine } from '../../src/cli/report.js';
import { runTestFile, summarize } from '../../src/cli/run-tests.js';
import { MAX_TEST_FILE_BYTES, TestFileError, loadTestFile, parseTestFile } from '../../src/cli/test-file.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SCENARIOS = join(ROOT, 'test', 'scenarios');
const tmp = mkdtempSync(join(tmpdir(), 'purview-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

let n = 0;
/** Writes a file into the temporary directory and returns its path. */
function write(text: string, ext = 'yaml'): string {
  const path = join(tmp, `t${n++}.${ext}`);
  writeFileSync(path, text);
  return path;
}

const POLICY = `
policy:
  resourceTypes:
    lead: { actions: { view: read, edit: readWrite, delete: full } }
  users: [{ id: u1 }, { id: u2 }, { id: u3 }]
  groups:
    - { id: team-a, members: { users: [u1, u2] } }
    - { id: sales, members: { groups: [team-a] } }
resources:
  - { type: lead, id: l1, owner: { group: sales } }
`;

/** Runs YAML text as a test file, as the CLI would. */
function run(text: string) {
  return runTestFile(parseTestFile(text, 'inline.yaml'));
}

/** Captures what the CLI writes. */
function cli(argv: string[]): { code: number; out: string; err: string } {
  let out = '';
  let err = '';
  const code = runCli(argv, { stdout: (t) => (out += t), stderr: (t) => (err += t) });
  return { code, out, err };
}

function lastLine(text: string): string {
  const lines = text.trimEnd().split('\n');
  return lines[lines.length - 1] ?? '';
}

describe('running assertions', () => {
  it('passes correct assertions of every kind', () => {
    const r = run(`${POLICY}
assertions:
  - check: { user: u1, action: edit, resource: l1 }
    expect: allow
  - check: { user: u3, action: view, resource: l1 }
    expect: deny
    denial: record-access
  - groupsOf: u1
    expect: [team-a, sales]
  - membersOf: sales
    expect: [u2, u1]
  - whoCan: { action: edit, resource: l1 }
    expect: [u1, u2]
  - effectiveOwners: l1
    expect: [u1, u2, u1]
`);
    expect(r.outcomes.map((o) => o.passed)).toEqual([true, true, true, true, true, true]);
  });

  it('reports a failed check with file, index, question, expected, actual and the explanation', () => {
    const r = run(`${POLICY}
assertions:
  - check: { user: u1, action: edit, resource: l1 }
    expect: allow
  - name: u3 is no owner
    check: { user: u3, action: edit, resource: l1 }
    expect: allow
`);
    expect(summarize([r])).toEqual({ passed: 1, failed: 1 });
    const f = r.outcomes[1]!;
    expect(f).toMatchObject({ passed: false, index: 1, expected: 'allow', actual: 'deny (record-access)' });
    const report = renderReport([r]);
    expect(report).toContain('FAIL inline.yaml assertions[1] (u3 is no owner): check user "u3" edit lead "l1"');
    expect(report).toContain('expected: allow');
    expect(report).toContain('actual:   deny (record-access)');
    expect(report).toContain('DENY user "u3" edit lead "l1"');
    expect(lastLine(report)).toBe('1 passed, 1 failed');
  });

  it('explains an allow that was expected to be a deny, with its membership path', () => {
    const r = run(`${POLICY}
assertions:
  - check: { user: u1, action: delete, resource: l1 }
    expect: deny
`);
    const report = renderReport([r]);
    expect(report).toContain('expected: deny');
    expect(report).toContain('actual:   allow');
    expect(report).toMatch(/ALLOW user "u1" delete lead "l1"/);
    expect(report).toContain('member of group "sales"');
  });

  it('fails a deny whose denial code differs', () => {
    const r = run(`${POLICY}
assertions:
  - check: { user: u3, action: view, resource: l1 }
    expect: deny
    denial: tenant
`);
    expect(r.outcomes[0]).toMatchObject({ passed: false, expected: 'deny (tenant)', actual: 'deny (record-access)' });
  });

  it('compares lists as sets and reports what is missing and unexpected', () => {
    const r = run(`${POLICY}
assertions:
  - whoCan: { action: edit, resource: l1 }
    expect: [u1, u3]
  - groupsOf: u1
    expect: [sales]
`);
    expect(r.outcomes[0]).toMatchObject({ passed: false, expected: '[u1, u3]', actual: '[u1, u2]' });
    const report = renderReport([r]);
    expect(report).toContain('FAIL inline.yaml assertions[0]: whoCan edit lead "l1"');
    expect(report).toContain('missing:    [u3]');
    expect(report).toContain('unexpected: [u2]');
    expect(report).toContain('FAIL inline.yaml assertions[1]: groupsOf user "u1"');
    expect(report).toContain('unexpected: [team-a]');
  });

  it('fails an assertion the engine rejects, with the error', () => {
    const r = run(`${POLICY}
assertions:
  - check: { user: u1, action: fly, resource: l1 }
    expect: allow
`);
    expect(r.outcomes[0]).toMatchObject({ passed: false, actual: 'threw InvalidInputError' });
    expect(renderReport([r])).toContain('has no action "fly"');
  });

  it('fails a file whose policy does not load, with the error name and message', () => {
    const r = run(`
policy:
  resourceTypes: { lead: { actions: { view: read } } }
  groups:
    - { id: a, members: { groups: [b] } }
    - { id: b, members: { groups: [a] } }
assertions:
  - membersOf: a
    expect: []
`);
    expect(r.outcomes).toHaveLength(1);
    expect(r.outcomes[0]).toMatchObject({ passed: false, actual: 'error GroupCycleError' });
    expect(renderReport([r])).toMatch(/GroupCycleError: group would contain itself/);
  });
});

describe('expectError', () => {
  const cycle = `
policy:
  resourceTypes: { lead: { actions: { view: read } } }
  groups:
    - { id: a, members: { groups: [b] } }
    - { id: b, members: { groups: [a] } }
`;
  it('passes when loading fails with that error', () => {
    const r = run(`${cycle}expectError: GroupCycleError\n`);
    expect(r.outcomes).toEqual([expect.objectContaining({ passed: true })]);
    expect(summarize([r])).toEqual({ passed: 1, failed: 0 });
  });

  it('fails when loading fails with another error', () => {
    const r = run(`${cycle}expectError: RoleCycleError\n`);
    expect(r.outcomes).toEqual([expect.objectContaining({ passed: false, expected: 'error RoleCycleError', actual: 'error GroupCycleError' })]);
  });

  it('fails when the policy loads', () => {
    const r = run(`
policy:
  resourceTypes: { lead: { actions: { view: read } } }
expectError: GroupCycleError
`);
    expect(r.outcomes).toEqual([expect.objectContaining({ passed: false, actual: 'the policy loaded without error' })]);
  });

  it('PurviewError matches any purview error, as docs/testing-policies.md says (was: compared the exact class name)', () => {
    const r = run(`${cycle}expectError: PurviewError\n`);
    expect(r.outcomes).toEqual([expect.objectContaining({ passed: true, expected: 'error PurviewError', actual: 'error GroupCycleError' })]);
    const invalid = run(`policy:\n  resourceTypes: { lead: { actions: { view: nope } } }\nexpectError: PurviewError\n`);
    expect(invalid.outcomes[0]).toMatchObject({ passed: true, actual: 'error InvalidInputError' });
  });

  it('every other name matches that class exactly, and PurviewError no error from outside purview', () => {
    expect(run(`${cycle}expectError: InvalidInputError\n`).outcomes[0]?.passed).toBe(false);
    const file = parseTestFile(`${cycle}expectError: PurviewError\n`, 'x.yaml');
    const thrown = runTestFile(file, () => {
      throw new TypeError('not a purview error');
    });
    expect(thrown.outcomes[0]).toMatchObject({ passed: false, actual: 'error TypeError' });
  });

  it('rejects an unknown error name and assertions next to it', () => {
    expect(() => parseTestFile(`${cycle}expectError: CycleError\n`, 'x.yaml')).toThrow(/x\.yaml: expectError: expected an error name/);
    expect(() =>
      parseTestFile(`${cycle}expectError: GroupCycleError\nassertions:\n  - membersOf: a\n    expect: []\n`, 'x.yaml'),
    ).toThrow(/x\.yaml: assertions: a file with expectError has no assertions/);
  });
});

describe('strict test files', () => {
  const bad = (text: string): string => {
    try {
      parseTestFile(text, 'bad.yaml');
    } catch (e) {
      expect(e).toBeInstanceOf(TestFileError);
      return (e as Error).message;
    }
    throw new Error('expected the file to be rejected');
  };
  const ok = `
  - check: { user: u1, action: edit, resource: l1 }
    expect: allow
`;

  it('rejects an unknown top-level key, naming it and the file', () => {
    expect(bad(`${POLICY}assertion:${ok}`)).toMatch(/^bad\.yaml: unknown key "assertion"; expected one of/);
  });

  it('rejects an unknown key in an assertion', () => {
    expect(bad(`${POLICY}assertions:\n  - check: { user: u1, action: edit, resource: l1 }\n    expected: allow\n`)).toMatch(
      /^bad\.yaml: assertions\[0\]: unknown key "expected"/,
    );
    expect(bad(`${POLICY}assertions:\n  - check: { user: u1, action: edit, resource: l1, tenant: t }\n    expect: allow\n`)).toMatch(
      /^bad\.yaml: assertions\[0\]\.check: unknown key "tenant"/,
    );
    expect(bad(`${POLICY}assertions:\n  - whoCan: { action: edit, resource: l1, user: u1 }\n    expect: []\n`)).toMatch(
      /assertions\[0\]\.whoCan: unknown key "user"/,
    );
  });

  it('rejects an unknown key in a resource', () => {
    const text = POLICY.replace('owner: { group: sales } }', 'owner: { group: sales }, ownr: x }');
    expect(bad(`${text}assertions:${ok}`)).toMatch(/^bad\.yaml: resources\[0\]: unknown key "ownr"/);
  });

  it('validates expect values', () => {
    expect(bad(`${POLICY}assertions:\n  - check: { user: u1, action: edit, resource: l1 }\n    expect: yes\n`)).toMatch(
      /assertions\[0\]\.expect: expected allow or deny, got the string "yes"/,
    );
    expect(bad(`${POLICY}assertions:\n  - check: { user: u1, action: edit, resource: l1 }\n    expect: true\n`)).toMatch(
      /expected allow or deny, got boolean true/,
    );
    expect(bad(`${POLICY}assertions:\n  - groupsOf: u1\n    expect: allow\n`)).toMatch(/assertions\[0\]\.expect: expected a list of ids/);
    expect(bad(`${POLICY}assertions:\n  - membersOf: sales\n    expect: [u1, 3]\n`)).toMatch(/assertions\[0\]\.expect\[1\]/);
    expect(bad(`${POLICY}assertions:\n  - membersOf: sales\n`)).toMatch(/assertions\[0\]: an assertion needs expect/);
    expect(bad(`${POLICY}assertions:\n  - check: { user: u1, action: edit, resource: l1 }\n    expect: allow\n    denial: tenant\n`)).toMatch(
      /denial only goes with expect: deny/,
    );
    expect(bad(`${POLICY}assertions:\n  - check: { user: u1, action: edit, resource: l1 }\n    expect: deny\n    denial: nope\n`)).toMatch(
      /assertions\[0\]\.denial: expected one of unknown-user/,
    );
  });

  it('rejects an assertion asking nothing or two things', () => {
    expect(bad(`${POLICY}assertions:\n  - expect: []\n`)).toMatch(/an assertion needs one of check, groupsOf/);
    expect(bad(`${POLICY}assertions:\n  - groupsOf: u1\n    membersOf: sales\n    expect: []\n`)).toMatch(/asks one thing/);
  });

  it('rejects a reference to a resource the file does not declare', () => {
    expect(bad(`${POLICY}assertions:\n  - check: { user: u1, action: edit, resource: l9 }\n    expect: allow\n`)).toMatch(
      /assertions\[0\]\.check\.resource: no resource with id "l9"/,
    );
  });

  it('rejects a missing policy, no assertions, duplicate resources', () => {
    expect(bad(`assertions:${ok}`)).toMatch(/missing policy/);
    expect(bad(POLICY)).toMatch(/no assertions/);
    const dup = POLICY.replace('resources:\n', 'resources:\n  - { type: lead, id: l1, owner: { user: u1 } }\n');
    expect(bad(`${dup}assertions:${ok}`)).toMatch(/resources\[1\]\.id: duplicate resource id "l1"/);
  });
});

describe('parsing', () => {
  const bad = (text: string, file = 'bad.yaml'): string => {
    try {
      parseTestFile(text, file);
    } catch (e) {
      return (e as Error).message;
    }
    throw new Error('expected the file to be rejected');
  };

  it('rejects malformed YAML with the parser message', () => {
    expect(bad('policy: [1\nassertions: x\n')).toMatch(/^bad\.yaml: invalid YAML: /);
    expect(bad('a: 1\na: 2\n')).toMatch(/invalid YAML: Map keys must be unique/);
  });

  it('accepts no custom or language tags', () => {
    expect(bad(`${POLICY}x: !!js/function "function () {}"\n`)).toMatch(/invalid YAML: Unresolved tag/);
    expect(bad(`${POLICY}x: !foo bar\n`)).toMatch(/invalid YAML: Unresolved tag/);
    expect(bad(`${POLICY}x: !!set { a }\n`)).toMatch(/invalid YAML: Unresolved tag/);
  });

  it('rejects several documents and empty files', () => {
    expect(bad(`${POLICY}---\n${POLICY}`)).toMatch(/2 YAML documents/);
    expect(bad('')).toMatch(/empty/);
    expect(bad('# only a comment\n')).toMatch(/empty/);
    expect(bad('- just a list\n')).toMatch(/^bad\.yaml: expected a mapping with policy/);
  });

  it('does not use merge keys', () => {
    expect(bad(`${POLICY}<<: { name: merged }\nassertions:\n  - groupsOf: u1\n    expect: [team-a, sales]\n`)).toMatch(/unknown key "<<"/);
  });

  it('reads JSON files as JSON', () => {
    const json = JSON.stringify({
      policy: { resourceTypes: { lead: { actions: { view: 'read' } } }, users: [{ id: 'u1' }] },
      resources: [{ type: 'lead', id: 'l1', owner: { user: 'u1' } }],
      assertions: [{ check: { user: 'u1', action: 'view', resource: 'l1' }, expect: 'allow' }],
    });
    const r = runTestFile(parseTestFile(json, 'x.json'));
    expect(r.outcomes.map((o) => o.passed)).toEqual([true]);
    expect(bad('{"policy": ', 'x.json')).toMatch(/^x\.json: invalid JSON/);
  });

  it('never lets __proto__ pollute anything', () => {
    // at the top level, it is just an unknown key
    expect(bad(`${POLICY}__proto__: { polluted: 1 }\nassertions: []\n`)).toMatch(/unknown key "__proto__"/);
    expect(bad(`{"__proto__": {"polluted": 1}, "policy": {"resourceTypes": {}}}`, 'x.json')).toMatch(/unknown key "__proto__"/);
    // as an id, it is an id like any other
    const r = run(`
policy:
  resourceTypes:
    lead: { actions: { view: read, edit: readWrite } }
  users: [{ id: __proto__ }, { id: constructor }]
  groups:
    - { id: toString, members: { users: [__proto__] } }
resources:
  - { type: lead, id: __proto__, owner: { group: toString }, attributes: { __proto__: x } }
  - { type: lead, id: hasOwnProperty, owner: { user: constructor } }
assertions:
  - check: { user: __proto__, action: edit, resource: __proto__ }
    expect: allow
  - check: { user: constructor, action: view, resource: __proto__ }
    expect: deny
  - whoCan: { action: edit, resource: hasOwnProperty }
    expect: [constructor]
  - groupsOf: __proto__
    expect: [toString]
  - effectiveOwners: __proto__
    expect: [__proto__]
`);
    expect(r.outcomes.map((o) => o.passed)).toEqual([true, true, true, true, true]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype.hasOwnProperty.call(Object.prototype, 'polluted')).toBe(false);
  });
});

describe('files on disk', () => {
  it('counts an unreadable or malformed file as one failure with its message', () => {
    const good = write(`${POLICY}assertions:\n  - groupsOf: u1\n    expect: [team-a, sales]\n`);
    const malformed = write('policy: [1\n');
    const missing = join(tmp, 'does-not-exist.yaml');
    const results = runFiles([good, malformed, missing]);
    expect(summarize(results)).toEqual({ passed: 1, failed: 2 });
    const report = renderReport(results);
    expect(report).toContain(`FAIL ${malformed}`);
    expect(report).toContain('invalid YAML');
    expect(report).toContain(`FAIL ${missing}: read the test file\n    cannot read: ENOENT`);
    expect(lastLine(report)).toBe('1 passed, 2 failed');
  });

  it(`refuses a file larger than ${MAX_TEST_FILE_BYTES / 1024 / 1024} MB before reading it`, () => {
    const big = write('');
    truncateSync(big, MAX_TEST_FILE_BYTES + 1); // sparse: cheap to create
    expect(() => loadTestFile(big)).toThrow(/larger than 10 MB/);
    expect(() => parseTestFile(' '.repeat(MAX_TEST_FILE_BYTES + 1), 'big.yaml')).toThrow(/larger than 10 MB/);
  });

  it('loads a file with a byte order mark', () => {
    const path = write(`\ufeff${POLICY}assertions:\n  - groupsOf: u1\n    expect: [team-a, sales]\n`);
    expect(loadTestFile(path).assertions).toHaveLength(1);
  });
});

describe('runCli', () => {
  it('runs files and ends with "N passed, N failed"', () => {
    const { code, out } = cli(['test', join(SCENARIOS, '003-crm-groups.yaml'), join(SCENARIOS, '003-crm-group-cycle.yaml')]);
    expect(code).toBe(0);
    expect(lastLine(out)).toBe('26 passed, 0 failed');
    expect(out.endsWith('\n')).toBe(true);
  });

  it('expands a directory to the test files under it', () => {
    const { code, out } = cli(['test', SCENARIOS]);
    expect(code).toBe(0);
    expect(lastLine(out)).toMatch(/^\d+ passed, 0 failed$/);
    expect(out).toContain('000-agency-credential-vault.yaml');
  });

  it('exits 1 on any failure', () => {
    const failing = write(`${POLICY}assertions:\n  - membersOf: sales\n    expect: [u1]\n`);
    const { code, out } = cli(['test', join(SCENARIOS, '003-crm-group-cycle.yaml'), failing]);
    expect(code).toBe(1);
    expect(lastLine(out)).toBe('1 passed, 1 failed');
  });

  it('prints help and exits 0', () => {
    for (const args of [['--help'], ['-h'], ['test', '--help']]) {
      const { code, out } = cli(args);
      expect(code).toBe(0);
      expect(out).toContain('Usage: purview test FILE...');
    }
  });

  it('exits 2 with a usage error', () => {
    for (const [args, message] of [
      [[], 'missing command'],
      [['check'], 'unknown command "check"'],
      [['test'], 'test needs at least one FILE'],
      [['test', '--verbose', 'x.yaml'], "Unknown option '--verbose'"],
      [['test', mkdtempSync(join(tmp, 'empty-'))], 'no .yaml, .yml or .json files'],
    ] as const) {
      const { code, out, err } = cli([...args]);
      expect(code, args.join(' ')).toBe(2);
      expect(out).toBe('');
      expect(err).toContain(message);
      expect(err).toContain('Usage: purview test FILE...');
    }
  });

  it('renders the summary line plainly', () => {
    expect(summaryLine({ passed: 0, failed: 0 })).toBe('0 passed, 0 failed');
    expect(summaryLine({ passed: 12, failed: 3 })).toBe('12 passed, 3 failed');
  });
});

describe('the purview binary', () => {
  const tsxCli = join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs');
  const viaTsx = (args: string[]) =>
    existsSync(tsxCli)
      ? spawnSync(process.execPath, [tsxCli, join(ROOT, 'src', 'cli', 'main.ts'), ...args], { cwd: ROOT, encoding: 'utf8' })
      : spawnSync('npx', ['tsx', join(ROOT, 'src', 'cli', 'main.ts'), ...args], { cwd: ROOT, encoding: 'utf8' });

  it('starts with a node shebang', () => {
    expect(readFileSync(join(ROOT, 'src', 'cli', 'main.ts'), 'utf8').split('\n')[0]).toBe('#!/usr/bin/env node');
  });

  it('exits 0 when everything passed, with the summary as the last line', () => {
    const r = viaTsx(['test', SCENARIOS]);
    expect(r.status, r.stderr).toBe(0);
    expect(lastLine(r.stdout)).toMatch(/^\d+ passed, 0 failed$/);
  });

  it('exits 1 when a test failed, and 1 for a malformed file', () => {
    const failing = write(`${POLICY}assertions:\n  - check: { user: u3, action: edit, resource: l1 }\n    expect: allow\n`);
    const r = viaTsx(['test', failing]);
    expect(r.status).toBe(1);
    expect(r.stdout).toContain('expected: allow');
    expect(r.stdout).toContain('actual:   deny (record-access)');
    expect(lastLine(r.stdout)).toBe('0 passed, 1 failed');
    const malformed = viaTsx(['test', write(': : :\n  - [\n')]);
    expect(malformed.status).toBe(1);
    expect(lastLine(malformed.stdout)).toBe('0 passed, 1 failed');
  });

  it('exits 2 on a usage error', () => {
    const r = viaTsx([]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('Usage: purview test FILE...');
  });

  const built = join(ROOT, 'dist', 'cli', 'main.js');
  it.skipIf(!existsSync(built))('works as the built dist/cli/main.js', () => {
    expect(readFileSync(built, 'utf8').startsWith('#!/usr/bin/env node')).toBe(true);
    const r = spawnSync(process.execPath, [built, 'test', SCENARIOS], { cwd: ROOT, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(lastLine(r.stdout)).toMatch(/^\d+ passed, 0 failed$/);
  });
});
