/*
 * Fuzzing the CLI's test-file loader (src/cli/test-file.ts) and runner (run-tests.ts).
 *
 * Loading (parseTestFile, validateTestFile, loadTestFile) returns a TestFile or throws a
 * TestFileError that names the file: never another error, a hang over the case budget, or
 * prototype pollution. Running a loaded file (runTestFile) never throws, and every error it
 * reports is one of purview's typed errors; the report renders.
 *
 * Inputs: valid test files built from random valid policies (with assertions answered by the
 * engine, so that they pass: a check that YAML and JSON carry odd ids such as `__proto__`, " " or
 * "a:b" intact), the same files with a corrupted policy (a single targeted corruption must make
 * the file fail with that error's name, and pass with `expectError` set to it), with their data
 * corrupted anywhere, with their text edited (YAML anchors, aliases, tags, merge keys, brackets,
 * tabs, document markers, NULs, BOMs), arbitrary text, arbitrary data, alias bombs, deep nesting,
 * and files over the size limit.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { stringify } from 'yaml';
import { createEngine, explainDecision, type Decision, type PolicyInput } from '../../src/index.js';
import { renderReport, summaryLine } from '../../src/cli/report.js';
import { runTestFile, summarize, type FileResult } from '../../src/cli/run-tests.js';
import { loadTestFile, MAX_NESTING, MAX_TEST_FILE_BYTES, MAX_VALUES, parseTestFile, parseTestFileText, TestFileError, validateTestFile, type TestFile } from '../../src/cli/test-file.js';
import { GHOST, ownedScenarioArb as scenarioArb, type Scenario } from '../arbitraries/policy.js';
import { breathe, ensure, FuzzFailure, fuzzParams, guard, show, Stats, TEST_TIMEOUT_MS } from './harness.js';
import { cloneJson, jsonJunkArb, junkArb, mutatePolicy, mutationArb } from './junk.js';

vi.setConfig({ testTimeout: TEST_TIMEOUT_MS });

const stats = new Stats();
const tally = { loaded: 0, refused: 0, targeted: 0, passingFiles: 0 };
const tmp = mkdtempSync(join(tmpdir(), 'purview-fuzz-'));
afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
  console.log(stats.summary('fuzz test files'));
  console.log(`  files: ${tally.loaded} loaded, ${tally.refused} refused with TestFileError; ${tally.passingFiles} generated files passed; ${tally.targeted} targeted policy corruptions reported by name`);
});

const TYPED_NAMES = new Set(['PurviewError', 'InvalidInputError', 'GroupCycleError', 'RoleCycleError', 'TenantCycleError', 'TenantError', 'LimitError', 'SchemaVersionError', 'RepositoryError', 'StaleSnapshotError', 'ConflictError']);
const isTestFileError = (e: unknown): e is TestFileError => e instanceof TestFileError;

/** Loads text as a test file: a TestFile or a TestFileError, nothing else. */
function load(text: string, file: string): TestFile | undefined {
  const out = guard(`parseTestFile(${file.endsWith('.json') ? 'json' : 'yaml'})`, () => parseTestFile(text, file), stats, isTestFileError);
  if (!out.ok) {
    tally.refused++;
    ensure(out.error.file === file && out.error.message.startsWith(`${file}: `), () => `TestFileError does not name the file: ${out.error.message}`);
    return undefined;
  }
  tally.loaded++;
  return out.value;
}

/** Runs a loaded file: never throws; only typed errors reported; the report renders. */
function run(file: TestFile): FileResult {
  const out = guard('runTestFile', () => runTestFile(file), stats, (e): e is never => false);
  if (!out.ok) throw new FuzzFailure('unreachable');
  for (const o of out.value.outcomes) {
    const m = /^(?:error|threw) (\S+)/.exec(o.actual ?? '');
    if (m !== null) ensure(TYPED_NAMES.has(m[1] as string), () => `runTestFile reported an untyped error: ${o.actual} ${show(o.details)}`);
  }
  const report = guard('renderReport', () => renderReport([out.value]), stats, (e): e is never => false);
  ensure(report.ok && report.value.endsWith(`${summaryLine(summarize([out.value]))}\n`), 'the report does not end with the summary line');
  return out.value;
}

/* ------------------------------------------------------------------------------------------ */
/* Valid files.                                                                                 */

/** A test file whose assertions the engine answers, so that it passes. */
function fileOf(s: Scenario): Record<string, unknown> {
  const engine = createEngine({ policy: s.policy });
  const users = [...(s.policy.users ?? []).map((u) => u.id), GHOST];
  const assertions: unknown[] = [];
  s.resources.forEach((r, i) => {
    const actions = Object.keys(new Map(Object.entries(s.policy.resourceTypes)).get(r.type)?.actions ?? {});
    const user = users[i % users.length] as string;
    const action = actions[i % actions.length] as string;
    const d = engine.check(user, action, r);
    assertions.push({ check: { user, action, resource: r.id }, expect: d.allowed ? 'allow' : 'deny', ...(d.denial === undefined ? {} : { denial: d.denial }) });
    assertions.push({ whoCan: { action, resource: r.id }, expect: engine.whoCan(action, r) });
    assertions.push({ effectiveOwners: r.id, expect: engine.effectiveOwners(r), name: `owners of ${r.id}` });
  });
  for (const u of users.slice(0, 3)) assertions.push({ groupsOf: u, expect: engine.groupsOf(u) });
  for (const g of (s.policy.groups ?? []).slice(0, 3)) assertions.push({ membersOf: g.id, expect: engine.membersOf(g.id) });
  return { name: 'generated', policy: s.policy, resources: s.resources, assertions };
}

const serialize = (data: unknown, json: boolean): string => (json ? JSON.stringify(data, null, 1) : stringify(data));

/** Raw line breaks, controls, bidirectional and zero-width characters: none may reach an output line. */
const RAW = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/;

/** The number of lines explainDecision's structure dictates for a decision. */
function explainLines(d: Decision): number {
  let n = 1;
  if (d.denial !== undefined) n++;
  if (d.reasons.length > 0) n += 1 + d.reasons.reduce((k, r) => k + 2 + (r.ownerPath !== undefined && r.ownerPath.length > 0 ? 1 : 0), 0);
  else if (d.denial === undefined || d.denial === 'record-access') n++;
  return n;
}

/* ------------------------------------------------------------------------------------------ */
/* Text edits.                                                                                  */

const TOKENS = [
  '&a ', '*a', '*b', '!!str ', '!!binary ', '!!js/function ', '!!python/object ', '!custom ', '<<: *a', '{', '}', '[', ']', '- ', ': ', ':', ',',
  '\t', '\n', '\n  ', '#', '"', "'", '|', '>', '%YAML 1.1\n', '---\n', '...\n', '? ', '\u0000', '\ufeff', '@', '`', '\\', 'null', '~', '__proto__: ',
  'constructor: ', '{"__proto__": {"polluted": 1}}', 'x'.repeat(300),
];

const editArb = fc.record({ kind: fc.constantFrom('insert', 'delete', 'replace', 'dupLine', 'swapLines'), at: fc.nat(), len: fc.nat({ max: 40 }), token: fc.constantFrom(...TOKENS) });

function edit(text: string, e: { kind: string; at: number; len: number; token: string }): string {
  const at = text.length === 0 ? 0 : e.at % text.length;
  switch (e.kind) {
    case 'insert':
      return text.slice(0, at) + e.token + text.slice(at);
    case 'delete':
      return text.slice(0, at) + text.slice(at + e.len + 1);
    case 'replace':
      return text.slice(0, at) + e.token + text.slice(at + e.len + 1);
    default: {
      const lines = text.split('\n');
      const i = e.at % lines.length;
      const j = (e.at + e.len) % lines.length;
      if (e.kind === 'dupLine') lines.splice(i, 0, lines[i] as string);
      else [lines[i], lines[j]] = [lines[j] as string, lines[i] as string];
      return lines.join('\n');
    }
  }
}

/* ------------------------------------------------------------------------------------------ */

describe('fuzz: the CLI test-file loader', () => {
  it('generated files load from YAML and JSON and pass; with one corrupted policy field they fail with the right error', async () => {
    await fc.assert(
      fc.asyncProperty(scenarioArb(), fc.boolean(), mutationArb(jsonJunkArb, { huge: false }), async (s, json, mutation) => {
        await breathe();
        stats.cases++;
        const data = fileOf(s);
        const ext = json ? 'json' : 'yaml';
        const f = load(serialize(data, json), `valid.${ext}`);
        ensure(f !== undefined, () => `a generated file does not load:\n${serialize(data, json)}`);
        const result = run(f);
        const failed = result.outcomes.filter((o) => !o.passed);
        ensure(failed.length === 0, () => `a generated file fails after a ${ext} round trip: ${show(failed, 2000)}\n${serialize(data, json)}`);
        tally.passingFiles++;

        // The same file with its policy corrupted in one place.
        const m = mutatePolicy(s.policy, [mutation]);
        const bad = { ...cloneJson(data), policy: m.policy };
        let text: string;
        try {
          text = serialize(bad, json);
        } catch {
          return; // the corruption is not representable in this format (too deep for the writer)
        }
        const g = load(text, `corrupted.${ext}`);
        if (g === undefined) return;
        const r = run(g);
        if (m.expect !== undefined && m.expect !== 'accept' && typeof m.policy === 'object' && m.policy !== null && !Array.isArray(m.policy)) {
          tally.targeted++;
          const head = r.outcomes[0];
          ensure(
            r.outcomes.length === 1 && head?.asked === 'load the policy' && head.actual === `error ${m.expect}`,
            () => `after "${m.notes.join('; ')}" the file should fail to load with ${m.expect}, got ${show(r.outcomes, 1500)}`,
          );
          // And with expectError naming that error, the file passes.
          const withExpect = { ...bad, expectError: m.expect } as Record<string, unknown>;
          delete withExpect.assertions;
          const h = load(serialize(withExpect, json), `expect-error.${ext}`);
          ensure(h !== undefined, 'a file with expectError does not load');
          const rr = run(h);
          ensure(rr.outcomes.length === 1 && rr.outcomes[0]?.passed === true, () => `expectError: ${m.expect} does not pass: ${show(rr.outcomes)}`);
        }
      }),
      fuzzParams(250),
    );
  });

  it('file data corrupted anywhere, and arbitrary data: TestFile or TestFileError', async () => {
    await fc.assert(
      fc.asyncProperty(scenarioArb(), fc.array(mutationArb(junkArb()), { minLength: 1, maxLength: 3 }), jsonJunkArb, fc.boolean(), async (s, mutations, junk, whole) => {
        await breathe();
        stats.cases++;
        // mutatePolicy applies generic corruptions to any tree: here, to the whole file.
        const data = whole ? junk : mutatePolicy(fileOf(s) as never, mutations).policy;
        const out = guard('validateTestFile', () => validateTestFile(data, 'data.yaml'), stats, isTestFileError);
        if (out.ok) run(out.value);
      }),
      fuzzParams(300),
    );
  });

  it('edited text, and arbitrary text: TestFile or TestFileError', async () => {
    await fc.assert(
      fc.asyncProperty(
        scenarioArb(),
        fc.boolean(),
        fc.array(editArb, { minLength: 1, maxLength: 4 }),
        fc.oneof(fc.constant(undefined), fc.string({ unit: 'binary', maxLength: 200 }), fc.string({ unit: 'grapheme', maxLength: 200 })),
        async (s, json, edits, raw) => {
          await breathe();
          stats.cases++;
          const ext = json ? 'json' : 'yaml';
          const text = raw ?? edits.reduce(edit, serialize(fileOf(s), json));
          const f = load(text, `edited.${ext}`);
          if (f !== undefined) run(f);
        },
      ),
      fuzzParams(300),
    );
  });

  it('alias bombs and deep nesting (up to 200,000 levels, also as - - - x, behind a quote in a plain scalar, and through aliases) are refused quickly: a bomb exactly when it stands for more values than the limit, deep nesting with a message about it', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 2, max: 12 }), fc.integer({ min: 2, max: 9 }), fc.integer({ min: 10, max: 200_000 }), async (fan, levels, depth) => {
        await breathe();
        stats.cases++;
        // Billion laughs: each level refers `fan` times to the one below.
        const lines = ['policy: { resourceTypes: { doc: { actions: { view: read } } } }', 'l0: &l0 [x]'];
        for (let i = 1; i < levels; i++) lines.push(`l${i}: &l${i} [${Array.from({ length: fan }, () => `*l${i - 1}`).join(', ')}]`);
        load(lines.join('\n'), 'bomb.yaml');
        // The values the file stands for, aliases expanded: 11 for the first line, and for each
        // level its key and its list (l0 is [x]: 2; each later one 1 + fan times the one below).
        let size = 2;
        let total = 11 + 1 + size;
        for (let i = 1; i < levels; i++) {
          size = 1 + fan * size;
          total += 1 + size;
        }
        const bomb = guard('parseTestFileText(alias bomb)', () => parseTestFileText(lines.join('\n'), 'bomb.yaml'), stats, isTestFileError);
        ensure(bomb.ok === total <= MAX_VALUES, () => `the bomb stands for ${total} values: ${bomb.ok ? 'parsed' : bomb.error.message}`);
        if (!bomb.ok) ensure(/more than 1,000,000 values/.test(bomb.error.message), () => bomb.error.message);
        for (const [text, file] of [
          [`policy:\n${'- '.repeat(depth)}x\n`, 'dashes.yaml'],
          [`policy: [a'b, ${'['.repeat(depth)}${']'.repeat(depth)}]`, 'quoted.yaml'],
          [`policy: &a [${'['.repeat(Math.min(depth, 150))}x${']'.repeat(Math.min(depth, 150))}]\nb: [*a, ${'['.repeat(Math.min(depth, 150))}*a${']'.repeat(Math.min(depth, 150))}]`, 'alias-deep.yaml'],
          [`${'['.repeat(depth)}${']'.repeat(depth)}`, 'deep.yaml'],
          [`policy: ${'{a: '.repeat(depth)}1${'}'.repeat(depth)}`, 'deep-map.yaml'],
          [`${'['.repeat(depth)}${']'.repeat(depth)}`, 'deep.json'],
          [`{"policy": ${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}}`, 'deep-map.json'],
        ] as const) {
          const f = guard('parseTestFile(deeply nested)', () => parseTestFile(text, file), stats, isTestFileError);
          if (depth > MAX_NESTING) ensure(!f.ok && /nest/.test(f.error.message) && !/Maximum call stack/.test(f.error.message), () => `${file} nested ${depth} deep: ${f.ok ? 'loaded' : f.error.message.slice(0, 200)}`);
        }
      }),
      fuzzParams(25),
    );
  });

  it('names with line breaks, controls and bidirectional characters never add lines to explain text or the report', async () => {
    const unit = fc.oneof(
      { weight: 3, arbitrary: fc.constantFrom('\n', '\r', '\r\n', '\u2028', '\u2029', '\u0085', '\u202e', '\u2066', '\u200b', '\u0000', '\u001b', '\t', '\ufeff', '"', '\\', ' ') },
      { weight: 2, arbitrary: fc.constantFrom('ALLOW user "m" ', 'DENY ', 'ok   x.yaml: 1 test', '0 passed, 0 failed', 'FAIL ', '  - ', 'reasons:') },
      { weight: 3, arbitrary: fc.string({ minLength: 1, maxLength: 3 }) },
    );
    const name = fc.string({ unit, minLength: 1, maxLength: 8 });
    await fc.assert(
      fc.asyncProperty(fc.uniqueArray(name, { minLength: 10, maxLength: 10 }), fc.boolean(), async (n, withTenant) => {
        await breathe();
        stats.cases++;
        const [rawAction, rawType, tenantId, u1, u2, group, readers, rule, accessGroup, id] = n as [string, string, string, string, string, string, string, string, string, string];
        // A type or action name may not hold the capability separators.
        const action = rawAction.replace(/[:*]/g, '_');
        const type = rawType.replace(/[:*]/g, '_');
        const tenant = withTenant ? { tenant: tenantId } : {};
        const policy: PolicyInput = {
          ...(withTenant ? { tenants: [{ id: tenantId }] } : {}),
          resourceTypes: { [type]: { actions: { [action]: 'read' } } },
          users: [{ id: u1, ...tenant }, { id: u2, ...tenant }],
          groups: [{ id: group, ...tenant, members: { users: [u1] } }, { id: readers, ...tenant, members: { users: [u2] } }],
          sharingRules: [{ id: rule, ...tenant, resourceType: type, from: { group }, to: { group: readers }, level: 'read' }],
          accessGroups: [{ id: accessGroup, ...tenant, resourceTypes: [type], grants: [{ to: { user: u2 }, level: 'read' }] }],
        };
        const resource = { type, id, ...tenant, owner: { group }, accessGroups: [accessGroup] };
        const engine = createEngine({ policy });
        const decisions: Decision[] = [u1, u2, `${u1}${u2}`].map((u) => engine.check(u, action, resource));
        for (const d of decisions) {
          const lines = explainDecision(d).split('\n');
          ensure(lines.length === explainLines(d), () => `explain has ${lines.length} lines, its structure ${explainLines(d)}: ${show(lines)}`);
          ensure(lines.every((l) => !RAW.test(l)), () => `explain holds a raw control: ${show(lines)}`);
          ensure(lines.filter((l) => /^(ALLOW|DENY)/.test(l)).length === 1, () => `explain has a forged verdict line: ${show(lines)}`);
        }
        // A file whose every assertion fails, so that the report shows every name and explanation.
        const data = {
          name: id,
          policy,
          resources: [resource],
          assertions: [
            ...[u1, u2].map((u, i) => ({ check: { user: u, action, resource: id }, expect: decisions[i]?.allowed === true ? 'deny' : 'allow', name: rule })),
            { whoCan: { action, resource: id }, expect: [group] },
            { membersOf: group, expect: [u2] },
            { groupsOf: u2, expect: [accessGroup] },
          ],
        };
        const result = runTestFile(validateTestFile(data, `${type}.yaml`));
        const lines = renderReport([result]).replace(/\n$/, '').split('\n');
        const failures = result.outcomes.filter((o) => !o.passed);
        ensure(failures.length === 5, () => `expected every assertion to fail: ${show(result.outcomes)}`);
        const structure = 1 + failures.reduce((k, o) => k + 1 + (o.expected === undefined ? 0 : 1) + (o.actual === undefined ? 0 : 1) + (o.details?.length ?? 0), 0) + 1;
        ensure(lines.length === structure, () => `the report has ${lines.length} lines, its structure ${structure}: ${show(lines)}`);
        ensure(lines.every((l) => !RAW.test(l)), () => `the report holds a raw control: ${show(lines)}`);
        ensure(lines.filter((l) => /^(ALLOW|DENY|ok |FAIL |\d+ passed)/.test(l)).length === 2, () => `the report has a forged line: ${show(lines)}`);
      }),
      fuzzParams(150),
    );
  });

  it('files over the size limit are refused before they are parsed', () => {
    const big = `# ${'x'.repeat(MAX_TEST_FILE_BYTES)}\n`;
    const t = guard('parseTestFileText(over the limit)', () => parseTestFileText(big, 'big.yaml'), stats, isTestFileError);
    expect(t.ok).toBe(false);
    if (!t.ok) expect(t.error.message).toMatch(/larger than 10 MB/);
    const path = join(tmp, 'big.yaml');
    writeFileSync(path, big);
    const l = guard('loadTestFile(over the limit)', () => loadTestFile(path), stats, isTestFileError);
    expect(l.ok).toBe(false);
    if (!l.ok) expect(l.error.message).toMatch(/larger than 10 MB; split it/);
    // Just under the limit, the size is no reason to refuse (this one is refused for having no policy).
    const under = join(tmp, 'under.yaml');
    writeFileSync(under, `# ${'x'.repeat(MAX_TEST_FILE_BYTES - 10)}\n`);
    const u = guard('loadTestFile(under the limit)', () => loadTestFile(under), stats, isTestFileError);
    expect(u.ok ? '' : u.error.message).not.toMatch(/larger than/);
  });
});
