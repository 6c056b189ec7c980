/*
 * Review findings on the CLI (src/cli/explain.ts): run in this process with captured streams
 * (test/support/run-cli.ts), on files written to a fresh temporary directory. No server.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cli } from '../support/run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'purview-review-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const write = (name: string, text: string): string => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

const policy = write('policy.yaml', 'users: [{ id: u1 }]\nresourceTypes:\n  lead: { actions: { view: read } }\n');
write('records.yaml', '- { type: lead, id: l1, owner: { user: u1 } }\n');
// A test file whose resources are a shared file (`resources: ./records.yaml`), as purview test reads it.
const testFile = write('leads.test.yaml', 'policy: ./policy.yaml\nresources: ./records.yaml\nassertions:\n  - check: { user: u1, action: view, resource: l1 }\n    expect: allow\n');

describe('purview explain --resources', () => {
  it('takes the resources of a test file whose resources are a shared file, as purview diff --resources does', () => {
    const diff = cli(['diff', policy, policy, '--resources', testFile]);
    expect(diff.code, diff.err).toBe(0);
    const r = cli(['explain', policy, '--resources', testFile, '--user', 'u1', '--action', 'view', '--resource', 'l1']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
  });
});
