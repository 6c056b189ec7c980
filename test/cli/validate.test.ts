/*
 * `purview validate` and `policyProblems` (issue 13): every problem of a policy, each with its
 * path into the file, its code and a hint; the first error createEngine throws is always among
 * them, and a policy has none exactly when createEngine accepts it (a property over random
 * policies with random corruptions). Through runCli and the library call; no process, no server.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/cli.js';
import { createEngine, policyProblems, PurviewError, type PolicyInput } from '../../src/index.js';
import { Choices } from '../arbitraries/choices.js';
import { scenarioArb } from '../arbitraries/policy.js';
import { runParams } from '../arbitraries/settings.js';

const tmp = mkdtempSync(join(tmpdir(), 'purview-validate-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
let n = 0;
const write = (text: string): string => {
  const p = join(tmp, `p${n++}.yaml`);
  writeFileSync(p, text);
  return p;
};
function cli(argv: string[]): { code: number; out: string; err: string } {
  let out = '';
  let err = '';
  const code = runCli(argv, { stdout: (t) => (out += t), stderr: (t) => (err += t) });
  return { code, out, err };
}

const BAD = `resourceTypes:
  lead: { actions: { view: read } }
users:
  - { id: ann, role: ghost }
  - { id: bob, status: away }
  - { id: ann }
groups:
  - { id: a, members: { groups: [b] } }
  - { id: b, members: { groups: [a] } }
  - { id: c, members: { users: [nobody, { id: ann, until: '2026-02-30T00:00:00Z' }] } }
colour: blue
`;

describe('purview validate', () => {
  it('lists every problem with its path into the file and its code; exit 1', () => {
    const r = cli(['validate', write(BAD)]);
    expect(r.code).toBe(1);
    for (const line of [
      '  colour: unknown field "colour"; expected one of tenants, roles, users, groups, resourceTypes, sharingRules, accessGroups, accessLevels, defaultAccessLevel [invalid-input]',
      '  users[1].status: expected one of active, inactive, got the string "away" [invalid-input]',
      '  users[2].id: duplicate id "ann" in users; the first is users[0] [invalid-input]',
      '  users[0].role: role "ghost" of user "ann" does not exist [invalid-input]',
    ]) expect(r.out.split('\n')).toContain(line);
    expect(r.out).toMatch(/groups\[2\]\.members\.users\[1\]\.until: expected until, an instant/);
    // Group c is left out of the later checks for its bad entry: its unknown member waits for the fix.
    expect(r.out).not.toMatch(/nobody/);
    expect(r.out).toMatch(/\[group-cycle\]\n    hint: remove one of the nesting entries/);
    expect(r.out.trimEnd().split('\n').at(-1)).toBe('0 valid, 1 invalid');
  });

  it('json, --max, valid files, unreadable files and usage errors', () => {
    const json = JSON.parse(cli(['validate', write(BAD), '--format', 'json', '--max', '2']).out) as { files: { valid: boolean; problems: { code: string; path: unknown[] }[] }[] };
    expect(json.files[0]?.valid).toBe(false);
    expect(json.files[0]?.problems).toHaveLength(2);
    const ok = cli(['validate', write('resourceTypes: { lead: { actions: { view: read } } }\nusers: [{ id: ann }]\n')]);
    expect(ok.code).toBe(0);
    expect(ok.out).toMatch(/^ok   /);
    expect(cli(['validate', join(tmp, 'missing.yaml')]).code).toBe(1);
    expect(cli(['validate']).code).toBe(2);
    expect(cli(['validate', 'x', '--max', '0']).code).toBe(2);
    expect(cli(['validate', '--help']).out).toMatch(/^Usage: purview validate/);
  });
});

/** A random corruption of a valid policy: a dangling role, a bad status, a cycle, a bad instant, an unknown key. */
function corrupt(p: PolicyInput, c: Choices): PolicyInput {
  const users = [...(p.users ?? [])];
  const groups = [...(p.groups ?? [])];
  const out: Record<string, unknown> = { ...p };
  for (let k = 1 + c.int(3); k > 0; k--) {
    switch (c.int(5)) {
      case 0:
        if (users.length > 0) users[c.int(users.length)] = { ...users[c.int(users.length)]!, role: 'no-such-role' };
        break;
      case 1:
        if (users.length > 0) users[c.int(users.length)] = { ...users[c.int(users.length)]!, status: 'away' as never };
        break;
      case 2:
        if (groups.length > 1) {
          const i = c.int(groups.length);
          const j = (i + 1) % groups.length;
          const gi = groups[i]!;
          const gj = groups[j]!;
          groups[i] = { ...gi, members: { ...gi.members, groups: [...(gi.members?.groups ?? []).filter((x) => x !== gj.id), gj.id] } };
          groups[j] = { ...gj, members: { ...gj.members, groups: [...(gj.members?.groups ?? []).filter((x) => x !== gi.id), gi.id] } };
        }
        break;
      case 3:
        if (groups.length > 0 && users.length > 0) {
          const i = c.int(groups.length);
          const g = groups[i]!;
          groups[i] = { ...g, members: { ...g.members, users: [...(g.members?.users ?? []), { id: users[0]!.id, until: '2026-13-01T00:00:00Z' }] } };
        }
        break;
      case 4:
        out.colour = 'blue';
        break;
    }
  }
  return { ...out, users, groups } as unknown as PolicyInput;
}

describe('policyProblems', () => {
  it('is empty exactly when createEngine accepts the policy, and always holds the error createEngine throws', () => {
    let invalid = 0;
    fc.assert(
      fc.property(scenarioArb(), fc.array(fc.nat(), { minLength: 30, maxLength: 30 }), fc.boolean(), (s, stream, bad) => {
        const policy = bad ? corrupt(s.policy, new Choices(stream)) : s.policy;
        const problems = policyProblems(policy);
        let thrown: unknown;
        try {
          createEngine({ policy });
        } catch (e) {
          thrown = e;
        }
        if (thrown === undefined) {
          expect(problems).toEqual([]);
          return;
        }
        invalid++;
        expect(thrown).toBeInstanceOf(PurviewError);
        const e = thrown as PurviewError;
        expect(problems.length).toBeGreaterThan(0);
        // The same problem, its message without the path the error starts with.
        const found = problems.some((p) => p.code === e.code && (e.message.endsWith(p.message) || p.message.startsWith(e.message.replace(/^[^:]*: /, ''))));
        if (!found) throw new Error(`createEngine threw ${e.code}: ${e.message}\nproblems:\n  ${problems.map((p) => `${p.code}: ${p.message}`).join('\n  ')}`);
      }),
      runParams(300),
    );
    expect(invalid).toBeGreaterThan(50);
  });
});
