/**
 * The versioned migrations of the MySQL / MariaDB schema: the tables of the PostgreSQL schema
 * (see ../postgres/migrations.ts, at its version 3), adapted. Each is a list of statements for a
 * database qualifier `d` (already quoted, with its trailing dot). They are applied in order, each
 * version once, under a named lock (GET_LOCK), and recorded in `schema_migrations`.
 *
 * MySQL commits DDL implicitly, so a migration is not one transaction: every statement is written
 * to be harmless when it runs again (CREATE TABLE IF NOT EXISTS, INSERT IGNORE), so that a
 * migration that a crash interrupted simply runs again.
 *
 * Ids and other key text are VARBINARY (UTF-8 bytes, compared byte for byte: `a` and `a ` or `A`
 * stay different ids, which no utf8mb4 collation guarantees on both MySQL and MariaDB); an id is
 * at most 1,024 bytes. JSON values and the change log's records are LONGTEXT, so that a record is
 * replayed exactly as written (MySQL's JSON type reorders keys). There are no foreign keys on
 * purpose, as in PostgreSQL: the engine validates every change as a whole before it is written.
 */
export interface MysqlMigration {
  readonly version: number;
  readonly name: string;
  readonly statements: (d: string) => readonly string[];
}

/** The longest id (in UTF-8 bytes) the tables hold. */
export const MAX_ID_BYTES = 1024;

const ID = `VARBINARY(${MAX_ID_BYTES})`;
const TEXT = 'LONGTEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin';
const INSTANT = 'VARCHAR(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin';
const WORD = 'VARCHAR(32) CHARACTER SET ascii COLLATE ascii_bin';
const TABLE = 'ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin';
const LEVEL = `('none', 'read', 'readWrite', 'full')`;
const PRINCIPAL = `('user', 'role', 'roleAndSubordinates', 'group')`;
const RULE_PRINCIPAL = `('role', 'roleAndSubordinates', 'group')`;

export const MYSQL_MIGRATIONS: readonly MysqlMigration[] = [
  {
    version: 1,
    name: 'normalized policy tables, field permissions, time bounds and change log',
    statements: (d) => [
      `CREATE TABLE IF NOT EXISTS ${d}\`policy_state\` (
        \`singleton\` TINYINT NOT NULL DEFAULT 1 PRIMARY KEY CHECK (\`singleton\` = 1),
        \`revision\` BIGINT NOT NULL DEFAULT 0 CHECK (\`revision\` >= 0),
        \`access_levels\` ${TEXT},
        \`default_access_level\` ${TEXT},
        \`initialized\` BOOLEAN NOT NULL DEFAULT FALSE,
        \`updated_at\` TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6)
      ) ${TABLE}`,
      `INSERT IGNORE INTO ${d}\`policy_state\` (\`singleton\`) VALUES (1)`,
      `CREATE TABLE IF NOT EXISTS ${d}\`tenants\` (
        \`id\` ${ID} NOT NULL PRIMARY KEY,
        \`parent\` ${ID},
        \`ceiling\` ${TEXT}
      ) ${TABLE}`,
      `CREATE TABLE IF NOT EXISTS ${d}\`roles\` (
        \`id\` ${ID} NOT NULL PRIMARY KEY,
        \`tenant\` ${ID} NOT NULL,
        \`parent\` ${ID},
        \`access_level\` ${TEXT},
        INDEX \`roles_parent_idx\` (\`parent\`)
      ) ${TABLE}`,
      `CREATE TABLE IF NOT EXISTS ${d}\`users\` (
        \`id\` ${ID} NOT NULL PRIMARY KEY,
        \`tenant\` ${ID} NOT NULL,
        \`status\` ${WORD} NOT NULL CHECK (\`status\` IN ('active', 'inactive')),
        \`role\` ${ID},
        \`access_level\` ${TEXT},
        INDEX \`users_role_idx\` (\`role\`)
      ) ${TABLE}`,
      `CREATE TABLE IF NOT EXISTS ${d}\`user_tenants\` (
        \`user_id\` ${ID} NOT NULL,
        \`position\` INT NOT NULL,
        \`tenant\` ${ID} NOT NULL,
        PRIMARY KEY (\`user_id\`, \`position\`)
      ) ${TABLE}`,
      `CREATE TABLE IF NOT EXISTS ${d}\`groups\` (
        \`id\` ${ID} NOT NULL PRIMARY KEY,
        \`tenant\` ${ID} NOT NULL,
        \`name\` ${TEXT},
        \`description\` ${TEXT},
        \`access_level\` ${TEXT}
      ) ${TABLE}`,
      `CREATE TABLE IF NOT EXISTS ${d}\`group_members\` (
        \`group_id\` ${ID} NOT NULL,
        \`kind\` ${WORD} NOT NULL CHECK (\`kind\` IN ${PRINCIPAL}),
        \`position\` INT NOT NULL,
        \`member_id\` ${ID} NOT NULL,
        \`since\` ${INSTANT},
        \`until\` ${INSTANT},
        PRIMARY KEY (\`group_id\`, \`kind\`, \`position\`),
        INDEX \`group_members_member_idx\` (\`kind\`, \`member_id\`)
      ) ${TABLE}`,
      `CREATE TABLE IF NOT EXISTS ${d}\`resource_types\` (
        \`name\` ${ID} NOT NULL PRIMARY KEY,
        \`org_default\` ${WORD} CHECK (\`org_default\` IN ('private', 'publicRead', 'publicReadWrite', 'publicFull')),
        \`hierarchy\` BOOLEAN,
        \`group_owner_level\` ${WORD} CHECK (\`group_owner_level\` IN ${LEVEL}),
        \`read_actions\` ${TEXT},
        \`controlled_by\` ${ID}
      ) ${TABLE}`,
      `CREATE TABLE IF NOT EXISTS ${d}\`resource_type_actions\` (
        \`resource_type\` ${ID} NOT NULL,
        \`position\` INT NOT NULL,
        \`action\` ${ID} NOT NULL,
        \`level\` ${WORD} NOT NULL CHECK (\`level\` IN ${LEVEL}),
        PRIMARY KEY (\`resource_type\`, \`action\`)
      ) ${TABLE}`,
      `CREATE TABLE IF NOT EXISTS ${d}\`resource_type_fields\` (
        \`resource_type\` ${ID} NOT NULL,
        \`position\` INT NOT NULL,
        \`field\` ${ID} NOT NULL,
        \`read_action\` ${ID} NOT NULL,
        \`write_action\` ${ID},
        PRIMARY KEY (\`resource_type\`, \`field\`)
      ) ${TABLE}`,
      `CREATE TABLE IF NOT EXISTS ${d}\`sharing_rules\` (
        \`id\` ${ID} NOT NULL PRIMARY KEY,
        \`tenant\` ${ID} NOT NULL,
        \`resource_type\` ${ID} NOT NULL,
        \`from_kind\` ${WORD} NOT NULL CHECK (\`from_kind\` IN ${RULE_PRINCIPAL}),
        \`from_id\` ${ID} NOT NULL,
        \`to_kind\` ${WORD} NOT NULL CHECK (\`to_kind\` IN ${RULE_PRINCIPAL}),
        \`to_id\` ${ID} NOT NULL,
        \`level\` ${WORD} NOT NULL CHECK (\`level\` IN ('read', 'readWrite')),
        \`since\` ${INSTANT},
        \`until\` ${INSTANT}
      ) ${TABLE}`,
      `CREATE TABLE IF NOT EXISTS ${d}\`access_groups\` (
        \`id\` ${ID} NOT NULL PRIMARY KEY,
        \`tenant\` ${ID} NOT NULL,
        \`resource_types\` ${TEXT},
        \`segment\` ${TEXT}
      ) ${TABLE}`,
      `CREATE TABLE IF NOT EXISTS ${d}\`access_group_grants\` (
        \`access_group_id\` ${ID} NOT NULL,
        \`position\` INT NOT NULL,
        \`principal_kind\` ${WORD} NOT NULL CHECK (\`principal_kind\` IN ${PRINCIPAL}),
        \`principal_id\` ${ID} NOT NULL,
        \`level\` ${WORD} NOT NULL CHECK (\`level\` IN ${LEVEL}),
        \`since\` ${INSTANT},
        \`until\` ${INSTANT},
        PRIMARY KEY (\`access_group_id\`, \`position\`),
        INDEX \`access_group_grants_principal_idx\` (\`principal_kind\`, \`principal_id\`)
      ) ${TABLE}`,
      `CREATE TABLE IF NOT EXISTS ${d}\`change_log\` (
        \`revision\` BIGINT NOT NULL PRIMARY KEY CHECK (\`revision\` > 0),
        \`kind\` ${WORD} NOT NULL CHECK (\`kind\` IN ('ops', 'replace')),
        \`record\` ${TEXT} NOT NULL,
        \`created_at\` TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6)
      ) ${TABLE}`,
    ],
  },
];

/** The newest MySQL schema version this library knows. */
export const MYSQL_SCHEMA_VERSION = MYSQL_MIGRATIONS[MYSQL_MIGRATIONS.length - 1]?.version ?? 0;
