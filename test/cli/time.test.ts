/*
 * Time in the CLI (issue 12): `asOf` in test files (top level, inside a check, beside the other
 * assertions) and its errors; `purview explain --as-of`; `purview graph` drawing time-bound edges
 * with their bounds. Through runCli, no process.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/cli.js';
import { runTestFile } from '../../src/cli/run-tests.js';
import { validateTestFile } from '../../src/cli/test-file.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CONTRACTOR = join(ROOT, 'test', 'scenarios', '006-contractor-until.yaml');

function cli(argv: string[]): { code: number; out: string; err: string } {
  let out = '';
  let err = '';
  const code = runCli(argv, { stdout: (t) => (out += t), stderr: (t) => (err += t) });
  return { code, out, err };
}

const policy = {
  resourceTypes: { t: { actions: { v: 'read' } } },
  users: [{ id: 'u' }],
  groups: [{ id: 'g', members: { users: [{ id: 'u', until: '2026-06-01T00:00:00Z' }] } }],
};
const resources = [{ type: 't', id: 'r', owner: { group: 'g' } }];

describe('asOf in test files', () => {
  it('the top-level asOf answers every assertion that names none; an assertion may name its own', () => {
    const file = validateTestFile(
      {
        policy,
        resources,
        asOf: '2026-05-31T23:59:59Z',
        assertions: [
          { check: { user: 'u', action: 'v', resource: 'r' }, expect: 'allow' },
          { check: { user: 'u', action: 'v', resource: 'r', asOf: '2026-06-01T00:00:00Z' }, expect: 'deny' },
          { membersOf: 'g', expect: ['u'] },
          { membersOf: 'g', asOf: '2026-06-01T02:00:00+02:00', expect: [] },
          { whoCan: { action: 'v', resource: 'r' }, asOf: '2026-06-01T01:59:59+02:00', expect: ['u'] },
          { groupsOf: 'u', asOf: '2027-01-01T00:00:00Z', expect: [] },
        ],
      },
      'inline',
    );
    const result = runTestFile(file);
    expect(result.outcomes.map((o) => o.passed)).toEqual([true, true, true, true, true, true]);
    expect(result.outcomes[1]?.asked).toMatch(/as of 2026-06-01T00:00:00Z/);
  });

  it('a malformed asOf, or asOf where it does not go, names the key', () => {
    const bad = (extra: object, assertion: object): string => {
      try {
        validateTestFile({ policy, resources, ...extra, assertions: [assertion] }, 'inline');
      } catch (e) {
        return (e as Error).message;
      }
      return 'accepted';
    };
    expect(bad({ asOf: '2026-06-01' }, { membersOf: 'g', expect: [] })).toMatch(/^inline: asOf: expected an instant/);
    expect(bad({}, { check: { user: 'u', action: 'v', resource: 'r', asOf: 5 }, expect: 'allow' })).toMatch(/assertions\[0\]\.check\.asOf: expected an instant/);
    expect(bad({}, { membersOf: 'g', asOf: '2026-06-01T25:00:00Z', expect: [] })).toMatch(/assertions\[0\]\.asOf/);
    // A check takes asOf inside its query, not beside it.
    expect(bad({}, { check: { user: 'u', action: 'v', resource: 'r' }, asOf: '2026-06-01T00:00:00Z', expect: 'allow' })).toMatch(/assertions\[0\].*asOf/);
  });

  it('the contractor scenario passes', () => {
    const r = cli(['test', CONTRACTOR]);
    expect(r.out).toMatch(/10 passed, 0 failed/);
    expect(r.code).toBe(0);
  });
});

describe('purview explain --as-of and purview graph', () => {
  it('explain decides at --as-of, else at the file asOf, and prints untils', () => {
    const at = cli(['explain', CONTRACTOR, '-u', 'carl', '-a', 'rotate', '-r', 'vpn']);
    expect(at.code).toBe(0);
    expect(at.out).toMatch(/^ALLOW/);
    expect(at.out).toMatch(/member of group "client-team" until 2026-12-31T17:00:00Z/);
    const later = cli(['explain', CONTRACTOR, '-u', 'carl', '-a', 'rotate', '-r', 'vpn', '--as-of', '2027-01-01T00:00:00Z']);
    expect(later.out).toMatch(/^DENY/);
    const json = cli(['explain', CONTRACTOR, '-u', 'otto', '-a', 'view', '-r', 'ann-key', '--format', 'json']);
    expect(JSON.parse(json.out).reasons[0].until).toBe('2027-01-01T00:00:00Z');
    const bad = cli(['explain', CONTRACTOR, '-u', 'carl', '-a', 'rotate', '-r', 'vpn', '--as-of', 'soon']);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/--as-of "soon" is not an instant/);
  });

  it('graph labels time-bound edges with their bounds', () => {
    const dot = cli(['graph', CONTRACTOR, '--users', '--format', 'dot']);
    expect(dot.code).toBe(0);
    expect(dot.out).toMatch(/label="until 2026-12-31T17:00:00Z"/);
    expect(dot.out).toMatch(/since 2027-01-04T08:00:00\+01:00/);
  });
});
