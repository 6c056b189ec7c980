import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { displayText, quoteText } from '../render/escape.js';
import { runDiff } from './diff.js';
import { runExplain } from './explain.js';
import { runGraph } from './graph.js';
import { runPlay } from './play.js';
import { runValidate } from './validate.js';
import { renderReport } from './report.js';
import { renderJsonReport } from './report-json.js';
import { renderJunitReport } from './report-junit.js';
import { loadFailure, runPolicyFile, runTestFile, summarize, type FileResult } from './run-tests.js';
import { isBarePolicy, readTestDocument, validateTestFile } from './test-file.js';

/*
 * The command line: argument parsing and exit codes. `main.ts` wires it to the process; tests
 * call `runCli` with their own streams.
 */

export type { CliIO } from './io.js';
import type { CliIO } from './io.js';

/** Exit codes: 0 all passed, 1 a test failed, 2 a usage error. */
export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

export const USAGE = `Usage: purview test FILE... [--reporter text|json|junit]
       purview explain FILE --user U --action A --resource R [--resources FILE] [--format text|json]
       purview graph FILE [--format mermaid|dot] [--users]
       purview validate FILE... [--format text|json] [--max N]
       purview diff OLD NEW [--resources FILE] [--format text|json] [--fail-on gain|loss|any]
       purview play FILE [--port N] [--host 127.0.0.1] | purview play --build DIR FILE

Runs policy test files (YAML or JSON) and ends with "N passed, N failed".
A directory stands for every .yaml, .yml and .json file under it.

Commands:
  test FILE...       run the test files
  explain FILE       explain one decision on a test file's policy and resources
  graph FILE         draw a policy's role tree and group nesting (Mermaid or DOT)
  validate FILE...   list every problem of policy files (exit 1 when any)
  diff OLD NEW       the access that changes between two versions of a policy
  play FILE          a local page to see the policy, ask it questions and edit it (in the browser)

Options:
  -h, --help     show this help ("purview test --help", "purview diff --help" ... for a command's)
  -V, --version  print purview's version

Exit status of test: 0 when every test passed, 1 when any failed, 2 on a usage error
(explain, graph and diff: 0 done, 1 could not be done or diff --fail-on matched, 2 a usage error;
validate: 0 every file valid, 1 a problem; play: 0 serving or built, 1 could not).
`;

export const TEST_USAGE = `Usage: purview test FILE... [--reporter text|json|junit]

Runs policy test files (YAML or JSON; see docs/testing-policies.md). A directory stands for every
.yaml, .yml and .json file under it, sorted. Each assertion is one test; a file that cannot be
read or whose policy does not load is one failed test. A bare policy file (a policy at the top
level, without assertions) is one test: that its policy loads.

Options:
  -r, --reporter NAME   text (the default: one line per file, every failure in full, and the last
                        line "N passed, N failed"), json (one object with every file's tests and
                        the totals) or junit (JUnit XML, as CI systems read it)
  -h, --help            show this help

Exit status: 0 when every test passed, 1 when any failed, 2 on a usage error.
`;

/** The package's version, from its package.json (two levels up from src/cli and dist/cli alike). */
export function version(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: unknown };
    return typeof pkg.version === 'string' ? pkg.version : 'unknown';
  } catch {
    return 'unknown';
  }
}

const REPORTERS = { text: renderReport, json: renderJsonReport, junit: renderJunitReport } as const;

const TEST_FILE = /\.(ya?ml|json)$/i;

/** The test files a path stands for: the file itself, or every test file under a directory, sorted. */
function expand(path: string): string[] {
  let isDir = false;
  try {
    isDir = statSync(path).isDirectory();
  } catch {
    return [path]; // let loading report that it cannot be read
  }
  if (!isDir) return [path];
  const out: string[] = [];
  const entries = readdirSync(path, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    const p = join(path, e.name);
    if (e.isDirectory()) out.push(...expand(p));
    else if (e.isFile() && TEST_FILE.test(e.name)) out.push(p);
  }
  return out;
}

/**
 * Runs the test files at `paths`; each that cannot be read or parsed is one failed test. A bare
 * policy file (a policy at the top level, no assertions) is one test: that the policy loads.
 */
export function runFiles(paths: readonly string[]): FileResult[] {
  return paths.map((p) => {
    try {
      const doc = readTestDocument(p);
      return isBarePolicy(doc) ? runPolicyFile(p, doc) : runTestFile(validateTestFile(doc, p));
    } catch (e) {
      return loadFailure(p, e);
    }
  });
}

function usageError(io: CliIO, message: string, usage = USAGE, who = 'purview'): number {
  io.stderr(`${who}: ${displayText(message)}\n\n${usage}`);
  return EXIT_USAGE;
}

/** `purview test ...`: parses `argv` (the arguments after `test`), runs the files, writes the report. */
function runTest(argv: readonly string[], io: CliIO): number {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      options: { reporter: { type: 'string', short: 'r' }, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    });
  } catch (e) {
    return usageError(io, (e as Error).message, TEST_USAGE, 'purview test');
  }
  if (parsed.values.help === true) {
    io.stdout(TEST_USAGE);
    return EXIT_OK;
  }
  const reporter = parsed.values.reporter ?? 'text';
  if (reporter !== 'text' && reporter !== 'json' && reporter !== 'junit') {
    return usageError(io, `unknown reporter ${quoteText(reporter)}; expected text, json or junit`, TEST_USAGE, 'purview test');
  }
  const rest = parsed.positionals;
  if (rest.length === 0) return usageError(io, 'test needs at least one FILE', TEST_USAGE, 'purview test');
  const files = rest.flatMap(expand);
  if (files.length === 0) return usageError(io, `no .yaml, .yml or .json files in ${rest.join(', ')}`, TEST_USAGE, 'purview test');
  const results = runFiles(files);
  io.stdout(REPORTERS[reporter](results));
  return summarize(results).failed > 0 ? EXIT_FAILED : EXIT_OK;
}

/** The CLI: parses `argv` (without the node and script paths), runs, and returns the exit code. */
export function runCli(argv: readonly string[], io: CliIO): number {
  if (argv[0] === 'explain') return runExplain(argv.slice(1), io);
  if (argv[0] === 'graph') return runGraph(argv.slice(1), io);
  if (argv[0] === 'validate') return runValidate(argv.slice(1), io);
  if (argv[0] === 'diff') return runDiff(argv.slice(1), io);
  if (argv[0] === 'test') return runTest(argv.slice(1), io);
  if (argv[0] === 'play') return runPlay(argv.slice(1), io);
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      options: { help: { type: 'boolean', short: 'h' }, version: { type: 'boolean', short: 'V' } },
      allowPositionals: true,
      strict: true,
    });
  } catch (e) {
    return usageError(io, (e as Error).message);
  }
  const [command] = parsed.positionals;
  if (parsed.values.version === true) {
    io.stdout(`purview ${version()}\n`);
    return EXIT_OK;
  }
  if (parsed.values.help === true) {
    io.stdout(USAGE);
    return EXIT_OK;
  }
  if (command === undefined) return usageError(io, 'missing command; type one of test, explain, graph, validate, diff, play');
  return usageError(io, `unknown command ${quoteText(command)}; the commands are test, explain, graph, validate, diff and play`);
}
