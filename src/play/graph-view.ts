import { h, s, fill } from './dom.js';
import { edgeKey, type PolicyGraph } from './graph-model.js';
import { layoutGraph, NODE_HEIGHT, NODE_WIDTH } from './layout.js';

/*
 * The graph drawn as SVG: one box per node, one curve per edge, zoomed with the wheel (or the
 * buttons) and panned by dragging. A click selects a node; highlighting marks nodes and edges and
 * dims the rest.
 */

const KIND_LABEL = { tenant: 'tenant', role: 'role', group: 'group', user: 'user' } as const;

/** The drawn graph of one policy (or one part of it). */
export class GraphView {
  readonly element: HTMLElement;
  private readonly svg: SVGSVGElement;
  private readonly nodeEls = new Map<string, SVGGElement>();
  private readonly edgeEls = new Map<string, SVGPathElement>();
  private positions = new Map<string, { x: number; y: number }>();
  private view = { x: 0, y: 0, w: 100, h: 100 };
  private size = { w: 100, h: 100 };
  private selected: string | undefined;
  /** Called with a node's key when it is clicked. */
  onSelect: (key: string) => void = () => {};

  constructor() {
    this.svg = s('svg', { class: 'graph', role: 'img', 'aria-label': 'policy graph' });
    const zoom = (f: number) => () => this.zoomAt(f, this.view.x + this.view.w / 2, this.view.y + this.view.h / 2);
    this.element = h(
      'div',
      { class: 'graph-wrap' },
      this.svg,
      h('div', { class: 'graph-tools' }, h('button', { type: 'button', title: 'zoom in', onclick: zoom(0.8) }, '+'), h('button', { type: 'button', title: 'zoom out', onclick: zoom(1.25) }, '−'), h('button', { type: 'button', title: 'fit', onclick: () => this.fit() }, 'fit')),
    );
    this.svg.addEventListener('wheel', (e) => {
      e.preventDefault();
      const p = this.toGraph(e.clientX, e.clientY);
      this.zoomAt(e.deltaY > 0 ? 1.15 : 1 / 1.15, p.x, p.y);
    }, { passive: false });
    let drag: { x: number; y: number; vx: number; vy: number } | undefined;
    this.svg.addEventListener('pointerdown', (e) => {
      if ((e.target as Element).closest('.node') !== null) return;
      drag = { x: e.clientX, y: e.clientY, vx: this.view.x, vy: this.view.y };
      this.svg.setPointerCapture(e.pointerId);
    });
    this.svg.addEventListener('pointermove', (e) => {
      if (drag === undefined) return;
      const r = this.svg.getBoundingClientRect();
      const k = this.view.w / Math.max(1, r.width);
      this.view.x = drag.vx - (e.clientX - drag.x) * k;
      this.view.y = drag.vy - (e.clientY - drag.y) * k;
      this.apply();
    });
    this.svg.addEventListener('pointerup', () => (drag = undefined));
  }

  /** Draws `graph` (nothing when undefined), fitted to the view. */
  show(graph: PolicyGraph | undefined): void {
    fill(this.svg);
    this.nodeEls.clear();
    this.edgeEls.clear();
    this.selected = undefined;
    if (graph === undefined || graph.nodes.size === 0) {
      this.positions = new Map();
      this.size = { w: 100, h: 100 };
      this.fit();
      return;
    }
    const layout = layoutGraph(graph);
    this.positions = new Map(layout.positions);
    this.size = { w: layout.width, h: layout.height };
    const edges = s('g', { class: 'edges' });
    for (const e of graph.edges) {
      const a = layout.positions.get(e.from);
      const b = layout.positions.get(e.to);
      if (a === undefined || b === undefined) continue;
      const x1 = a.x + NODE_WIDTH / 2;
      const y1 = a.y + NODE_HEIGHT;
      const x2 = b.x + NODE_WIDTH / 2;
      const y2 = b.y;
      const my = (y1 + y2) / 2;
      const path = s('path', { class: `edge edge-${e.kind}`, d: `M${x1},${y1} C${x1},${my} ${x2},${my} ${x2},${y2}` }, s('title', {}, `${e.from} → ${e.to} (${e.kind})`));
      this.edgeEls.set(e.key, path);
      edges.append(path);
    }
    const nodes = s('g', { class: 'nodes' });
    for (const n of graph.nodes.values()) {
      const p = layout.positions.get(n.key);
      if (p === undefined) continue;
      const label = n.label.length > 18 ? `${n.label.slice(0, 17)}…` : n.label;
      const g = s(
        'g',
        { class: `node node-${n.kind}`, transform: `translate(${p.x},${p.y})`, 'data-key': n.key, tabindex: 0 },
        s('rect', { width: NODE_WIDTH, height: NODE_HEIGHT, rx: n.kind === 'user' ? 15 : 4 }),
        s('text', { x: NODE_WIDTH / 2, y: NODE_HEIGHT / 2 + 4, 'text-anchor': 'middle' }, label),
        s('title', {}, `${KIND_LABEL[n.kind]} ${n.id}${n.label !== n.id ? ` (${n.label})` : ''}, tenant ${n.tenant}`),
      );
      g.addEventListener('click', () => this.onSelect(n.key));
      g.addEventListener('keydown', (e) => {
        if (e.key === 'Enter') this.onSelect(n.key);
      });
      this.nodeEls.set(n.key, g);
      nodes.append(g);
    }
    this.svg.append(edges, nodes);
    this.fit();
  }

  /** Whether a node is drawn. */
  has(key: string): boolean {
    return this.nodeEls.has(key);
  }

  /** Marks `keys` (and the edges `pairs` of consecutive keys form), dimming the rest; an empty set clears. */
  highlight(keys: ReadonlySet<string>, pairs: readonly (readonly [string, string])[] = []): void {
    const edges = new Set(pairs.map(([a, b]) => edgeKey(a, b)));
    const on = keys.size > 0;
    this.svg.classList.toggle('dimmed', on);
    for (const [k, el] of this.nodeEls) el.classList.toggle('hl', keys.has(k));
    for (const [k, el] of this.edgeEls) el.classList.toggle('hl', edges.has(k));
  }

  /** Marks `key` as selected and brings it into view. */
  select(key: string | undefined): void {
    if (this.selected !== undefined) this.nodeEls.get(this.selected)?.classList.remove('selected');
    this.selected = key;
    if (key === undefined) return;
    this.nodeEls.get(key)?.classList.add('selected');
    const p = this.positions.get(key);
    if (p === undefined) return;
    const x = p.x + NODE_WIDTH / 2;
    const y = p.y + NODE_HEIGHT / 2;
    if (x < this.view.x || x > this.view.x + this.view.w || y < this.view.y || y > this.view.y + this.view.h || this.view.w > 3000) {
      const w = Math.min(this.view.w, 1600);
      const ratio = this.view.h / this.view.w;
      this.view = { x: x - w / 2, y: y - (w * ratio) / 2, w, h: w * ratio };
      this.apply();
    }
  }

  /** Fits the whole picture in the view. */
  fit(): void {
    const r = this.svg.getBoundingClientRect();
    const aspect = r.width > 0 && r.height > 0 ? r.height / r.width : 0.6;
    const pad = 20;
    let w = this.size.w + 2 * pad;
    let hgt = this.size.h + 2 * pad;
    if (hgt / w > aspect) w = hgt / aspect;
    else hgt = w * aspect;
    this.view = { x: (this.size.w - w) / 2, y: (this.size.h - hgt) / 2, w, h: hgt };
    this.apply();
  }

  private zoomAt(f: number, cx: number, cy: number): void {
    const w = Math.min(Math.max(this.view.w * f, 100), 200_000);
    const k = w / this.view.w;
    this.view = { x: cx - (cx - this.view.x) * k, y: cy - (cy - this.view.y) * k, w, h: this.view.h * k };
    this.apply();
  }

  private toGraph(clientX: number, clientY: number): { x: number; y: number } {
    const r = this.svg.getBoundingClientRect();
    return { x: this.view.x + ((clientX - r.left) / Math.max(1, r.width)) * this.view.w, y: this.view.y + ((clientY - r.top) / Math.max(1, r.height)) * this.view.h };
  }

  private apply(): void {
    this.svg.setAttribute('viewBox', `${this.view.x} ${this.view.y} ${this.view.w} ${this.view.h}`);
  }
}
