/*
 * toSql for MySQL against the real MariaDB server (test/support/mariadb.ts: 127.0.0.1:3306 or
 * PURVIEW_MYSQL_URL; the machine's mariadbd is started when nothing answers; a database of this
 * file's own, dropped after): for random policies and random resource tables, the rows
 * `SELECT id FROM t WHERE <toSql(filter(u, a, type))>` returns are exactly the resources of `type`
 * that `can(u, a, r)` allows, for every user (and an unknown one), type and action. The model is
 * test/postgres/filter-sql.test.ts; the cases and the comparison are shared with it through
 * test/support/filter-cases.ts.
 *
 * Mapping variants:
 *   A  a JSON array of access groups, a `type` column mapping, unqualified column names;
 *   B  a join table of access groups (which has an `id` column of its own), the type checked by the caller;
 *   C  no tenant column (rows stored in tenant `default` only), qualified names `t.x`.
 * A second test compares every segment condition over odd keys and values with segmentMatches.
 */
import fc from 'fast-check';
import type mysql from 'mysql2/promise';
import { describe, expect, it } from 'vitest';
import { toSql, type SqlMapping } from '../../src/adapters/mysql/index.js';
import { segmentMatches, type AttributeValue, type Resource, type Segment } from '../../src/index.js';
import { runParams } from '../arbitraries/settings.js';
import { attributeRows, compareCase, conditionsOn, filterCases, SEGMENT_KEYS, mappingVariants, segmentFilter, shareCases, shareRows, shareVariant } from '../support/filter-cases.js';
import { useMariadb } from '../support/mariadb.js';

const my = useMariadb('purview_fsql');

const VARIANTS = mappingVariants((t) => `\`${t}\``, '?');

const ID = 'VARBINARY(1024)';
let tableNo = 0;

async function loadTable(c: mysql.Connection, resources: readonly Resource[]): Promise<{ table: string; join: string }> {
  const table = `t${tableNo}`;
  const join = `t${tableNo}_ag`;
  tableNo++;
  await c.query(`CREATE TABLE \`${table}\` (id ${ID} PRIMARY KEY, type ${ID} NOT NULL, tenant_id ${ID}, owner_user_id ${ID}, owner_group_id ${ID}, access_groups JSON, attributes JSON)`);
  await c.query(`CREATE TABLE \`${join}\` (id INT AUTO_INCREMENT PRIMARY KEY, record_id ${ID} NOT NULL, access_group ${ID} NOT NULL)`);
  // Tenantless rows: NULL or 'default'; rows without access groups or attributes: NULL or empty.
  const rows = resources.map((r, i) => [
    r.id,
    r.type,
    r.tenant ?? (i % 2 === 0 ? null : 'default'),
    r.owner !== undefined && 'user' in r.owner ? r.owner.user : null,
    r.owner !== undefined && 'group' in r.owner ? r.owner.group : null,
    r.accessGroups === undefined ? (i % 2 === 0 ? null : '[]') : JSON.stringify(r.accessGroups),
    r.attributes === undefined ? (i % 2 === 0 ? null : '{}') : JSON.stringify(r.attributes),
  ]);
  if (rows.length > 0) await c.query(`INSERT INTO \`${table}\` (id, type, tenant_id, owner_user_id, owner_group_id, access_groups, attributes) VALUES ?`, [rows]);
  const links = resources.flatMap((r) => (r.accessGroups ?? []).map((g) => [r.id, g]));
  if (links.length > 0) await c.query(`INSERT INTO \`${join}\` (record_id, access_group) VALUES ?`, [links]);
  return { table, join };
}

const text = (v: unknown): string => (Buffer.isBuffer(v) ? v.toString('utf8') : String(v));

describe('toSql (MySQL) agrees with can() on a real MariaDB table', () => {
  it('rows returned by WHERE <toSql(filter(u, a, t))> are exactly those can() allows, in three mappings', async () => {
    const db = await my.fresh(1);
    const c = db.admin;
    const stats = { cases: 0, compared: 0, allowed: 0, some: 0 };
    await fc.assert(
      fc.asyncProperty(filterCases, async ({ policy, resources, at }) => {
        const { table, join } = await loadTable(c, resources);
        try {
          for (const v of VARIANTS) {
            const r = await compareCase(policy, resources, at, v, table, join, (f, m) => toSql(f, m), async (branches) => {
              const params: unknown[] = [];
              const sql = branches
                .map(({ k, where, type }) => {
                  if (v.extra !== undefined) params.push(type);
                  params.push(...where.params);
                  return `SELECT ${k} AS k, id FROM ${v.from(table)} WHERE ${v.extra === undefined ? '' : `${v.extra} AND `}(${where.sql})`;
                })
                .join('\nUNION ALL\n');
              if (sql === '') return [];
              const [rows] = await c.query({ sql, values: params, rowsAsArray: true });
              return (rows as unknown[][]).map(([k, id]) => [Number(k), text(id)] as const);
            });
            stats.compared += r.compared;
            stats.allowed += r.allowed;
            stats.some += r.some;
          }
        } finally {
          await c.query(`DROP TABLE \`${table}\`, \`${join}\``);
        }
        stats.cases++;
      }),
      runParams(100),
    );
    console.log(`filter-sql (MySQL): ${JSON.stringify(stats)}`);
    expect(stats.compared).toBeGreaterThan(3_000);
    expect(stats.allowed).toBeGreaterThan(150);
    expect(stats.some).toBeGreaterThan(50);
  });
});

describe('record shares: toSql (MySQL) agrees with can() on MariaDB', () => {
  it('records with shares bounded around the instant (DATETIME columns in UTC): exactly the rows can() allows', async () => {
    const db = await my.fresh(1);
    const c = db.admin;
    const stats = { compared: 0, allowed: 0, some: 0 };
    const variant = shareVariant((t) => `\`${t}\``);
    const datetime = (iso: string | null): string | null => (iso === null ? null : iso.replace('T', ' ').replace('Z', ''));
    await fc.assert(
      fc.asyncProperty(shareCases, async ({ policy, resources, at }) => {
        const { table, join } = await loadTable(c, resources);
        const shares = `${table}_shares`;
        await c.query(`CREATE TABLE \`${shares}\` (id INT AUTO_INCREMENT PRIMARY KEY, record_id ${ID} NOT NULL, principal_kind VARCHAR(32) NOT NULL, principal_id ${ID} NOT NULL, level VARCHAR(16) NOT NULL, since DATETIME(3), until DATETIME(3))`);
        const rows = shareRows(resources).map(([r, k, i, l, since, until]) => [r, k, i, l, datetime(since), datetime(until)]);
        if (rows.length > 0) await c.query(`INSERT INTO \`${shares}\` (record_id, principal_kind, principal_id, level, since, until) VALUES ?`, [rows]);
        try {
          const r = await compareCase(policy, resources, at, variant, table, shares, (f, m) => toSql(f, m), async (branches) => {
            const params: unknown[] = [];
            const sql = branches.map(({ k, where }) => {
              params.push(...where.params);
              return `SELECT ${k} AS k, \`${table}\`.id FROM \`${table}\` WHERE (${where.sql})`;
            }).join('\nUNION ALL\n');
            if (sql === '') return [];
            const [found] = await c.query({ sql, values: params, rowsAsArray: true });
            return (found as unknown[][]).map(([k, id]) => [Number(k), text(id)] as const);
          });
          stats.compared += r.compared;
          stats.allowed += r.allowed;
          stats.some += r.some;
        } finally {
          await c.query(`DROP TABLE \`${table}\`, \`${join}\`, \`${shares}\``);
        }
      }),
      runParams(60),
    );
    console.log(`filter-shares (MySQL): ${JSON.stringify(stats)}`);
    expect(stats.allowed).toBeGreaterThan(50);
  });
});

describe('segments in MySQL', () => {
  it('every condition (equals, in, contains) over odd keys and values matches exactly as segmentMatches', async () => {
    const db = await my.fresh(1);
    const extraKeys = ['a"b', 'back\\slash', 'ünï'];
    const extraValues: AttributeValue[] = ['eu', 'EU ', ['eu'], 2, 1e21, -0.5, 'true'];
    const rows = attributeRows(extraKeys, extraValues);
    await db.admin.query('CREATE TABLE seg (n INT PRIMARY KEY, attributes JSON)');
    await db.admin.query('INSERT INTO seg (n, attributes) VALUES ?', [rows.map((a, n) => [n, a === null ? null : JSON.stringify(a)])]);
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
    for (let from = 0; from < segments.length; from += 100) {
      const batch = segments.slice(from, from + 100);
      const params: unknown[] = [];
      const sql = batch
        .map((segment, k) => {
          const w = toSql(segmentFilter(segment), mapping);
          params.push(...w.params);
          return `SELECT ${k} AS k, n FROM seg WHERE ${w.sql}`;
        })
        .join(' UNION ALL ');
      const [result] = await db.admin.query({ sql, values: params, rowsAsArray: true });
      const got = new Map<number, number[]>();
      for (const [k, n] of result as unknown[][]) got.set(Number(k), [...(got.get(Number(k)) ?? []), Number(n)]);
      batch.forEach((segment, k) => {
        const expected = rows.flatMap((a, n) => (segmentMatches(segment, a ?? undefined) ? [n] : []));
        const actual = (got.get(k) ?? []).sort((x, y) => x - y);
        if (JSON.stringify(actual) !== JSON.stringify(expected)) {
          const wrong = rows.filter((_, n) => expected.includes(n) !== actual.includes(n));
          throw new Error(`segment ${JSON.stringify(segment)}: SQL ${JSON.stringify(actual)}, in memory ${JSON.stringify(expected)}; differs on ${wrong.map((a) => JSON.stringify(a)).join(', ')}`);
        }
        checked += rows.length;
      });
    }
    expect(segments.length).toBeGreaterThan(200);
    expect(checked).toBeGreaterThan(10_000);
  });
});
