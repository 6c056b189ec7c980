/*
 * toSql, shared by the SQL dialects: an AccessFilter compiled to a parameterized WHERE condition
 * over the application's table. What differs between PostgreSQL and MySQL (quoting, placeholders,
 * id lists, access-group arrays, JSON conditions, instants) is a SqlDialect; the walk over the
 * filter (types, tenants, clauses, parents, shares) is this file's.
 */
import { InvalidInputError, quote } from '../../errors/errors.js';
import type { AccessFilter, FilterClause } from '../../decide/access-filter.js';
import { DEFAULT_TENANT } from '../../model/ids.js';
import { instantMillis } from '../../model/instant.js';
import type { Condition } from '../../model/segment.js';
import { conditionIs } from '../../model/segment-match.js';

/**
 * A join table that lists which access groups each record is in. The condition is
 * `<id> IN (SELECT <recordId> FROM <table> WHERE <accessGroup> = ANY($n))`, so an unqualified `id`
 * still names the record table's column even when the join table has an `id` of its own.
 */
export interface AccessGroupJoin {
  /** The join table, e.g. `lead_access_groups`. */
  readonly table: string;
  /** Its column holding the record's id. */
  readonly recordId: string;
  /** Its column holding the access group id. */
  readonly accessGroup: string;
  /** The record table's id column that `recordId` refers to. */
  readonly id: string;
}

/**
 * The table of record shares (docs/record-shares.md): one row per share, with the record's id, the principal's
 * kind (`user`, `role`, `roleAndSubordinates` or `group`, as the share's `to` names it) and id,
 * the level (`read`, `readWrite` or `full`) and the bounds as `timestamptz` columns (NULL is
 * open). The condition is `<id> IN (SELECT <recordId> FROM <table> WHERE ...)`, with the filter's
 * instant as a parameter: an index on `(<principalId>, <recordId>)` serves it.
 */
export interface ShareTable {
  /** The share table, e.g. `ticket_shares`. */
  readonly table: string;
  /** Its column holding the record's id. */
  readonly recordId: string;
  /** Its column holding the principal's kind: `user`, `role`, `roleAndSubordinates` or `group`. */
  readonly principalKind: string;
  /** Its column holding the principal's id. */
  readonly principalId: string;
  /** Its column holding the level: `read`, `readWrite` or `full`. */
  readonly level: string;
  /** Its `timestamptz` column of `since` (NULL: open). */
  readonly since: string;
  /** Its `timestamptz` column of `until` (NULL: open). */
  readonly until: string;
  /** The record table's id column that `recordId` refers to. */
  readonly id: string;
}

/**
 * How the application's table stores what a filter looks at. Column names may be qualified
 * (`l.owner_user_id`); each part is quoted as an identifier.
 */
export interface SqlMapping {
  /**
   * The column of the record's id (default `id`). `resourceFromRow` reads the id there; `toSql`
   * does not use it (its sub-selects name the id column in `accessGroups`, `shares` and `parent`).
   */
  readonly id?: string;
  /** The column of the owner user id (NULL when a group owns the row); needed for a type with access of its own. */
  readonly ownerUser?: string;
  /** The column of the owner group id (NULL when a user owns the row); needed for a type with access of its own. */
  readonly ownerGroup?: string;
  /**
   * The column of the tenant id; without it every row is in tenant `default`. A NULL tenant is
   * tenant `default`, as a resource without `tenant` is.
   */
  readonly tenant?: string;
  /** A `text[]` column of access group ids, or a join table. Needed when the filter names access groups. */
  readonly accessGroups?: string | AccessGroupJoin;
  /**
   * A `jsonb` column of attributes (an object). Needed when the filter has segments. Conditions
   * compile to containment (`@>`), which a GIN index on the column (`jsonb_path_ops` or the
   * default `jsonb_ops`) serves.
   */
  readonly attributes?: string;
  /** The column of the resource type, when one table holds several types. */
  readonly type?: string;
  /**
   * For the table of a controlled type (`controlledBy`): where each row's parent is. Needed when
   * the filter has a `parent` clause. Such a table has no `tenant` mapping: its rows are in their
   * parent's tenant.
   */
  readonly parent?: ParentJoin;
  /**
   * The table of record shares (`resource.shares`): where the filter's share clauses look. When
   * absent (or `false`), the records of this table are taken to be never shared: a share clause
   * matches no row, so the SQL can only return fewer rows than `can()` allows, never more.
   */
  readonly shares?: ShareTable | false;
}

/**
 * The parent of each row of a controlled type's table: the row's column holding its parent's id,
 * and the parent's table with its own mapping. The condition is
 * `<column> IN (SELECT <id> FROM <table> WHERE <the parent's filter over mapping>)`: the parent's
 * mapping names columns of `table` (unqualified, or qualified with the table's name).
 */
export interface ParentJoin {
  /** The column of this table holding the parent's id, e.g. `account_id`. */
  readonly column: string;
  /** The parent's table, e.g. `accounts`. */
  readonly table: string;
  /** The parent table's id column. */
  readonly id: string;
  /** How the parent's table stores what the parent's filter looks at (with its own `parent`, when the parent is controlled too). */
  readonly mapping: SqlMapping;
}

/** A parameterized SQL condition: `sql` uses the dialect's placeholders (`$n` in PostgreSQL, `?` in MySQL) for `params`, in order. */
export interface SqlFragment {
  readonly sql: string;
  readonly params: unknown[];
}

/** A prototype-less copy of an options object's own enumerable fields (an absent one gives an empty object). */
function ownCopy(o: unknown): object {
  if (o === undefined) return Object.create(null) as object;
  if (typeof o !== 'object' || o === null || Array.isArray(o)) throw new InvalidInputError({ message: 'expected an options object', path: ['mapping'] });
  return Object.setPrototypeOf({ ...o }, null) as object;
}

/** Quotes an identifier (or a dotted, qualified one) for PostgreSQL. */
export function quoteIdent(name: string): string {
  return quoteQualified(name, '"');
}

/** Quotes an identifier (or a dotted, qualified one) with `q` (a double quote or a backtick), doubling it inside. */
export function quoteQualified(name: string, q: string): string {
  if (typeof name !== 'string' || name.length === 0) throw new InvalidInputError({ message: 'a column or table name must be a non-empty string', path: ['mapping'] });
  return name
    .split('.')
    .map((part) => {
      if (part.length === 0 || part.includes('\u0000')) throw new InvalidInputError({ message: `bad identifier ${quote(name)}`, path: ['mapping'] });
      return `${q}${part.replaceAll(q, q + q)}${q}`;
    })
    .join('.');
}


/** A placeholder maker: `param(value, cast)` adds `value` to the parameters and returns its placeholder. */
export type Param = (value: unknown, cast: string) => string;

/** What differs between the SQL dialects of toSql. */
export interface SqlDialect {
  /** Quotes a column or table name (dotted: each part). */
  quoteIdent(name: string): string;
  /** The placeholder of parameter number `n` (from 1), of type `cast`. */
  placeholder(n: number, cast: string): string;
  /** Whether a placeholder may appear twice (PostgreSQL's `$n`), so that a repeated text value is passed once. */
  readonly reusesPlaceholders: boolean;
  /** `column` is one of `ids` (never empty, each storable). */
  inList(column: string, ids: readonly string[], param: Param): string;
  /** The array column `column` shares an element with `ids` (never empty). */
  overlaps(column: string, ids: readonly string[], param: Param): string;
  /** A segment condition over the attributes column `attrs` (attribute and values storable). */
  condition(attrs: string, c: Condition, param: Param): string;
  /** The share clause's instant (an RFC 3339 date-time) as a parameter. */
  instant(at: string, param: Param): string;
  /**
   * A share bound column as the engine compares it: at millisecond precision (the engine's
   * instants, and the `Date` a driver reads the column as), so that a bound stored with finer
   * precision counts from its millisecond in SQL as in `can()` on the row. Identity where the
   * column holds milliseconds at most.
   */
  bound(column: string): string;
}

/** The parameters of one fragment, with the dialect's placeholders from `first`. */
function parameters(dialect: SqlDialect, first: number): { readonly params: unknown[]; readonly param: Param } {
  const params: unknown[] = [];
  // A text value (a tenant named by several clauses) is passed once and its placeholder reused.
  const seen = new Map<string, string>();
  const param: Param = (value, cast) => {
    const key = dialect.reusesPlaceholders && typeof value === 'string' && cast === 'text' ? value : undefined;
    const known = key === undefined ? undefined : seen.get(key);
    if (known !== undefined) return known;
    params.push(value);
    const placeholder = dialect.placeholder(first + params.length - 1, cast);
    if (key !== undefined) seen.set(key, placeholder);
    return placeholder;
  };
  return { params, param };
}

/** The dialect of PostgreSQL: `$n::type` placeholders, `= ANY($n::text[])`, `text[] &&`, jsonb containment. */
export const POSTGRES_DIALECT: SqlDialect = {
  quoteIdent,
  placeholder: (n, cast) => `$${n}::${cast}`,
  reusesPlaceholders: true,
  inList: (column, ids, param) => `${column} = ANY(${param(ids, 'text[]')})`,
  overlaps: (column, ids, param) => `${column} && ${param(ids, 'text[]')}`,
  condition: (attrs, c, param) => conditionSql(attrs, c, param),
  instant: (at, param) => param(at, 'timestamptz'),
  // timestamptz holds microseconds; node-postgres reads it as a Date (milliseconds).
  bound: (column) => `date_trunc('milliseconds', ${column})`,
};

/**
 * Compiles an {@link AccessFilter} to a parameterized `WHERE` condition over the application's
 * own table: exactly the rows `can()` allows. Id sets are passed as one array parameter each
 * (`= ANY($1::text[])`), so a user in 10,000 groups still gets a handful of parameters: the type,
 * the tenant list, one per clause of the filter (a segment condition has its own) and each tenant
 * a clause is limited to (passed once however many clauses name it), never one per id.
 *
 * Each clause is one arm of an `OR` that an index can serve: btree indexes on the owner columns
 * (for keyset pagination, `(owner_user_id, id)` and `(owner_group_id, id)`), a GIN index on a
 * `text[]` access group column, a GIN index on the attributes; PostgreSQL combines them with a
 * `BitmapOr`, or walks the primary key and filters when most rows pass.
 * @example
 * ```ts
 * const f = engine.filter('u1', 'view', 'lead');
 * const w = toSql(f, { ownerUser: 'owner_user_id', ownerGroup: 'owner_group_id', tenant: 'tenant_id', accessGroups: 'access_groups', attributes: 'attributes', shares: false });
 * await pool.query(`SELECT id FROM leads WHERE ${w.sql} ORDER BY id LIMIT 50`, w.params);
 * ```
 * @param options.firstParam the number of the first placeholder (default 1), to put the fragment
 * after parameters of your own: `toSql(f, m, { firstParam: 2 })` uses `$2`, `$3`, ...
 */
export function toSql(filter: AccessFilter, mappingIn: SqlMapping, options?: { readonly firstParam?: number }): SqlFragment {
  const first = (ownCopy(options) as { readonly firstParam?: number }).firstParam ?? 1;
  if (!Number.isSafeInteger(first) || first < 1) throw new InvalidInputError({ message: 'firstParam must be a positive integer', path: ['options', 'firstParam'] });
  return compileWith(POSTGRES_DIALECT, filter, mappingIn, first);
}

/** Compiles `filter` in `dialect`, placeholders from `first` (see {@link toSql}). */
export function compileWith(dialect: SqlDialect, filter: AccessFilter, mapping: SqlMapping, first: number): SqlFragment {
  return compileFilter(dialect, filter, mapping, first, ['mapping'], 0);
}

/** The most `parent` clauses a filter may nest (a chain of controlled types is at most this long). */
const MAX_PARENT_NESTING = 16;

function compileFilter(d: SqlDialect, filter: AccessFilter, mappingIn: SqlMapping, first: number, where: readonly (string | number)[], depth: number): SqlFragment {
  // Own properties only: a `tenant` or `attributes` inherited from Object.prototype is no column.
  const mapping = ownCopy(mappingIn) as SqlMapping;
  const { params, param } = parameters(d, first);
  const quoteIdent = (name: string): string => d.quoteIdent(name);
  if (depth > MAX_PARENT_NESTING) throw new InvalidInputError({ message: `the filter nests parent clauses more than ${MAX_PARENT_NESTING} deep`, path: ['filter'] });
  if (filter.kind !== 'none' && filter.anyOf.some((c) => c.kind === 'parent')) return parentSql(d, filter, mapping, first, where, depth);
  if (filter.kind === 'none') return { sql: 'FALSE', params: [] };
  const tenantCol = mapping.tenant === undefined ? undefined : quoteIdent(mapping.tenant);
  if (tenantCol === undefined && !filter.tenants.includes(DEFAULT_TENANT)) return { sql: 'FALSE', params: [] };
  const parts: string[] = [];
  if (mapping.type !== undefined) parts.push(storable(filter.type) ? `${quoteIdent(mapping.type)} = ${param(filter.type, 'text')}` : 'FALSE');
  if (tenantCol !== undefined) {
    const any = idsIn(d, tenantCol, filter.tenants, param);
    parts.push(filter.tenants.includes(DEFAULT_TENANT) ? `(${any} OR ${tenantCol} IS NULL)` : any);
  }
  // A row without an owner is no record of a type with owners (resourceFromRow refuses it, can()
  // would too): never selected, whatever else would admit it (a default, an access group, a share).
  // (Not needed when every arm written is an owner clause: `owner_user_id = ANY(...)` is not NULL.)
  const owners = [mapping.ownerUser, mapping.ownerGroup].filter((c): c is string => c !== undefined).map((c) => `${quoteIdent(c)} IS NOT NULL`);
  const ownerGuard = owners.length === 0 ? undefined : owners.length === 1 ? (owners[0] as string) : `(${owners.join(' OR ')})`;
  if (filter.kind === 'all') {
    if (ownerGuard !== undefined) parts.push(ownerGuard);
    return { sql: parts.length === 0 ? 'TRUE' : parts.join(' AND '), params };
  }

  /** The condition that a row is in `tenant`: undefined for any tenant, false for none. */
  const inTenant = (tenant: string | undefined): string | undefined | false => {
    if (tenant === undefined) return undefined;
    if (tenantCol === undefined) return tenant === DEFAULT_TENANT ? undefined : false;
    if (!storable(tenant)) return false;
    const eq = `${tenantCol} = ${param(tenant, 'text')}`;
    return tenant === DEFAULT_TENANT ? `(${eq} OR ${tenantCol} IS NULL)` : eq;
  };
  const ors: string[] = [];
  let otherThanOwners = false;
  for (const c of filter.anyOf) {
    if (c.kind === 'parent') continue;
    // Records never shared (no share table): the share clauses are no arm at all.
    if (c.kind === 'share' && (mapping.shares === false || mapping.shares === undefined)) continue;
    const t = inTenant(Object.prototype.propertyIsEnumerable.call(c, 'tenant') ? c.tenant : undefined);
    if (t === false) continue;
    const cond = clauseSql(d, c, mapping, param);
    if (c.kind !== 'ownerUser' && c.kind !== 'ownerGroup') otherThanOwners = true;
    ors.push(t === undefined ? cond : `(${t} AND ${cond})`);
  }
  if (ownerGuard !== undefined && otherThanOwners) parts.push(ownerGuard);
  parts.push(ors.length === 0 ? 'FALSE' : ors.length === 1 ? (ors[0] as string) : `(${ors.join(' OR ')})`);
  return { sql: parts.join(' AND '), params };
}


/**
 * Whether PostgreSQL `text` (and `jsonb`) can hold `s`: no NUL, no unpaired surrogate. A value it
 * cannot hold is in no row, so it is left out of the query: sent as a parameter, NUL fails the
 * query and an unpaired surrogate arrives as U+FFFD, where it would match another id's rows.
 */
export function storable(s: string): boolean {
  return !/\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(s);
}

/** `column` is one of the `ids` that a row can hold; FALSE when it can hold none. */
function idsIn(d: SqlDialect, column: string, ids: Iterable<string>, param: Param): string {
  const kept = [...ids].filter(storable);
  return kept.length === 0 ? 'FALSE' : d.inList(column, kept, param);
}

/** Whether every string in a segment value can be held by `jsonb`. */
export function storableValue(v: unknown): boolean {
  if (typeof v === 'string') return storable(v);
  if (Array.isArray(v)) return v.every((x) => typeof x !== 'string' || storable(x));
  return true;
}

function clauseSql(d: SqlDialect, c: FilterClause, m: SqlMapping, param: Param): string {
  const quoteIdent = (name: string): string => d.quoteIdent(name);
  switch (c.kind) {
    case 'ownerUser': {
      if (m.ownerUser === undefined) throw new InvalidInputError({ message: 'the filter reaches records through their owner: map ownerUser', path: ['mapping', 'ownerUser'] });
      return idsIn(d, quoteIdent(m.ownerUser), c.ids, param);
    }
    case 'ownerGroup': {
      if (m.ownerGroup === undefined) throw new InvalidInputError({ message: 'the filter reaches records through their owner group: map ownerGroup', path: ['mapping', 'ownerGroup'] });
      return idsIn(d, quoteIdent(m.ownerGroup), c.ids, param);
    }
    case 'accessGroup': {
      const ag = m.accessGroups;
      if (ag === undefined) throw new InvalidInputError({ message: 'the filter reaches records through access groups: map accessGroups (a text[] column or a join table)', path: ['mapping', 'accessGroups'] });
      const ids = [...c.ids].filter(storable);
      if (ids.length === 0) return 'FALSE';
      if (typeof ag === 'string') return d.overlaps(quoteIdent(ag), ids, param);
      const join = ownCopy(ag) as AccessGroupJoin;
      const j = 'purview_ag';
      return `${quoteIdent(join.id)} IN (SELECT ${j}.${quoteIdent(join.recordId)} FROM ${quoteIdent(join.table)} ${j} WHERE ${d.inList(`${j}.${quoteIdent(join.accessGroup)}`, ids, param)})`;
    }
    case 'segment': {
      if (c.segment.all.length === 0) return 'TRUE';
      if (m.attributes === undefined) throw new InvalidInputError({ message: 'the filter has segments: map attributes (a jsonb column)', path: ['mapping', 'attributes'] });
      const attrs = quoteIdent(m.attributes);
      const conds = c.segment.all.map((cond) => (storable(cond.attribute) ? d.condition(attrs, cond, param) : 'FALSE'));
      return conds.length === 1 ? (conds[0] as string) : `(${conds.join(' AND ')})`;
    }
    case 'parent':
      // Compiled by parentSql; never mixed with the clauses of a record with access of its own.
      return 'FALSE';
    case 'share':
      return shareSql(d, c, m, param);
  }
}

/**
 * A filter of a controlled type: the rows whose parent passes the parent's filter, as a
 * sub-select on the parent's table (`<column> IN (SELECT <id> FROM <table> WHERE ...)`), the
 * parent's tenants checked there. Rows of a controlled type are in their parent's tenant, so the
 * mapping has no `tenant`.
 */
function parentSql(d: SqlDialect, filter: AccessFilter, mapping: SqlMapping, first: number, where: readonly (string | number)[], depth: number): SqlFragment {
  const quoteIdent = (name: string): string => d.quoteIdent(name);
  if (mapping.tenant !== undefined) {
    throw new InvalidInputError({ message: `the filter is of ${quote(filter.type)}, a controlled type whose rows are in their parent's tenant: remove tenant from its mapping`, path: [...where, 'tenant'] });
  }
  if (mapping.parent === undefined) {
    throw new InvalidInputError({ message: `the filter is of ${quote(filter.type)}, a controlled type: map parent ({ column, table, id, mapping }), where each row's parent is`, path: [...where, 'parent'] });
  }
  const join = ownCopy(mapping.parent) as ParentJoin;
  if (join.mapping === undefined) throw new InvalidInputError({ message: "map the parent table's columns in parent.mapping", path: [...where, 'parent', 'mapping'] });
  const { params, param } = parameters(d, first);
  const parts: string[] = [];
  if (mapping.type !== undefined) parts.push(storable(filter.type) ? `${quoteIdent(mapping.type)} = ${param(filter.type, 'text')}` : 'FALSE');
  const ors: string[] = [];
  for (const c of filter.anyOf) {
    if (c.kind !== 'parent') continue;
    const inner = compileFilter(d, c.filter, join.mapping, first + params.length, [...where, 'parent', 'mapping'], depth + 1);
    params.push(...inner.params);
    ors.push(`${quoteIdent(join.column)} IN (SELECT ${quoteIdent(join.id)} FROM ${quoteIdent(join.table)} WHERE ${inner.sql})`);
  }
  parts.push(ors.length === 0 ? 'FALSE' : ors.length === 1 ? (ors[0] as string) : `(${ors.join(' OR ')})`);
  return { sql: parts.join(' AND '), params };
}


const SHARE_LEVELS: readonly string[] = ['read', 'readWrite', 'full'];
const SHARE_KINDS = [
  ['user', 'users'],
  ['role', 'roles'],
  ['roleAndSubordinates', 'rolesAndSubordinates'],
  ['group', 'groups'],
] as const;

/** A `share` clause as a sub-select on the share table, the filter's instant a `timestamptz` parameter. */
function shareSql(d: SqlDialect, c: Extract<FilterClause, { kind: 'share' }>, m: SqlMapping, param: Param): string {
  const quoteIdent = (name: string): string => d.quoteIdent(name);
  const shares = m.shares;
  if (shares === undefined || shares === false) return 'FALSE';
  const t = ownCopy(shares) as ShareTable;
  const s = 'purview_sh';
  const col = (name: string): string => `${s}.${quoteIdent(name)}`;
  const principals = ownCopy(c.principals) as Partial<Record<(typeof SHARE_KINDS)[number][1], readonly string[]>>;
  const arms: string[] = [];
  for (const [kind, key] of SHARE_KINDS) {
    const ids = (principals[key] ?? []).filter(storable);
    if (ids.length > 0) arms.push(`(${col(t.principalKind)} = '${kind}' AND ${d.inList(col(t.principalId), ids, param)})`);
  }
  const min = SHARE_LEVELS.indexOf(c.minLevel);
  if (arms.length === 0 || min < 0) return 'FALSE';
  const levels = d.inList(col(t.level), SHARE_LEVELS.slice(min), param);
  if (typeof c.at !== 'string' || instantMillis(c.at) === undefined) throw new InvalidInputError({ message: 'a share clause needs its instant `at` (an RFC 3339 date-time, as filter() gives it)', path: ['filter', 'anyOf'] });
  const at = d.instant(c.at, param);
  // Positional placeholders (`?`) take the instant twice; PostgreSQL's `$n` is written twice.
  const atAgain = d.reusesPlaceholders ? at : d.instant(c.at, param);
  const who = arms.length === 1 ? (arms[0] as string) : `(${arms.join(' OR ')})`;
  return (
    `${quoteIdent(t.id)} IN (SELECT ${col(t.recordId)} FROM ${quoteIdent(t.table)} ${s} WHERE ${who} AND ${levels}` +
    ` AND (${col(t.since)} IS NULL OR ${d.bound(col(t.since))} <= ${at}) AND (${col(t.until)} IS NULL OR ${atAgain} < ${d.bound(col(t.until))}))`
  );
}

/** `{"<attribute>": <value>}` as JSON text, with the attribute as an own key whatever its name. */
const pair = (attribute: string, value: unknown): string => `{${JSON.stringify(attribute)}:${JSON.stringify(value)}}`;

/**
 * One segment condition as jsonb containment. A scalar nested in an object contains only an equal
 * scalar (the "array contains a primitive" exception holds at the top level only), so
 * `attrs @> {"k": v}` is exactly `attrs.k === v` for a scalar `v`, and `attrs @> {"k": [x]}` is
 * exactly "`attrs.k` is an array that includes `x`". An array value needs equality on top
 * (containment ignores order and duplicates).
 */
function conditionSql(attrs: string, c: Condition, param: Param): string {
  // An attribute name or value that jsonb cannot hold is in no row (the name is checked by the caller).
  if (conditionIs(c, 'equals')) {
    if (!storableValue(c.equals)) return 'FALSE';
    const contains = `${attrs} @> ${param(pair(c.attribute, c.equals), 'jsonb')}`;
    if (!Array.isArray(c.equals)) return contains;
    return `(${contains} AND ${attrs} -> ${param(c.attribute, 'text')} = ${param(JSON.stringify(c.equals), 'jsonb')})`;
  }
  if (conditionIs(c, 'in')) {
    const values = c.in.filter(storableValue);
    if (values.length === 0) return 'FALSE';
    return `${attrs} @> ANY(${param(values.map((v) => pair(c.attribute, v)), 'jsonb[]')})`;
  }
  if (!conditionIs(c, 'contains') || !storable(c.contains)) return 'FALSE';
  return `${attrs} @> ${param(pair(c.attribute, [c.contains]), 'jsonb')}`;
}
