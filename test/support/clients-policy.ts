/*
 * The small multi-client policy the scoped-engine tests share: acme with a sub-account acme-eu,
 * globex and initech; an agency user (aga, home in globex) acting in acme; one group per client.
 */
import type { PolicyInput } from '../../src/index.js';

export const CLIENTS: PolicyInput = {
  tenants: [{ id: 'acme' }, { id: 'acme-eu', parent: 'acme' }, { id: 'globex' }, { id: 'initech' }],
  resourceTypes: { lead: { actions: { view: 'read', edit: 'readWrite' } } },
  roles: [{ id: 'acme-boss', tenant: 'acme' }],
  users: [
    { id: 'ann', tenant: 'acme', role: 'acme-boss' },
    { id: 'eve', tenant: 'acme-eu' },
    { id: 'gus', tenant: 'globex' },
    // An agency user: home in globex, acting in acme too.
    { id: 'aga', tenant: 'globex', tenants: ['acme'] },
    { id: 'ivy', tenant: 'initech' },
  ],
  groups: [
    { id: 'acme-sales', tenant: 'acme', members: { users: ['ann', 'aga'] } },
    { id: 'globex-ops', tenant: 'globex', members: { users: ['gus', 'aga'] } },
    { id: 'initech-all', tenant: 'initech', members: { users: ['ivy'] } },
  ],
};
