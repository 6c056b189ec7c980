import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { displayText, quoteText } from '../render/escape.js';
import { runExplain } from './explain.js';
import { runGraph } from './graph.js';
import { runValidate } from './validate.js';
import { renderReport } from './report.js';
import { loadFailure, runTestFile, summarize, type FileResult } from './run-tests.js';
import { loadTestFile } from './test-file.js';

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

export const USAGE = `Usage: purview test FILE...
       purview explain FILE --user U --action A --resource R [--format text|json]
       purview graph FILE [--format mermaid|dot] [--users]
       purview validate FILE... [--format text|json] [--max N]

Runs policy test files (YAML or JSON) and ends with "N passed, N failed".
A directory stands for every .yaml, .yml and .json file under it.

Commands:
  test FILE...   run the test files
  explain FILE   explain one decision on a test file's policy and resources
  graph FILE     draw a policy's role tree and group nesting (Mermaid or DOT)
  validate FILE... list every problem of policy files (exit 1 when any)

Options:
  -h, --help     show this help ("purview explain --help" and "purview graph --help" for theirs)

Exit status of test: 0 when every test passed, 1 when any failed, 2 on a usage error
(explain and graph: 0 done, 1 could not be done, 2 a usage error).
`;

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

/** Runs the test files at `paths`; each that cannot be read or parsed is one failed test. */
export function runFiles(paths: readonly string[]): FileResult[] {
  return paths.map((p) => {
    try {
      return runTestFile(loadTestFile(p));
    } catch (e) {
      return loadFailure(p, e);
    }
  });
}

function usageError(io: CliIO, message: string): number {
  io.stderr(`purview: ${displayText(message)}\n\n${USAGE}`);
  return EXIT_USAGE;
}

/** The CLI: parses `argv` (without the node and script paths), runs, and returns the exit code. */
export function runCli(argv: readonly string[], io: CliIO): number {
  if (argv[0] === 'explain') return runExplain(argv.slice(1), io);
  if (argv[0] === 'graph') return runGraph(argv.slice(1), io);
  if (argv[0] === 'validate') return runValidate(argv.slice(1), io);
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      options: { help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    });
  } catch (e) {
    return usageError(io, (e as Error).message);
  }
  const [command, ...rest] = parsed.positionals;
  if (parsed.values.help === true) {
    io.stdout(USAGE);
    return EXIT_OK;
  }
  if (command === undefined) return usageError(io, 'missing command');
  if (command !== 'test') return usageError(io, `unknown command ${quoteText(command)}`);
  if (rest.length === 0) return usageError(io, 'test needs at least one FILE');
  const files = rest.flatMap(expand);
  if (files.length === 0) return usageError(io, `no .yaml, .yml or .json files in ${rest.join(', ')}`);
  const results = runFiles(files);
  io.stdout(renderReport(results));
  return summarize(results).failed > 0 ? EXIT_FAILED : EXIT_OK;
}
