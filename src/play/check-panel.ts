import { explainDecision, type Engine, type Resource } from '../index.js';
import { h, fill } from './dom.js';
import type { Model } from './model.js';
import { decisionMarks, type Marks } from './paths.js';

/*
 * The check form: a user, an action and a record (one of the test file's resources, or typed as
 * JSON), answered with the engine's decision, its reasons (the explanation) and the paths on the
 * graph; "who can?" lists every user the engine allows.
 */

const TYPED = '\u0000typed';

/** The check form and its answers. */
export class CheckPanel {
  readonly element: HTMLElement;
  private readonly user = h('input', { id: 'check-user', list: 'check-users', placeholder: 'user id', autocomplete: 'off' });
  private readonly users = h('datalist', { id: 'check-users' });
  private readonly action = h('select', { id: 'check-action' });
  private readonly record = h('select', { id: 'check-record' });
  private readonly json = h('textarea', { id: 'check-json', rows: 3, spellcheck: 'false' });
  private readonly result = h('div', { id: 'check-result', class: 'result' });
  private readonly who = h('div', { id: 'whocan-result', class: 'result' });
  private model: Model | undefined;
  /** Called with what a decision highlights. */
  onMarks: (marks: Marks) => void = () => {};
  /** Called when the question changes (the SQL panel follows the user and action). */
  onQuestion: () => void = () => {};

  constructor() {
    const run = h('button', { id: 'check-run', type: 'submit' }, 'Check');
    const whoCan = h('button', { id: 'whocan-run', type: 'button', onclick: () => this.whoCan() }, 'Who can?');
    const form = h(
      'form',
      { class: 'check-form', onsubmit: (e: Event) => { e.preventDefault(); this.check(); } },
      h('label', {}, 'User ', this.user, this.users),
      h('label', {}, 'Action ', this.action),
      h('label', {}, 'Record ', this.record),
      this.json,
      h('div', { class: 'buttons' }, run, whoCan),
    );
    this.record.addEventListener('change', () => {
      this.json.hidden = this.record.value !== TYPED;
      this.fillActions();
      this.onQuestion();
    });
    this.json.addEventListener('input', () => this.fillActions());
    this.user.addEventListener('change', () => this.onQuestion());
    this.action.addEventListener('change', () => this.onQuestion());
    this.element = h('section', { id: 'check' }, h('h2', {}, 'Check'), form, this.result, this.who);
  }

  /** The current user and action, and the record's type when it parses. */
  question(): { user: string; action: string; type?: string } {
    const r = this.resource();
    return r instanceof Error ? { user: this.user.value, action: this.action.value } : { user: this.user.value, action: this.action.value, type: r.type };
  }

  /** Whether a decision is shown. */
  hasAnswer(): boolean {
    return this.result.dataset.allowed !== undefined;
  }

  /** Takes a new model: refills the choices (keeping what was chosen) and answers again. */
  update(model: Model): void {
    this.model = model;
    const engine = model.engine;
    const disabled = engine === undefined;
    for (const el of this.element.querySelectorAll('input, select, textarea, button')) (el as HTMLInputElement).disabled = disabled;
    if (engine === undefined) {
      fill(this.result, 'Fix the problems in the policy to ask it questions.');
      fill(this.who);
      this.onMarks({ nodes: new Set(), edges: [] });
      return;
    }
    const ids = [...engine.policy.users.keys()];
    if (ids.length <= 5000) fill(this.users, ...ids.map((id) => h('option', { value: id })));
    if (this.user.value === '' && ids[0] !== undefined) this.user.value = ids[0];
    const chosen = this.record.value;
    const resources = [...(model.test?.resources.values() ?? [])];
    fill(this.record, ...resources.map((r) => h('option', { value: r.id }, `${r.type} ${r.id}`)), h('option', { value: TYPED }, 'typed as JSON…'));
    this.record.value = chosen !== '' && [...this.record.options].some((o) => o.value === chosen) ? chosen : (resources[0]?.id ?? TYPED);
    this.json.hidden = this.record.value !== TYPED;
    if (this.json.value === '') {
      const type = [...engine.policy.resourceTypes.keys()][0] ?? 'record';
      this.json.value = JSON.stringify({ type, id: 'r1', owner: { user: ids[0] ?? 'u1' } });
    }
    this.fillActions();
    if (this.result.dataset.allowed !== undefined) this.check();
  }

  private engine(): Engine | undefined {
    return this.model?.engine;
  }

  private resource(): Resource | Error {
    if (this.record.value !== TYPED) {
      const r = this.model?.test?.resources.get(this.record.value);
      return r ?? new Error('choose a record');
    }
    try {
      const v = JSON.parse(this.json.value) as unknown;
      if (typeof v !== 'object' || v === null || Array.isArray(v)) return new Error('the record must be a JSON object: {"type": ..., "id": ..., "owner": {"user": ...}}');
      return v as Resource;
    } catch (e) {
      return new Error(`the record is not JSON: ${(e as Error).message}`);
    }
  }

  private fillActions(): void {
    const engine = this.engine();
    const r = this.resource();
    if (engine === undefined) return;
    const type = r instanceof Error ? undefined : engine.policy.resourceTypes.get(r.type);
    const actions = type === undefined ? [...new Set([...engine.policy.resourceTypes.values()].flatMap((t) => [...t.actions.keys()]))] : [...type.actions.keys()];
    const chosen = this.action.value;
    fill(this.action, ...actions.map((a) => h('option', { value: a }, a)));
    if (actions.includes(chosen)) this.action.value = chosen;
  }

  /** Runs the check and shows the decision. */
  check(): void {
    const engine = this.engine();
    if (engine === undefined) return;
    const r = this.resource();
    if (r instanceof Error) {
      fill(this.result, h('p', { class: 'error' }, r.message));
      delete this.result.dataset.allowed;
      return;
    }
    try {
      const d = engine.check(this.user.value, this.action.value, r);
      this.result.dataset.allowed = String(d.allowed);
      fill(
        this.result,
        h('p', { class: d.allowed ? 'verdict allow' : 'verdict deny' }, d.allowed ? 'ALLOW' : 'DENY', d.denial === undefined ? '' : ` (${d.denial})`, ` — needs ${d.required}, reached ${d.level}`),
        h('pre', { class: 'explain' }, explainDecision(d)),
      );
      this.onMarks(decisionMarks(d, r));
    } catch (e) {
      delete this.result.dataset.allowed;
      fill(this.result, h('p', { class: 'error' }, (e as Error).message));
    }
  }

  /** Lists the users the engine allows the action on the record. */
  whoCan(): void {
    const engine = this.engine();
    if (engine === undefined) return;
    const r = this.resource();
    if (r instanceof Error) return fill(this.who, h('p', { class: 'error' }, r.message));
    try {
      const users = engine.whoCan(this.action.value, r);
      fill(this.who, h('p', {}, `Who can ${this.action.value} ${r.type} ${r.id}: ${users.length === 0 ? 'nobody' : users.join(', ')}`));
      this.onMarks({ nodes: new Set(users.map((u) => `user:${u}`)), edges: [] });
    } catch (e) {
      fill(this.who, h('p', { class: 'error' }, (e as Error).message));
    }
  }
}
