import { toSql, type SqlMapping } from '../adapters/postgres/to-sql.js';
import type { Engine } from '../index.js';
import { h, fill } from './dom.js';

/*
 * A user's `filter()` for an action on a type, compiled by `toSql` (the driver-free compiler of
 * purview/postgres) over a table mapping typed in the page: the WHERE condition and its parameters.
 */

const DEFAULT_MAPPING: SqlMapping = { ownerUser: 'owner_user_id', ownerGroup: 'owner_group_id', tenant: 'tenant_id', accessGroups: 'access_groups', attributes: 'attributes', shares: false };

const clip = (t: string): string => (t.length > 2000 ? `${t.slice(0, 2000)}… (${t.length.toLocaleString('en')} characters)` : t);

/** The SQL panel. */
export class SqlPanel {
  readonly element: HTMLElement;
  private readonly mapping = h('textarea', { id: 'sql-mapping', rows: 4, spellcheck: 'false' });
  private readonly out = h('div', { id: 'sql-out', class: 'result' });

  constructor() {
    this.mapping.value = JSON.stringify(DEFAULT_MAPPING, null, 1);
    this.element = h('section', {}, h('h2', {}, 'filter() as SQL'), h('label', { for: 'sql-mapping' }, 'Table mapping (JSON, see docs/postgres.md)'), this.mapping, this.out);
  }

  /** Called on every mapping edit. */
  set onEdit(fn: () => void) {
    this.mapping.addEventListener('input', fn);
  }

  /** Shows the SQL of `user`'s filter for `action` on `type`. */
  show(engine: Engine | undefined, user: string, action: string, type: string | undefined): void {
    if (engine === undefined || type === undefined || user === '' || action === '') {
      fill(this.out, 'Choose a user, an action and a record in the check form.');
      return;
    }
    let mapping: unknown;
    try {
      mapping = JSON.parse(this.mapping.value) as unknown;
    } catch (e) {
      fill(this.out, h('p', { class: 'error' }, `the mapping is not JSON: ${(e as Error).message}`));
      return;
    }
    try {
      const f = engine.filter(user, action, type);
      const sql = toSql(f, mapping as SqlMapping);
      fill(this.out, h('p', {}, `${type} rows ${user} may ${action}:`), h('pre', { class: 'sql' }, `WHERE ${sql.sql}`), h('pre', { class: 'params' }, `params: ${clip(JSON.stringify(sql.params))}`));
    } catch (e) {
      fill(this.out, h('p', { class: 'error' }, (e as Error).message));
    }
  }
}
