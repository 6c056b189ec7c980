import { runTestFile } from '../cli/run-tests.js';
import { h, fill } from './dom.js';
import type { Model } from './model.js';

/*
 * The test file's assertions, run by the CLI's own runner against the editor's policy: each with
 * pass or fail and, for a failure, what came back.
 */

/** The assertions panel (shown for a test file only). */
export class TestsPanel {
  readonly element: HTMLElement;
  private readonly body = h('div', { id: 'tests', class: 'result' });

  constructor() {
    this.element = h('section', {}, h('h2', {}, 'Assertions'), this.body);
  }

  /** Runs the model's test file. */
  update(model: Model): void {
    const test = model.test;
    this.element.hidden = test === undefined;
    if (test === undefined) return;
    if (model.engine === undefined && test.expectError === undefined) {
      fill(this.body, 'Fix the problems in the policy to run the assertions.');
      delete this.body.dataset.passed;
      return;
    }
    const result = runTestFile(test);
    const passed = result.outcomes.filter((o) => o.passed).length;
    const failed = result.outcomes.length - passed;
    this.body.dataset.passed = String(passed);
    this.body.dataset.failed = String(failed);
    fill(
      this.body,
      h('p', { class: failed > 0 ? 'verdict deny' : 'verdict allow' }, `${passed} passed, ${failed} failed`),
      h(
        'ul',
        { class: 'outcomes' },
        ...result.outcomes.map((o) =>
          h(
            'li',
            { class: o.passed ? 'pass' : 'fail' },
            o.passed ? '✓ ' : '✗ ',
            o.name === undefined ? o.asked : `${o.name}: ${o.asked}`,
            o.passed ? '' : h('pre', {}, [o.expected === undefined ? '' : `expected ${o.expected}`, o.actual === undefined ? '' : `got ${o.actual}`, ...(o.details ?? [])].filter((l) => l !== '').join('\n')),
          ),
        ),
      ),
    );
  }
}
