import { parseArgs } from 'node:util';
import { policyProblems, type PolicyProblem } from '../validate/policy-problems.js';
import { displayText, jsonText, quoteText } from '../render/escape.js';
import { policyOfDocument } from './graph.js';
import type { CliIO } from './io.js';
import { readTestDocument, TestFileError } from './test-file.js';

/*
 * `purview validate FILE...`: every problem of each policy file (a policy, or a test file's
 * policy), not just the first, each with its path, its code and a hint; exit 1 when any.
 */

export const VALIDATE_USAGE = `Usage: purview validate FILE... [--format text|json] [--max N]

Checks policy files (YAML or JSON: a policy, or a test file whose "policy" is checked) and lists
every problem, not just the first: each with where it is (its path in the file), its code and a
hint at the fix. A problem in one entity does not hide another's; an entity whose shape is wrong
is left out of the later checks, which may then also report what names it.

Options:
      --format FORMAT   text (the default) or json (one object: { files: [{ file, valid, problems }] })
      --max N           at most N problems per file (default 100)
  -h, --help            show this help

Exit status: 0 when every file is valid, 1 when any has a problem or cannot be read, 2 on a usage error.
`;

/** The CLI's exit codes (as in cli.ts): 0 every file valid, 1 a problem, 2 a usage error. */
const EXIT_OK = 0;
const EXIT_FAILED = 1;
const EXIT_USAGE = 2;

function usageError(io: CliIO, message: string): number {
  io.stderr(`purview validate: ${displayText(message)}\n\n${VALIDATE_USAGE}`);
  return EXIT_USAGE;
}

/** A problem's path as `groups[3].members.users[0]`. */
function pathText(path: readonly (string | number)[]): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : `${out === '' ? '' : '.'}${/^[A-Za-z_$][\w$]*$/.test(p) ? p : quoteText(p)}`;
  return out === '' ? '(the policy)' : out;
}

/** The result of validating one file. */
export interface FileValidation {
  readonly file: string;
  /** Set when the file cannot be read or parsed at all. */
  readonly error?: string;
  readonly problems: readonly PolicyProblem[];
}

/** Validates one file: its problems, or why it could not be read. */
export function validateFile(path: string, max: number): FileValidation {
  try {
    const policy = policyOfDocument(readTestDocument(path), path);
    return { file: path, problems: policyProblems(policy, { max }) };
  } catch (e) {
    if (e instanceof TestFileError) return { file: path, error: e.detail, problems: [] };
    throw e;
  }
}

/** `purview validate ...`: parses `argv` (after `validate`), writes the report, returns the exit code. */
export function runValidate(argv: readonly string[], io: CliIO): number {
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options: { format: { type: 'string', short: 'f' }, max: { type: 'string' }, help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true });
  } catch (e) {
    return usageError(io, (e as Error).message);
  }
  const v = parsed.values;
  if (v.help === true) {
    io.stdout(VALIDATE_USAGE);
    return EXIT_OK;
  }
  if (parsed.positionals.length === 0) return usageError(io, 'validate needs at least one FILE');
  const format = v.format ?? 'text';
  if (format !== 'text' && format !== 'json') return usageError(io, `unknown format ${quoteText(format)}; expected text or json`);
  const max = v.max === undefined ? 100 : Number(v.max);
  if (!Number.isSafeInteger(max) || max < 1) return usageError(io, `--max ${quoteText(String(v.max))}: expected a whole number of 1 or more`);
  const results = parsed.positionals.map((p) => validateFile(p, max));
  const bad = results.filter((r) => r.error !== undefined || r.problems.length > 0).length;
  if (format === 'json') {
    io.stdout(`${jsonText({ files: results.map((r) => ({ file: r.file, valid: r.error === undefined && r.problems.length === 0, ...(r.error === undefined ? {} : { error: r.error }), problems: r.problems })) })}\n`);
    return bad > 0 ? EXIT_FAILED : EXIT_OK;
  }
  const lines: string[] = [];
  for (const r of results) {
    if (r.error !== undefined) {
      lines.push(`FAIL ${displayText(r.file)}: ${displayText(r.error)}`);
      continue;
    }
    if (r.problems.length === 0) {
      lines.push(`ok   ${displayText(r.file)}`);
      continue;
    }
    lines.push(`FAIL ${displayText(r.file)}: ${r.problems.length}${r.problems.length >= max ? ' or more' : ''} problem${r.problems.length === 1 ? '' : 's'}`);
    for (const p of r.problems) {
      lines.push(`  ${pathText(p.path)}: ${displayText(p.message)} [${p.code}]`);
      if (p.code !== 'invalid-input') lines.push(`    hint: ${p.hint}`);
    }
  }
  lines.push(`${results.length - bad} valid, ${bad} invalid`);
  io.stdout(`${lines.join('\n')}\n`);
  return bad > 0 ? EXIT_FAILED : EXIT_OK;
}
