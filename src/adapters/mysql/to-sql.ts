import type { AccessFilter } from '../../decide/access-filter.js';
import { InvalidInputError } from '../../errors/errors.js';
import { instantMillis } from '../../model/instant.js';
import type { Condition } from '../../model/segment.js';
import { conditionIs } from '../../model/segment-match.js';
import { compileWith, quoteQualified, storableValue, type Param, type SqlDialect, type SqlFragment, type SqlMapping } from '../sql/to-sql.js';

/*
 * toSql for MySQL 8 and MariaDB 10.11: the shared compiler of ../sql/to-sql.ts with `?`
 * placeholders, backtick-quoted names, `IN (?, ...)` for id lists (one placeholder per id: MySQL
 * has no array parameters), `JSON_OVERLAPS` for a JSON array of access groups, and segment
 * conditions over a JSON attributes column through JSON_EXTRACT / JSON_TYPE / JSON_CONTAINS, typed
 * as segmentMatches is (`'1'` is not `1`, `true` is not `1`, text compared byte for byte).
 */

/** A JSON path to `attribute` (and an element of it), as a parameter: the name never reaches SQL text. */
const path = (attribute: string, index?: number): string => `$.${JSON.stringify(attribute)}${index === undefined ? '' : `[${index}]`}`;

const NUMBER_TYPES = `('INTEGER', 'UNSIGNED INTEGER', 'DOUBLE', 'DECIMAL')`;

/** The JSON value at `p` of `attrs` equals the scalar `v`, with its type. */
function scalarIs(attrs: string, p: string, v: string | number | boolean, param: Param): string {
  const at = (): string => `JSON_EXTRACT(${attrs}, ${param(p, 'text')})`;
  if (typeof v === 'string') return `(JSON_TYPE(${at()}) = 'STRING' AND CAST(JSON_UNQUOTE(${at()}) AS BINARY) = CAST(${param(v, 'text')} AS BINARY))`;
  if (typeof v === 'number') return Number.isFinite(v) ? `(JSON_TYPE(${at()}) IN ${NUMBER_TYPES} AND JSON_UNQUOTE(${at()}) + 0 = ${param(v, 'number')})` : 'FALSE';
  return `(JSON_TYPE(${at()}) = 'BOOLEAN' AND JSON_UNQUOTE(${at()}) = '${v ? 'true' : 'false'}')`;
}

function conditionSql(attrs: string, c: Condition, param: Param): string {
  const p = path(c.attribute);
  if (conditionIs(c, 'equals')) {
    if (!storableValue(c.equals)) return 'FALSE';
    const v = c.equals;
    if (!Array.isArray(v)) return scalarIs(attrs, p, v as string | number | boolean, param);
    const list = v as readonly string[];
    const parts = [`JSON_TYPE(JSON_EXTRACT(${attrs}, ${param(p, 'text')})) = 'ARRAY'`, `JSON_LENGTH(${attrs}, ${param(p, 'text')}) = ${list.length}`];
    list.forEach((x, i) => parts.push(scalarIs(attrs, path(c.attribute, i), x, param)));
    return `(${parts.join(' AND ')})`;
  }
  if (conditionIs(c, 'in')) {
    const arms = c.in.filter(storableValue).map((v) => scalarIs(attrs, p, v, param));
    return arms.length === 0 ? 'FALSE' : arms.length === 1 ? (arms[0] as string) : `(${arms.join(' OR ')})`;
  }
  if (!conditionIs(c, 'contains') || !storableValue(c.contains)) return 'FALSE';
  return `(JSON_TYPE(JSON_EXTRACT(${attrs}, ${param(p, 'text')})) = 'ARRAY' AND JSON_CONTAINS(${attrs}, ${param(JSON.stringify(c.contains), 'json')}, ${param(p, 'text')}))`;
}

/** An RFC 3339 instant as a MySQL DATETIME literal in UTC (`2026-03-01 12:00:00.000`). */
function datetime(at: string): string {
  const ms = instantMillis(at);
  if (ms === undefined) throw new InvalidInputError({ message: 'a share clause needs its instant `at` (an RFC 3339 date-time)', path: ['filter', 'anyOf'] });
  return new Date(ms).toISOString().replace('T', ' ').replace('Z', '');
}

/** The dialect of MySQL and MariaDB. */
export const MYSQL_DIALECT: SqlDialect = {
  quoteIdent: (name) => quoteQualified(name, '`'),
  placeholder: () => '?',
  reusesPlaceholders: false,
  inList: (column, ids, param) => `${column} IN (${ids.map((id) => param(id, 'text')).join(', ')})`,
  overlaps: (column, ids, param) => `JSON_OVERLAPS(${column}, ${param(JSON.stringify(ids), 'json')})`,
  condition: conditionSql,
  instant: (at, param) => param(datetime(at), 'datetime'),
  // DATETIME bounds: mysql2 reads them as Dates; stored at the column's precision (DATETIME(3) recommended).
  bound: (column) => column,
};

/**
 * Compiles an {@link AccessFilter} to a parameterized `WHERE` condition for MySQL 8 or MariaDB
 * 10.11 over the application's own table: exactly the rows `can()` allows. The same
 * {@link SqlMapping} as PostgreSQL's `toSql`, with MySQL types: `accessGroups` a JSON array
 * column (`JSON_OVERLAPS`) or a join table, `attributes` a JSON object column, share bounds
 * `DATETIME` columns in UTC. Placeholders are `?`, in the order of `params`; an id list is one
 * placeholder per id. Id columns should compare byte for byte (`VARBINARY`, or a `_bin`
 * collation): under a case-insensitive collation, `Bob` would match the rows of `bob`.
 * @example
 * ```ts
 * const f = engine.filter('u1', 'view', 'lead');
 * const w = toSql(f, { ownerUser: 'owner_user_id', ownerGroup: 'owner_group_id', tenant: 'tenant_id', accessGroups: 'access_groups', attributes: 'attributes', shares: false });
 * const [rows] = await pool.query(`SELECT id FROM leads WHERE ${w.sql} ORDER BY id LIMIT 50`, w.params);
 * ```
 */
export function toSql(filter: AccessFilter, mapping: SqlMapping): SqlFragment {
  return compileWith(MYSQL_DIALECT, filter, mapping, 1);
}
