import type { AccessFilter } from '../../decide/access-filter.js';
import { InvalidInputError } from '../../errors/errors.js';
import { instantMillis } from '../../model/instant.js';
import type { Condition } from '../../model/segment.js';
import { conditionIs } from '../../model/segment-match.js';
import { compileWith, quoteQualified, storableValue, type Param, type SqlDialect, type SqlFragment, type SqlMapping } from '../sql/to-sql.js';

/*
 * toSql for SQLite: the shared compiler of ../sql/to-sql.ts with `?` placeholders, an id list as
 * one JSON parameter (`IN (SELECT value FROM json_each(?))`), a JSON array column of access
 * groups through json_each, and segment conditions over a JSON attributes column through
 * json_each, matched on the key and the JSON type (so no attribute name ever becomes a JSON path,
 * and `'1'` is not `1`, `true` is not `1`).
 */

/**
 * The attribute `name` of `attrs` as one row `a` (key, value, type) of json_each, with `cond()` on
 * it; `cond` is called after the key's placeholder is made, so that the `?` stay in order.
 */
function attribute(attrs: string, name: string, cond: () => string, param: Param): string {
  const key = param(name, 'text');
  return `EXISTS (SELECT 1 FROM json_each(${attrs}) a WHERE a.key = ${key} AND ${cond()})`;
}

/** The JSON value in row `r` (of json_each) is the scalar `v`, with its type. */
function scalarIs(r: string, v: string | number | boolean, param: Param): string {
  if (typeof v === 'string') return `${r}.type = 'text' AND ${r}.value = ${param(v, 'text')}`;
  if (typeof v === 'number') return Number.isFinite(v) ? `${r}.type IN ('integer', 'real') AND ${r}.value = ${param(v, 'number')}` : 'FALSE';
  return `${r}.type = '${v ? 'true' : 'false'}'`;
}

/** The elements of row `a`'s value when it is an array (json_each of anything else would be malformed JSON). */
const elements = (a: string): string => `json_each(CASE WHEN ${a}.type = 'array' THEN ${a}.value ELSE '[]' END)`;

function conditionSql(attrs: string, c: Condition, param: Param): string {
  if (conditionIs(c, 'equals')) {
    if (!storableValue(c.equals)) return 'FALSE';
    const v = c.equals;
    if (!Array.isArray(v)) return attribute(attrs, c.attribute, () => scalarIs('a', v as string | number | boolean, param), param);
    const list = v as readonly string[];
    return attribute(
      attrs,
      c.attribute,
      () =>
        [
          `a.type = 'array'`,
          `json_array_length(CASE WHEN a.type = 'array' THEN a.value ELSE '[]' END) = ${list.length}`,
          ...list.map((x, i) => `EXISTS (SELECT 1 FROM ${elements('a')} e WHERE e.key = ${i} AND ${scalarIs('e', x, param)})`),
        ].join(' AND '),
      param,
    );
  }
  if (conditionIs(c, 'in')) {
    const values = c.in.filter(storableValue);
    if (values.length === 0) return 'FALSE';
    return attribute(attrs, c.attribute, () => `(${values.map((v) => `(${scalarIs('a', v, param)})`).join(' OR ')})`, param);
  }
  if (!conditionIs(c, 'contains') || !storableValue(c.contains)) return 'FALSE';
  const x = c.contains;
  return attribute(attrs, c.attribute, () => `a.type = 'array' AND EXISTS (SELECT 1 FROM ${elements('a')} e WHERE ${scalarIs('e', x, param)})`, param);
}

/** The dialect of SQLite. */
export const SQLITE_DIALECT: SqlDialect = {
  quoteIdent: (name) => quoteQualified(name, '"'),
  placeholder: () => '?',
  reusesPlaceholders: false,
  inList: (column, ids, param) => `${column} IN (SELECT value FROM json_each(${param(JSON.stringify(ids), 'json')}))`,
  overlaps: (column, ids, param) => `EXISTS (SELECT 1 FROM json_each(${column}) g WHERE g.value IN (SELECT value FROM json_each(${param(JSON.stringify(ids), 'json')})))`,
  condition: conditionSql,
  instant: (at, param) => {
    const ms = instantMillis(at);
    if (ms === undefined) throw new InvalidInputError({ message: 'a share clause needs its instant `at` (an RFC 3339 date-time)', path: ['filter', 'anyOf'] });
    return param(new Date(ms).toISOString(), 'text');
  },
  // Bounds stored as RFC 3339 text with milliseconds at most (as the repository writes them).
  bound: (column) => column,
};

/**
 * Compiles an {@link AccessFilter} to a parameterized `WHERE` condition for SQLite over the
 * application's own table: exactly the rows `can()` allows. The same {@link SqlMapping} as
 * PostgreSQL's `toSql`, with SQLite types: `accessGroups` a JSON array column or a join table,
 * `attributes` a JSON object column, share bounds TEXT columns holding UTC instants as
 * `Date.prototype.toISOString` writes them. Placeholders are `?`, in the order of `params`; an id
 * list is one JSON parameter.
 * @example
 * ```ts
 * const w = toSql(engine.filter('u1', 'view', 'lead'), { ownerUser: 'owner_user_id', ownerGroup: 'owner_group_id', attributes: 'attributes', shares: false });
 * const rows = db.prepare(`SELECT id FROM leads WHERE ${w.sql} ORDER BY id LIMIT 50`).all(...w.params);
 * ```
 */
export function toSql(filter: AccessFilter, mapping: SqlMapping): SqlFragment {
  return compileWith(SQLITE_DIALECT, filter, mapping, 1);
}
