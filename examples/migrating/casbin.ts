/**
 * The CRM of org.ts with casbin: one model (request, policy lines, two role managers, one matcher)
 * and the policy lines and grouping lines the application writes from its org facts. `g` holds
 * team membership (user to team), `g2` the reporting chain (a person to the people whose role is
 * above theirs, computed by the application from the role chart).
 */
import { newEnforcer, newModelFromString, type Enforcer } from 'casbin';
import { people, roles, supportReads, teams, type Action, type Lead } from './org.js';

export const model = `
[request_definition]
r = sub, obj, act

[policy_definition]
p = sub, obj, act

[role_definition]
g = _, _
g2 = _, _

[policy_effect]
e = some(where (p.eft == allow))

[matchers]
m = r.act == p.act && ( \\
    (p.sub == "owner" && p.obj == "lead" && r.obj.ownerUser == r.sub) || \\
    (p.sub == "manager" && p.obj == "lead" && r.obj.ownerUser != "" && g2(r.obj.ownerUser, r.sub)) || \\
    (p.sub == "team" && p.obj == "lead" && r.obj.ownerTeam != "" && g(r.sub, r.obj.ownerTeam)) || \\
    (p.obj != "lead" && g(r.sub, p.sub) && (r.obj.ownerTeam == p.obj || g(r.obj.ownerUser, p.obj))) )
`;

/** Policy lines: who may do what, by relation to the lead; the last is support on the team's leads. */
export const policyLines: string[][] = [
  ['owner', 'lead', 'view'],
  ['owner', 'lead', 'edit'],
  ['owner', 'lead', 'delete'],
  ['manager', 'lead', 'view'],
  ['manager', 'lead', 'edit'],
  ['manager', 'lead', 'delete'],
  ['team', 'lead', 'view'],
  ['team', 'lead', 'edit'],
  [supportReads.reader, supportReads.team, 'view'],
];

/** `g2` lines: each person to every person whose role is above theirs in the chart. */
function reportingLines(): string[][] {
  const lines: string[][] = [];
  for (const person of people) {
    const above = new Set<string>();
    for (let r = roles.find((x) => x.id === person.role)?.parent; r !== undefined; r = roles.find((x) => x.id === r)?.parent) {
      if (above.has(r)) break; // a cycle in the chart
      above.add(r);
    }
    for (const boss of people.filter((p) => above.has(p.role))) lines.push([person.id, boss.id]);
  }
  return lines;
}

export async function createCasbin(): Promise<Enforcer> {
  const enforcer = await newEnforcer(newModelFromString(model));
  await enforcer.addPolicies(policyLines);
  await enforcer.addGroupingPolicies(teams.flatMap((t) => t.members.map((m) => [m, t.id])));
  await enforcer.addNamedGroupingPolicies('g2', reportingLines());
  return enforcer;
}

/** casbin reads the lead's attributes from the object passed as `r.obj` (absent owners as ""). */
export const toCasbinObject = (lead: Lead) => ({ id: lead.id, ownerUser: lead.ownerUser ?? '', ownerTeam: lead.ownerTeam ?? '' });

export const casbinCan = (enforcer: Enforcer, user: string, action: Action, lead: Lead): boolean =>
  enforcer.enforceSync(user, toCasbinObject(lead), action);
