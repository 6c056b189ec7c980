/**
 * The versioned migrations of the SQLite schema: the tables of the PostgreSQL schema (see
 * ../postgres/migrations.ts, at its version 3) in SQLite's types. Text is compared byte for byte
 * (SQLite's BINARY collation), lists and JSON values are JSON text, booleans 0 and 1. SQLite runs
 * DDL in transactions, so the migrations run in one `BEGIN IMMEDIATE` transaction, each version
 * once, recorded in `schema_migrations`.
 */
export interface SqliteMigration {
  readonly version: number;
  readonly name: string;
  readonly statements: readonly string[];
}

const LEVEL = `('none', 'read', 'readWrite', 'full')`;
const PRINCIPAL = `('user', 'role', 'roleAndSubordinates', 'group')`;
const RULE_PRINCIPAL = `('role', 'roleAndSubordinates', 'group')`;

export const SQLITE_MIGRATIONS: readonly SqliteMigration[] = [
  {
    version: 1,
    name: 'normalized policy tables, field permissions, time bounds and change log',
    statements: [
      `CREATE TABLE policy_state (
        singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
        revision INTEGER NOT NULL DEFAULT 0 CHECK (revision >= 0),
        access_levels TEXT,
        default_access_level TEXT,
        initialized INTEGER NOT NULL DEFAULT 0,
        updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
      )`,
      `INSERT INTO policy_state (singleton) VALUES (1)`,
      `CREATE TABLE tenants (id TEXT PRIMARY KEY NOT NULL, parent TEXT, ceiling TEXT)`,
      `CREATE TABLE roles (id TEXT PRIMARY KEY NOT NULL, tenant TEXT NOT NULL, parent TEXT, access_level TEXT)`,
      `CREATE INDEX roles_parent_idx ON roles (parent)`,
      `CREATE TABLE users (
        id TEXT PRIMARY KEY NOT NULL,
        tenant TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('active', 'inactive')),
        role TEXT,
        access_level TEXT
      )`,
      `CREATE INDEX users_role_idx ON users (role)`,
      `CREATE TABLE user_tenants (user_id TEXT NOT NULL, position INTEGER NOT NULL, tenant TEXT NOT NULL, PRIMARY KEY (user_id, position))`,
      `CREATE TABLE groups (id TEXT PRIMARY KEY NOT NULL, tenant TEXT NOT NULL, name TEXT, description TEXT, access_level TEXT)`,
      `CREATE TABLE group_members (
        group_id TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ${PRINCIPAL}),
        position INTEGER NOT NULL,
        member_id TEXT NOT NULL,
        since TEXT,
        until TEXT,
        PRIMARY KEY (group_id, kind, position)
      )`,
      `CREATE INDEX group_members_member_idx ON group_members (kind, member_id)`,
      `CREATE TABLE resource_types (
        name TEXT PRIMARY KEY NOT NULL,
        org_default TEXT CHECK (org_default IN ('private', 'publicRead', 'publicReadWrite', 'publicFull')),
        hierarchy INTEGER,
        group_owner_level TEXT CHECK (group_owner_level IN ${LEVEL}),
        read_actions TEXT,
        controlled_by TEXT
      )`,
      `CREATE TABLE resource_type_actions (
        resource_type TEXT NOT NULL,
        position INTEGER NOT NULL,
        action TEXT NOT NULL,
        level TEXT NOT NULL CHECK (level IN ${LEVEL}),
        PRIMARY KEY (resource_type, action)
      )`,
      `CREATE TABLE resource_type_fields (
        resource_type TEXT NOT NULL,
        position INTEGER NOT NULL,
        field TEXT NOT NULL,
        read_action TEXT NOT NULL,
        write_action TEXT,
        PRIMARY KEY (resource_type, field)
      )`,
      `CREATE TABLE sharing_rules (
        id TEXT PRIMARY KEY NOT NULL,
        tenant TEXT NOT NULL,
        resource_type TEXT NOT NULL,
        from_kind TEXT NOT NULL CHECK (from_kind IN ${RULE_PRINCIPAL}),
        from_id TEXT NOT NULL,
        to_kind TEXT NOT NULL CHECK (to_kind IN ${RULE_PRINCIPAL}),
        to_id TEXT NOT NULL,
        level TEXT NOT NULL CHECK (level IN ('read', 'readWrite')),
        since TEXT,
        until TEXT
      )`,
      `CREATE TABLE access_groups (id TEXT PRIMARY KEY NOT NULL, tenant TEXT NOT NULL, resource_types TEXT, segment TEXT)`,
      `CREATE TABLE access_group_grants (
        access_group_id TEXT NOT NULL,
        position INTEGER NOT NULL,
        principal_kind TEXT NOT NULL CHECK (principal_kind IN ${PRINCIPAL}),
        principal_id TEXT NOT NULL,
        level TEXT NOT NULL CHECK (level IN ${LEVEL}),
        since TEXT,
        until TEXT,
        PRIMARY KEY (access_group_id, position)
      )`,
      `CREATE INDEX access_group_grants_principal_idx ON access_group_grants (principal_kind, principal_id)`,
      `CREATE TABLE change_log (
        revision INTEGER PRIMARY KEY CHECK (revision > 0),
        kind TEXT NOT NULL CHECK (kind IN ('ops', 'replace')),
        record TEXT NOT NULL,
        created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
      )`,
    ],
  },
];

/** The newest SQLite schema version this library knows. */
export const SQLITE_SCHEMA_VERSION = SQLITE_MIGRATIONS[SQLITE_MIGRATIONS.length - 1]?.version ?? 0;
