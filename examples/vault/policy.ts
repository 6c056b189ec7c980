/**
 * The agency's vault as a policy (seed 000): every client of the agency is a tenant, every group
 * of credentials an access group of that client, and the people of the agency get permissions
 * per credential group through the grants.
 */
import type { PolicyInput, Resource } from '../../src/index.js';

export const policy: PolicyInput = {
  tenants: [
    { id: 'agency' }, // the agency itself: where its people live
    { id: 'smallbiz' }, // Example 1: a small business with a small retainer
    { id: 'acme' }, // Example 2: the multi-project client
  ],
  resourceTypes: {
    credential: {
      // `view` shows that a credential exists and where it logs in; `reveal` shows the secret.
      actions: { view: 'read', reveal: 'read', edit: 'readWrite', delete: 'full' },
      // A vault has no boss who sees everything by rank.
      hierarchy: false,
    },
  },
  users: [
    // The vault administrator stores the credentials, so she owns them.
    { id: 'olga', tenant: 'agency', tenants: ['smallbiz', 'acme'] },
    // Example 1: the two people dedicated to the small client.
    { id: 'anna', tenant: 'agency', tenants: ['smallbiz'] },
    { id: 'ben', tenant: 'agency', tenants: ['smallbiz'] },
    // Example 2: the people working with the client's IT, Marketing and Advertising teams,
    // and a contractor on the marketing-automation project.
    { id: 'carl', tenant: 'agency', tenants: ['acme'] },
    { id: 'dora', tenant: 'agency', tenants: ['acme'] },
    { id: 'eve', tenant: 'agency', tenants: ['acme'] },
    { id: 'finn', tenant: 'agency', tenants: ['acme'] },
    // Joins the small client's team later on.
    { id: 'gus', tenant: 'agency', tenants: ['smallbiz'] },
  ],
  groups: [
    { id: 'smallbiz-team', tenant: 'smallbiz', name: 'Small business team', members: { users: ['anna', 'ben'] } },
    { id: 'acme-it-team', tenant: 'acme', name: 'IT Team', members: { users: ['carl'] } },
    { id: 'acme-marketing-team', tenant: 'acme', name: 'Marketing Team', members: { users: ['dora'] } },
    { id: 'acme-advertisers', tenant: 'acme', name: 'Advertising Team', members: { users: ['eve'] } },
    {
      id: 'pardot-project',
      tenant: 'acme',
      name: 'Pardot-Internal Integration',
      members: { users: ['finn'], groups: ['acme-it-team', 'acme-marketing-team'] },
    },
  ],
  accessGroups: [
    // Example 1: one "General" group holds everything; the two users get full access.
    { id: 'smallbiz-general', tenant: 'smallbiz', resourceTypes: ['credential'], grants: [{ to: { group: 'smallbiz-team' }, level: 'full' }] },
    // Example 2: one credential group per area of focus ...
    { id: 'acme-it', tenant: 'acme', resourceTypes: ['credential'], grants: [{ to: { group: 'acme-it-team' }, level: 'full' }] },
    { id: 'acme-marketing', tenant: 'acme', resourceTypes: ['credential'], grants: [{ to: { group: 'acme-marketing-team' }, level: 'full' }] },
    {
      id: 'acme-advertising',
      tenant: 'acme',
      resourceTypes: ['credential'],
      grants: [
        { to: { group: 'acme-advertisers' }, level: 'full' },
        // Marketing may look at the advertising accounts, not change them.
        { to: { group: 'acme-marketing-team' }, level: 'read' },
      ],
    },
    // ... and one for the project, which the advertisers have no business seeing.
    {
      id: 'acme-pardot',
      tenant: 'acme',
      resourceTypes: ['credential'],
      grants: [
        { to: { group: 'pardot-project' }, level: 'readWrite' },
        { to: { user: 'finn' }, level: 'full' },
      ],
    },
  ],
};

/** The credentials, as the vault's own table holds them. */
export const credentials: readonly Resource[] = [
  { type: 'credential', id: 'sb-wordpress', tenant: 'smallbiz', owner: { user: 'olga' }, accessGroups: ['smallbiz-general'] },
  { type: 'credential', id: 'sb-analytics', tenant: 'smallbiz', owner: { user: 'olga' }, accessGroups: ['smallbiz-general'] },
  { type: 'credential', id: 'acme-aws-root', tenant: 'acme', owner: { user: 'olga' }, accessGroups: ['acme-it'] },
  { type: 'credential', id: 'acme-salesforce', tenant: 'acme', owner: { user: 'olga' }, accessGroups: ['acme-marketing'] },
  { type: 'credential', id: 'acme-google-ads', tenant: 'acme', owner: { user: 'olga' }, accessGroups: ['acme-advertising'] },
  { type: 'credential', id: 'acme-pardot-api', tenant: 'acme', owner: { user: 'olga' }, accessGroups: ['acme-pardot'] },
];
