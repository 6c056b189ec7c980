/**
 * The versioned migrations of the PostgreSQL schema. Each is a list of statements written for a
 * schema identifier `s` (already quoted). They are applied in order, each version once, inside one
 * transaction that holds an advisory lock, and recorded in `schema_migrations`; so running them
 * again (or from several processes at once) is harmless.
 *
 * The tables are normalized so that a DBA can read and query the policy with plain SQL:
 * `SELECT group_id FROM purview.group_members WHERE kind = 'user' AND member_id = 'u1'`. There are
 * no foreign keys on purpose: the engine validates every change as a whole (references, tenants,
 * cycles) before it is written, and rows written behind its back are reported as typed errors on
 * load rather than half-enforced by the database.
 */
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly statements: (s: string) => readonly string[];
}

const LEVEL = `('none', 'read', 'readWrite', 'full')`;
const PRINCIPAL = `('user', 'role', 'roleAndSubordinates', 'group')`;
const RULE_PRINCIPAL = `('role', 'roleAndSubordinates', 'group')`;

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'normalized policy tables and change log',
    statements: (s) => [
      `CREATE TABLE ${s}.policy_state (
        singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
        revision bigint NOT NULL DEFAULT 0 CHECK (revision >= 0),
        access_levels jsonb,
        default_access_level jsonb,
        initialized boolean NOT NULL DEFAULT false,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`,
      `INSERT INTO ${s}.policy_state (singleton) VALUES (true)`,
      `CREATE TABLE ${s}.tenants (
        id text PRIMARY KEY,
        parent text,
        ceiling text[]
      )`,
      `CREATE TABLE ${s}.roles (
        id text PRIMARY KEY,
        tenant text NOT NULL,
        parent text,
        access_level jsonb
      )`,
      `CREATE INDEX roles_parent_idx ON ${s}.roles (parent)`,
      `CREATE TABLE ${s}.users (
        id text PRIMARY KEY,
        tenant text NOT NULL,
        status text NOT NULL CHECK (status IN ('active', 'inactive')),
        role text,
        access_level jsonb
      )`,
      `CREATE INDEX users_role_idx ON ${s}.users (role)`,
      `CREATE TABLE ${s}.user_tenants (
        user_id text NOT NULL,
        position integer NOT NULL,
        tenant text NOT NULL,
        PRIMARY KEY (user_id, position)
      )`,
      `CREATE TABLE ${s}.groups (
        id text PRIMARY KEY,
        tenant text NOT NULL,
        name text,
        description text,
        access_level jsonb
      )`,
      `CREATE TABLE ${s}.group_members (
        group_id text NOT NULL,
        kind text NOT NULL CHECK (kind IN ${PRINCIPAL}),
        position integer NOT NULL,
        member_id text NOT NULL,
        PRIMARY KEY (group_id, kind, position)
      )`,
      `CREATE INDEX group_members_member_idx ON ${s}.group_members (kind, member_id)`,
      `CREATE TABLE ${s}.resource_types (
        name text PRIMARY KEY,
        org_default text NOT NULL CHECK (org_default IN ('private', 'publicRead', 'publicReadWrite', 'publicFull')),
        hierarchy boolean NOT NULL,
        group_owner_level text NOT NULL CHECK (group_owner_level IN ${LEVEL}),
        read_actions text[]
      )`,
      `CREATE TABLE ${s}.resource_type_actions (
        resource_type text NOT NULL,
        position integer NOT NULL,
        action text NOT NULL,
        level text NOT NULL CHECK (level IN ${LEVEL}),
        PRIMARY KEY (resource_type, action)
      )`,
      `CREATE TABLE ${s}.sharing_rules (
        id text PRIMARY KEY,
        tenant text NOT NULL,
        resource_type text NOT NULL,
        from_kind text NOT NULL CHECK (from_kind IN ${RULE_PRINCIPAL}),
        from_id text NOT NULL,
        to_kind text NOT NULL CHECK (to_kind IN ${RULE_PRINCIPAL}),
        to_id text NOT NULL,
        level text NOT NULL CHECK (level IN ('read', 'readWrite'))
      )`,
      `CREATE TABLE ${s}.access_groups (
        id text PRIMARY KEY,
        tenant text NOT NULL,
        resource_types text[],
        segment jsonb
      )`,
      `CREATE TABLE ${s}.access_group_grants (
        access_group_id text NOT NULL,
        position integer NOT NULL,
        principal_kind text NOT NULL CHECK (principal_kind IN ${PRINCIPAL}),
        principal_id text NOT NULL,
        level text NOT NULL CHECK (level IN ${LEVEL}),
        PRIMARY KEY (access_group_id, position)
      )`,
      `CREATE INDEX access_group_grants_principal_idx ON ${s}.access_group_grants (principal_kind, principal_id)`,
      // json, not jsonb: a record is replayed exactly as written, key order included.
      `CREATE TABLE ${s}.change_log (
        revision bigint PRIMARY KEY CHECK (revision > 0),
        kind text NOT NULL CHECK (kind IN ('ops', 'replace')),
        record json NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`,
    ],
  },
  {
    version: 2,
    name: 'field permissions of resource types',
    statements: (s) => [
      `CREATE TABLE ${s}.resource_type_fields (
        resource_type text NOT NULL,
        position integer NOT NULL,
        field text NOT NULL,
        read_action text NOT NULL,
        write_action text,
        PRIMARY KEY (resource_type, field)
      )`,
    ],
  },
  {
    version: 3,
    // Instants are stored as written (RFC 3339 text), so that a policy reloads exactly as it was
    // given; `until::timestamptz` compares them in SQL.
    name: 'time-bound member entries, sharing rules and grants; parent-controlled resource types',
    statements: (s) => [
      // A controlled type declares no default, hierarchy or group-owner level of its own.
      `ALTER TABLE ${s}.resource_types ADD COLUMN controlled_by text, ALTER COLUMN org_default DROP NOT NULL, ALTER COLUMN hierarchy DROP NOT NULL, ALTER COLUMN group_owner_level DROP NOT NULL`,
      `ALTER TABLE ${s}.group_members ADD COLUMN since text, ADD COLUMN until text`,
      `ALTER TABLE ${s}.sharing_rules ADD COLUMN since text, ADD COLUMN until text`,
      `ALTER TABLE ${s}.access_group_grants ADD COLUMN since text, ADD COLUMN until text`,
    ],
  },
];

/** The newest schema version this library knows. */
export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]?.version ?? 0;
