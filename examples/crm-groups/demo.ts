/**
 * CRM groups, end to end: the examples of the "Groups" chapter of a CRM manual.
 *
 * Every record has an owner: a user, or a group whose members all count as owners. Groups
 * collect users, roles, roles with their subordinates, and other groups. Sharing rules open
 * records of one role (or group) to another. This script builds that organization, asks the
 * engine questions about it, and changes it.
 *
 * Run it with `npm run demo`.
 */
import {
  PurviewError,
  createEngine,
  formatMembershipPath,
  memoryResourceStore,
  type PolicyInput,
  type Resource,
} from '../../src/index.js';

// ---------------------------------------------------------------------------------------------
// 1. The organization
// ---------------------------------------------------------------------------------------------

const policy: PolicyInput = {
  // What a record of each kind allows, and the record-level access each action needs.
  resourceTypes: {
    lead: { actions: { view: 'read', edit: 'readWrite', convert: 'readWrite', delete: 'full' } },
    activity: { actions: { view: 'read', edit: 'readWrite', delete: 'full' } },
    opportunity: { actions: { view: 'read', edit: 'readWrite', delete: 'full' } },
  },

  // The role hierarchy ("Hierarchy Example"): CEO > Sales > Sales Assistant, CEO > Marketing >
  // Marketing Assistant. A superior gets owner access to the records of its subordinates.
  roles: [
    { id: 'ceo' },
    { id: 'sales', parent: 'ceo' },
    { id: 'sales-assistant', parent: 'sales' },
    { id: 'marketing', parent: 'ceo' },
    // A role's access level is the user's "profile": assistants in marketing may only look.
    { id: 'marketing-assistant', parent: 'marketing', accessLevel: 'standard:readOnly' },
  ],

  // Profiles: which actions a user may use at all. Everyone without a level of their own gets
  // `standard`, which covers every action of the three record types.
  accessLevels: { standard: ['lead:*', 'activity:*', 'opportunity:*'] },
  defaultAccessLevel: 'standard',

  users: [
    { id: 'carol', role: 'ceo' },
    { id: 'person-1', role: 'sales' },
    { id: 'person-2', role: 'sales-assistant' },
    { id: 'person-3', role: 'sales' },
    { id: 'person-4', role: 'sales-assistant' },
    { id: 'maria', role: 'marketing' },
    { id: 'max', role: 'marketing-assistant' },
    // Sam left the company. An inactive user is denied everything but keeps its memberships.
    { id: 'sam', role: 'sales-assistant', status: 'inactive' },
  ],

  groups: [
    // Group of users ("Team A", "Team B").
    { id: 'team-a', name: 'Team A', members: { users: ['person-1', 'person-2'] } },
    { id: 'team-b', name: 'Team B', members: { users: ['person-3', 'person-4', 'sam'] } },
    // Group of groups: Persons 1-4 are members of "Sales" through their teams.
    { id: 'sales', name: 'Sales', members: { groups: ['team-a', 'team-b'] } },
    // Group of roles: everyone whose role is Sales or Marketing (not the assistants).
    { id: 'sales-and-marketing', name: 'Sales and Marketing', members: { roles: ['sales', 'marketing'] } },
    // Group of roles and subordinates: the same roles, assistants included.
    {
      id: 'sales-and-marketing-all',
      name: 'Sales and Marketing, with assistants',
      members: { rolesAndSubordinates: ['sales', 'marketing'] },
    },
    // A project group that will be deleted later on.
    { id: 'trade-fair', name: 'Trade fair 2025', members: { users: ['person-2', 'maria'] } },
  ],

  // "Make a role view records of another role and its subordinates": Marketing may read the
  // leads owned by anyone in Sales, assistants included.
  sharingRules: [
    { id: 'marketing-reads-sales-leads', resourceType: 'lead', from: { roleAndSubordinates: 'sales' }, to: { role: 'marketing' }, level: 'read' },
  ],
};

// The application's records. The engine needs to see them only to transfer them when a group is
// deleted; every query takes the record as an argument.
const records = memoryResourceStore([
  { type: 'lead', id: 'lead-1', owner: { group: 'sales' } },
  { type: 'lead', id: 'lead-2', owner: { user: 'person-4' } },
  { type: 'activity', id: 'call-1', owner: { group: 'team-a' } },
  { type: 'opportunity', id: 'opp-1', owner: { group: 'sales-and-marketing-all' } },
  { type: 'activity', id: 'booth-setup', owner: { group: 'trade-fair' } },
]);

const engine = createEngine({ policy, resources: records });

async function record(type: string, id: string): Promise<Resource> {
  const r = await records.get(type, id);
  if (r === undefined) throw new Error(`no ${type} ${id}`);
  return r;
}

function heading(title: string): void {
  console.log(`\n== ${title} ${'='.repeat(Math.max(0, 90 - title.length))}\n`);
}

const lead1 = await record('lead', 'lead-1');
const lead2 = await record('lead', 'lead-2');
const call1 = await record('activity', 'call-1');
const opp1 = await record('opportunity', 'opp-1');
const booth = await record('activity', 'booth-setup');

// ---------------------------------------------------------------------------------------------
// 2. Who is in which group
// ---------------------------------------------------------------------------------------------

heading('Membership');
for (const g of ['team-a', 'team-b', 'sales', 'sales-and-marketing', 'sales-and-marketing-all']) {
  console.log(`membersOf(${g}): ${engine.membersOf(g).join(', ')}`);
}
console.log(`\ngroupsOf(person-2): ${engine.groupsOf('person-2').join(', ')}`);
console.log('with the path that proves each membership:');
for (const { group, path } of engine.groupsOf('person-2', { paths: true })) {
  console.log(`  ${group}: ${formatMembershipPath(path)}`);
}

// ---------------------------------------------------------------------------------------------
// 3. Decisions, explained
// ---------------------------------------------------------------------------------------------

heading('Decisions');
// A lead owned by the group of groups "Sales": Person 1 is an owner through Team A.
console.log(engine.explain('person-1', 'convert', lead1));
// The CEO is above the owner of lead-2 (a sales assistant) in the hierarchy.
console.log(`\n${engine.explain('carol', 'delete', lead2)}`);
// Marketing reads Sales' leads through the sharing rule, but may not change them.
console.log(`\n${engine.explain('maria', 'view', lead2)}`);
console.log(`\n${engine.explain('maria', 'edit', lead2)}`);
// The opportunity belongs to the group of roles and subordinates; Max is a member through his
// role, but his profile is read-only.
console.log(`\n${engine.explain('max', 'view', opp1)}`);
console.log(`\n${engine.explain('max', 'edit', opp1)}`);
// An activity assigned to Team A: Person 3 (Team B) has no access to it.
console.log(`\n${engine.explain('person-3', 'view', call1)}`);
// Sam is still listed in Team B, so still in "Sales", but inactive.
console.log(`\n${engine.explain('sam', 'view', lead1)}`);

console.log(`\nwhoCan(edit, lead-1): ${engine.whoCan('edit', lead1).join(', ')}   (sam is a member, but inactive)`);
console.log(`effectiveOwners(lead-1): ${engine.effectiveOwners(lead1).join(', ')}`);
console.log(`whoCan(view, lead-2): ${engine.whoCan('view', lead2).join(', ')}`);

// A decision is data too: the verdict, the levels, and every reason with its proof.
const d = engine.check('person-3', 'edit', lead1);
console.log(`\ncheck(person-3, edit, lead-1): allowed=${d.allowed} required=${d.required} level=${d.level} sources=${d.reasons.map((r) => r.source).join(',')}`);

// ---------------------------------------------------------------------------------------------
// 4. Changes
// ---------------------------------------------------------------------------------------------

heading('Changes');
console.log(`revision ${engine.revision}`);
const unsubscribe = engine.subscribe((revision) => console.log(`  (subscriber: revision ${revision} landed)`));
const before = engine.snapshot(); // answers from revision 0 forever

// An immer recipe: hire Person 5 as a sales assistant and put her in Team B, in one change.
await engine.update((draft) => {
  draft.users.set('person-5', { id: 'person-5', tenant: 'default', status: 'active', role: 'sales-assistant', tenants: [] });
  draft.groups.get('team-b')?.members.users.push('person-5');
});
console.log(`after update: person-5 in ${engine.groupsOf('person-5').join(', ')}; can edit lead-1: ${engine.can('person-5', 'edit', lead1)}`);

// Typed commands: Max is promoted to Marketing; Sam comes back.
await engine.setRole('max', 'marketing');
await engine.setStatus('sam', 'active');
console.log(`max can edit opp-1: ${engine.can('max', 'edit', opp1)}; sam can view lead-1: ${engine.can('sam', 'view', lead1)}`);
console.log(`the pinned snapshot still says (revision ${before.revision}): max ${before.can('max', 'edit', opp1)}, sam ${before.can('sam', 'view', lead1)}`);

// Every change is validated first; a rejected change leaves everything as it was.
try {
  await engine.addMember('team-a', { group: 'sales' }); // Sales already contains Team A
} catch (e) {
  if (!(e instanceof PurviewError)) throw e;
  console.log(`\nrejected: ${e.name} (code ${e.code}): ${e.message}`);
  console.log(`still at revision ${engine.revision}`);
}

// Deleting a group that owns records needs someone to transfer them to.
try {
  await engine.deleteGroup('trade-fair');
} catch (e) {
  if (!(e instanceof PurviewError)) throw e;
  console.log(`\nrejected: ${e.name} (code ${e.code}): ${e.message}`);
}
console.log(`\nbefore deletion, whoCan(edit, booth-setup): ${engine.whoCan('edit', booth).join(', ')}`);
await engine.deleteGroup('trade-fair', { transferTo: { group: 'team-a' } });
const boothNow = await record('activity', 'booth-setup');
console.log(`deleted trade-fair; booth-setup is now owned by ${JSON.stringify(boothNow.owner)}`);
console.log(`whoCan(edit, booth-setup): ${engine.whoCan('edit', boothNow).join(', ')}`);
console.log(`groupsOf(maria): ${engine.groupsOf('maria').join(', ')}`);
console.log(`\n${engine.explain('person-1', 'delete', boothNow)}`);

unsubscribe();
