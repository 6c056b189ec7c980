/**
 * Contact access in a marketing-automation product (seed 001) as a policy. Contacts land in
 * access groups by hand, by segment (a category, a tag), at import or when a form is submitted;
 * the marketing, sales and PR user groups get rights to view, edit and send campaigns to the
 * contacts of those access groups, and access may overlap.
 */
import type { PolicyInput, Resource } from '../../src/index.js';

export const policy: PolicyInput = {
  resourceTypes: {
    contact: {
      actions: { view: 'read', edit: 'readWrite', sendEmail: 'readWrite', sendSms: 'readWrite', delete: 'full' },
    },
  },
  // Declaring access levels turns on the capability check: what each user group may do at all.
  accessLevels: {},
  users: [
    { id: 'ada', accessLevel: 'full' }, // the administrator, who owns the imported contact base
    { id: 'mia' },
    { id: 'max' },
    { id: 'sam' },
    { id: 'sue' },
    { id: 'pia' },
    { id: 'kim' }, // in sales and in PR: overlapping rights
  ],
  groups: [
    {
      id: 'marketing',
      name: 'Marketing',
      members: { users: ['mia', 'max'] },
      accessLevel: { custom: ['contact:view', 'contact:edit', 'contact:sendEmail', 'contact:sendSms'] },
    },
    { id: 'sales', name: 'Sales', members: { users: ['sam', 'sue', 'kim'] }, accessLevel: { custom: ['contact:view', 'contact:edit'] } },
    { id: 'pr', name: 'PR', members: { users: ['pia', 'kim'] }, accessLevel: { custom: ['contact:view', 'contact:sendEmail'] } },
  ],
  accessGroups: [
    {
      id: 'ag-b2b', // by segment: a category
      resourceTypes: ['contact'],
      segment: { all: [{ attribute: 'category', equals: 'b2b' }] },
      grants: [
        { to: { group: 'sales' }, level: 'readWrite' },
        { to: { group: 'marketing' }, level: 'readWrite' },
      ],
    },
    {
      id: 'ag-newsletter', // by segment: a tag
      resourceTypes: ['contact'],
      segment: { all: [{ attribute: 'tags', contains: 'newsletter' }] },
      grants: [{ to: { group: 'marketing' }, level: 'readWrite' }],
    },
    {
      id: 'ag-press', // by hand, at import, or on a form
      resourceTypes: ['contact'],
      grants: [
        { to: { group: 'pr' }, level: 'readWrite' },
        { to: { group: 'marketing' }, level: 'read' },
      ],
    },
    {
      id: 'ag-events', // by where the contact came from
      resourceTypes: ['contact'],
      segment: { all: [{ attribute: 'source', in: ['webinar-form', 'fair-import'] }] },
      grants: [
        { to: { group: 'marketing' }, level: 'readWrite' },
        { to: { group: 'sales' }, level: 'read' },
      ],
    },
  ],
};

/** The contact base. */
export const contacts: readonly Resource[] = [
  { type: 'contact', id: 'c-b2b', owner: { user: 'ada' }, attributes: { category: 'b2b', tags: [] } },
  { type: 'contact', id: 'c-newsletter', owner: { user: 'ada' }, attributes: { category: 'b2c', tags: ['newsletter'] } },
  { type: 'contact', id: 'c-both', owner: { user: 'ada' }, attributes: { category: 'b2b', tags: ['newsletter', 'vip'] } },
  { type: 'contact', id: 'c-journalist', owner: { user: 'ada' }, accessGroups: ['ag-press'], attributes: { category: 'press', tags: [] } },
  { type: 'contact', id: 'c-webinar', owner: { user: 'ada' }, attributes: { category: 'b2c', tags: [], source: 'webinar-form' } },
  { type: 'contact', id: 'c-quiet', owner: { user: 'ada' }, attributes: { category: 'b2c', tags: [] } },
];
