/**
 * purview/kysely: an access filter as a Kysely condition.
 *
 * `kysely` is an optional peer dependency: install it next to purview to use this entry.
 * @packageDocumentation
 */
import { sql, type RawBuilder, type SqlBool } from 'kysely';
import type { AccessFilter } from '../index.js';
import { sqlChunks } from '../adapters/postgres/chunks.js';
import { toSql, type SqlMapping } from '../adapters/postgres/to-sql.js';

export { resourceFromRow } from '../adapters/postgres/from-row.js';
export type { ParentRow, RowRelations, SqlRow } from '../adapters/postgres/from-row.js';
export type { AccessGroupJoin, ParentJoin, ShareTable, SqlMapping } from '../adapters/postgres/to-sql.js';

/**
 * The rows of the application's table that `filter` allows, as a Kysely condition for
 * `.where(...)`: the condition {@link toSql} compiles (same mapping, same rows), every value bound
 * by Kysely as a parameter, never spliced into the text. For the PostgreSQL dialect.
 * @example
 * ```ts
 * const page = await db
 *   .selectFrom('leads')
 *   .select(['id', 'name'])
 *   .where(permitted(engine.filter(user, 'view', 'lead'), mapping))
 *   .where('id', '>', after)
 *   .orderBy('id')
 *   .limit(50)
 *   .execute();
 * ```
 * @throws InvalidInputError when the filter needs a column the mapping lacks (as toSql). A column
 * the mapping names but the table lacks fails when the query runs, PostgreSQL's error naming it.
 */
export function permitted(filter: AccessFilter, mapping: SqlMapping): RawBuilder<SqlBool> {
  const parts = sqlChunks(toSql(filter, mapping)).map((c) => ('text' in c ? sql.raw(c.text) : sql.val(c.value)));
  return sql<SqlBool>`(${sql.join(parts, sql.raw(''))})`;
}
