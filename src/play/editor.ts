import { h, fill, debounce } from './dom.js';
import type { Problem } from './model.js';

/*
 * The policy editor: a textarea holding the policy as YAML or JSON, and the problems of its text,
 * each with its line (a click selects the line). Edits are reported after a pause in typing.
 * A text too large to edit comfortably waits behind a button.
 */

/** Texts longer than this open behind a button. */
export const LARGE_TEXT = 1_000_000;

/** The editor panel. */
export class Editor {
  readonly element: HTMLElement;
  readonly textarea = h('textarea', { id: 'editor', spellcheck: 'false', rows: 18, wrap: 'off' });
  private readonly problems = h('div', { id: 'problems' });
  private text: string;

  constructor(text: string, onChange: (text: string) => void) {
    this.text = text;
    const changed = debounce(() => {
      this.text = this.textarea.value;
      onChange(this.text);
    }, 250);
    this.textarea.addEventListener('input', changed);
    const area: HTMLElement[] = [];
    if (text.length > LARGE_TEXT) {
      const open = h('button', { type: 'button', id: 'editor-open' }, `Edit the policy here (${(text.length / 1e6).toFixed(1)} MB of text)`);
      open.addEventListener('click', () => {
        this.textarea.value = this.text;
        this.textarea.hidden = false;
        open.remove();
      });
      this.textarea.hidden = true;
      area.push(open);
    } else {
      this.textarea.value = text;
    }
    this.element = h('section', { id: 'editor-panel' }, h('h2', {}, 'Policy'), this.problems, ...area, this.textarea);
  }

  /** The text the model was last computed from. */
  value(): string {
    return this.text;
  }

  /** Shows `problems` (none: a note that the policy is valid). */
  showProblems(problems: readonly Problem[]): void {
    this.problems.dataset.count = String(problems.length);
    if (problems.length === 0) return fill(this.problems, h('p', { class: 'ok' }, 'The policy is valid.'));
    fill(
      this.problems,
      h('p', { class: 'error' }, `${problems.length} problem${problems.length === 1 ? '' : 's'}:`),
      h(
        'ul',
        { class: 'problems' },
        ...problems.map((p) => {
          const where = [p.line === undefined ? '' : `line ${p.line}`, p.path.length === 0 ? '' : p.path.join('.')].filter((x) => x !== '').join(', ');
          const li = h('li', { class: 'problem' }, where === '' ? '' : h('b', {}, `${where}: `), p.message);
          if (p.line !== undefined) li.addEventListener('click', () => this.selectLine(p.line as number));
          return li;
        }),
      ),
    );
  }

  private selectLine(line: number): void {
    const lines = this.textarea.value.split('\n');
    const start = lines.slice(0, line - 1).reduce((n, l) => n + l.length + 1, 0);
    this.textarea.focus();
    this.textarea.setSelectionRange(start, start + (lines[line - 1]?.length ?? 0));
  }
}
