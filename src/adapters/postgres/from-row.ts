import { formatPath, quote, type ErrorPath } from '../../errors/errors.js';
import type { Id } from '../../model/ids.js';
import { formatInstant, instantMillis } from '../../model/instant.js';
import type { AttributeValue, Owner, Resource, Share, ShareLevel } from '../../model/resource.js';
import { bare, describe, expectArray, expectId, expectObject, fail, hasOwn, isPlainObject, onlyKeys, own, type Plain } from '../../model/shape.js';
import type { AccessGroupJoin, ParentJoin, ShareTable, SqlMapping } from './to-sql.js';

/** A row as a driver returns it: column name to value (`pg`, Kysely and `db.execute` of Drizzle give these). */
export type SqlRow = Readonly<Record<string, unknown>>;

/**
 * What one row does not hold: the resource type when the mapping has no `type` column, the rows of
 * the join table and the share table that belong to the record, and the parent's row.
 */
export interface RowRelations {
  /** The resource type, when the mapping has no `type` column (then it is required; with one, it must agree). */
  readonly type?: string;
  /** The rows of the access group join table whose `recordId` is this record's id (when `mapping.accessGroups` is a join table). */
  readonly accessGroups?: readonly SqlRow[] | null;
  /** The rows of the share table whose `recordId` is this record's id (when `mapping.shares` is a share table); `null` or none: never shared. */
  readonly shares?: readonly SqlRow[] | null;
  /** The parent's row and what it does not hold, read with `mapping.parent.mapping` (when the row's parent column is not NULL). */
  readonly parent?: ParentRow | null;
}

/** The parent's row (read with the parent's mapping, its id in `parent.id`) and its own relations. */
export interface ParentRow extends RowRelations {
  readonly row: SqlRow;
}

/** The most parents a row may carry (as toSql's parent nesting). */
const MAX_PARENTS = 16;

const SHARE_LEVELS: readonly ShareLevel[] = ['read', 'readWrite', 'full'];
const PRINCIPAL_KINDS = ['user', 'role', 'roleAndSubordinates', 'group'] as const;

/**
 * Reads a row of the application's table as the {@link Resource} `can()` takes, with the very
 * mapping {@link toSql} compiles filters against: `toSql(engine.filter(u, a, t), m)` selects a row
 * exactly when `engine.can(u, a, resourceFromRow(row, m, ...))` allows it.
 *
 * Columns are looked up by name in the row; a qualified name (`l.owner_user_id`) by its last part
 * (`owner_user_id`), as drivers name result columns. A NULL column reads as absent (a NULL tenant is
 * tenant `default`, a NULL owner none); a column of the mapping missing from the row, or holding a
 * value of the wrong kind, is an {@link purview!InvalidInputError} whose `path` names the column (so that a
 * forgotten `SELECT` column can never widen access: a missing tenant is not read as `default`).
 *
 * Attributes are a JSON object of strings, numbers, booleans and lists of strings; a key holding
 * JSON `null` reads as absent (no condition matches it, in SQL or in memory). Share bounds are
 * `Date`s (as `pg` returns `timestamptz`) or RFC 3339 strings.
 * @example
 * ```ts
 * const mapping = { ownerUser: 'owner_user_id', ownerGroup: 'owner_group_id', tenant: 'tenant_id', accessGroups: 'access_groups', attributes: 'attributes', shares: false } as const;
 * const { rows } = await pool.query('SELECT * FROM leads WHERE id = $1', [id]);
 * const lead = resourceFromRow(rows[0], mapping, { type: 'lead' });
 * engine.can('u1', 'edit', lead);
 * ```
 * @param row the row, keyed by column name (own properties only).
 * @param mapping the table's {@link SqlMapping}.
 * @param relations the type when the mapping has no `type` column, the join table's and share
 * table's rows of this record, the parent's row.
 */
export function resourceFromRow(row: SqlRow, mapping: SqlMapping, relations?: RowRelations): Resource {
  return readRow(row, mapping, relations, ['row'], ['mapping'], 0);
}

/** The key a column has in a result row: the last part of a qualified name. */
function keyOfColumn(column: unknown, path: ErrorPath): string {
  if (typeof column !== 'string' || column.length === 0) fail(path, `expected a column name (a non-empty string), got ${describe(column)}`);
  const parts = column.split('.');
  const last = parts[parts.length - 1] as string;
  if (last.length === 0) fail(path, `bad column name ${quote(column)}`);
  return last;
}

/** The value of a mapped column; a column the row lacks is an error naming it. */
function column(row: Plain, name: string, what: string, path: ErrorPath, mp: ErrorPath): unknown {
  const key = keyOfColumn(name, [...mp, ...what.split('.')]);
  if (!hasOwn(row, key)) fail([...path, key], `the row has no column ${quote(key)} (${formatPath([...mp, ...what.split('.')])}): select it`);
  return own(row, key);
}

function optionalText(row: Plain, name: string | undefined, what: string, path: ErrorPath, mp: ErrorPath): Id | undefined {
  if (name === undefined) return undefined;
  const v = column(row, name, what, path, mp);
  if (v === null) return undefined;
  return expectId(v, [...path, keyOfColumn(name, [...mp, what])], `${what} (a text column)`);
}

function mappingOf(m: unknown, path: ErrorPath): SqlMapping {
  if (typeof m !== 'object' || m === null || Array.isArray(m)) fail(path, `expected a mapping object, got ${describe(m)}`);
  return bare({ ...m }) as SqlMapping;
}

const RELATIONS: readonly string[] = ['type', 'accessGroups', 'shares', 'parent'];

function relationsOf(r: unknown, path: ErrorPath): RowRelations {
  if (r === undefined) return bare({});
  const rel = expectObject(r, path, 'the relations of the row');
  // A misspelt field (`share`) is an error, never a record read as unshared.
  onlyKeys(rel, RELATIONS, path);
  return bare({ ...rel }) as RowRelations;
}

function readRow(rowIn: unknown, mappingIn: unknown, relationsIn: unknown, path: ErrorPath, mp: ErrorPath, depth: number): Resource {
  const mapping = mappingOf(mappingIn, mp);
  const relAt: ErrorPath = depth === 0 ? ['relations'] : path.slice(0, -1);
  const rel = relationsOf(relationsIn, relAt);
  const row = expectObject(rowIn, path, 'a row (an object of column values)');
  const out: { -readonly [K in keyof Resource]: Resource[K] } = bare({ type: '', id: '' });

  // The type: the row's column, or the relations' (both: they agree).
  const typeCol = mapping.type === undefined ? undefined : optionalText(row, mapping.type, 'type', path, mp);
  const given = rel.type === undefined ? undefined : expectId(rel.type, [...relAt, 'type'], 'resource type');
  if (typeCol !== undefined && given !== undefined && typeCol !== given) {
    fail([...path, keyOfColumn(mapping.type, [...mp, 'type'])], `the row is of type ${quote(typeCol)}, not ${quote(given)} as the relations say`);
  }
  // A NULL type column is an error whatever relations.type says: toSql never selects such a row (type = $1).
  if (mapping.type !== undefined && typeCol === undefined) fail([...path, keyOfColumn(mapping.type, [...mp, 'type'])], 'the type column is NULL: a row of a table with a type column names its type (toSql never selects a row whose type is NULL)');
  const type = typeCol ?? given;
  if (type === undefined) {
    fail([...relAt, 'type'], `the mapping has no type column: give the resource type in ${formatPath([...relAt, 'type'])}`);
  }
  out.type = type;

  const idCol = mapping.id ?? 'id';
  const idKey = keyOfColumn(idCol, [...mp, 'id']);
  const idValue = column(row, idCol, 'id', path, mp);
  const id = expectId(idValue, [...path, idKey], 'record id (a text column)');
  out.id = id;

  const tenant = optionalText(row, mapping.tenant, 'tenant', path, mp);
  if (tenant !== undefined) out.tenant = tenant;

  const user = optionalText(row, mapping.ownerUser, 'ownerUser', path, mp);
  const group = optionalText(row, mapping.ownerGroup, 'ownerGroup', path, mp);
  if (user !== undefined && group !== undefined) {
    fail([...path, keyOfColumn(mapping.ownerGroup, [...mp, 'ownerGroup'])], `the row has both an owner user (${quote(user)}) and an owner group (${quote(group)}); a record has one owner`);
  }
  const owner: Owner | undefined = user !== undefined ? { user } : group !== undefined ? { group } : undefined;
  if (owner !== undefined) out.owner = Object.freeze(owner);
  else if (mapping.parent === undefined && (mapping.ownerUser !== undefined || mapping.ownerGroup !== undefined)) {
    // A record of a type with owners has one (toSql never selects a row without): refused, naming the columns.
    const cols = [mapping.ownerUser, mapping.ownerGroup].filter((c): c is string => c !== undefined);
    fail([...path, keyOfColumn(cols[0] as string, [...mp, mapping.ownerUser !== undefined ? 'ownerUser' : 'ownerGroup'])], `the row has no owner: ${cols.map((c) => quote(c)).join(' and ')} ${cols.length === 1 ? 'is' : 'are both'} NULL; a record of a type with owners has one (a record of a controlled type has a parent: map parent)`);
  }

  const groups = readAccessGroups(row, mapping.accessGroups, rel.accessGroups, id, path, mp);
  if (groups !== undefined) out.accessGroups = groups;

  if (mapping.attributes !== undefined) {
    const key = keyOfColumn(mapping.attributes, [...mp, 'attributes']);
    const v = column(row, mapping.attributes, 'attributes', path, mp);
    if (v !== null) out.attributes = readAttributes(v, [...path, key]);
  }

  const shares = readShares(mapping.shares, rel.shares, id, path, mp);
  if (shares !== undefined) out.shares = shares;

  const parent = readParent(row, mapping.parent, rel.parent, path, mp, depth);
  if (parent !== undefined) out.parent = parent;
  return Object.freeze(out);
}

function relPath(path: ErrorPath, key: string): ErrorPath {
  // The relations of the top row are `relations`; a parent's are `relations.parent`.
  return path.length <= 1 ? ['relations', key] : [...path.slice(0, -1), key];
}

function readAccessGroups(row: Plain, m: SqlMapping['accessGroups'], joined: RowRelations['accessGroups'], id: Id, path: ErrorPath, mp: ErrorPath): readonly Id[] | undefined {
  if (m === undefined || typeof m === 'string') {
    if (joined !== undefined && joined !== null) fail(relPath(path, 'accessGroups'), m === undefined ? 'the mapping has no accessGroups; map a join table to read its rows' : 'mapping.accessGroups is a column of the row; relations.accessGroups is for the rows of a join table');
  }
  if (m === undefined) return undefined;
  if (typeof m === 'string') {
    const key = keyOfColumn(m, [...mp, 'accessGroups']);
    const v = column(row, m, 'accessGroups', path, mp);
    if (v === null) return undefined;
    return Object.freeze(idList(v, [...path, key], 'access group id'));
  }
  const join = bare({ ...(m as AccessGroupJoin) });
  const where = relPath(path, 'accessGroups');
  if (joined === undefined || joined === null) return undefined;
  const rows = expectArray(joined, where);
  const ids: Id[] = [];
  const seen = new Set<Id>();
  rows.forEach((r, i) => {
    const jr = expectObject(r, [...where, i], 'a row of the access group join table');
    const recordKey = keyOfColumn(join.recordId, [...mp, 'accessGroups', 'recordId']);
    const rec = column(jr, join.recordId, 'accessGroups.recordId', [...where, i], mp);
    if (rec !== id) fail([...where, i, recordKey], `the join row is of record ${describe(rec)}, not ${quote(id)}`);
    const g = expectId(column(jr, join.accessGroup, 'accessGroups.accessGroup', [...where, i], mp), [...where, i, keyOfColumn(join.accessGroup, [...mp, 'accessGroups', 'accessGroup'])], 'access group id');
    if (!seen.has(g)) ids.push(g);
    seen.add(g);
  });
  return Object.freeze(ids);
}

function idList(v: unknown, path: ErrorPath, what: string): Id[] {
  const list = expectArray(v, path);
  const out: Id[] = [];
  const seen = new Set<Id>();
  list.forEach((x, i) => {
    // A NULL element of a text[] is no access group (SQL `&&` never matches it).
    if (x === null) return;
    const g = expectId(x, [...path, i], what);
    if (!seen.has(g)) out.push(g);
    seen.add(g);
  });
  return out;
}

function readAttributes(v: unknown, path: ErrorPath): Readonly<Record<string, AttributeValue>> {
  if (!isPlainObject(v)) fail(path, `expected a JSON object of attributes, got ${describe(v)}`);
  const entries: [string, AttributeValue][] = [];
  for (const key of Object.keys(v)) {
    const x = own(v, key);
    if (x === null) continue;
    if (typeof x === 'string' || typeof x === 'boolean' || (typeof x === 'number' && Number.isFinite(x))) entries.push([key, x]);
    else if (Array.isArray(x)) {
      const list = expectArray(x, [...path, key]);
      list.forEach((s, i) => {
        if (typeof s !== 'string') fail([...path, key, i], `an attribute list holds strings only, got ${describe(s)}`);
      });
      entries.push([key, Object.freeze(list as string[])]);
    } else fail([...path, key], `an attribute is a string, a number, a boolean or a list of strings, got ${describe(x)}`);
  }
  // Object.fromEntries defines own properties, `__proto__` included; no prototype to inherit from.
  return Object.freeze(bare(Object.fromEntries(entries)));
}

function instantOf(v: unknown, path: ErrorPath): string | undefined {
  if (v === null) return undefined;
  if (v instanceof Date) {
    const ms = v.getTime();
    if (!Number.isFinite(ms)) fail(path, 'an invalid Date');
    return formatInstant(ms);
  }
  if (typeof v === 'string' && instantMillis(v) !== undefined) return v;
  return fail(path, `expected a timestamptz (a Date, or an RFC 3339 date-time such as "2026-12-31T17:00:00Z"), got ${describe(v)}`);
}

function readShares(m: SqlMapping['shares'], given: RowRelations['shares'], id: Id, path: ErrorPath, mp: ErrorPath): readonly Share[] | undefined {
  const where = relPath(path, 'shares');
  if (m === undefined || m === false) {
    if (given !== undefined && given !== null && expectArray(given, where).length > 0) fail(where, 'the mapping has no share table (shares); map it to read share rows');
    return undefined;
  }
  if (given === undefined || given === null) return undefined;
  const t = bare({ ...(m as ShareTable) });
  const rows = expectArray(given, where);
  const shares: Share[] = [];
  rows.forEach((r, i) => {
    const at = [...where, i];
    const sr = expectObject(r, at, 'a row of the share table');
    const key = (name: string, what: string): string => keyOfColumn(name, [...mp, 'shares', what]);
    const rec = column(sr, t.recordId, 'shares.recordId', at, mp);
    if (rec !== id) fail([...at, key(t.recordId, 'recordId')], `the share row is of record ${describe(rec)}, not ${quote(id)}`);
    const kind = column(sr, t.principalKind, 'shares.principalKind', at, mp);
    if (typeof kind !== 'string' || !(PRINCIPAL_KINDS as readonly string[]).includes(kind)) {
      fail([...at, key(t.principalKind, 'principalKind')], `expected one of ${PRINCIPAL_KINDS.join(', ')}, got ${describe(kind)}`);
    }
    const principal = expectId(column(sr, t.principalId, 'shares.principalId', at, mp), [...at, key(t.principalId, 'principalId')], 'principal id');
    const level = column(sr, t.level, 'shares.level', at, mp);
    if (typeof level !== 'string' || !(SHARE_LEVELS as readonly string[]).includes(level)) {
      fail([...at, key(t.level, 'level')], `expected one of ${SHARE_LEVELS.join(', ')}, got ${describe(level)}`);
    }
    const since = instantOf(column(sr, t.since, 'shares.since', at, mp), [...at, key(t.since, 'since')]);
    const until = instantOf(column(sr, t.until, 'shares.until', at, mp), [...at, key(t.until, 'until')]);
    const share: { -readonly [K in keyof Share]: Share[K] } = bare({ to: Object.freeze(bare({ [kind]: principal })) as Share['to'], level: level as ShareLevel });
    if (since !== undefined) share.since = since;
    if (until !== undefined) share.until = until;
    shares.push(Object.freeze(share));
  });
  return Object.freeze(shares);
}

function readParent(row: Plain, m: ParentJoin | undefined, given: RowRelations['parent'], path: ErrorPath, mp: ErrorPath, depth: number): Resource | undefined {
  const where = relPath(path, 'parent');
  if (m === undefined) {
    if (given !== undefined && given !== null) fail(where, 'the mapping has no parent; map parent ({ column, table, id, mapping }) to read a parent row');
    return undefined;
  }
  const join = bare({ ...(m as ParentJoin) });
  const key = keyOfColumn(join.column, [...mp, 'parent', 'column']);
  const v = column(row, join.column, 'parent.column', path, mp);
  if (v === null) {
    if (given !== undefined && given !== null) fail([...path, key], 'the parent column is NULL, yet a parent row is given');
    return undefined;
  }
  const parentId = expectId(v, [...path, key], 'parent id (a text column)');
  if (given === undefined || given === null) fail(where, `the row's parent is ${quote(parentId)} (column ${quote(key)}): give its row as parent: { row }`);
  if (depth + 1 > MAX_PARENTS) fail(where, `parents nest more than ${MAX_PARENTS} deep`);
  const p = expectObject(given, where, 'the parent ({ row, ...relations })');
  if (join.mapping === undefined) fail([...mp, 'parent', 'mapping'], "map the parent table's columns in parent.mapping");
  // The parent's id is in its table's id column (`parent.id`) unless its mapping names one.
  const pm = bare({ ...mappingOf(join.mapping, [...mp, 'parent', 'mapping']) });
  const parentMapping: SqlMapping = pm.id === undefined ? { ...pm, id: join.id } : pm;
  const { row: prow, ...prel } = p as unknown as ParentRow;
  const parent = readRow(prow, parentMapping, prel, [...where, 'row'], [...mp, 'parent', 'mapping'], depth + 1);
  if (parent.id !== parentId) fail([...where, 'row', keyOfColumn(parentMapping.id, [...mp, 'parent', 'id'])], `the parent row is ${quote(parent.id)}, not ${quote(parentId)} as column ${quote(key)} says`);
  return parent;
}
