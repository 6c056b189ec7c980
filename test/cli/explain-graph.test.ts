/*
 * The `purview explain` and `purview graph` commands: output, formats, errors and exit codes,
 * through runCli (no process) and once each through the binary.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { USAGE, runCli } from '../../src/cli/cli.js';
import { EXPLAIN_USAGE, explainableFile } from '../../src/cli/explain.js';
import { GRAPH_USAGE, policyOfDocument } from '../../src/cli/graph.js';
import { loadTestFile } from '../../src/cli/test-file.js';
import { createEngine, explainDecision, type Decision } from '../../src/index.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SCENARIOS = join(ROOT, 'test', 'scenarios');
const VAULT = join(SCENARIOS, '000-agency-credential-vault.yaml');
const CRM = join(SCENARIOS, '003-crm-groups.yaml');
const CYCLE = join(SCENARIOS, '003-crm-group-cycle.yaml');
const ROLE_CYCLE = join(SCENARIOS, '003-crm-role-cycle.yaml');

const tmp = mkdtempSync(join(tmpdir(), 'purview-explain-graph-'));
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

/** The decision the engine makes on a test file's policy and resource. */
function decide(path: string, user: string, action: string, resource: string): Decision {
  const file = loadTestFile(path);
  return createEngine({ policy: file.policy as never }).check(user, action, file.resources.get(resource)!);
}

describe('purview explain', () => {
  it('explains an allow: the verdict, each reason and its membership path, as the engine does', () => {
    const { code, out, err } = cli(['explain', VAULT, '--user', 'carl', '--action', 'edit', '--resource', 'acme-pardot-api']);
    expect(err).toBe('');
    expect(code).toBe(0);
    expect(out).toBe(`${explainDecision(decide(VAULT, 'carl', 'edit', 'acme-pardot-api'))}\n`);
    expect(out).toContain('ALLOW user "carl" edit credential "acme-pardot-api" in tenant "acme"');
    expect(out).toContain('- readWrite: access group "acme-pardot" (listed on the record)');
    expect(out).toContain('user "carl" → member of group "acme-it-team" → member of group "pardot-project"');
  });

  it('explains a deny with its reason, and exits 0: the question was answered', () => {
    const { code, out } = cli(['explain', VAULT, '-u', 'anna', '-a', 'view', '-r', 'acme-aws-root']);
    expect(code).toBe(0);
    expect(out).toContain('DENY user "anna" view credential "acme-aws-root"');
    expect(out).toContain("denied: the resource's tenant is not one the user may act in");
  });

  it('prints the whole decision as JSON with --format json', () => {
    const { code, out } = cli(['explain', CRM, '--user=person-1', '--action=edit', '--resource=lead-sales', '--format=json']);
    expect(code, out).toBe(0);
    const parsed = JSON.parse(out) as Decision;
    expect(parsed).toEqual(JSON.parse(JSON.stringify(decide(CRM, 'person-1', 'edit', 'lead-sales'))));
    expect(parsed.allowed).toBe(true);
    expect(parsed.reasons[0]?.path[0]).toEqual({ kind: 'user', id: 'person-1' });
    const text = cli(['explain', CRM, '--user=person-1', '--action=edit', '--resource=lead-sales', '--format', 'text']);
    expect(text.out).toMatch(/^ALLOW user "person-1" edit/);
  });

  it('explains an unknown or inactive user as a deny', () => {
    expect(cli(['explain', VAULT, '-u', 'nobody', '-a', 'view', '-r', 'sb-wordpress']).out).toContain('denied: the user does not exist');
  });

  it('accepts a file with a policy and resources but no assertions, and resources with odd ids', () => {
    const path = write(`
policy:
  resourceTypes: { lead: { actions: { view: read } } }
  users: [{ id: u1 }]
  groups: [{ id: "g \\"1\\"", members: { users: [u1] } }]
resources:
  - { type: lead, id: __proto__, owner: { group: "g \\"1\\"" } }
`);
    const { code, out, err } = cli(['explain', path, '-u', 'u1', '-a', 'view', '-r', '__proto__']);
    expect(err).toBe('');
    expect(code).toBe(0);
    expect(out).toContain('member of group "g \\"1\\""');
    expect(explainableFile({ policy: { resourceTypes: {} }, assertions: [] }, 'x.yaml').expectError).toBeUndefined();
  });

  it('still validates the file strictly', () => {
    const path = write(`
policy: { resourceTypes: { lead: { actions: { view: read } } } }
resources:
  - { type: lead, id: l1, owner: { user: u1 }, acessGroups: [x] }
`);
    const { code, err } = cli(['explain', path, '-u', 'u1', '-a', 'view', '-r', 'l1']);
    expect(code).toBe(1);
    expect(err).toContain('resources[0]: unknown key "acessGroups"');
  });

  it('exits 1 when the resource is not in the file, naming the ones that are', () => {
    const { code, out, err } = cli(['explain', VAULT, '-u', 'anna', '-a', 'view', '-r', 'nope']);
    expect(code).toBe(1);
    expect(out).toBe('');
    expect(err).toContain('no resource with id "nope" in resources; the file lists "sb-wordpress", "sb-analytics"');
  });

  it('exits 1 when the engine rejects the question or the policy does not load', () => {
    const fly = cli(['explain', VAULT, '-u', 'anna', '-a', 'fly', '-r', 'sb-wordpress']);
    expect(fly.code).toBe(1);
    expect(fly.err).toContain('InvalidInputError');
    expect(fly.err).toContain('has no action "fly"');
    const cycle = cli(['explain', write(`
policy:
  resourceTypes: { lead: { actions: { view: read } } }
  groups: [{ id: a, members: { groups: [b] } }, { id: b, members: { groups: [a] } }]
resources: [{ type: lead, id: l1, owner: { group: a } }]
`), '-u', 'x', '-a', 'view', '-r', 'l1']);
    expect(cycle.code).toBe(1);
    expect(cycle.err).toContain('the policy does not load: GroupCycleError: group would contain itself');
  });

  it('exits 1 when the file cannot be read or parsed', () => {
    expect(cli(['explain', join(tmp, 'missing.yaml'), '-u', 'a', '-a', 'b', '-r', 'c'])).toMatchObject({ code: 1, err: expect.stringContaining('cannot read: ENOENT') });
    expect(cli(['explain', write(': : :\n  - [\n'), '-u', 'a', '-a', 'b', '-r', 'c'])).toMatchObject({ code: 1, err: expect.stringContaining('invalid YAML') });
  });

  it('exits 2 on a usage error, with its usage', () => {
    for (const [args, message] of [
      [['explain'], 'explain needs a FILE'],
      [['explain', VAULT], 'missing --user, --action, --resource'],
      [['explain', VAULT, '-u', 'a', '-a', 'view'], 'missing --resource'],
      [['explain', VAULT, VAULT, '-u', 'a', '-a', 'view', '-r', 'x'], 'explain takes one FILE, got 2'],
      [['explain', VAULT, '-u', 'a', '-a', 'view', '-r', 'x', '--format', 'xml'], 'unknown format "xml"'],
      [['explain', VAULT, '--users'], "Unknown option '--users'"],
    ] as const) {
      const { code, out, err } = cli([...args]);
      expect(code, args.join(' ')).toBe(2);
      expect(out).toBe('');
      expect(err).toContain(message);
      expect(err).toContain('Usage: purview explain FILE --user U --action A --resource R');
    }
  });

  it('prints its help', () => {
    expect(cli(['explain', '--help'])).toEqual({ code: 0, out: EXPLAIN_USAGE, err: '' });
  });
});

describe('purview graph', () => {
  it('draws a test file\'s policy as Mermaid by default', () => {
    const { code, out, err } = cli(['graph', CRM]);
    expect(err).toBe('');
    expect(code).toBe(0);
    expect(out).toMatch(/^%% purview policy graph: \d+ roles, \d+ groups\n/);
    expect(out).toContain('flowchart BT');
    expect(out).not.toMatch(/\(\["person-1"\]\)/); // no users without --users
  });

  it('draws it as DOT with --format dot, and with users on request', () => {
    const { code, out } = cli(['graph', CRM, '--format', 'dot', '--users']);
    expect(code).toBe(0);
    expect(out).toContain('digraph policy {');
    expect(out).toContain('"user:person-1" -> "group:team-a";');
    expect(out).toContain('"group:team-a" -> "group:sales";');
    expect(out.trimEnd().endsWith('}')).toBe(true);
    expect(cli(['graph', CRM, '-f', 'dot']).out).not.toContain('"user:');
  });

  it('draws a policy the engine rejects, marking the group cycle', () => {
    const { code, out } = cli(['graph', CYCLE]);
    expect(code).toBe(0);
    expect(out).toContain('%% group cycle: "sales" contains "team-a" contains "sales-leads" contains "sales"');
    expect(out).toContain('n0["sales<br>(in a nesting cycle)"]');
    expect(out).toMatch(/linkStyle \d+,\d+,\d+ stroke:#c5221f/);
  });

  it('marks a role cycle in DOT', () => {
    const { code, out } = cli(['graph', ROLE_CYCLE, '-f', 'dot']);
    expect(code).toBe(0);
    expect(out).toContain('// role cycle: "sales" -> "sales-assistant" -> "sales"');
    expect(out).toContain('"role:sales" -> "role:sales-assistant" [label="cycle", color="#c5221f", fontcolor="#c5221f", penwidth=3];');
  });

  it('marks groups no user reaches', () => {
    const path = write(JSON.stringify({ users: [{ id: 'u1' }], groups: [{ id: 'used', members: { users: ['u1'] } }, { id: 'idle', members: { groups: [] } }] }), 'json');
    const { code, out } = cli(['graph', path]);
    expect(code).toBe(0);
    expect(out).toContain('%% groups no user reaches: "idle"');
    expect(out).toContain('n1["idle<br>(no members)"]');
    expect(out).toContain('class n1 unreachable');
  });

  it('takes a bare policy file as well as a test file', () => {
    const bare = write('roles: [{ id: boss }, { id: staff, parent: boss }]\n');
    expect(cli(['graph', bare]).out).toContain('n1 --> n0');
    expect(policyOfDocument({ policy: { roles: [] }, assertions: [] }, 'f')).toEqual({ roles: [] });
  });

  it('exits 1 when the file cannot be read or holds no policy', () => {
    expect(cli(['graph', join(tmp, 'missing.yaml')])).toMatchObject({ code: 1, out: '', err: expect.stringContaining('cannot read: ENOENT') });
    expect(cli(['graph', write('- just\n- a list\n')])).toMatchObject({ code: 1, err: expect.stringContaining('expected a mapping') });
    expect(cli(['graph', write('policy: 3\n')])).toMatchObject({ code: 1, err: expect.stringContaining('policy: expected a mapping') });
    expect(cli(['graph', write('{ "a": ', 'json')])).toMatchObject({ code: 1, err: expect.stringContaining('invalid JSON') });
  });

  it('exits 2 on a usage error, with its usage', () => {
    for (const [args, message] of [
      [['graph'], 'graph needs a FILE'],
      [['graph', CRM, CYCLE], 'graph takes one FILE, got 2'],
      [['graph', CRM, '--format', 'svg'], 'unknown format "svg"'],
      [['graph', CRM, '--user', 'x'], "Unknown option '--user'"],
    ] as const) {
      const { code, out, err } = cli([...args]);
      expect(code, args.join(' ')).toBe(2);
      expect(out).toBe('');
      expect(err).toContain(message);
      expect(err).toContain('Usage: purview graph FILE [--format mermaid|dot] [--users]');
    }
  });

  it('prints its help', () => {
    expect(cli(['graph', '-h'])).toEqual({ code: 0, out: GRAPH_USAGE, err: '' });
  });
});

describe('the top-level usage', () => {
  it('lists the three commands', () => {
    const { code, out } = cli(['--help']);
    expect(code).toBe(0);
    expect(out).toBe(USAGE);
    for (const line of ['Usage: purview test FILE...', 'purview explain FILE --user U --action A --resource R', 'purview graph FILE [--format mermaid|dot] [--users]']) {
      expect(out).toContain(line);
    }
  });
});

describe('through the binary', () => {
  const tsxCli = join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs');
  const run = (args: string[]) =>
    existsSync(tsxCli)
      ? spawnSync(process.execPath, [tsxCli, join(ROOT, 'src', 'cli', 'main.ts'), ...args], { cwd: ROOT, encoding: 'utf8' })
      : spawnSync('npx', ['tsx', join(ROOT, 'src', 'cli', 'main.ts'), ...args], { cwd: ROOT, encoding: 'utf8' });

  it('explains and draws, with the exit codes of runCli', () => {
    const explained = run(['explain', VAULT, '-u', 'eve', '-a', 'view', '-r', 'acme-pardot-api']);
    expect(explained.status, explained.stderr).toBe(0);
    expect(explained.stdout).toContain('DENY user "eve" view credential "acme-pardot-api"');
    const drawn = run(['graph', CYCLE, '--format', 'dot']);
    expect(drawn.status, drawn.stderr).toBe(0);
    expect(drawn.stdout).toContain('// group cycle:');
    expect(run(['graph']).status).toBe(2);
  });
});
