/**
 * The policy and the data of the HTTP example: a small sales team's leads. The application keeps
 * its leads in its own shape; `asResource` is the view of a lead the engine needs.
 */
import type { PolicyInput, Resource } from '../../src/index.js';

export const policy: PolicyInput = {
  resourceTypes: {
    lead: { actions: { view: 'read', edit: 'readWrite', delete: 'full' } },
  },
  roles: [{ id: 'sales-director' }, { id: 'sales-rep', parent: 'sales-director' }, { id: 'marketing' }],
  users: [
    { id: 'ann', role: 'sales-director' },
    { id: 'bob', role: 'sales-rep' },
    { id: 'cy', role: 'sales-rep' },
    { id: 'dee', role: 'marketing' },
    { id: 'ed', role: 'sales-rep', status: 'inactive' },
  ],
  groups: [
    { id: 'team-north', members: { users: ['bob', 'ed'] } },
    { id: 'team-south', members: { users: ['cy'] } },
  ],
  sharingRules: [
    // Marketing may read the leads that any sales rep owns.
    { id: 'marketing-reads-rep-leads', resourceType: 'lead', from: { roleAndSubordinates: 'sales-rep' }, to: { role: 'marketing' }, level: 'read' },
  ],
};

export type LeadStatus = 'new' | 'contacted' | 'qualified' | 'lost';

export const LEAD_STATUSES: readonly LeadStatus[] = ['new', 'contacted', 'qualified', 'lost'];

/** A lead as the application stores it. */
export interface Lead {
  readonly id: string;
  readonly title: string;
  readonly status: LeadStatus;
  readonly owner: { readonly user: string } | { readonly group: string };
}

export const initialLeads: readonly Lead[] = [
  { id: 'l1', title: 'Acme renewal', status: 'contacted', owner: { user: 'bob' } },
  { id: 'l2', title: 'Globex pilot', status: 'new', owner: { group: 'team-south' } },
  { id: 'l3', title: 'Initech upsell', status: 'new', owner: { group: 'team-north' } },
  { id: 'l4', title: 'Umbrella partnership', status: 'qualified', owner: { user: 'ann' } },
];

/** The lead as the engine sees it. */
export function asResource(lead: Lead): Resource {
  return { type: 'lead', id: lead.id, owner: lead.owner };
}
