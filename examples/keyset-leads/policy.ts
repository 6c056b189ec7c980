/**
 * The policy of the keyset-leads example: a sales organization of 10,000 users in tenant `acme`.
 *
 * - Roles: `ceo` > `vp-0..9` > `manager-000..099` > `rep-000..999` (each manager has ten rep
 *   roles, each VP ten managers). u00000 is the CEO, u00001-u00010 the VPs, u00011-u00110 the
 *   managers, and u00111-u09999 reps (user i has role rep-((i - 111) mod 1000)).
 * - Groups (2,000): teams `team-0000..1979` of five users each (team t: users 5t .. 5t+4), and
 *   `region-00..19`, each nesting the teams t with t mod 20 = its number.
 * - Access groups: `key-accounts` (leads listed by hand, 2% of them) for region-03; `trade-fair`
 *   (listed, 0.1%) for team-0044; `campaign-042`, a segment (campaign c-042, 0.1%) for region-04;
 *   `eu-enterprise`, a segment (region EU and tagged enterprise, 4%) for team-0042; `channel`, a
 *   segment (source partner or reseller, 40%) for region-11.
 * - A sharing rule: the leads of vp-3 and everyone below are shared with region-07 (read).
 *
 * The leads (see LOAD in main.ts) are owned by users and teams; 1 in 20 belong to tenant `globex`, which
 * nobody here may reach.
 */
import type { GroupInput, PolicyInput, RoleInput, UserInput } from '../../src/index.js';

export const USERS = 10_000;
export const TEAMS = 1_980;
export const REGIONS = 20;

export const userId = (i: number): string => `u${String(i).padStart(5, '0')}`;
export const teamId = (t: number): string => `team-${String(t).padStart(4, '0')}`;
export const regionId = (r: number): string => `region-${String(r).padStart(2, '0')}`;

export function buildPolicy(): PolicyInput {
  const tenant = 'acme';
  const roles: RoleInput[] = [{ id: 'ceo', tenant }];
  for (let v = 0; v < 10; v++) roles.push({ id: `vp-${v}`, tenant, parent: 'ceo' });
  for (let m = 0; m < 100; m++) roles.push({ id: `manager-${String(m).padStart(3, '0')}`, tenant, parent: `vp-${Math.floor(m / 10)}` });
  for (let r = 0; r < 1000; r++) roles.push({ id: `rep-${String(r).padStart(3, '0')}`, tenant, parent: `manager-${String(Math.floor(r / 10)).padStart(3, '0')}` });

  const users: UserInput[] = [];
  for (let i = 0; i < USERS; i++) {
    const role =
      i === 0 ? 'ceo' : i <= 10 ? `vp-${i - 1}` : i <= 110 ? `manager-${String(i - 11).padStart(3, '0')}` : `rep-${String((i - 111) % 1000).padStart(3, '0')}`;
    users.push({ id: userId(i), tenant, role });
  }

  const groups: GroupInput[] = [];
  for (let t = 0; t < TEAMS; t++) {
    groups.push({ id: teamId(t), tenant, members: { users: [0, 1, 2, 3, 4].map((k) => userId((5 * t + k) % USERS)) } });
  }
  for (let r = 0; r < REGIONS; r++) {
    const teams: string[] = [];
    for (let t = r; t < TEAMS; t += REGIONS) teams.push(teamId(t));
    groups.push({ id: regionId(r), tenant, members: { groups: teams } });
  }

  return {
    tenants: [{ id: 'acme' }, { id: 'globex' }],
    roles,
    users,
    groups,
    resourceTypes: { lead: { actions: { view: 'read', edit: 'readWrite', delete: 'full' } } },
    sharingRules: [{ id: 'vp3-to-region07', tenant, resourceType: 'lead', from: { roleAndSubordinates: 'vp-3' }, to: { group: regionId(7) }, level: 'read' }],
    accessGroups: [
      { id: 'key-accounts', tenant, grants: [{ to: { group: regionId(3) }, level: 'read' }] },
      { id: 'trade-fair', tenant, grants: [{ to: { group: teamId(44) }, level: 'readWrite' }] },
      { id: 'campaign-042', tenant, segment: { all: [{ attribute: 'campaign', equals: 'c-042' }] }, grants: [{ to: { group: regionId(4) }, level: 'read' }] },
      {
        id: 'eu-enterprise',
        tenant,
        segment: { all: [{ attribute: 'region', equals: 'EU' }, { attribute: 'tags', contains: 'enterprise' }] },
        grants: [{ to: { group: teamId(42) }, level: 'readWrite' }],
      },
      { id: 'channel', tenant, segment: { all: [{ attribute: 'source', in: ['partner', 'reseller'] }] }, grants: [{ to: { group: regionId(11) }, level: 'read' }] },
    ],
  };
}

/**
 * The same organization with an operations user, `ops`, who is a member of 10,000 groups: every
 * team (and so every region) and 8,000 project groups.
 */
export function buildPolicyWithOps(): PolicyInput {
  const base = buildPolicy();
  const groups = (base.groups ?? []).map((g) => (g.id.startsWith('team-') ? { ...g, members: { users: [...(g.members?.users ?? []), 'ops'] } } : g));
  for (let p = 0; p < 8_000; p++) groups.push({ id: `project-${String(p).padStart(4, '0')}`, tenant: 'acme', members: { users: ['ops', userId(p)] } });
  return { ...base, users: [...(base.users ?? []), { id: 'ops', tenant: 'acme' }], groups };
}
