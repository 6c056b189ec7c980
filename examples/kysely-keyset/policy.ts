/**
 * The policy of the ORM keyset examples (examples/kysely-keyset, examples/drizzle-keyset): a sales
 * team in tenant acme. Reps own their leads; a manager sees her reps' leads (role hierarchy); the
 * `emea` group owns some leads; `key-accounts` lists leads by hand for the account managers; a
 * segment gives the marketing group every lead tagged `webinar`; single leads are shared with a
 * user through a share table.
 */
import type { PolicyInput } from '../../src/index.js';
import type { SqlMapping } from '../../src/kysely/index.js';

export const POLICY: PolicyInput = {
  tenants: [{ id: 'acme' }],
  resourceTypes: { lead: { actions: { view: 'read', edit: 'readWrite' } } },
  roles: [
    { id: 'manager', tenant: 'acme' },
    { id: 'rep', parent: 'manager', tenant: 'acme' },
  ],
  users: [
    { id: 'mia', role: 'manager', tenant: 'acme' },
    { id: 'rob', role: 'rep', tenant: 'acme' },
    { id: 'rae', role: 'rep', tenant: 'acme' },
    { id: 'kai', tenant: 'acme' },
    { id: 'zoe', tenant: 'acme' },
  ],
  groups: [
    { id: 'emea', tenant: 'acme', members: { users: ['rae'] } },
    { id: 'marketing', tenant: 'acme', members: { users: ['zoe'] } },
  ],
  accessGroups: [
    { id: 'key-accounts', tenant: 'acme', grants: [{ to: { user: 'kai' }, level: 'readWrite' }] },
    { id: 'webinar-leads', tenant: 'acme', segment: { all: [{ attribute: 'tags', contains: 'webinar' }] }, grants: [{ to: { group: 'marketing' }, level: 'read' }] },
  ],
};

/** How the leads table stores what a filter looks at: one mapping for permitted() and resourceFromRow(), in both examples. */
export const MAPPING: SqlMapping = {
  ownerUser: 'owner_user_id',
  ownerGroup: 'owner_group_id',
  tenant: 'tenant_id',
  accessGroups: 'access_groups',
  attributes: 'attributes',
  shares: { table: 'lead_shares', recordId: 'lead_id', principalKind: 'principal_kind', principalId: 'principal_id', level: 'level', since: 'since', until: 'until', id: 'leads.id' },
};

/** The users the examples page for. */
export const USERS: readonly string[] = ['rob', 'rae', 'mia', 'kai', 'zoe'];

/**
 * The leads, in one statement (`$1` the count): owners rob, rae and mia and the emea group in
 * turn, one in 40 listed in key-accounts, one in 7 tagged webinar, one in 97 shared with zoe.
 */
export const LOAD_SQL: readonly string[] = [
  `INSERT INTO leads (id, tenant_id, owner_user_id, owner_group_id, access_groups, attributes, name)
SELECT lpad(i::text, 6, '0'), 'acme',
       (ARRAY['rob', 'rae', 'mia', NULL])[i % 4 + 1],
       CASE WHEN i % 4 = 3 THEN 'emea' END,
       CASE WHEN i % 40 = 0 THEN ARRAY['key-accounts'] END,
       jsonb_build_object('tags', CASE WHEN i % 7 = 0 THEN jsonb_build_array('webinar') ELSE '[]'::jsonb END),
       'Lead ' || i
FROM generate_series(1, $1::int) i`,
  `INSERT INTO lead_shares (lead_id, principal_kind, principal_id, level)
SELECT lpad(i::text, 6, '0'), 'user', 'zoe', 'read' FROM generate_series(97, $1::int, 97) i`,
];

/** The tables, and the indexes docs/integrations-sql.md recommends. */
export const SCHEMA_SQL = `
CREATE TABLE leads (
  id             text PRIMARY KEY,
  tenant_id      text,
  owner_user_id  text,
  owner_group_id text,
  access_groups  text[],
  attributes     jsonb,
  name           text NOT NULL
);
CREATE TABLE lead_shares (
  lead_id        text NOT NULL REFERENCES leads (id),
  principal_kind text NOT NULL,
  principal_id   text NOT NULL,
  level          text NOT NULL,
  since          timestamptz,
  until          timestamptz
);
CREATE INDEX leads_owner_user_idx ON leads (owner_user_id, id);
CREATE INDEX leads_owner_group_idx ON leads (owner_group_id, id);
CREATE INDEX leads_access_groups_idx ON leads USING gin (access_groups);
CREATE INDEX leads_attributes_idx ON leads USING gin (attributes jsonb_path_ops);
CREATE INDEX lead_shares_principal_idx ON lead_shares (principal_id, lead_id);`;
