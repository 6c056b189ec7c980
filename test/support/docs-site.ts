/*
 * Builds the docs site (typedoc.json, the same command as `npm run docs`) into a fresh temporary
 * directory, for the docs tests. TypeDoc runs as a child process, offline; typedoc.json turns every
 * warning into an error, so a build that warns fails here.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = fileURLToPath(new URL('../../', import.meta.url));

export type BuiltSite = { dir: string; ms: number; output: string };

export function buildSite(): Promise<BuiltSite> {
  const dir = mkdtempSync(join(tmpdir(), 'purview-docs-'));
  const started = performance.now();
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [join(root, 'node_modules/typedoc/bin/typedoc'), '--out', dir],
      { cwd: root, encoding: 'utf8', timeout: 110_000, env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' } },
      (error, stdout, stderr) => {
        const output = `${stdout}${stderr}`;
        if (error) reject(new Error(`typedoc failed:\n${output}`));
        else resolve({ dir, ms: performance.now() - started, output });
      },
    );
  });
}
