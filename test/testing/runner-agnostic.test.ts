/*
 * purview/testing runs under any test runner (issue 15): the built entry imports no test
 * framework, the suite registers with the describe/it it is given, and it runs under node:test
 * (`node --test`, in a child process, on the built dist/), passing on the memory repository and
 * failing on a repository that does not check revisions. Its own expect() fails as vitest's
 * would. The fixtures are importable on their own. No server.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { AssertionError } from 'node:assert';
import { afterAll, describe, expect, it } from 'vitest';
import { expect as own, structurallyEqual } from '../../src/testing/expect.js';
import { ConflictError, memoryRepository } from '../../src/index.js';
import { repositoryConformanceCases } from '../../src/testing/index.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const built = existsSync(join(ROOT, 'dist', 'testing.js')) && existsSync(join(ROOT, 'dist', 'testing-fixtures.js'));
const dir = mkdtempSync(join(tmpdir(), 'purview-node-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const url = (p: string): string => pathToFileURL(join(ROOT, p)).href;

function nodeTest(repositoryCode: string): { status: number; out: string } {
  const file = join(dir, `suite-${Math.random().toString(36).slice(2)}.test.mjs`);
  writeFileSync(
    file,
    `import { describe, it } from 'node:test';
import { describeRepositoryConformance } from ${JSON.stringify(url('dist/testing.js'))};
import { memoryRepository } from ${JSON.stringify(url('dist/index.js'))};
${repositoryCode}
describeRepositoryConformance('under node:test', (initial) => Promise.resolve({ repository: make(initial), cleanup: async () => {} }), { describe, it, timeoutMs: 5000 });
`,
  );
  const r = spawnSync(process.execPath, ['--test', '--test-reporter=tap', file], { encoding: 'utf8', timeout: 120_000 });
  return { status: r.status ?? 1, out: `${r.stdout}${r.stderr}` };
}

describe.runIf(built)('purview/testing without vitest', () => {
  it('the built entries import no test framework', () => {
    for (const f of ['dist/testing.js', 'dist/testing.cjs', 'dist/testing-fixtures.js']) {
      const text = readFileSync(join(ROOT, f), 'utf8');
      // Import statements only: a message may well tell the reader to import describe from 'vitest'.
      expect(text, f).not.toMatch(/^\s*(import|export)\b[^;\n]*from ['"](vitest|jest|mocha|@jest\/globals)['"]|\brequire\(['"](vitest|jest|mocha)['"]\)/m);
    }
  });

  it('runs under node:test: the memory repository passes every case', () => {
    const r = nodeTest('const make = (initial) => memoryRepository(initial);');
    // Every case of the suite, however many it has.
    const cases = repositoryConformanceCases((initial) => Promise.resolve({ repository: memoryRepository(initial), cleanup: () => Promise.resolve() })).length;
    expect(r.out).toMatch(new RegExp(`# pass ${cases}\\b`));
    expect(r.out).toMatch(/# fail 0/);
    expect(r.status, r.out).toBe(0);
  }, 120_000);

  it('runs under node:test: a repository that does not check revisions fails', () => {
    const r = nodeTest(`const make = (initial) => {
  const m = memoryRepository(initial);
  return { load: () => m.load(), changesSince: (r) => m.changesSince(r), subscribe: (a, b) => m.subscribe(a, b),
    append: async (change, expected) => { const { revision } = await m.load(); const log = await m.changesSince(revision);
      const head = log.length === 0 ? revision : log[log.length - 1].revision; return m.append({ ...change, revision: head + 1 }, head); } };
};`);
    expect(r.status).not.toBe(0);
    expect(r.out).toMatch(/# fail [1-9]/);
    expect(r.out).toMatch(/ConflictError/);
  }, 120_000);

  it('the fixtures import on their own', async () => {
    const fixtures = (await import(url('dist/testing-fixtures.js'))) as { conformancePolicy: () => unknown; ODD_IDS: readonly string[] };
    expect(fixtures.ODD_IDS).toContain('__proto__');
    expect(typeof fixtures.conformancePolicy()).toBe('object');
  });
});

describe("the suite's own expect", () => {
  it('passes and fails as vitest would', async () => {
    own(1).toBe(1);
    expect(() => own(1).toBe(2)).toThrow(AssertionError);
    expect(() => own(Number.NaN).toBe(Number.NaN)).not.toThrow();
    own({ a: 1, b: undefined, c: [1, { d: 2 }] }).toEqual(Object.setPrototypeOf({ a: 1, c: [1, { d: 2 }] }, null));
    expect(() => own({ a: 1 }).toEqual({ a: 2 })).toThrow(AssertionError);
    expect(() => own([1, 2]).toEqual([1, 2, 3])).toThrow(AssertionError);
    expect(() => own({ a: 1 }).toEqual({ a: 1, b: 2 })).toThrow(AssertionError);
    expect(() => own([1]).toEqual({ 0: 1 })).toThrow(AssertionError);
    own(3).toBeGreaterThan(2);
    expect(() => own(2).toBeGreaterThan(2)).toThrow(AssertionError);
    own(2).toBeGreaterThanOrEqual(2);
    expect(() => own(1).toBeGreaterThanOrEqual(2)).toThrow(AssertionError);
    own(new ConflictError({ expected: 1, actual: 2 })).toBeInstanceOf(ConflictError);
    expect(() => own(new Error('x')).toBeInstanceOf(ConflictError)).toThrow(AssertionError);
    own([1, 2]).toHaveLength(2);
    expect(() => own([1]).toHaveLength(2)).toThrow(AssertionError);
    await own(Promise.reject(new ConflictError({ expected: 1, actual: 2 }))).rejects.toBeInstanceOf(ConflictError);
    await expect(own(Promise.reject(new Error('x'))).rejects.toBeInstanceOf(ConflictError)).rejects.toThrow(AssertionError);
    await own(Promise.reject(new Error('x'))).rejects.toThrow();
    await expect(own(Promise.resolve(1)).rejects.toThrow()).rejects.toThrow(AssertionError);
    expect(structurallyEqual(0, -0)).toBe(false);
  });
});
