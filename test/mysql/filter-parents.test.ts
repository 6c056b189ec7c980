/*
 * SPEC 9, parent-controlled types, toSql for MySQL against the real MariaDB server
 * (test/support/mariadb.ts; a database of this file's own, dropped after): for random policies
 * that declare controlled types (one, or a two-level chain), the rows
 * `SELECT id FROM <child table> WHERE <toSql(filter(u, a, childType))>` are exactly the records of
 * the child type that `can(u, a, r)` allows, for every user (and an unknown one) and action, the
 * parent's condition a sub-select on the parent's table through `mapping.parent`. The model is
 * test/postgres/filter-parents.test.ts; the cases, the table layout and the comparison are shared
 * with it through test/support/parent-cases.ts. Ids are VARBINARY, compared byte for byte as can()
 * compares them; access groups and attributes are JSON columns.
 */
import type mysql from 'mysql2/promise';
import { describe, expect, it } from 'vitest';
import { createEngine, type PolicyInput, type Resource } from '../../src/index.js';
import { toSql } from '../../src/adapters/mysql/index.js';
import { compareParents, everyRecord, newParentStats, parentLayout, parentProperty, type ParentStats } from '../support/parent-cases.js';
import { useMariadb } from '../support/mariadb.js';

const my = useMariadb('purview_fpar');

const ID = 'VARBINARY(1024)';
const q = (name: string): string => `\`${name.replaceAll('`', '``')}\``;
const text = (v: unknown): string => (Buffer.isBuffer(v) ? v.toString('utf8') : String(v));

let tableNo = 0;

async function checkCase(c: mysql.Connection, policy: PolicyInput, resources: readonly Resource[], stats: ParentStats): Promise<void> {
  const records = everyRecord(resources);
  const layout = parentLayout(policy, records, tableNo++);
  try {
    await c.query(`CREATE TABLE ${q(layout.own)} (id ${ID} NOT NULL, type ${ID} NOT NULL, tenant_id ${ID}, owner_user_id ${ID}, owner_group_id ${ID}, access_groups JSON, attributes JSON, PRIMARY KEY (type, id))`);
    for (const { table } of layout.children) await c.query(`CREATE TABLE ${q(table)} (id ${ID} PRIMARY KEY, parent_id ${ID})`);
    const own = layout.ownRows.map((r) => [r.id, r.type, r.tenant, r.ownerUser, r.ownerGroup, r.accessGroups === null ? null : JSON.stringify(r.accessGroups), r.attributes === null ? null : JSON.stringify(r.attributes)]);
    if (own.length > 0) await c.query(`INSERT INTO ${q(layout.own)} (id, type, tenant_id, owner_user_id, owner_group_id, access_groups, attributes) VALUES ?`, [own]);
    for (const { table, rows } of layout.children) {
      if (rows.length > 0) await c.query(`INSERT INTO ${q(table)} (id, parent_id) VALUES ?`, [rows.map((r) => [r.id, r.parent])]);
    }
    await compareParents(policy, records, layout, (f, m) => toSql(f, m), async (branches) => {
      const sql = branches.map(({ k, where, table }) => `SELECT ${k} AS k, id FROM ${q(table)} WHERE ${where.sql}`).join('\nUNION ALL\n');
      const [rows] = await c.query({ sql, values: branches.flatMap((b) => b.where.params), rowsAsArray: true });
      return (rows as unknown[][]).map(([k, id]) => [Number(k), text(id)] as const);
    }, stats);
  } finally {
    await c.query(`DROP TABLE ${layout.tables.map(q).join(', ')}`);
  }
}

describe('toSql (MySQL) of a controlled type agrees with can() on a real MariaDB server', () => {
  it('rows of the child tables returned by WHERE <toSql(filter(u, a, child))> are exactly those can() allows', async () => {
    const db = await my.fresh(1);
    const stats = newParentStats();
    await parentProperty('filter-parents (MySQL)', stats, (policy, resources) => checkCase(db.admin, policy, resources, stats));
  });

  it('the parent sub-select quotes reserved and odd names with backticks and takes `?` placeholders in order', async () => {
    const db = await my.fresh(1);
    const c = db.admin;
    const engine = createEngine({
      policy: {
        users: [{ id: 'u1' }],
        resourceTypes: { account: { actions: { view: 'read' } }, contact: { actions: { view: 'read' }, controlledBy: 'account' } },
      },
    });
    const f = engine.filter('u1', 'view', 'contact');
    const w = toSql(f, { parent: { column: 'order', table: 'groups', id: 'select', mapping: { ownerUser: 'owner`user', ownerGroup: 'owner_group_id', tenant: 'where' } } });
    expect(w.sql).toBe("`order` IN (SELECT `select` FROM `groups` WHERE (`where` IN (?) OR `where` IS NULL) AND `owner``user` IN (?))");
    expect(w.params).toEqual(['default', 'u1']);
    await c.query(`CREATE TABLE \`groups\` (\`select\` ${ID} PRIMARY KEY, \`where\` ${ID}, \`owner\`\`user\` ${ID}, owner_group_id ${ID})`);
    await c.query('CREATE TABLE `contacts` (id VARBINARY(16) PRIMARY KEY, `order` VARBINARY(16))');
    await c.query("INSERT INTO `groups` VALUES ('a1', NULL, 'u1', NULL), ('a2', 'default', 'U1', NULL), ('a3', 'other', 'u1', NULL), ('a4', 'default', 'u1', NULL)");
    await c.query("INSERT INTO `contacts` VALUES ('c1', 'a1'), ('c2', 'a2'), ('c3', 'a3'), ('c4', 'a4'), ('c5', NULL), ('c6', 'A1')");
    const [rows] = await c.query({ sql: `SELECT id FROM contacts WHERE ${w.sql} ORDER BY id`, values: w.params, rowsAsArray: true });
    expect((rows as unknown[][]).map(([id]) => text(id))).toEqual(['c1', 'c4']);
  });
});
