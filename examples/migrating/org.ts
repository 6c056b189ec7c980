/**
 * The CRM of the migration guides (docs/migrating-from-casl.md, docs/migrating-from-casbin.md),
 * as the application holds it: people with a role, the role chart, teams and leads. Reps own
 * leads; a manager sees her reps' leads (the roles below hers); a team owns some leads, which its
 * members may view and edit but not delete; support reads the team's leads (owned by the team or by
 * one of its members). purview.ts, casl.ts and casbin.ts each answer the same questions from these
 * facts; test/examples/migrating.test.ts compares their answers.
 */
export type Role = { id: string; parent?: string };
export type Person = { id: string; role: string };
export type Team = { id: string; members: string[] };
/** A lead as the application's table holds it: owned by a user or by a team. */
export type Lead = { id: string; ownerUser?: string; ownerTeam?: string };
export type Action = 'view' | 'edit' | 'delete';

export const roles: Role[] = [
  { id: 'west-manager' },
  { id: 'west-rep', parent: 'west-manager' },
  { id: 'east-manager' },
  { id: 'east-rep', parent: 'east-manager' },
  { id: 'support' },
];

export const people: Person[] = [
  { id: 'mia', role: 'west-manager' },
  { id: 'rob', role: 'west-rep' },
  { id: 'rae', role: 'west-rep' },
  { id: 'eve', role: 'east-manager' },
  { id: 'eli', role: 'east-rep' },
  { id: 'sue', role: 'support' },
];

export const teams: Team[] = [
  { id: 'west-team', members: ['rob', 'rae'] },
  { id: 'support', members: ['sue'] },
];

/** The one sharing arrangement: the support team reads the west team's leads. */
export const supportReads = { reader: 'support', team: 'west-team' } as const;

export const leads: Lead[] = [
  { id: 'lead-1', ownerUser: 'rob' },
  { id: 'lead-2', ownerUser: 'rae' },
  { id: 'lead-3', ownerUser: 'eli' },
  { id: 'lead-4', ownerTeam: 'west-team' },
  { id: 'lead-5', ownerUser: 'mia' },
  { id: 'lead-6', ownerUser: 'sue' },
];

export const actions: Action[] = ['view', 'edit', 'delete'];

/** The users the questions ask about: everyone, and `zed`, whom the CRM does not know. */
export const askedUsers: string[] = [...people.map((p) => p.id), 'zed'];
