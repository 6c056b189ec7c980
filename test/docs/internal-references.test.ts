/*
 * Nothing a user reads points at documents a user does not have: the library's sources (TSDoc,
 * which goes into the .d.ts files, error messages and the CLI's help text) and the docs (the site
 * and the tarball's links) name no spec, no seed or product documents, no tracker issue or work
 * item and no path of the machine they were written on. Test files are left out (they are not
 * shipped). Plain file reads, no services.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));

/** What a user cannot follow. */
const INTERNAL: readonly RegExp[] = [
  /\bSPEC\b/,
  /\bseed documents?\b/i,
  /\bseed \d{3}\b/i,
  /\bproduct documents?\b/i,
  /\bissues? #?\d+\b/i,
  /\bitem \d+[a-z]?\b/i,
  /\/work\//,
  /\bshared\/seeds\b/,
];

const files = (dir: string, ext: string): string[] =>
  (readdirSync(join(root, dir), { recursive: true, encoding: 'utf8' }) as string[])
    .filter((f) => f.endsWith(ext))
    .map((f) => join(dir, f));

const offending = (paths: readonly string[]): string[] =>
  paths.flatMap((path) =>
    readFileSync(join(root, path), 'utf8')
      .split('\n')
      .flatMap((line, i) => (INTERNAL.some((re) => re.test(line)) ? [`${path}:${i + 1}: ${line.trim()}`] : [])),
  );

describe('internal references', () => {
  it('appear nowhere in src/ (TSDoc, error messages, CLI help)', () => {
    expect(offending(files('src', '.ts'))).toEqual([]);
  });

  it('appear nowhere in docs/', () => {
    expect(offending(files('docs', '.md'))).toEqual([]);
  });

  it('are recognised (the patterns catch what they are meant to)', () => {
    const caught = (line: string): boolean => INTERNAL.some((re) => re.test(line));
    for (const line of ['see SPEC section 9', 'Seed document 004', 'fixed (issue 10, item 7)', 'the product documents', '/work/shared/x'])
      expect(caught(line), line).toBe(true);
    for (const line of ['--seed 42', 'a seeded workload', 'the issue tracker', 'spec: TableSpec']) expect(caught(line), line).toBe(false);
  });
});
