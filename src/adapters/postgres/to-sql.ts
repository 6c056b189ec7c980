// toSql for PostgreSQL: the shared compiler of ../sql/to-sql.ts in the PostgreSQL dialect.
export { quoteIdent, toSql } from '../sql/to-sql.js';
export type { AccessGroupJoin, ParentJoin, ShareTable, SqlFragment, SqlMapping } from '../sql/to-sql.js';
