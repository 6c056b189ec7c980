import { InvalidInputError, quote } from '../../errors/errors.js';
import type { AccessFilter, FilterClause } from '../../filter/access-filter.js';
import { DEFAULT_TENANT } from '../../model/ids.js';
import type { Condition } from '../../model/segment.js';

/** A join table that lists which access groups each record is in. */
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
 * How the application's table stores what a filter looks at. Column names may be qualified
 * (`l.owner_user_id`); each part is quoted as an identifier.
 */
export interface SqlMapping {
  /** The column of the owner user id (NULL when a group owns the row). */
  readonly ownerUser: string;
  /** The column of the owner group id (NULL when a user owns the row). */
  readonly ownerGroup: string;
  /** The column of the tenant id; without it every row is in tenant `default`. */
  readonly tenant?: string;
  /** A `text[]` column of access group ids, or a join table. Needed when the filter names access groups. */
  readonly accessGroups?: string | AccessGroupJoin;
  /** A `jsonb` column of attributes. Needed when the filter has segments. */
  readonly attributes?: string;
  /** The column of the resource type, when one table holds several types. */
  readonly type?: string;
}

/** A parameterized SQL condition: `sql` uses `$n` placeholders for `params`, in order. */
export interface SqlFragment {
  readonly sql: string;
  readonly params: unknown[];
}

/** Quotes an identifier (or a dotted, qualified one) for PostgreSQL. */
export function quoteIdent(name: string): string {
  if (typeof name !== 'string' || name.length === 0) throw new InvalidInputError('a column or table name must be a non-empty string', ['mapping']);
  return name
    .split('.')
    .map((part) => {
      if (part.length === 0 || part.includes('\u0000')) throw new InvalidInputError(`bad identifier ${quote(name)}`, ['mapping']);
      return `"${part.replaceAll('"', '""')}"`;
    })
    .join('.');
}

/**
 * Compiles an {@link AccessFilter} to a parameterized `WHERE` condition over the application's
 * own table: exactly the rows `can()` allows. Id sets are passed as one array parameter each
 * (`= ANY($1::text[])`), so a user in 10,000 groups still gets a handful of parameters.
 * @example
 * ```ts
 * const f = engine.filter('u1', 'view', 'lead');
 * const w = toSql(f, { ownerUser: 'owner_user_id', ownerGroup: 'owner_group_id', tenant: 'tenant_id', accessGroups: 'access_groups', attributes: 'attributes' });
 * await pool.query(`SELECT id FROM leads WHERE ${w.sql} ORDER BY id LIMIT 50`, w.params);
 * ```
 */
export function toSql(filter: AccessFilter, mapping: SqlMapping, options?: { readonly firstParam?: number }): SqlFragment {
  const params: unknown[] = [];
  const first = options?.firstParam ?? 1;
  const param = (value: unknown, cast: string): string => {
    params.push(value);
    return `$${first + params.length - 1}::${cast}`;
  };
  if (filter.kind === 'none') return { sql: 'FALSE', params };
  const parts: string[] = [];
  if (mapping.type !== undefined) parts.push(`${quoteIdent(mapping.type)} = ${param(filter.type, 'text')}`);
  // Tenants.
  const tenantCol = mapping.tenant === undefined ? undefined : quoteIdent(mapping.tenant);
  if (tenantCol === undefined) {
    if (!filter.tenants.includes(DEFAULT_TENANT)) return { sql: 'FALSE', params: [] };
  } else parts.push(`${tenantCol} = ANY(${param([...filter.tenants], 'text[]')})`);
  if (filter.kind === 'all') return { sql: parts.length === 0 ? 'TRUE' : parts.join(' AND '), params };

  const inTenant = (tenant: string | undefined): string | undefined | false => {
    if (tenant === undefined) return undefined;
    if (tenantCol === undefined) return tenant === DEFAULT_TENANT ? undefined : false;
    return `${tenantCol} = ${param(tenant, 'text')}`;
  };
  const ors: string[] = [];
  for (const c of filter.anyOf) {
    const t = inTenant(c.tenant);
    if (t === false) continue;
    const cond = clauseSql(c, mapping, param);
    ors.push(t === undefined ? cond : `(${t} AND ${cond})`);
  }
  parts.push(ors.length === 0 ? 'FALSE' : `(${ors.join(' OR ')})`);
  return { sql: parts.join(' AND '), params };
}

function clauseSql(c: FilterClause, m: SqlMapping, param: (v: unknown, cast: string) => string): string {
  switch (c.kind) {
    case 'ownerUser':
      return `${quoteIdent(m.ownerUser)} = ANY(${param([...c.ids], 'text[]')})`;
    case 'ownerGroup':
      return `${quoteIdent(m.ownerGroup)} = ANY(${param([...c.ids], 'text[]')})`;
    case 'accessGroup': {
      const ag = m.accessGroups;
      if (ag === undefined) throw new InvalidInputError('the filter reaches records through access groups: map accessGroups (a text[] column or a join table)', ['mapping', 'accessGroups']);
      const ids = param([...c.ids], 'text[]');
      if (typeof ag === 'string') return `${quoteIdent(ag)} && ${ids}`;
      return `EXISTS (SELECT 1 FROM ${quoteIdent(ag.table)} j WHERE j.${quoteIdent(ag.recordId)} = ${quoteIdent(ag.id)} AND j.${quoteIdent(ag.accessGroup)} = ANY(${ids}))`;
    }
    case 'segment': {
      if (m.attributes === undefined) throw new InvalidInputError('the filter has segments: map attributes (a jsonb column)', ['mapping', 'attributes']);
      const attrs = quoteIdent(m.attributes);
      if (c.segment.all.length === 0) return 'TRUE';
      return `(${c.segment.all.map((cond) => conditionSql(attrs, cond, param)).join(' AND ')})`;
    }
  }
}

function conditionSql(attrs: string, c: Condition, param: (v: unknown, cast: string) => string): string {
  const value = `(${attrs} -> ${param(c.attribute, 'text')})`;
  if ('equals' in c) return `${value} = ${param(JSON.stringify(c.equals), 'jsonb')}`;
  if ('in' in c) return `${value} IN (SELECT jsonb_array_elements(${param(JSON.stringify(c.in), 'jsonb')}))`;
  return `(jsonb_typeof(${value}) = 'array' AND ${value} ? ${param(c.contains, 'text')})`;
}
