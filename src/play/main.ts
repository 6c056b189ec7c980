import type { PlayPayload } from '../cli/play-payload.js';
import { CheckPanel } from './check-panel.js';
import { h, fill } from './dom.js';
import { Editor } from './editor.js';
import { nodeKey, policyGraph, type NodeKind, type PolicyGraph } from './graph-model.js';
import { GraphView } from './graph-view.js';
import { buildModel, type Model } from './model.js';
import { noMarks, type Marks } from './paths.js';
import { SelectionPanel } from './selection-panel.js';
import { SqlPanel } from './sql-panel.js';
import { STYLE } from './style.js';
import { DRAW_LIMIT, neighbourhood, summaryElement } from './summary-view.js';
import { TestsPanel } from './tests-panel.js';

/*
 * The playground page: fetches /policy.json from the server that sent it, then wires the editor,
 * the graph and the panels to one model, computed anew on each edit. Everything runs here, with
 * the library bundled in; nothing else is fetched.
 */

const KINDS: readonly NodeKind[] = ['user', 'group', 'role', 'tenant'];

function start(payload: PlayPayload, root: HTMLElement): void {
  const graphView = new GraphView();
  const check = new CheckPanel();
  const selection = new SelectionPanel();
  const sql = new SqlPanel();
  const tests = new TestsPanel();
  const status = h('span', { id: 'status' });
  const search = h('input', { id: 'search', type: 'search', placeholder: 'search a user, group or role; Enter selects' });
  const summarySlot = h('div');
  const note = h('div', { class: 'graph-note', id: 'graph-note' });
  let model: Model = { problems: [] };
  let graph: PolicyGraph | undefined;
  let large = false;
  // A large policy's whole graph is built only when a search or a decision needs a part of it.
  const wholeGraph = (): PolicyGraph | undefined => {
    if (graph === undefined && model.engine !== undefined) graph = policyGraph(model.engine.policy);
    return graph;
  };
  let selected: string | undefined;
  let marks: Marks = noMarks();

  const draw = (): void => {
    if (!large) return;
    const engine = model.engine;
    const focus = selected ?? [...marks.nodes].find((k) => k.startsWith('user:'));
    const whole = focus === undefined ? undefined : wholeGraph();
    graphView.show(whole !== undefined && engine !== undefined && focus !== undefined ? neighbourhood(whole, engine, focus, marks.nodes) : undefined);
  };
  const showMarks = (m: Marks): void => {
    marks = m;
    draw();
    graphView.highlight(m.nodes, m.edges);
    if (selected !== undefined) graphView.select(selected);
  };
  const select = (key: string | undefined): void => {
    selected = key;
    if (key !== undefined) fill(note);
    selection.show(key, model.engine, wholeGraph());
    graphView.select(key);
  };
  const refreshSql = (): void => {
    const q = check.question();
    sql.show(model.engine, q.user, q.action, q.type);
  };
  // The newest of the two (a decision, or the selection) is what the graph highlights.
  let lastMarks: 'check' | 'selection' | undefined;
  check.onMarks = (m) => {
    lastMarks = 'check';
    showMarks(m);
  };
  check.onQuestion = refreshSql;
  selection.onMarks = (m) => {
    lastMarks = 'selection';
    showMarks(m);
  };
  sql.onEdit = refreshSql;
  graphView.onSelect = select;

  const recompute = (text: string): void => {
    const t0 = performance.now();
    model = buildModel(payload, text);
    editor.showProblems(model.problems);
    const p = model.engine?.policy;
    graph = undefined;
    large = p !== undefined && p.tenants.size + p.roles.size + p.groups.size + p.users.size > DRAW_LIMIT;
    if (!large) graph = p === undefined ? undefined : policyGraph(p);
    fill(summarySlot, large && p !== undefined ? summaryElement(p) : null);
    if (selected !== undefined && wholeGraph()?.nodes.has(selected) !== true) selected = undefined;
    if (large) draw();
    else graphView.show(graph);
    fill(note, model.engine === undefined ? 'Fix the problems in the policy to draw its graph.' : large && selected === undefined ? 'Search to draw a part of the graph.' : '');
    const last = lastMarks;
    if (last === 'selection') check.update(model);
    select(selected);
    if (last !== 'selection') check.update(model);
    if (selected === undefined && marks.nodes.size > 0 && !check.hasAnswer()) showMarks(noMarks());
    tests.update(model);
    refreshSql();
    document.body.dataset.state = model.engine === undefined ? 'problems' : 'ready';
    status.textContent = `${model.problems.length === 0 ? 'valid' : `${model.problems.length} problem(s)`} · computed in ${Math.round(performance.now() - t0)} ms`;
  };
  const editor = new Editor(payload.text, recompute);

  search.addEventListener('keydown', (e) => {
    const graph = e.key === 'Enter' ? wholeGraph() : undefined;
    if (graph === undefined) return;
    const q = search.value.trim();
    let key = KINDS.map((k) => nodeKey(k, q)).find((k) => graph.nodes.has(k));
    if (key === undefined) {
      const lower = q.toLowerCase();
      for (const n of graph.nodes.values()) {
        if (n.id.toLowerCase().includes(lower) || n.label.toLowerCase().includes(lower)) {
          key = n.key;
          break;
        }
      }
    }
    search.classList.toggle('miss', key === undefined);
    if (key !== undefined) select(key);
  });

  const legend = h('div', { class: 'legend' }, h('span', { class: 'tenant' }), 'tenant', h('span', { class: 'role' }), 'role', h('span', { class: 'group' }), 'group', h('span', { class: 'user' }), 'user', ' · dashed: a group listing a role');
  const banner = payload.error === undefined ? null : h('div', { class: 'banner', id: 'load-error' }, `${payload.file} did not load: ${payload.error}`);
  fill(
    root,
    h('header', {}, h('h1', {}, 'purview play'), h('span', { class: 'file' }, payload.file), search, status),
    banner,
    h('main', {}, h('div', { class: 'left' }, editor.element), h('div', { class: 'center' }, summarySlot, graphView.element, note, legend), h('div', { class: 'right' }, check.element, selection.element, tests.element, sql.element)),
  );
  recompute(payload.text);
}

async function main(): Promise<void> {
  const style = document.createElement('style');
  style.textContent = STYLE;
  document.head.append(style);
  const root = document.getElementById('app') ?? document.body;
  try {
    const res = await fetch('policy.json', { cache: 'no-store' });
    if (!res.ok) throw new Error(`policy.json: HTTP ${res.status}`);
    start((await res.json()) as PlayPayload, root);
  } catch (e) {
    fill(root, h('p', { class: 'banner' }, `The playground could not start: ${(e as Error).message}`));
  }
  // The first paint: the frame after the page is built.
  requestAnimationFrame(() =>
    setTimeout(() => {
      const ms = Math.round(performance.now());
      document.body.dataset.firstPaint = String(ms);
      const s = document.getElementById('status');
      if (s !== null) s.textContent += ` · first paint ${ms} ms`;
    }, 0),
  );
}

void main();
