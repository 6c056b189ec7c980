/*
 * toSql for SQLite against a real SQLite database (better-sqlite3, in memory; no server): for
 * random policies and random resource tables, the rows `SELECT id FROM t WHERE <toSql(...)>`
 * returns are exactly the resources of the type that `can()` allows, for every user (and an
 * unknown one), type and action, in three mappings (as test/postgres/filter-sql.test.ts, whose
 * cases it shares through test/support/filter-cases.ts); and every segment condition over odd keys
 * and values matches exactly as segmentMatches.
 */
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toSql, type SqlMapping } from '../../src/adapters/sqlite/index.js';
import { segmentMatches, type AttributeValue, type Resource, type Segment } from '../../src/index.js';
import { runParams } from '../arbitraries/settings.js';
import { attributeRows, compareCase, conditionsOn, filterCases, SEGMENT_KEYS, mappingVariants, segmentFilter, shareCases, shareRows, shareVariant } from '../support/filter-cases.js';

const VARIANTS = mappingVariants((t) => `"${t}"`, '?');

let tableNo = 0;

function loadTable(db: Database.Database, resources: readonly Resource[]): { table: string; join: string } {
  const table = `t${tableNo}`;
  const join = `t${tableNo}_ag`;
  tableNo++;
  db.exec(`CREATE TABLE "${table}" (id TEXT PRIMARY KEY, type TEXT NOT NULL, tenant_id TEXT, owner_user_id TEXT, owner_group_id TEXT, access_groups TEXT, attributes TEXT)`);
  db.exec(`CREATE TABLE "${join}" (id INTEGER PRIMARY KEY, record_id TEXT NOT NULL, access_group TEXT NOT NULL)`);
  const insert = db.prepare(`INSERT INTO "${table}" VALUES (?, ?, ?, ?, ?, ?, ?)`);
  const link = db.prepare(`INSERT INTO "${join}" (record_id, access_group) VALUES (?, ?)`);
  resources.forEach((r, i) => {
    insert.run(
      r.id,
      r.type,
      r.tenant ?? (i % 2 === 0 ? null : 'default'),
      r.owner !== undefined && 'user' in r.owner ? r.owner.user : null,
      r.owner !== undefined && 'group' in r.owner ? r.owner.group : null,
      r.accessGroups === undefined ? (i % 2 === 0 ? null : '[]') : JSON.stringify(r.accessGroups),
      r.attributes === undefined ? (i % 2 === 0 ? null : '{}') : JSON.stringify(r.attributes),
    );
    for (const g of r.accessGroups ?? []) link.run(r.id, g);
  });
  return { table, join };
}

describe('toSql (SQLite) agrees with can() on a real SQLite table', () => {
  it('rows returned by WHERE <toSql(filter(u, a, t))> are exactly those can() allows, in three mappings', async () => {
    const db = new Database(':memory:');
    const stats = { cases: 0, compared: 0, allowed: 0, some: 0 };
    await fc.assert(
      fc.asyncProperty(filterCases, async ({ policy, resources, at }) => {
        const { table, join } = loadTable(db, resources);
        try {
          for (const v of VARIANTS) {
            const r = await compareCase(policy, resources, at, v, table, join, (f, m) => toSql(f, m), async (branches) => {
              const out: (readonly [number, string])[] = [];
              for (const { k, where, type } of branches) {
                const sql = `SELECT id FROM ${v.from(table)} WHERE ${v.extra === undefined ? '' : `${v.extra} AND `}(${where.sql})`;
                const params = [...(v.extra === undefined ? [] : [type]), ...where.params];
                for (const [id] of db.prepare(sql).raw(true).all(...params) as unknown[][]) out.push([k, String(id)]);
              }
              return out;
            });
            stats.compared += r.compared;
            stats.allowed += r.allowed;
            stats.some += r.some;
          }
        } finally {
          db.exec(`DROP TABLE "${table}"; DROP TABLE "${join}"`);
        }
        stats.cases++;
      }),
      runParams(150),
    );
    db.close();
    console.log(`filter-sql (SQLite): ${JSON.stringify(stats)}`);
    expect(stats.compared).toBeGreaterThan(3_000);
    expect(stats.allowed).toBeGreaterThan(150);
    expect(stats.some).toBeGreaterThan(50);
  });
});

describe('record shares: toSql (SQLite) agrees with can()', () => {
  it('records with shares bounded around the instant: exactly the rows can() allows', async () => {
    const db = new Database(':memory:');
    const stats = { compared: 0, allowed: 0, some: 0 };
    const variant = shareVariant((t) => `"${t}"`);
    await fc.assert(
      fc.asyncProperty(shareCases, async ({ policy, resources, at }) => {
        const { table } = loadTable(db, resources);
        const shares = `${table}_shares`;
        db.exec(`CREATE TABLE "${shares}" (id INTEGER PRIMARY KEY, record_id TEXT NOT NULL, principal_kind TEXT NOT NULL, principal_id TEXT NOT NULL, level TEXT NOT NULL, since TEXT, until TEXT)`);
        const insert = db.prepare(`INSERT INTO "${shares}" (record_id, principal_kind, principal_id, level, since, until) VALUES (?, ?, ?, ?, ?, ?)`);
        for (const row of shareRows(resources)) insert.run(...row);
        try {
          const r = await compareCase(policy, resources, at, variant, table, shares, (f, m) => toSql(f, m), async (branches) =>
            branches.flatMap(({ k, where }) => (db.prepare(`SELECT id FROM "${table}" WHERE ${where.sql}`).raw(true).all(...where.params) as unknown[][]).map(([id]) => [k, String(id)] as const)),
          );
          stats.compared += r.compared;
          stats.allowed += r.allowed;
          stats.some += r.some;
        } finally {
          db.exec(`DROP TABLE "${table}"; DROP TABLE "${table}_ag"; DROP TABLE "${shares}"`);
        }
      }),
      runParams(100),
    );
    db.close();
    console.log(`filter-shares (SQLite): ${JSON.stringify(stats)}`);
    expect(stats.allowed).toBeGreaterThan(100);
  });
});

describe('segments in SQLite', () => {
  it('every condition (equals, in, contains) over odd keys and values matches exactly as segmentMatches', () => {
    const db = new Database(':memory:');
    const extraKeys = ['a"b', 'back\\slash', 'ünï', '$.x', '[0]'];
    const extraValues: AttributeValue[] = ['eu', 'EU ', ['eu'], 2, 1e21, -0.5, 'true', '[]'];
    const rows = attributeRows(extraKeys, extraValues);
    db.exec('CREATE TABLE seg (n INTEGER PRIMARY KEY, attributes TEXT)');
    const insert = db.prepare('INSERT INTO seg VALUES (?, ?)');
    rows.forEach((a, n) => insert.run(n, a === null ? null : JSON.stringify(a)));
    const keys = [...SEGMENT_KEYS, ...extraKeys];
    const single = keys.flatMap((k) => conditionsOn(k, extraValues)).map((cond) => ({ all: [cond] }));
    const pairs: Segment[] = [];
    const some = conditionsOn('region', extraValues).filter((_, i) => i % 4 === 0);
    const tags = conditionsOn('tags', extraValues).filter((_, i) => i % 3 === 0);
    for (const a of some) for (const b of tags) pairs.push({ all: [a, b] });
    const segments: Segment[] = [{ all: [] }, ...single, ...pairs];
    // The table holds attributes only: no owner columns to map (a segment clause reads none).
    const mapping: SqlMapping = { attributes: 'attributes', shares: false };
    let checked = 0;
    for (const segment of segments) {
      const w = toSql(segmentFilter(segment), mapping);
      const actual = (db.prepare(`SELECT n FROM seg WHERE ${w.sql} ORDER BY n`).raw(true).all(...w.params) as unknown[][]).map((r) => Number(r[0]));
      const expected = rows.flatMap((a, n) => (segmentMatches(segment, a ?? undefined) ? [n] : []));
      if (JSON.stringify(actual) !== JSON.stringify(expected)) {
        const wrong = rows.filter((_, n) => expected.includes(n) !== actual.includes(n));
        throw new Error(`segment ${JSON.stringify(segment)}: SQL ${JSON.stringify(actual)}, in memory ${JSON.stringify(expected)}; differs on ${wrong.map((a) => JSON.stringify(a)).join(', ')}\n${w.sql}`);
      }
      checked += rows.length;
    }
    db.close();
    expect(segments.length).toBeGreaterThan(200);
    expect(checked).toBeGreaterThan(10_000);
  });
});
