/**
 * purview/drizzle: an access filter as a Drizzle `SQL` condition.
 *
 * `drizzle-orm` is an optional peer dependency: install it next to purview to use this entry.
 * @packageDocumentation
 */
import { sql, type SQL } from 'drizzle-orm';
import type { AccessFilter } from '../index.js';
import { sqlChunks } from '../adapters/postgres/chunks.js';
import { toSql, type SqlMapping } from '../adapters/postgres/to-sql.js';

export { resourceFromRow } from '../adapters/postgres/from-row.js';
export type { ParentRow, RowRelations, SqlRow } from '../adapters/postgres/from-row.js';
export type { AccessGroupJoin, ParentJoin, ShareTable, SqlMapping } from '../adapters/postgres/to-sql.js';

/**
 * The rows of the application's table that `filter` allows, as a Drizzle `SQL` condition for
 * `.where(...)` (alone, or inside `and(...)`): the condition {@link toSql} compiles over the
 * mapping's column names (the table's names in the database, not the TypeScript field names),
 * every value a bound parameter (`sql.param`), never spliced into the text. For PostgreSQL.
 * @example
 * ```ts
 * const page = await db
 *   .select({ id: leads.id, name: leads.name })
 *   .from(leads)
 *   .where(and(permitted(engine.filter(user, 'view', 'lead'), mapping), gt(leads.id, after)))
 *   .orderBy(leads.id)
 *   .limit(50);
 * ```
 * @throws InvalidInputError when the filter needs a column the mapping lacks (as toSql). A column
 * the mapping names but the table lacks fails when the query runs, PostgreSQL's error naming it.
 */
export function permitted(filter: AccessFilter, mapping: SqlMapping): SQL {
  const parts = sqlChunks(toSql(filter, mapping)).map((c) => ('text' in c ? sql.raw(c.text) : sql.param(c.value)));
  return sql`(${sql.join(parts)})`;
}
