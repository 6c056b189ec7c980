/**
 * The CRM of org.ts with CASL (@casl/ability): an ability per user, built from the org facts the
 * application looks up itself (whose role is below whose, who is in which team), with conditions
 * on the lead's owner columns.
 */
import { AbilityBuilder, createMongoAbility, subject, type ForcedSubject, type MongoAbility } from '@casl/ability';
import { people, roles, supportReads, teams, type Action, type Lead } from './org.js';

type AppAbility = MongoAbility<[Action, 'Lead' | (Lead & ForcedSubject<'Lead'>)]>;

/** The roles strictly below `role` in the chart, at any depth. */
function rolesBelow(role: string): Set<string> {
  const below = new Set<string>();
  let grew = true;
  while (grew) {
    grew = false;
    for (const r of roles) {
      if (r.parent !== undefined && (r.parent === role || below.has(r.parent)) && !below.has(r.id)) {
        below.add(r.id);
        grew = true;
      }
    }
  }
  return below;
}

const membersOf = (team: string): string[] => teams.find((t) => t.id === team)?.members ?? [];

export function defineAbilityFor(userId: string): AppAbility {
  const { can, build } = new AbilityBuilder<AppAbility>(createMongoAbility);
  const me = people.find((p) => p.id === userId);
  if (me === undefined) return build(); // unknown users may do nothing

  // Reps own leads.
  can(['view', 'edit', 'delete'], 'Lead', { ownerUser: userId });

  // A manager sees (and runs) the leads of the people whose role is below hers.
  const below = rolesBelow(me.role);
  const reports = people.filter((p) => below.has(p.role)).map((p) => p.id);
  if (reports.length > 0) can(['view', 'edit', 'delete'], 'Lead', { ownerUser: { $in: reports } });

  // A team owns some leads: its members view and edit them.
  const myTeams = teams.filter((t) => t.members.includes(userId)).map((t) => t.id);
  if (myTeams.length > 0) can(['view', 'edit'], 'Lead', { ownerTeam: { $in: myTeams } });

  // Support reads the team's leads: owned by the team or by one of its members.
  if (myTeams.includes(supportReads.reader)) {
    can('view', 'Lead', { ownerTeam: supportReads.team });
    can('view', 'Lead', { ownerUser: { $in: membersOf(supportReads.team) } });
  }
  return build();
}

export const caslCan = (user: string, action: Action, lead: Lead): boolean =>
  defineAbilityFor(user).can(action, subject('Lead', { ...lead }));
