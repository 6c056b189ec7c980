/*
 * The source maps in the packed tarball are valid and not doubled: every map npm would publish is
 * a version 3 map named by its file's `sourceMappingURL`, carries the content of every source it
 * names (src/ is not in the package) with well-formed mappings, and no source is shipped in two
 * maps of the same module format (the CLI, which bundles the core a second time, ships no map).
 * Needs dist/, which `npm test` builds before vitest runs; `npm pack --dry-run` runs offline.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, posix } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
const built = existsSync(`${root}dist/index.js`);

type SourceMap = { version: number; file?: string; sources: string[]; sourcesContent?: (string | null)[]; mappings: string };

const packed = (): string[] => {
  const out = execFileSync('npm', ['pack', '--dry-run', '--json'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 120_000 });
  const [pack] = JSON.parse(out.slice(out.indexOf('['))) as [{ files: { path: string }[] }];
  return pack.files.map((f) => f.path);
};

describe.runIf(built)('source maps in the tarball', () => {
  it('are valid, self-contained and each source is shipped once per format', () => {
    const files = packed();
    const maps = files.filter((f) => f.endsWith('.map'));
    expect(maps.length).toBeGreaterThan(0);
    const seen = new Map<string, string>();
    for (const path of maps) {
      const code = path.slice(0, -'.map'.length);
      expect(files, `${path} maps a file that is not shipped`).toContain(code);
      const text = readFileSync(`${root}${code}`, 'utf8');
      expect(text.trimEnd().endsWith(`//# sourceMappingURL=${basename(path)}`), `${code} names its map`).toBe(true);
      const map = JSON.parse(readFileSync(`${root}${path}`, 'utf8')) as SourceMap;
      expect(map.version).toBe(3);
      if (map.file !== undefined) expect(map.file).toBe(basename(code));
      expect(map.mappings).toMatch(/^[A-Za-z0-9+/,;]*$/);
      const lines = text.split('\n').length;
      expect(map.mappings.split(';').length, `${path}: more mapped lines than ${code} has`).toBeLessThanOrEqual(lines);
      expect(map.sourcesContent?.length ?? 0, `${path} carries its sources`).toBe(map.sources.length);
      for (const [i, source] of map.sources.entries()) {
        expect(typeof map.sourcesContent?.[i], `${path}: ${source} has no content`).toBe('string');
        const key = `${code.endsWith('.cjs') ? 'cjs' : 'esm'} ${posix.join(dirname(path), source)}`;
        expect(seen.get(key), `${source} is shipped in two ${key.split(' ')[0]} maps`).toBeUndefined();
        seen.set(key, path);
      }
    }
  });
});
