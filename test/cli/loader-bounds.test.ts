/*
 * The test-file loader bounds its work by what the parser builds (issue 10, item 7): nesting
 * depth and value count are measured on the parser's own stack and on the built nodes, aliases
 * expanded, never by a scan of the text. Each hostile file below is refused with a TestFileError
 * that says which limit it hit, within generous bounds of time and memory (the old loader took
 * gigabytes or minutes on each, or crashed); a normal large file still loads.
 */
import { stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { runTestFile } from '../../src/cli/run-tests.js';
import { MAX_JSON_VALUES, MAX_NESTING, MAX_TEST_FILE_BYTES, MAX_VALUES, MAX_YAML_TOKENS, TestFileError, parseTestFile, parseTestFileText } from '../../src/cli/test-file.js';

const MB = 1024 * 1024;

/** Parses `text` and returns what it threw, with the time taken and how far the process's peak RSS rose. */
function refusal(text: string, file: string): { error: unknown; ms: number; peakGrowthMb: number } {
  const rss0 = process.resourceUsage().maxRSS;
  const t0 = performance.now();
  let error: unknown;
  try {
    parseTestFileText(text, file);
  } catch (e) {
    error = e;
  }
  return { error, ms: performance.now() - t0, peakGrowthMb: (process.resourceUsage().maxRSS - rss0) / 1024 };
}

/** Expects a quick TestFileError whose message matches `message`. */
function expectRefused(text: string, file: string, message: RegExp): void {
  const r = refusal(text, file);
  expect(r.error).toBeInstanceOf(TestFileError);
  expect((r.error as TestFileError).message).toMatch(message);
  expect((r.error as TestFileError).message).not.toMatch(/Maximum call stack/);
  expect((r.error as TestFileError).message).not.toContain('\n');
  expect(r.ms).toBeLessThan(20_000);
  expect(r.peakGrowthMb).toBeLessThan(500);
}

const NEST = /nests more than 200 levels deep/;

describe('the loader bounds nesting on what the parser builds', () => {
  it('a 9.8 MB file of block sequences opened on one line (- - - x) is refused for its nesting (was: a crash at 4.4 GB)', () => {
    const text = `policy:\n${'- '.repeat(Math.floor((9.8 * MB) / 2))}x\n`;
    expect(text.length).toBeLessThan(MAX_TEST_FILE_BYTES);
    expectRefused(text, 'dashes.yaml', NEST);
  });

  it('nesting hidden from a text scan by a quote inside a plain scalar is refused for its nesting', () => {
    const depth = 2_000_000;
    // `a'b` and `-'` are plain scalars: the quote opens nothing, so the brackets after it nest.
    expectRefused(`policy: [a'b, ${'['.repeat(depth)}${']'.repeat(depth)}]\n`, 'quoted.yaml', NEST);
    expectRefused(`policy: [-', ${'['.repeat(depth)}\n`, 'quoted-open.yaml', NEST);
    expectRefused(`policy:\n  x: a'b\n${Array.from({ length: 300 }, (_, i) => `${' '.repeat(i + 2)}k${i}:`).join('\n')} 1\n`, 'quoted-block.yaml', NEST);
  });

  it(`the limit is exact: ${MAX_NESTING} levels load, ${MAX_NESTING + 1} do not, in YAML (flow and block) and JSON`, () => {
    // The top-level mapping is level 1; attributes hold a list nested to the limit.
    const nested = (levels: number): string => `${'['.repeat(levels)}${']'.repeat(levels)}`;
    const yamlFlow = (levels: number) => `policy: { x: ${nested(levels - 2)} }\n`;
    const yamlBlock = (levels: number) => `policy:\n${Array.from({ length: levels - 1 }, (_, i) => `${' '.repeat(i + 1)}- `).join('\n')}x\n`;
    const json = (levels: number) => `{"policy": {"x": ${nested(levels - 2)}}}`;
    for (const [make, file] of [[yamlFlow, 'f.yaml'], [yamlBlock, 'b.yaml'], [json, 'j.json']] as const) {
      expect(() => parseTestFileText(make(MAX_NESTING), file)).not.toThrow();
      expectRefused(make(MAX_NESTING + 1), file, NEST);
    }
  });

  it('deep JSON is refused for its nesting, not by a stack overflow later', () => {
    const depth = 4_000_000;
    expectRefused(`{"policy": ${'['.repeat(depth)}${']'.repeat(depth)}}`, 'deep.json', NEST);
  });
});

describe('the loader bounds aliases by the values they stand for', () => {
  it('an alias that expands a large node 99 times is refused (was: 48 s and 2.6 GB)', () => {
    const big = Array.from({ length: 100_000 }, (_, i) => `u${i}`).join(', ');
    const groups = Array.from({ length: 99 }, (_, i) => `{ id: g${i}, members: { users: *big } }`).join(', ');
    expectRefused(`big: &big [${big}]\npolicy: { groups: [${groups}] }\n`, 'bomb.yaml', /more than 1,000,000 values .*each alias counted as the values it stands for/);
  });

  it('a billion-laughs file is refused for the values its aliases stand for', () => {
    const lines = ['policy: {}', 'l0: &l0 [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 9; i++) lines.push(`l${i}: &l${i} [${Array.from({ length: 10 }, () => `*l${i - 1}`).join(', ')}]`);
    expectRefused(lines.join('\n'), 'laughs.yaml', /more than 1,000,000 values/);
  });

  it('an alias nested through aliases counts toward the nesting', () => {
    // Each level adds 150 levels through the alias: 150, 300, ...
    const lines = [`a0: &a0 ${'['.repeat(150)}x${']'.repeat(150)}`, `a1: &a1 ${'['.repeat(150)}*a0${']'.repeat(150)}`, 'policy: {}'];
    expectRefused(lines.join('\n'), 'alias-deep.yaml', NEST);
  });

  it('an alias to a node that contains it, or without an anchor, is refused', () => {
    expectRefused('policy: &p { x: *p }\n', 'cycle.yaml', /invalid YAML: .*refers to a node that contains it|invalid YAML/);
    expectRefused('policy: { x: *nowhere }\n', 'dangling.yaml', /invalid YAML/);
  });

  it('aliases within the limits load, and stand for the anchored value', () => {
    const f = parseTestFile(
      [
        'policy:',
        '  resourceTypes: { lead: { actions: { view: read } } }',
        '  users: [{ id: u1 }, { id: u2 }]',
        '  groups: [{ id: g, members: { users: &both [u1, u2] } }, { id: h, members: { users: *both } }]',
        'resources: [{ type: lead, id: l1, owner: { group: h } }]',
        'assertions:',
        '  - membersOf: h',
        '    expect: *both',
      ].join('\n'),
      'aliases.yaml',
    );
    expect(runTestFile(f).outcomes.map((o) => o.passed)).toEqual([true]);
  });
});

describe('the loader bounds the parser\'s work on flat files', () => {
  it(`a YAML text of more than ${MAX_YAML_TOKENS.toLocaleString('en-US')} tokens is refused, saying so and what to do (was: 10 MB of list items, 15 s and 1.5 GB)`, () => {
    expectRefused(`x:\n${'  - ab\n'.repeat(Math.floor((9.8 * MB) / 7))}`, 'flat.yaml', /more than 1,000,000 tokens; .*split it, or write it as JSON/);
    expectRefused('-\n'.repeat(4_000_000), 'nulls.yaml', /more than 1,000,000 tokens/);
  });

  it('a flow list of empty entries stops at the first error (was: one error object each, 9 us and 900 bytes apiece)', () => {
    expectRefused(`[${','.repeat(900_000)}]`, 'commas.yaml', /^commas\.yaml: invalid YAML: .* at line 1, column \d+$/);
  });

  it('a mapping with many keys is checked for duplicates in linear time (was: quadratic, 40,000 keys 11 s)', () => {
    const keys = Array.from({ length: 100_000 }, (_, i) => `    k${i}: 1`).join('\n');
    const text = `policy:\n  x:\n${keys}\n`;
    const t0 = performance.now();
    expect(() => parseTestFileText(text, 'keys.yaml')).not.toThrow();
    expect(performance.now() - t0).toBeLessThan(20_000);
    expectRefused(`${text}    k7: 2\n`, 'dup.yaml', /invalid YAML: Map keys must be unique; "k7" is repeated at line 100003, column 5/);
  });

  it('keys that become the same property name are duplicates; a list or mapping as a key is refused', () => {
    expectRefused('policy: {}\n1: a\n"1": b\n', 'same-name.yaml', /Map keys must be unique; "1" is repeated/);
    expectRefused('policy: {}\n? [a, b]\n: c\n', 'list-key.yaml', /a mapping key must be a string, number, boolean or null/);
  });

  it(`JSON with more than ${MAX_JSON_VALUES.toLocaleString('en-US')} values is refused (YAML: ${MAX_VALUES.toLocaleString('en-US')})`, () => {
    expectRefused(`{"policy": {}, "x": [${'1,'.repeat(MAX_JSON_VALUES)}1]}`, 'many.json', /more than 10,000,000 values/);
  });
});

describe('a normal large file still loads', () => {
  const users = Array.from({ length: 3_000 }, (_, i) => ({ id: `user-${i}`, role: `role-${i % 30}` }));
  const roles = Array.from({ length: 30 }, (_, i) => ({ id: `role-${i}`, ...(i === 0 ? {} : { parent: `role-${Math.floor((i - 1) / 2)}` }) }));
  const groups = Array.from({ length: 600 }, (_, i) => ({
    id: `group-${i}`,
    description: `group number ${i}, with a description that says what it is for`,
    members: { users: users.slice((i * 5) % 3_000, ((i * 5) % 3_000) + 5).map((u) => u.id), ...(i > 0 ? { groups: [`group-${i - 1}`] } : {}) },
  }));
  const resources = Array.from({ length: 2_000 }, (_, i) => ({ type: 'lead', id: `lead-${i}`, owner: i % 2 === 0 ? { user: `user-${i}` } : { group: `group-${i % 600}` }, attributes: { region: `r${i % 7}`, tags: ['a', 'b'] } }));
  const assertions = resources.slice(0, 1_000).map((r, i) => ({ check: { user: `user-${i}`, action: 'view', resource: r.id }, expect: i % 2 === 0 ? 'allow' : 'deny' }));
  const data = { name: 'large', policy: { resourceTypes: { lead: { actions: { view: 'read', edit: 'readWrite' } } }, roles, users, groups }, resources, assertions };

  it('as YAML and as JSON, with the same data', () => {
    for (const [text, file] of [[stringify(data), 'large.yaml'], [JSON.stringify(data, null, 2), 'large.json']] as const) {
      expect(text.length).toBeGreaterThan(MB / 2);
      const f = parseTestFile(text, file);
      expect(f.assertions).toHaveLength(1_000);
      expect(f.resources.size).toBe(2_000);
      expect(parseTestFileText(text, file)).toEqual(data);
    }
  });
});
