/*
 * Test files that reference shared files (issue 13): `policy: ./crm.policy.yaml` and
 * `resources: ./records.yaml`, resolved relative to the test file, for purview test, explain,
 * graph, validate and diff; errors name the key and the file. Files in a temporary directory; no process.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cli } from '../support/run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'purview-refs-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
mkdirSync(join(dir, 'policies'));
mkdirSync(join(dir, 'tests'));
const write = (path: string, text: string): string => {
  writeFileSync(join(dir, path), text);
  return join(dir, path);
};
write('policies/crm.policy.yaml', `resourceTypes:
  lead: { actions: { view: read, edit: readWrite } }
users: [{ id: ann }, { id: bob }]
groups: [{ id: sales, members: { users: [ann] } }]
`);
write('policies/records.yaml', `- { type: lead, id: l1, owner: { group: sales } }
`);
const test = write('tests/crm.test.yaml', `policy: ../policies/crm.policy.yaml
resources: ../policies/records.yaml
assertions:
  - check: { user: ann, action: edit, resource: l1 }
    expect: allow
  - check: { user: bob, action: view, resource: l1 }
    expect: deny
`);

describe('test files referencing shared files', () => {
  it('resolves policy and resources relative to the test file, for every command', () => {
    expect(cli(['test', test]).out).toMatch(/2 passed, 0 failed/);
    expect(cli(['explain', test, '-u', 'ann', '-a', 'edit', '-r', 'l1']).out).toMatch(/^ALLOW/);
    expect(cli(['graph', test]).code).toBe(0);
    expect(cli(['validate', test]).code).toBe(0);
    const v2 = write('tests/crm-v2.test.yaml', `policy:
  resourceTypes: { lead: { actions: { view: read, edit: readWrite } } }
  users: [{ id: ann }, { id: bob }]
  groups: [{ id: sales, members: { users: [ann, bob] } }]
resources: ../policies/records.yaml
assertions:
  - check: { user: bob, action: edit, resource: l1 }
    expect: allow
`);
    const diff = cli(['diff', test, v2, '--format', 'json']);
    expect(JSON.parse(diff.out).changes.length).toBeGreaterThan(0);
  });

  it('a missing or wrong file is an error naming the key and the file', () => {
    const missing = write('tests/missing.test.yaml', `policy: ./nowhere.yaml
assertions: [{ groupsOf: ann, expect: [] }]
`);
    const r = cli(['test', missing]);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/policy: "\.\/nowhere\.yaml"/);
    const wrong = write('tests/wrong.test.yaml', `policy: ../policies/crm.policy.yaml
resources: ../policies/crm.policy.yaml
assertions: [{ groupsOf: ann, expect: [sales] }]
`);
    expect(cli(['test', wrong]).out).toMatch(/resources: "\.\.\/policies\/crm\.policy\.yaml" .* holds no list of resources/);
    const chained = write('tests/chained.yaml', `policy: ./chain.test.yaml
assertions: [{ groupsOf: ann, expect: [sales] }]
`);
    write('tests/chain.test.yaml', `policy: ../policies/crm.policy.yaml
`);
    expect(cli(['test', chained]).out).toMatch(/references further files/);
  });
});
