/*
 * The package as npm publishes it: publint (the package.json fields and the files they point to)
 * and Are the Types Wrong (every subpath resolves, with types, under node10, node16 from CommonJS
 * and from ES modules, and bundlers) run on the packed tarball. Both need dist/, which `npm test`
 * builds before vitest runs; they run offline.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
const built = existsSync(`${root}dist/index.js`) && existsSync(`${root}dist/postgres.cjs`);
const bin = (name: string): string => `${root}node_modules/.bin/${name}`;
const run = (name: string, args: readonly string[]): string =>
  execFileSync(bin(name), args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 120_000 });

describe.runIf(built)('the packed package', () => {
  it('passes publint --strict', () => {
    expect(run('publint', ['--strict'])).toMatch(/All good/);
  });

  it('resolves every entry point with its types under every module resolution (attw)', () => {
    const out = run('attw', ['--pack', '.', '--format', 'json']);
    const report = JSON.parse(out.slice(out.indexOf('{'))) as { analysis?: { problems?: unknown[] } };
    expect(report.analysis?.problems ?? ['no analysis']).toEqual([]);
  });

  it('ships the JSON Schemas of policy files and test files', () => {
    const out = execFileSync('npm', ['pack', '--dry-run', '--json'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 120_000 });
    const [pack] = JSON.parse(out.slice(out.indexOf('['))) as [{ files: { path: string }[] }];
    const files = pack.files.map((f) => f.path);
    expect(files).toContain('schema/policy.schema.json');
    expect(files).toContain('schema/test-file.schema.json');
  });
});
