/*
 * SPEC 9, parent-controlled types, toSql for SQLite against a real SQLite database
 * (better-sqlite3, in memory; no server): for random policies that declare controlled types (one,
 * or a two-level chain), the rows `SELECT id FROM <child table> WHERE <toSql(filter(u, a, childType))>`
 * are exactly the records of the child type that `can(u, a, r)` allows, for every user (and an
 * unknown one) and action, the parent's condition a sub-select on the parent's table through
 * `mapping.parent`. The model is test/postgres/filter-parents.test.ts; the cases, the table layout
 * and the comparison are shared with it through test/support/parent-cases.ts. Access groups and
 * attributes are JSON text columns.
 */
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { createEngine, type PolicyInput, type Resource } from '../../src/index.js';
import { toSql } from '../../src/adapters/sqlite/index.js';
import { compareParents, everyRecord, newParentStats, parentLayout, parentProperty, type ParentStats } from '../support/parent-cases.js';

const q = (name: string): string => `"${name.replaceAll('"', '""')}"`;

let tableNo = 0;

async function checkCase(db: Database.Database, policy: PolicyInput, resources: readonly Resource[], stats: ParentStats): Promise<void> {
  const records = everyRecord(resources);
  const layout = parentLayout(policy, records, tableNo++);
  try {
    db.exec(`CREATE TABLE ${q(layout.own)} (id TEXT NOT NULL, type TEXT NOT NULL, tenant_id TEXT, owner_user_id TEXT, owner_group_id TEXT, access_groups TEXT, attributes TEXT, PRIMARY KEY (type, id))`);
    for (const { table } of layout.children) db.exec(`CREATE TABLE ${q(table)} (id TEXT PRIMARY KEY, parent_id TEXT)`);
    const insert = db.prepare(`INSERT INTO ${q(layout.own)} (id, type, tenant_id, owner_user_id, owner_group_id, access_groups, attributes) VALUES (?, ?, ?, ?, ?, ?, ?)`);
    for (const r of layout.ownRows) {
      insert.run(r.id, r.type, r.tenant, r.ownerUser, r.ownerGroup, r.accessGroups === null ? null : JSON.stringify(r.accessGroups), r.attributes === null ? null : JSON.stringify(r.attributes));
    }
    for (const { table, rows } of layout.children) {
      const child = db.prepare(`INSERT INTO ${q(table)} (id, parent_id) VALUES (?, ?)`);
      for (const r of rows) child.run(r.id, r.parent);
    }
    await compareParents(policy, records, layout, (f, m) => toSql(f, m), async (branches) =>
      branches.flatMap(({ k, where, table }) => (db.prepare(`SELECT id FROM ${q(table)} WHERE ${where.sql}`).raw(true).all(...where.params) as unknown[][]).map(([id]) => [k, String(id)] as const)),
    stats);
  } finally {
    db.exec(layout.tables.map((t) => `DROP TABLE ${q(t)};`).join(' '));
  }
}

describe('toSql (SQLite) of a controlled type agrees with can() on a real SQLite database', () => {
  it('rows of the child tables returned by WHERE <toSql(filter(u, a, child))> are exactly those can() allows', async () => {
    const db = new Database(':memory:');
    const stats = newParentStats();
    try {
      await parentProperty('filter-parents (SQLite)', stats, (policy, resources) => checkCase(db, policy, resources, stats));
    } finally {
      db.close();
    }
  });

  it('the parent sub-select quotes odd names and takes `?` placeholders in order', () => {
    const db = new Database(':memory:');
    const engine = createEngine({
      policy: {
        users: [{ id: 'u1' }],
        resourceTypes: { account: { actions: { view: 'read' } }, contact: { actions: { view: 'read' }, controlledBy: 'account' } },
      },
    });
    const f = engine.filter('u1', 'view', 'contact');
    const w = toSql(f, { parent: { column: 'order', table: 'groups', id: 'select', mapping: { ownerUser: 'owner"user', ownerGroup: 'owner_group_id', tenant: 'where' } } });
    expect(w.sql).toBe('"order" IN (SELECT "select" FROM "groups" WHERE ("where" IN (SELECT value FROM json_each(?)) OR "where" IS NULL) AND "owner""user" IN (SELECT value FROM json_each(?)))');
    expect(w.params).toEqual(['["default"]', '["u1"]']);
    db.exec('CREATE TABLE "groups" ("select" TEXT PRIMARY KEY, "where" TEXT, "owner""user" TEXT, owner_group_id TEXT)');
    db.exec('CREATE TABLE contacts (id TEXT PRIMARY KEY, "order" TEXT)');
    db.exec("INSERT INTO \"groups\" VALUES ('a1', NULL, 'u1', NULL), ('a2', 'default', 'U1', NULL), ('a3', 'other', 'u1', NULL), ('a4', 'default', 'u1', NULL)");
    db.exec("INSERT INTO contacts VALUES ('c1', 'a1'), ('c2', 'a2'), ('c3', 'a3'), ('c4', 'a4'), ('c5', NULL), ('c6', 'A1')");
    const rows = db.prepare(`SELECT id FROM contacts WHERE ${w.sql} ORDER BY id`).raw(true).all(...w.params) as unknown[][];
    db.close();
    expect(rows.map(([id]) => id)).toEqual(['c1', 'c4']);
  });
});
