/*
 * A bare policy file (a policy at the top level, no test-file keys) where it makes sense (issue
 * 13): `purview test` runs it as one test, that the policy loads; `purview explain` takes it with
 * the resources of --resources FILE. Files in a temporary directory; no process.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cli } from '../support/run-cli.js';
import { isBarePolicy } from '../../src/cli/test-file.js';

const dir = mkdtempSync(join(tmpdir(), 'purview-bare-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const write = (name: string, text: string): string => {
  writeFileSync(join(dir, name), text);
  return join(dir, name);
};
const policy = write('crm.policy.yaml', `resourceTypes:
  lead: { actions: { view: read, edit: readWrite } }
users: [{ id: ann }, { id: bob }]
groups: [{ id: sales, members: { users: [ann] } }]
`);
const records = write('records.yaml', `- { type: lead, id: l1, owner: { group: sales } }
`);
const wrapped = write('wrapped-records.yaml', `resources:
  - { type: lead, id: l2, owner: { user: bob } }
`);
const cyclic = write('cyclic.policy.yaml', `groups:
  - { id: a, members: { groups: [b] } }
  - { id: b, members: { groups: [a] } }
`);
const misspelt = write('misspelt.policy.yaml', `userz: [{ id: ann }]
`);
const testFile = write('crm.test.yaml', `policy: ./crm.policy.yaml
resources: ./records.yaml
assertions:
  - check: { user: ann, action: edit, resource: l1 }
    expect: allow
`);

describe('isBarePolicy', () => {
  it('is a mapping with none of the keys only a test file has', () => {
    expect(isBarePolicy({ users: [] })).toBe(true);
    expect(isBarePolicy({})).toBe(true);
    expect(isBarePolicy({ name: 'x', users: [] })).toBe(true);
    for (const key of ['policy', 'resources', 'assertions', 'expectError', 'asOf']) expect(isBarePolicy({ [key]: null })).toBe(false);
    expect(isBarePolicy([])).toBe(false);
    expect(isBarePolicy('users')).toBe(false);
    expect(isBarePolicy(null)).toBe(false);
  });
});

describe('purview test on a bare policy file', () => {
  it('is one test, passed when the policy loads', () => {
    const r = cli(['test', policy]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/1 passed, 0 failed/);
  });
  it('fails with the first problem when it does not load (a cycle, a misspelt field)', () => {
    const c = cli(['test', cyclic]);
    expect(c.code).toBe(1);
    expect(c.out).toMatch(/GroupCycleError/);
    expect(c.out).toMatch(/0 passed, 1 failed/);
    const m = cli(['test', misspelt]);
    expect(m.code).toBe(1);
    expect(m.out).toMatch(/unknown field "userz"/);
  });
  it('runs beside test files in one command, each counted', () => {
    const r = cli(['test', policy, testFile, cyclic]);
    expect(r.out).toMatch(/2 passed, 1 failed/);
    const junit = cli(['test', policy, '--reporter', 'junit']);
    expect(junit.out).toMatch(/<testcase[^>]*name="load the policy"/);
  });
});

describe('purview explain on a bare policy file', () => {
  it('takes its resources from --resources (a list, or a file with resources)', () => {
    const r = cli(['explain', policy, '--resources', records, '-u', 'ann', '-a', 'edit', '-r', 'l1']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^ALLOW/);
    const w = cli(['explain', policy, '--resources', wrapped, '-u', 'ann', '-a', 'view', '-r', 'l2', '--format', 'json']);
    expect(w.code).toBe(0);
    expect(JSON.parse(w.out).allowed).toBe(false);
  });
  it('says what to type when --resources is missing, and refuses two sets of resources', () => {
    const r = cli(['explain', policy, '-u', 'ann', '-a', 'edit', '-r', 'l1']);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/--resources FILE/);
    const both = cli(['explain', testFile, '--resources', records, '-u', 'ann', '-a', 'edit', '-r', 'l1']);
    expect(both.code).toBe(1);
    expect(both.err).toMatch(/lists its own resources/);
  });
  it('reports a resources file that holds no resources, and a policy that does not load', () => {
    const r = cli(['explain', policy, '--resources', policy, '-u', 'ann', '-a', 'edit', '-r', 'l1']);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/expected a list of resources/);
    const c = cli(['explain', cyclic, '--resources', records, '-u', 'ann', '-a', 'edit', '-r', 'l1']);
    expect(c.code).toBe(1);
    expect(c.err).toMatch(/does not load/);
  });
});
