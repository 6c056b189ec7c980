/*
 * Contacts controlled by their account (master-detail, docs/parent-controlled-types.md): a contact
 * has no owner of its own; whoever may view its account may view it, whoever may edit the account
 * may edit it. Run: npx tsx examples/contacts-by-account/main.ts
 */
import { createEngine, toPredicate, type Resource } from '../../src/index.js';

const engine = createEngine({
  policy: {
    roles: [{ id: 'vp' }, { id: 'rep', parent: 'vp' }],
    users: [{ id: 'vera', role: 'vp' }, { id: 'ray', role: 'rep' }, { id: 'rita', role: 'rep' }],
    groups: [{ id: 'key-accounts', members: { users: ['rita'] } }],
    resourceTypes: {
      account: { actions: { view: 'read', edit: 'readWrite' }, groupOwnerLevel: 'readWrite' },
      contact: { actions: { view: 'read', edit: 'readWrite' }, controlledBy: 'account' },
    },
    sharingRules: [{ id: 'reps-read-key', resourceType: 'account', from: { group: 'key-accounts' }, to: { role: 'rep' }, level: 'read' }],
  },
});

const globex: Resource = { type: 'account', id: 'globex', owner: { user: 'ray' } };
const initech: Resource = { type: 'account', id: 'initech', owner: { group: 'key-accounts' } };
const contacts: Resource[] = [
  { type: 'contact', id: 'hank', parent: globex },
  { type: 'contact', id: 'peter', parent: initech },
];

for (const c of contacts) console.log(`${c.id.padEnd(6)} edit: ${engine.whoCan('edit', c).join(', ')}; view: ${engine.whoCan('view', c).join(', ')}`);
console.log(engine.explain('ray', 'view', contacts[1] as Resource));
const visible = contacts.filter(toPredicate(engine.filter('rita', 'view', 'contact'))).map((c) => c.id);
console.log(`rita sees: ${visible.join(', ')}`);
try {
  engine.can('ray', 'view', { type: 'contact', id: 'lost', owner: { user: 'ray' } } as Resource);
} catch (e) {
  console.log(`refused: ${(e as Error).name}: ${(e as Error).message}`);
}
