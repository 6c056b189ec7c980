/**
 * The vault service's policy and tables: an agency keeps its clients' credentials. Each client is
 * a tenant under the agency; a client team owns its client's credentials; the agency's operator
 * may reveal any client's credentials through an access group per client (a grant names a user of
 * another tenant, never a group: groups stay in their tenant); a contractor helps
 * with one client until a date. Actions: view (the entry without the secret), reveal (the
 * secret), rotate (set a new secret).
 */
import type { PolicyInput } from '../../src/index.js';
import type { SqlMapping } from '../../src/drizzle/index.js';

export const POLICY: PolicyInput = {
  tenants: [{ id: 'agency' }, { id: 'acme', parent: 'agency' }, { id: 'globex', parent: 'agency' }],
  resourceTypes: { credential: { actions: { view: 'read', reveal: 'readWrite', rotate: 'full' }, readActions: ['view'] } },
  users: [
    { id: 'ada', tenant: 'agency', tenants: ['acme', 'globex'] },
    { id: 'ben', tenant: 'agency', tenants: ['acme'] },
    { id: 'cleo', tenant: 'agency', tenants: ['globex'] },
    { id: 'finn', tenant: 'agency', tenants: ['acme'] },
  ],
  groups: [
    { id: 'acme-team', tenant: 'acme', members: { users: ['ben', { id: 'finn', until: '2099-01-01T00:00:00Z' }] } },
    { id: 'globex-team', tenant: 'globex', members: { users: ['cleo'] } },
  ],
  accessGroups: [
    { id: 'acme-ops', tenant: 'acme', resourceTypes: ['credential'], grants: [{ to: { user: 'ada' }, level: 'readWrite' }] },
    { id: 'globex-ops', tenant: 'globex', resourceTypes: ['credential'], grants: [{ to: { user: 'ada' }, level: 'readWrite' }] },
  ],
};

/** How the credentials table stores what the engine reads: one mapping for permitted() and resourceFromRow(). */
export const MAPPING: SqlMapping = {
  ownerUser: 'owner_user_id',
  ownerGroup: 'owner_group_id',
  tenant: 'tenant_id',
  accessGroups: 'access_groups',
  shares: false,
};

export const SCHEMA_SQL = `
CREATE TABLE credentials (
  id             text PRIMARY KEY,
  tenant_id      text NOT NULL,
  owner_user_id  text,
  owner_group_id text,
  access_groups  text[],
  service        text NOT NULL,
  secret         text NOT NULL
);
CREATE INDEX credentials_owner_group_idx ON credentials (owner_group_id, id);
CREATE INDEX credentials_access_groups_idx ON credentials USING gin (access_groups);
CREATE TABLE audit_log (
  seq      bigserial PRIMARY KEY,
  at       timestamptz NOT NULL,
  user_id  text NOT NULL,
  action   text NOT NULL,
  resource text NOT NULL,
  allowed  boolean NOT NULL,
  denial   text
);
INSERT INTO credentials VALUES
  ('acme-ads',     'acme',   NULL, 'acme-team',   ARRAY['acme-ops'],   'Google Ads',  'a-1'),
  ('acme-crm',     'acme',   NULL, 'acme-team',   ARRAY['acme-ops'],   'Salesforce',  'a-2'),
  ('acme-private', 'acme',   'ben', NULL,         NULL,                'Ben''s test', 'a-3'),
  ('globex-ads',   'globex', NULL, 'globex-team', ARRAY['globex-ops'], 'Google Ads',  'g-1');`;
