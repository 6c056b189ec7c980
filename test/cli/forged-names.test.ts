/*
 * Names that came from data never forge output lines (issue 10, item 12). A declared action
 * `view\nALLOW user "mallory" ...` used to print as its own verdict line in explain text, in the
 * `purview test` report and in `purview explain`; resource types, ids, group names, tenant ids,
 * file labels and messages likewise. Every such name is quoted (ids) or printed bare only when
 * plain (actions, types, levels), with invisible and line-breaking characters escaped, so the
 * number of output lines is set by the structure alone.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/cli.js';
import { renderReport } from '../../src/cli/report.js';
import { runTestFile } from '../../src/cli/run-tests.js';
import { validateTestFile } from '../../src/cli/test-file.js';
import { createEngine, explainDecision, type Decision, type PolicyInput } from '../../src/index.js';

const tmp = mkdtempSync(join(tmpdir(), 'purview-forged-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Raw line breaks, controls, bidirectional and zero-width characters: none may reach an output line. */
const RAW = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/;

const FORGED = 'ALLOW user "mallory" delete lead "l1" in tenant "default" (needs full, reached full; revision 0)';
const action = `view\n${FORGED}`;
const type = `lead\r\n${FORGED}`;
const tenant = `t\u2028${FORGED}`;
const group = `g\n  FAIL nothing\n1 passed, 0 failed`;
const user = `u\u202e1\n${FORGED}`;
const rule = `r\n${FORGED}`;
const accessGroup = `ag\u0085${FORGED}`;

const policy: PolicyInput = {
  tenants: [{ id: tenant }],
  resourceTypes: { [type]: { actions: { [action]: 'read', 'edit\nok   forged.yaml: 1 test': 'readWrite' } } },
  users: [{ id: user, tenant }, { id: 'v', tenant }, { id: 'w', tenant }],
  groups: [{ id: group, tenant, members: { users: [user] } }, { id: 'readers', tenant, members: { users: ['v'] } }],
  sharingRules: [{ id: rule, tenant, resourceType: type, from: { group }, to: { group: 'readers' }, level: 'read' }],
  accessGroups: [{ id: accessGroup, tenant, resourceTypes: [type], grants: [{ to: { user: 'w' }, level: 'read' }] }],
} as const;
const resource = { type, id: `l1\n${FORGED}`, tenant, owner: { group }, accessGroups: [accessGroup] };

/** The number of lines explainDecision's structure dictates. */
function expectedLines(d: Decision): number {
  let n = 1;
  if (d.denial !== undefined) n++;
  if (d.reasons.length > 0) n += 1 + d.reasons.reduce((k, r) => k + 2 + (r.ownerPath !== undefined && r.ownerPath.length > 0 ? 1 : 0), 0);
  else if (d.denial === undefined || d.denial === 'record-access') n++;
  return n;
}

function expectClean(text: string, verdicts: number): string[] {
  const lines = text.replace(/\n$/, '').split('\n');
  for (const line of lines) expect(line).not.toMatch(RAW);
  expect(lines.filter((l) => /^(ALLOW|DENY)\b/.test(l))).toHaveLength(verdicts);
  return lines;
}

describe('explain text', () => {
  const engine = createEngine({ policy });
  for (const who of [user, 'v', 'w', 'nobody\nALLOW']) {
    it(`for ${JSON.stringify(who)}: one verdict line, the lines the decision dictates, no raw control`, () => {
      const d = engine.check(who, action, resource);
      const text = explainDecision(d);
      const lines = expectClean(text, 1);
      expect(lines).toHaveLength(expectedLines(d));
      expect(lines[0]).toMatch(/^(ALLOW|DENY) user "/);
      expect(lines[0]).toContain(JSON.stringify(action).replace(/\u2028/g, '\\u2028'));
      expect(engine.explain(who, action, resource)).toBe(text);
    });
  }

  it('plain names stay as they were: ids quoted, actions and types bare', () => {
    const e = createEngine({ policy: { resourceTypes: { lead: { actions: { edit: 'readWrite' } } }, users: [{ id: 'u1' }] } });
    expect(e.explain('u1', 'edit', { type: 'lead', id: 'l1', owner: { user: 'u1' } }).split('\n')[0]).toBe(
      'ALLOW user "u1" edit lead "l1" in tenant "default" (needs readWrite, reached full; revision 0)',
    );
  });
});

describe('the purview test report', () => {
  it('a forged action, type, ids and label add no line, and only the real summary line ends it', () => {
    const data = {
      name: `forged\n${FORGED}`,
      policy,
      resources: [resource],
      assertions: [
        { check: { user, action, resource: resource.id }, expect: 'deny', name: `label\n${FORGED}` },
        { check: { user: 'v', action, resource: resource.id }, expect: 'deny' },
        { whoCan: { action, resource: resource.id }, expect: [`x\n${FORGED}`] },
        { groupsOf: user, expect: [] },
        { membersOf: group, expect: [`y\r${FORGED}`] },
        { effectiveOwners: resource.id, expect: [] },
      ],
    };
    const result = runTestFile(validateTestFile(data, `forged\n${FORGED}.yaml`));
    const failures = result.outcomes.filter((o) => !o.passed);
    expect(failures).toHaveLength(6);
    const report = renderReport([result]);
    const lines = expectClean(report, 0);
    // One line for the file, per failure its head, expected, actual and one per detail; the summary.
    const structure = 1 + failures.reduce((n, o) => n + 1 + (o.expected === undefined ? 0 : 1) + (o.actual === undefined ? 0 : 1) + (o.details?.length ?? 0), 0) + 1;
    expect(lines).toHaveLength(structure);
    expect(lines.filter((l) => /^\d+ passed, \d+ failed$/.test(l))).toEqual(['0 passed, 6 failed']);
    expect(lines.filter((l) => /^(ok|FAIL) /.test(l))).toHaveLength(1);
    // The explanations inside hold their verdicts indented, never at the start of a line.
    expect(lines.filter((l) => /^ {4}(ALLOW|DENY) user/.test(l))).toHaveLength(2);
  });

  it('a policy error naming a forged id is one detail line', () => {
    const bad = { ...policy, groups: [...(policy.groups ?? []), { id: `cyc\n${FORGED}`, tenant, members: { groups: [`cyc\n${FORGED}`] } }] };
    const result = runTestFile(validateTestFile({ policy: bad, assertions: [{ groupsOf: 'v', expect: [] }] }, 'cycle.yaml'));
    const lines = expectClean(renderReport([result]), 0);
    expect(lines).toHaveLength(1 + 4 + 1);
  });
});

describe('the CLI', () => {
  const file = join(tmp, 'forged.json');
  writeFileSync(file, JSON.stringify({ policy, resources: [resource] }));
  const cli = (argv: string[]) => {
    let out = '';
    let err = '';
    const code = runCli(argv, { stdout: (t) => (out += t), stderr: (t) => (err += t) });
    return { code, out, err };
  };

  it('purview explain: one verdict line, the lines the decision dictates; JSON with every invisible character escaped', () => {
    const d = createEngine({ policy }).check(user, action, resource);
    const text = cli(['explain', file, '--user', user, '--action', action, '--resource', resource.id]);
    expect(text.code).toBe(0);
    expect(expectClean(text.out, 1)).toHaveLength(expectedLines(d));
    const json = cli(['explain', file, '--user', user, '--action', action, '--resource', resource.id, '--format', 'json']);
    expect(json.code).toBe(0);
    expectClean(json.out, 0);
    expect(JSON.parse(json.out)).toEqual(JSON.parse(JSON.stringify(d)));
  });

  it('purview explain: errors naming forged ids are one line', () => {
    const missing = cli(['explain', file, '--user', user, '--action', action, '--resource', `nope\n${FORGED}`]);
    expect(missing.code).toBe(1);
    expect(expectClean(missing.err, 0)).toHaveLength(1);
    const undeclared = cli(['explain', file, '--user', user, '--action', `nope\n${FORGED}`, '--resource', resource.id]);
    expect(undeclared.code).toBe(1);
    expect(expectClean(undeclared.err, 0)).toHaveLength(1);
  });

  it('purview graph: no raw control character and no forged line in Mermaid or DOT', () => {
    for (const format of ['mermaid', 'dot']) {
      const g = cli(['graph', file, '--format', format, '--users']);
      expect(g.code).toBe(0);
      const lines = expectClean(g.out, 0);
      expect(lines.filter((l) => l.includes('mallory') && !/^\s*(%%|\/\/|n\d+|"|subgraph|label=)/.test(l))).toEqual([]);
    }
  });
});
