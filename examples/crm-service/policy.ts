/**
 * The CRM service's policy and tables: a sales organization in one tenant. The VP sees everything
 * her reps own (role hierarchy); reps own their leads; the `emea` team owns leads its members work
 * on; a sharing rule opens the team's leads to support (read only); the `key-accounts` access
 * group lists leads by hand for the account manager.
 */
import type { PolicyInput } from '../../src/index.js';
import type { SqlMapping } from '../../src/kysely/index.js';

export const POLICY: PolicyInput = {
  tenants: [{ id: 'acme' }],
  resourceTypes: { lead: { actions: { view: 'read', edit: 'readWrite', delete: 'full' } } },
  roles: [
    { id: 'vp', tenant: 'acme' },
    { id: 'rep', parent: 'vp', tenant: 'acme' },
  ],
  users: [
    { id: 'vera', role: 'vp', tenant: 'acme' },
    { id: 'rob', role: 'rep', tenant: 'acme' },
    { id: 'rae', role: 'rep', tenant: 'acme' },
    { id: 'sam', tenant: 'acme' },
    { id: 'kim', tenant: 'acme' },
  ],
  groups: [
    { id: 'emea', tenant: 'acme', members: { users: ['rae'] } },
    { id: 'support', tenant: 'acme', members: { users: ['sam'] } },
  ],
  sharingRules: [{ id: 'emea-to-support', tenant: 'acme', resourceType: 'lead', from: { group: 'emea' }, to: { group: 'support' }, level: 'read' }],
  accessGroups: [{ id: 'key-accounts', tenant: 'acme', resourceTypes: ['lead'], grants: [{ to: { user: 'kim' }, level: 'readWrite' }] }],
};

/** How the leads table stores what the engine reads: one mapping for permitted() and resourceFromRow(). */
export const MAPPING: SqlMapping = {
  ownerUser: 'owner_user_id',
  ownerGroup: 'owner_group_id',
  tenant: 'tenant_id',
  accessGroups: 'access_groups',
  shares: false,
};

export const SCHEMA_SQL = `
CREATE TABLE leads (
  id             text PRIMARY KEY,
  tenant_id      text NOT NULL,
  owner_user_id  text,
  owner_group_id text,
  access_groups  text[],
  name           text NOT NULL,
  stage          text NOT NULL
);
CREATE INDEX leads_owner_user_idx ON leads (owner_user_id, id);
CREATE INDEX leads_owner_group_idx ON leads (owner_group_id, id);
CREATE INDEX leads_access_groups_idx ON leads USING gin (access_groups);
CREATE TABLE audit_log (
  seq        bigserial PRIMARY KEY,
  at         timestamptz NOT NULL,
  user_id    text NOT NULL,
  action     text NOT NULL,
  resource   text NOT NULL,
  allowed    boolean NOT NULL,
  denial     text,
  revision   integer NOT NULL
);`;

/** Twelve leads: rob's, rae's, the emea team's, and two listed in key-accounts. */
export const SEED_SQL = `
INSERT INTO leads (id, tenant_id, owner_user_id, owner_group_id, access_groups, name, stage)
SELECT 'L' || lpad(i::text, 3, '0'), 'acme',
       CASE WHEN i % 3 = 0 THEN 'rob' WHEN i % 3 = 1 THEN 'rae' END,
       CASE WHEN i % 3 = 2 THEN 'emea' END,
       CASE WHEN i IN (4, 9) THEN ARRAY['key-accounts'] END,
       'Lead ' || i, 'new'
FROM generate_series(1, 12) i`;
