/**
 * purview/postgres: the policy in PostgreSQL, shared by every engine that opens it.
 *
 * `pg` is an optional peer dependency: install it next to purview to use this entry.
 * @packageDocumentation
 */
export { postgresRepository } from './repository.js';
export type { PostgresRepository, PostgresRepositoryOptions } from './repository.js';
export { toSql } from './to-sql.js';
export { resourceFromRow } from './from-row.js';
export type { ParentRow, RowRelations, SqlRow } from './from-row.js';
export type { AccessGroupJoin, ParentJoin, ShareTable, SqlFragment, SqlMapping } from './to-sql.js';
export { MIGRATIONS, SCHEMA_VERSION } from './migrations.js';
export type { Migration } from './migrations.js';
export type { SqlRepository, SqlRepositoryOptions } from '../sql/checks.js';
