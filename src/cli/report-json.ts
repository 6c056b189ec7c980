import { jsonText } from '../render/escape.js';
import { summarize, type FileResult } from './run-tests.js';

/*
 * `purview test --reporter json`: the results as one JSON object, for tools: every file with its
 * tests (passed or not, what was asked, expected and returned, the details of a failure), and the
 * totals.
 */

/** Renders the results as one JSON object (strings escaped as jsonText does); ends with a newline. */
export function renderJsonReport(results: readonly FileResult[]): string {
  const files = results.map((r) => ({
    file: r.file,
    ...(r.name === undefined ? {} : { name: r.name }),
    tests: r.outcomes.map((o) => ({
      ...(o.index === undefined ? {} : { index: o.index }),
      ...(o.name === undefined ? {} : { name: o.name }),
      asked: o.asked,
      passed: o.passed,
      ...(o.expected === undefined ? {} : { expected: o.expected }),
      ...(o.actual === undefined ? {} : { actual: o.actual }),
      ...(o.details === undefined ? {} : { details: o.details }),
    })),
  }));
  return `${jsonText({ files, summary: summarize(results) })}\n`;
}
