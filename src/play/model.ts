import { LineCounter, parseDocument, isNode } from 'yaml';
import { createEngine, policyProblems, type Engine, type PolicyInput } from '../index.js';
import type { PlayPayload } from '../cli/play-payload.js';
import { isBarePolicy, parseTestFileText, validateTestFile, type TestFile } from '../cli/test-file.js';

/*
 * What the page knows about the editor's text: the policy it parses to, its problems (each with
 * the line it is on), and, when there are none, the engine built from it and the test file whose
 * assertions run against it. Computed anew on each edit; a text with problems computes nothing else.
 */

/** One problem to show: a message, the policy path it is at and the editor line (1-based) when found. */
export interface Problem {
  readonly message: string;
  readonly path: readonly (string | number)[];
  readonly line?: number;
}

/** The page's state for one text of the editor. */
export interface Model {
  readonly problems: readonly Problem[];
  readonly policy?: unknown;
  readonly engine?: Engine;
  /** The test file, with the editor's policy, when the page is over a test file. */
  readonly test?: TestFile;
}

/** The editor line (1-based) of `path` in `text`, when the YAML (or JSON) text has a node there. */
export function lineOf(text: string, path: readonly (string | number)[]): number | undefined {
  try {
    const counter = new LineCounter();
    const doc = parseDocument(text, { lineCounter: counter, uniqueKeys: false });
    for (let n = path.length; n >= 0; n--) {
      const node: unknown = n === 0 ? doc.contents : doc.getIn(path.slice(0, n), true);
      if (isNode(node) && node.range !== undefined && node.range !== null) return counter.linePos(node.range[0]).line;
    }
  } catch {
    // no line then
  }
  return undefined;
}

const name = (payload: PlayPayload): string => (payload.format === 'json' ? 'policy.json' : 'policy.yaml');

/** The model of the editor's `text`, read as the payload says (a policy, a test file's policy, or a whole broken file). */
export function buildModel(payload: PlayPayload, text: string): Model {
  const at = (message: string, path: readonly (string | number)[] = []): Problem => {
    const line = lineOf(text, path);
    return line === undefined ? { message, path } : { message, path, line };
  };
  let policy: unknown;
  let test: TestFile | undefined;
  let prefix: readonly (string | number)[] = [];
  try {
    const data = parseTestFileText(text, payload.kind === 'broken' ? payload.file : name(payload));
    if (payload.kind === 'test') {
      const doc = payload.document;
      const whole = typeof doc === 'object' && doc !== null ? { ...(doc as Record<string, unknown>), policy: data } : { policy: data };
      test = validateTestFile(whole, payload.file);
      policy = data;
    } else if (payload.kind === 'policy' || isBarePolicy(data)) {
      policy = data;
    } else {
      test = validateTestFile(data, payload.file);
      if (typeof test.policy === 'string') return { problems: [at('the policy is a reference to another file: fix the file and reload the page', ['policy'])] };
      policy = test.policy;
      prefix = ['policy'];
    }
  } catch (e) {
    const message = e instanceof Error && 'detail' in e && typeof e.detail === 'string' ? e.detail : e instanceof Error ? e.message : String(e);
    const m = /line (\d+)/.exec(message);
    return { problems: [m === null ? at(message) : { message, path: [], line: Number(m[1]) }] };
  }
  const withTest = test === undefined ? {} : { test };
  // Build first (one validation when the policy is valid); list every problem only when it is not.
  let engine: Engine;
  try {
    engine = createEngine({ policy: policy as PolicyInput });
  } catch (e) {
    const problems = policyProblems(policy, { max: 50 });
    if (problems.length > 0) return { policy, ...withTest, problems: problems.map((p) => at(`${p.message} (${p.hint})`, [...prefix, ...p.path])) };
    return { policy, ...withTest, problems: [at(e instanceof Error ? e.message : String(e), prefix)] };
  }
  return test === undefined ? { policy, problems: [], engine } : { policy, problems: [], engine, test };
}
