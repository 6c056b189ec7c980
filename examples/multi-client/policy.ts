/**
 * The multi-client capability of an e-mail marketing platform (seed 002) as a policy. The main
 * client has every right; it creates sub-clients and hands them rights. Separate clients are
 * tenants of their own, each with a ceiling within the main client's; inner clients share the
 * central client's database and are partitioned by target-group filters and mailing lists
 * (access groups with segments in one tenant).
 */
import type { PolicyInput, Resource } from '../../src/index.js';

export const policy: PolicyInput = {
  tenants: [
    { id: 'main' }, // the main client: no ceiling
    // Separate sub-clients, each with the rights the main client handed it.
    { id: 'sub-de', parent: 'main', ceiling: ['recipient:*', 'mailing:view', 'mailing:edit', 'mailing:send', 'report:view'] },
    { id: 'sub-fr', parent: 'main', ceiling: ['recipient:view', 'mailing:view', 'report:view'] },
    // The central client whose database the inner clients share.
    { id: 'publishing', parent: 'main' },
  ],
  resourceTypes: {
    recipient: { actions: { view: 'read', edit: 'readWrite', delete: 'full' } },
    mailing: { actions: { view: 'read', edit: 'readWrite', send: 'readWrite', delete: 'full' } },
    report: { actions: { view: 'read' } },
  },
  users: [
    { id: 'root-admin', tenant: 'main' },
    { id: 'de-admin', tenant: 'sub-de' },
    { id: 'de-user', tenant: 'sub-de' },
    { id: 'fr-user', tenant: 'sub-fr' },
    { id: 'mo', tenant: 'sub-de', tenants: ['sub-fr'] }, // manages two clients
    { id: 'pat', tenant: 'publishing' }, // central administrator of the shared database
    { id: 'bea', tenant: 'publishing' }, // B2B unit
    { id: 'carlos', tenant: 'publishing' }, // B2C unit
    { id: 'nina', tenant: 'publishing' }, // newsletter editorial team
  ],
  groups: [
    { id: 'de-team', tenant: 'sub-de', members: { users: ['de-admin', 'de-user', 'mo'] } },
    { id: 'fr-team', tenant: 'sub-fr', members: { users: ['fr-user', 'mo'] } },
    { id: 'b2b-unit', tenant: 'publishing', members: { users: ['bea'] } },
    { id: 'b2c-unit', tenant: 'publishing', members: { users: ['carlos'] } },
    { id: 'news-unit', tenant: 'publishing', members: { users: ['nina'] } },
  ],
  accessGroups: [
    // The main client's comprehensive access to a sub-client's data, still bounded by its ceiling.
    { id: 'de-oversight', tenant: 'sub-de', segment: { all: [] }, grants: [{ to: { user: 'root-admin' }, level: 'full' }] },
    // Inner clients by target-group filter ...
    {
      id: 'inner-b2b',
      tenant: 'publishing',
      segment: { all: [{ attribute: 'targetGroup', equals: 'b2b' }] },
      grants: [{ to: { group: 'b2b-unit' }, level: 'readWrite' }],
    },
    {
      id: 'inner-b2c',
      tenant: 'publishing',
      segment: { all: [{ attribute: 'targetGroup', equals: 'b2c' }] },
      grants: [{ to: { group: 'b2c-unit' }, level: 'readWrite' }],
    },
    // ... and by mailing list (recipients and mailings only, not reports).
    {
      id: 'inner-newsletter',
      tenant: 'publishing',
      resourceTypes: ['recipient', 'mailing'],
      segment: { all: [{ attribute: 'mailingLists', contains: 'weekly-news' }] },
      grants: [{ to: { group: 'news-unit' }, level: 'readWrite' }],
    },
  ],
};

export const records: readonly Resource[] = [
  { type: 'mailing', id: 'de-mailing', tenant: 'sub-de', owner: { group: 'de-team' } },
  { type: 'recipient', id: 'de-recipient', tenant: 'sub-de', owner: { group: 'de-team' } },
  { type: 'mailing', id: 'fr-mailing', tenant: 'sub-fr', owner: { group: 'fr-team' } },
  { type: 'recipient', id: 'fr-recipient', tenant: 'sub-fr', owner: { group: 'fr-team' } },
  { type: 'report', id: 'main-report', tenant: 'main', owner: { user: 'root-admin' } },
  { type: 'recipient', id: 'pub-r-b2b', tenant: 'publishing', owner: { user: 'pat' }, attributes: { targetGroup: 'b2b', mailingLists: [] } },
  { type: 'recipient', id: 'pub-r-b2c', tenant: 'publishing', owner: { user: 'pat' }, attributes: { targetGroup: 'b2c', mailingLists: ['weekly-news'] } },
  { type: 'mailing', id: 'pub-m-b2b', tenant: 'publishing', owner: { user: 'pat' }, attributes: { targetGroup: 'b2b', mailingLists: [] } },
  { type: 'report', id: 'pub-report-b2c', tenant: 'publishing', owner: { user: 'pat' }, attributes: { targetGroup: 'b2c', mailingLists: ['weekly-news'] } },
];
