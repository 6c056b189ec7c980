/**
 * purview/sqlite: the policy in one SQLite file, kept across restarts and shared by the processes
 * of one machine.
 *
 * `better-sqlite3` (version 12) is an optional peer dependency: install it next to purview to use this entry.
 * @packageDocumentation
 */
export { sqliteRepository } from './repository.js';
export type { SqliteRepository, SqliteRepositoryOptions } from './repository.js';
export { SQLITE_MIGRATIONS, SQLITE_SCHEMA_VERSION } from './migrations.js';
export type { SqliteMigration } from './migrations.js';
export { toSql } from './to-sql.js';
export type { AccessGroupJoin, ParentJoin, ShareTable, SqlFragment, SqlMapping } from '../sql/to-sql.js';
export type { SqlRepository, SqlRepositoryOptions } from '../sql/checks.js';
