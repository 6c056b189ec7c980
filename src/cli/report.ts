import { displayText } from '../render/escape.js';
import { summarize, type FileResult, type Summary, type TestOutcome } from './run-tests.js';

/*
 * Rendering results as text: one line per file, every failure in full (file, index, what was
 * asked, what was expected, what came back, and why), and the plain last line
 * `N passed, N failed`.
 */

/*
 * Every string here may come from a test file (file names, labels, ids, actions, messages): each
 * goes through displayText (or was quoted where it was made), so that no line of the report holds
 * a raw line break, control or bidirectional character, and the number of lines is set by the
 * results' structure alone: one per file, per failure one head line, one each for expected and
 * actual, and one per detail.
 */

/** Where a failure is: `file assertions[3] (label)` or just the file for a file-level test. */
function where(o: TestOutcome): string {
  let out = displayText(o.file);
  if (o.index !== undefined) out += ` assertions[${o.index}]`;
  if (o.name !== undefined) out += ` (${displayText(o.name)})`;
  return out;
}

/** Renders one failed test as indented lines, one per detail. */
export function renderFailure(o: TestOutcome): string[] {
  const lines = [`  FAIL ${where(o)}: ${displayText(o.asked)}`];
  if (o.expected !== undefined) lines.push(`    expected: ${displayText(o.expected)}`);
  if (o.actual !== undefined) lines.push(`    actual:   ${displayText(o.actual)}`);
  for (const d of o.details ?? []) {
    const line = displayText(d.trimEnd());
    lines.push(line === '' ? '' : `    ${line}`);
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
    const label = r.name === undefined ? displayText(r.file) : `${displayText(r.file)} (${displayText(r.name)})`;
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
