/**
 * The CRM of org.ts with purview: the org chart, the team and the sharing arrangement are the
 * policy; every question is one `engine.can()`.
 */
import { createEngine, type Engine, type PolicyInput, type Resource } from '../../src/index.js';
import { people, roles, supportReads, teams, type Action, type Lead } from './org.js';

export const policy: PolicyInput = {
  resourceTypes: {
    // Owners and managers above the owner's role get `full`; members of an owning team get at
    // most `readWrite` (view and edit, not delete).
    lead: { actions: { view: 'read', edit: 'readWrite', delete: 'full' }, groupOwnerLevel: 'readWrite' },
  },
  roles,
  users: people,
  groups: teams.map((t) => ({ id: t.id, members: { users: t.members } })),
  sharingRules: [
    // Leads owned by the west team, or by one of its members, are readable by support.
    { id: 'support-reads-west', resourceType: 'lead', from: { group: supportReads.team }, to: { group: supportReads.reader }, level: 'read' },
  ],
};

export const engine: Engine = createEngine({ policy });

/** A row of the leads table as the record purview checks. */
export const toResource = (lead: Lead): Resource => ({
  type: 'lead',
  id: lead.id,
  owner: lead.ownerUser !== undefined ? { user: lead.ownerUser } : { group: lead.ownerTeam ?? '' },
});

export const purviewCan = (user: string, action: Action, lead: Lead): boolean => engine.can(user, action, toResource(lead));
