import type { Engine } from '../index.js';
import { h, fill } from './dom.js';
import type { PolicyGraph } from './graph-model.js';
import { markPath, noMarks, type Marks } from './paths.js';

/*
 * What the selected node is part of: a user's groups (`groupsOf`, each with its path, all
 * highlighted), a group's members (`membersOf`), a role's users, a tenant's size.
 */

/** The panel about the selected node. */
export class SelectionPanel {
  readonly element: HTMLElement;
  private readonly body = h('div', { id: 'selection', class: 'result' }, 'Click a node (or search) to see its groups or members.');
  /** Called with what the selection highlights. */
  onMarks: (marks: Marks) => void = () => {};

  constructor() {
    this.element = h('section', {}, h('h2', {}, 'Selection'), this.body);
  }

  /** Shows `key` (a node key) of `graph`, answered by `engine`. */
  show(key: string | undefined, engine: Engine | undefined, graph: PolicyGraph | undefined): void {
    const node = key === undefined ? undefined : graph?.nodes.get(key);
    if (node === undefined || engine === undefined) {
      fill(this.body, 'Click a node (or search) to see its groups or members.');
      return;
    }
    const marks = noMarks();
    marks.nodes.add(node.key);
    try {
      if (node.kind === 'user') {
        const groups = engine.groupsOf(node.id, { paths: true });
        for (const g of groups) markPath(marks, g.path);
        fill(
          this.body,
          h('p', {}, `user ${node.id} (tenant ${node.tenant}) is in ${groups.length} group${groups.length === 1 ? '' : 's'}:`),
          h('ul', { id: 'groups-of' }, ...groups.map((g) => h('li', {}, h('b', {}, g.group), ' via ', g.path.map((st) => `${st.kind} ${st.id}`).join(' → ')))),
        );
      } else if (node.kind === 'group') {
        const members = engine.membersOf(node.id);
        for (const m of members) marks.nodes.add(`user:${m}`);
        fill(this.body, h('p', {}, `group ${node.id} (${node.label}) has ${members.length} member${members.length === 1 ? '' : 's'}: `), h('p', { id: 'members-of' }, members.join(', ')));
      } else if (node.kind === 'role') {
        const users = [...engine.policy.users.values()].filter((u) => u.role === node.id).map((u) => u.id);
        for (const u of users) marks.nodes.add(`user:${u}`);
        const parent = engine.policy.roles.get(node.id)?.parent;
        fill(this.body, h('p', {}, `role ${node.id} (tenant ${node.tenant})${parent === undefined ? ', a root' : `, under ${parent}`}; users with it: ${users.join(', ') || 'none'}`));
      } else {
        const parent = engine.policy.tenants.get(node.id)?.parent;
        fill(this.body, h('p', {}, `tenant ${node.id}${parent === undefined ? '' : `, under ${parent}`}`));
      }
    } catch (e) {
      fill(this.body, h('p', { class: 'error' }, (e as Error).message));
    }
    this.onMarks(marks);
  }
}
