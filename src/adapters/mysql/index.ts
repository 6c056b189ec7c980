/**
 * purview/mysql: the policy in MySQL 8 or MariaDB 10.11, shared by every engine that opens it.
 *
 * `mysql2` is an optional peer dependency: install it next to purview to use this entry.
 * @packageDocumentation
 */
export { mysqlRepository } from './repository.js';
export type { MysqlRepository, MysqlRepositoryOptions } from './repository.js';
export { MAX_ID_BYTES, MYSQL_MIGRATIONS, MYSQL_SCHEMA_VERSION } from './migrations.js';
export type { MysqlMigration } from './migrations.js';
export { toSql } from './to-sql.js';
export type { AccessGroupJoin, ParentJoin, ShareTable, SqlFragment, SqlMapping } from '../sql/to-sql.js';
export type { SqlRepository, SqlRepositoryOptions } from '../sql/checks.js';
