/**
 * A multi-client e-mail platform (seed 002): separate sub-clients bounded by ceilings, inner
 * clients partitioned inside one shared database, a user who manages two clients, and the main
 * client creating a sub-client and handing rights down; then the same policy split across two
 * instances by client (scale-out by tenant).
 *
 * Run it with `npx tsx examples/multi-client/main.ts`.
 */
import { OutOfScopeError, PurviewError, createEngine, memoryRepository, openEngine, type Resource } from '../../src/index.js';
import { policy, records } from './policy.js';

const engine = createEngine({ policy });

function heading(title: string): void {
  console.log(`\n== ${title}\n`);
}

function record(id: string): Resource {
  const r = records.find((x) => x.id === id);
  if (r === undefined) throw new Error(`no record ${id}`);
  return r;
}

/** One line per question: the verdict, and why when it is a denial. */
function ask(user: string, action: string, id: string): void {
  const d = engine.check(user, action, record(id));
  console.log(`${user.padEnd(10)} ${action.padEnd(6)} ${id.padEnd(15)} ${d.allowed ? 'allow' : `deny (${d.denial})`}`);
}

heading('Separate clients: each bounded by the rights it was given');
ask('de-user', 'send', 'de-mailing');
ask('de-user', 'delete', 'de-mailing'); // the sub-client was not given the right to delete mailings
ask('fr-user', 'view', 'fr-recipient');
ask('fr-user', 'edit', 'fr-recipient'); // sub-fr may only look
ask('fr-user', 'view', 'de-recipient'); // another client's data
ask('de-admin', 'view', 'main-report'); // the main client's data
console.log('');
console.log(engine.explain('de-user', 'delete', record('de-mailing')));

heading('The main client oversees its sub-clients, within their ceilings');
ask('root-admin', 'edit', 'de-recipient');
ask('root-admin', 'delete', 'de-mailing');
console.log(`whoCan send de-mailing: ${engine.whoCan('send', record('de-mailing')).join(', ')}`);

heading('A user who manages two clients cannot deliver to the wrong recipients');
console.log(`mo is in: ${engine.groupsOf('mo').join(', ')}`);
ask('mo', 'send', 'de-mailing');
ask('mo', 'view', 'fr-mailing');
ask('mo', 'send', 'fr-mailing');

heading('Inner clients share one database, partitioned by target group and mailing list');
ask('bea', 'edit', 'pub-r-b2b');
ask('bea', 'send', 'pub-m-b2b');
ask('bea', 'view', 'pub-r-b2c');
ask('nina', 'edit', 'pub-r-b2c');
ask('nina', 'view', 'pub-report-b2c'); // the newsletter inner client covers recipients and mailings only
ask('carlos', 'view', 'pub-report-b2c');
console.log(`whoCan view pub-r-b2c: ${engine.whoCan('view', record('pub-r-b2c')).join(', ')}`);
console.log('');
console.log(engine.explain('nina', 'edit', record('pub-r-b2c')));

heading('The main client creates a sub-client and hands down rights');
// A new sub-client for Austria, which may read and edit recipients and read everything else.
await engine.update((draft) => {
  draft.tenants.set('sub-at', { id: 'sub-at', parent: 'main', ceiling: ['recipient:view', 'recipient:edit', 'mailing:view', 'report:view'] });
  draft.users.set('at-user', { id: 'at-user', tenant: 'sub-at', status: 'active', tenants: [] });
});
const atRecipient: Resource = { type: 'recipient', id: 'at-recipient', tenant: 'sub-at', owner: { user: 'at-user' } };
console.log(`revision ${engine.revision}: at-user edit at-recipient: ${engine.can('at-user', 'edit', atRecipient)}; delete: ${engine.can('at-user', 'delete', atRecipient)}`);

// A sub-client can never hold more rights than its parent: a sub-sub-client of sub-de that may
// delete mailings is refused, and the policy stays as it was.
try {
  await engine.update((draft) => {
    draft.tenants.set('sub-de-berlin', { id: 'sub-de-berlin', parent: 'sub-de', ceiling: ['mailing:view', 'mailing:delete'] });
  });
} catch (e) {
  if (!(e instanceof PurviewError)) throw e;
  console.log(`refused: ${e.name}: ${e.message}`);
}
console.log(`still at revision ${engine.revision}; sub-de-berlin exists: ${engine.policy.tenants.has('sub-de-berlin')}`);

// The main client hands sub-fr the right to edit its recipients.
await engine.update((draft) => {
  const fr = draft.tenants.get('sub-fr');
  if (fr !== undefined) fr.ceiling = [...(fr.ceiling ?? []), 'recipient:edit'];
});
ask('fr-user', 'edit', 'fr-recipient');
console.log(`revision ${engine.revision}; whoCan edit fr-recipient: ${engine.whoCan('edit', record('fr-recipient')).join(', ')}`);

heading('Scale-out: instances that each serve some of the clients');
// Separate clients of a SaaS (no main client above them), one shared policy (a memory repository
// here; PostgreSQL, MySQL or SQLite in production), and an instance per share of the clients.
// Each instance holds only what its clients' answers need: ops, an agency user of globex who also
// works for acme, brings globex's part into the acme instance, so that its groups there are complete.
const repository = memoryRepository({
  tenants: [{ id: 'acme' }, { id: 'globex' }, { id: 'initech' }],
  resourceTypes: { mailing: { actions: { view: 'read', send: 'readWrite' } } },
  users: [
    { id: 'ann', tenant: 'acme' },
    { id: 'gus', tenant: 'globex' },
    { id: 'ivy', tenant: 'initech' },
    { id: 'ops', tenant: 'globex', tenants: ['acme'] },
  ],
  groups: [
    { id: 'acme-senders', tenant: 'acme', members: { users: ['ann', 'ops'] } },
    { id: 'initech-senders', tenant: 'initech', members: { users: ['ivy'] } },
  ],
});
const whole = await openEngine({ repository });
const acmeInstance = await openEngine({ repository, tenants: ['acme'] });
const initechInstance = await openEngine({ repository, tenants: ['initech'] });
const acmeMailing: Resource = { type: 'mailing', id: 'acme-m1', tenant: 'acme', owner: { group: 'acme-senders' } };
const initechMailing: Resource = { type: 'mailing', id: 'initech-m1', tenant: 'initech', owner: { group: 'initech-senders' } };
console.log(`acme instance holds users: ${[...acmeInstance.policy.users.keys()].sort().join(', ')}`);
console.log(`initech instance holds users: ${[...initechInstance.policy.users.keys()].sort().join(', ')}`);
console.log(`ops send acme-m1 on the acme instance: ${acmeInstance.can('ops', 'send', acmeMailing)} (one engine holding everything: ${whole.can('ops', 'send', acmeMailing)})`);
try {
  acmeInstance.can('ivy', 'send', initechMailing);
} catch (e) {
  // A record of a client the instance does not serve is a routing error, never a deny.
  if (!(e instanceof OutOfScopeError)) throw e;
  console.log(`acme instance, an initech record: ${e.code}; the initech instance serves it: ${initechInstance.serves('initech')}, ivy send: ${initechInstance.can('ivy', 'send', initechMailing)}`);
}
await Promise.all([whole.close(), acmeInstance.close(), initechInstance.close()]);
