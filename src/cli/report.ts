import { summarize, type FileResult, type Summary, type TestOutcome } from './run-tests.js';

/*
 * Rendering results as text: one line per file, every failure in full (file, index, what was
 * asked, what was expected, what came back, and why), and the plain last line
 * `N passed, N failed`.
 */

/** Where a failure is: `file assertions[3] (label)` or just the file for a file-level test. */
function where(o: TestOutcome): string {
  let out = o.file;
  if (o.index !== undefined) out += ` assertions[${o.index}]`;
  if (o.name !== undefined) out += ` (${o.name})`;
  return out;
}

/** Renders one failed test as indented lines. */
export function renderFailure(o: TestOutcome): string[] {
  const lines = [`  FAIL ${where(o)}: ${o.asked}`];
  if (o.expected !== undefined) lines.push(`    expected: ${o.expected}`);
  if (o.actual !== undefined) lines.push(`    actual:   ${o.actual}`);
  for (const d of o.details ?? []) {
    for (const line of d.trimEnd().split('\n')) lines.push(line === '' ? '' : `    ${line}`);
  }
  return lines;
}

/** The final line: `N passed, N failed`. */
export function summaryLine(s: Summary): string {
  return `${s.passed} passed, ${s.failed} failed`;
}

/** Renders every file's results and the summary line; ends with a newline. */
export function renderReport(results: readonly FileResult[]): string {
  const lines: string[] = [];
  for (const r of results) {
    const failures = r.outcomes.filter((o) => !o.passed);
    const total = r.outcomes.length;
    const label = r.name === undefined ? r.file : `${r.file} (${r.name})`;
    const tests = `${total} ${total === 1 ? 'test' : 'tests'}`;
    if (failures.length === 0) {
      lines.push(`ok   ${label}: ${tests}`);
    } else {
      lines.push(`FAIL ${label}: ${failures.length} of ${tests} failed`);
      for (const f of failures) lines.push(...renderFailure(f));
    }
  }
  lines.push(summaryLine(summarize(results)));
  return `${lines.join('\n')}\n`;
}
