import { displayText } from '../render/escape.js';
import { summarize, type FileResult, type TestOutcome } from './run-tests.js';

/*
 * `purview test --reporter junit`: the results as JUnit XML, the shape CI systems read
 * (GitHub Actions reporters, GitLab, Jenkins): one <testsuites>, one <testsuite> per file, one
 * <testcase> per test, a <failure> inside each failed one with what was expected, what came back
 * and the details.
 *
 * Every string may come from a test file. XML 1.0 cannot hold most control characters at all,
 * not even as character references, so they are written as `\uXXXX` first (displayText, and
 * U+FFFE/U+FFFF likewise); then the five XML specials are escaped.
 */

const NOT_XML = /[\ufffe\uffff]/g;

/** Text safe inside an XML attribute or element: no character XML 1.0 forbids, the specials escaped. */
export function xmlText(s: string): string {
  return displayText(s)
    .replace(NOT_XML, (ch) => `\\u${ch.charCodeAt(0).toString(16)}`)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

function testName(o: TestOutcome): string {
  const where = o.index === undefined ? '' : `assertions[${o.index}]${o.name === undefined ? '' : ` (${o.name})`}: `;
  return `${where}${o.asked}`;
}

function testcase(suite: string, o: TestOutcome): string {
  const head = `    <testcase classname="${xmlText(suite)}" name="${xmlText(testName(o))}"`;
  if (o.passed) return `${head}/>`;
  const message = o.expected !== undefined || o.actual !== undefined ? `expected ${o.expected ?? '(nothing)'}, got ${o.actual ?? '(nothing)'}` : (o.details?.[0] ?? 'failed');
  const body = [
    ...(o.expected === undefined ? [] : [`expected: ${o.expected}`]),
    ...(o.actual === undefined ? [] : [`actual:   ${o.actual}`]),
    ...(o.details ?? []),
  ]
    .map((line) => xmlText(line.trimEnd()))
    .join('\n');
  return `${head}>\n      <failure message="${xmlText(message)}" type="AssertionError">${body}</failure>\n    </testcase>`;
}

/** Renders the results as a JUnit XML document; ends with a newline. */
export function renderJunitReport(results: readonly FileResult[]): string {
  const total = summarize(results);
  const lines = ['<?xml version="1.0" encoding="UTF-8"?>', `<testsuites name="purview" tests="${total.passed + total.failed}" failures="${total.failed}" errors="0">`];
  for (const r of results) {
    const suite = r.name === undefined ? r.file : `${r.file} (${r.name})`;
    const failures = r.outcomes.filter((o) => !o.passed).length;
    lines.push(`  <testsuite name="${xmlText(suite)}" tests="${r.outcomes.length}" failures="${failures}" errors="0" skipped="0">`);
    for (const o of r.outcomes) lines.push(testcase(suite, o));
    lines.push('  </testsuite>');
  }
  lines.push('</testsuites>');
  return `${lines.join('\n')}\n`;
}
