import { linkParents } from './link-parents.js';
import { createEngine, explainDecision, PurviewError } from '../index.js';
import type { Engine } from '../engine/types.js';
import type { Resource } from '../model/resource.js';
import { displayText, nameText, quoteText } from '../render/escape.js';
import { TestFileError, type Assertion, type FieldsAssertion, type TestFile } from './test-file.js';
import { compareIds } from '../model/ids.js';

/*
 * Running a validated test file against the engine: a pure function from the file to its
 * results. No process I/O here, so tests (and other tools) can call it directly.
 */

/** The result of one test: one assertion, one expectError file, or one file that failed to load. */
export interface TestOutcome {
  readonly file: string;
  /** The assertion's index in `assertions`; absent for a file-level test (expectError, load failure). */
  readonly index?: number;
  /** The assertion's label, when it has one. */
  readonly name?: string;
  /** What was asked, for example `check user "u1" edit lead "l1"`. */
  readonly asked: string;
  readonly passed: boolean;
  /** What the file expected (rendered). */
  readonly expected?: string;
  /** What came back (rendered). */
  readonly actual?: string;
  /** Further lines for a failure: set differences, the decision's explanation, an error message. */
  readonly details?: readonly string[];
}

/** The results of one file, in order. */
export interface FileResult {
  readonly file: string;
  readonly name?: string;
  readonly outcomes: readonly TestOutcome[];
}

/** Totals over results. */
export interface Summary {
  readonly passed: number;
  readonly failed: number;
}

/** How to build an engine; `createEngine` unless a caller substitutes one. */
export type EngineFactory = (policy: unknown) => Engine;

const defaultFactory: EngineFactory = (policy) => createEngine({ policy } as Parameters<typeof createEngine>[0]);

/** An id from the file, quoted (src/render/escape.ts): no id can break or forge a line of the report. */
const q = quoteText;

/** An error as one line: its name and message, with invisible and line-breaking characters escaped. */
function errorText(e: unknown): string {
  if (e instanceof Error) return displayText(`${e.name}: ${e.message}`);
  return displayText(String(e));
}

function errorName(e: unknown): string {
  return e instanceof Error ? nameText(String(e.name)) : typeof e;
}

/**
 * Whether an error is the one a file's `expectError` names: `PurviewError` stands for any purview
 * error (a `PurviewError` or any of its subclasses); every other name is that class exactly.
 */
export function isExpectedError(e: unknown, expected: string): boolean {
  if (!(e instanceof Error)) return false;
  if (expected === 'PurviewError') return e instanceof PurviewError;
  return e.name === expected;
}

/** Renders a set of ids, sorted, as `[a, b]`. */
export function renderSet(ids: Iterable<string>): string {
  const sorted = [...new Set(ids)].sort(compareIds);
  return `[${sorted.map(nameText).join(', ')}]`;
}

/** Compares two lists as sets: what is missing from `actual`, and what it has that was not expected. */
export function setDiff(expected: readonly string[], actual: readonly string[]): { missing: string[]; unexpected: string[] } {
  const want = new Set(expected);
  const got = new Set(actual);
  return { missing: [...want].filter((x) => !got.has(x)), unexpected: [...got].filter((x) => !want.has(x)) };
}

/** Describes what an assertion asks, for reports. */
export function describeAssertion(a: Assertion, resources: ReadonlyMap<string, Resource>): string {
  const what = describeQuery(a, resources);
  return a.asOf === undefined ? what : `${what} as of ${nameText(a.asOf)}`;
}

function describeQuery(a: Assertion, resources: ReadonlyMap<string, Resource>): string {
  const res = (id: string): string => {
    const r = resources.get(id);
    return r === undefined ? `resource ${q(id)}` : `${nameText(r.type)} ${q(id)}`;
  };
  switch (a.kind) {
    case 'check':
      return `check user ${q(a.user)} ${nameText(a.action)} ${res(a.resource)}`;
    case 'groupsOf':
      return `groupsOf user ${q(a.user)}`;
    case 'membersOf':
      return `membersOf group ${q(a.group)}`;
    case 'effectiveOwners':
      return `effectiveOwners of ${res(a.resource)}`;
    case 'whoCan':
      return `whoCan ${nameText(a.action)} ${res(a.resource)}`;
    case 'permittedFields':
      return `permittedFields user ${q(a.user)} ${res(a.resource)}`;
  }
}

/** `permittedFields`: the readable and the writable fields, each compared as a set. */
function runFieldsAssertion(engine: Engine, a: FieldsAssertion, resource: Resource, base: Omit<TestOutcome, 'passed' | 'expected' | 'actual'>): TestOutcome {
  const expected = `read ${renderSet(a.expect.read)}, write ${renderSet(a.expect.write)}`;
  let got;
  try {
    got = engine.permittedFields(a.user, resource, a.asOf === undefined ? undefined : { asOf: a.asOf });
  } catch (e) {
    return { ...base, passed: false, expected, actual: `threw ${errorName(e)}`, details: [errorText(e)] };
  }
  const details: string[] = [];
  for (const key of ['read', 'write'] as const) {
    const { missing, unexpected } = setDiff(a.expect[key], got[key]);
    if (missing.length > 0) details.push(`${key} missing:    ${renderSet(missing)}`);
    if (unexpected.length > 0) details.push(`${key} unexpected: ${renderSet(unexpected)}`);
  }
  const passed = details.length === 0;
  return { ...base, passed, expected, actual: `read ${renderSet(got.read)}, write ${renderSet(got.write)}`, ...(passed ? {} : { details }) };
}

function runAssertion(engine: Engine, file: TestFile, a: Assertion): TestOutcome {
  const base = {
    file: file.file,
    index: a.index,
    ...(a.name === undefined ? {} : { name: a.name }),
    asked: describeAssertion(a, file.resources),
  };
  const resourceOf = (id: string): Resource => file.resources.get(id) as Resource;
  // Every query of the assertion is answered at its instant, when it has one.
  const at = a.asOf === undefined ? undefined : { asOf: a.asOf };
  if (a.kind === 'permittedFields') return runFieldsAssertion(engine, a, resourceOf(a.resource), base);
  if (a.kind === 'check') {
    const expected = a.expect + (a.denial === undefined ? '' : ` (${a.denial})`);
    let decision;
    try {
      decision = engine.check(a.user, a.action, resourceOf(a.resource), at);
    } catch (e) {
      return { ...base, passed: false, expected, actual: `threw ${errorName(e)}`, details: [errorText(e)] };
    }
    const verdict = decision.allowed ? 'allow' : 'deny';
    const actual = verdict + (decision.denial === undefined ? '' : ` (${decision.denial})`);
    const passed = verdict === a.expect && (a.denial === undefined || a.denial === decision.denial);
    if (passed) return { ...base, passed, expected, actual };
    let explanation: string;
    try {
      explanation = explainDecision(decision);
    } catch (e) {
      explanation = `(could not explain the decision: ${errorText(e)})`;
    }
    return { ...base, passed, expected, actual, details: explanation.split('\n') };
  }
  let got: readonly string[];
  try {
    switch (a.kind) {
      case 'groupsOf':
        got = engine.groupsOf(a.user, at);
        break;
      case 'membersOf':
        got = engine.membersOf(a.group, at);
        break;
      case 'effectiveOwners':
        got = engine.effectiveOwners(resourceOf(a.resource), at);
        break;
      case 'whoCan':
        got = engine.whoCan(a.action, resourceOf(a.resource), at);
        break;
    }
  } catch (e) {
    return { ...base, passed: false, expected: renderSet(a.expect), actual: `threw ${errorName(e)}`, details: [errorText(e)] };
  }
  const { missing, unexpected } = setDiff(a.expect, got);
  const passed = missing.length === 0 && unexpected.length === 0;
  const details: string[] = [];
  if (missing.length > 0) details.push(`missing:    ${renderSet(missing)}`);
  if (unexpected.length > 0) details.push(`unexpected: ${renderSet(unexpected)}`);
  return { ...base, passed, expected: renderSet(a.expect), actual: renderSet(got), ...(passed ? {} : { details }) };
}

/**
 * Runs one validated test file: builds the engine from its policy and answers every assertion.
 * A file with `expectError` is one test, passed only when building the engine throws an error of
 * that name. A policy that fails to load otherwise is one failed test with the error's name and
 * message.
 */
export function runTestFile(file: TestFile, factory: EngineFactory = defaultFactory): FileResult {
  const head = { file: file.file, ...(file.name === undefined ? {} : { name: file.name }) };
  let engine: Engine;
  try {
    engine = factory(file.policy);
    // The resources, each with its parent linked, checked as a check reads them: an invalid one
    // fails the file as an invalid policy does (unless expectError names its error).
    const resources = linkParents(file.resources);
    for (const r of resources.values()) engine.permittedFields('purview-test-file', r);
    file = { ...file, resources };
  } catch (e) {
    if (file.expectError !== undefined) {
      const passed = isExpectedError(e, file.expectError);
      return {
        ...head,
        outcomes: [
          {
            file: file.file,
            asked: 'load the policy',
            passed,
            expected: `error ${file.expectError}`,
            actual: `error ${errorName(e)}`,
            ...(passed ? {} : { details: [errorText(e)] }),
          },
        ],
      };
    }
    return { ...head, outcomes: [{ file: file.file, asked: 'load the policy', passed: false, expected: 'a valid policy', actual: `error ${errorName(e)}`, details: [errorText(e)] }] };
  }
  if (file.expectError !== undefined) {
    return {
      ...head,
      outcomes: [{ file: file.file, asked: 'load the policy', passed: false, expected: `error ${file.expectError}`, actual: 'the policy loaded without error' }],
    };
  }
  return { ...head, outcomes: file.assertions.map((a) => runAssertion(engine, file, a)) };
}

/**
 * Runs a bare policy file (no assertions): one test, passed when the policy loads (every check
 * `purview validate` makes; the first problem is the failure's detail).
 */
export function runPolicyFile(file: string, policy: unknown, factory: EngineFactory = defaultFactory): FileResult {
  try {
    factory(policy);
    return { file, outcomes: [{ file, asked: 'load the policy', passed: true, expected: 'a valid policy', actual: 'a valid policy' }] };
  } catch (e) {
    return { file, outcomes: [{ file, asked: 'load the policy', passed: false, expected: 'a valid policy', actual: `error ${errorName(e)}`, details: [errorText(e)] }] };
  }
}

/** The result of a file that could not be read, parsed or validated: one failed test with the message. */
export function loadFailure(file: string, error: unknown): FileResult {
  return {
    file,
    outcomes: [
      {
        file,
        asked: 'read the test file',
        passed: false,
        details: [error instanceof TestFileError ? displayText(error.detail) : errorText(error)],
      },
    ],
  };
}

/** Counts passed and failed tests over results. */
export function summarize(results: readonly FileResult[]): Summary {
  let passed = 0;
  let failed = 0;
  for (const r of results) {
    for (const o of r.outcomes) {
      if (o.passed) passed++;
      else failed++;
    }
  }
  return { passed, failed };
}
