/**
 * An agency's credential vault (seed 000): clients as tenants, credential groups as access
 * groups, permissions per group, and moving a credential from one group to another.
 *
 * Run it with `npx tsx examples/vault/main.ts`.
 */
import { PurviewError, createEngine, memoryResourceStore, toPredicate, type Resource } from '../../src/index.js';
import { credentials, policy } from './policy.js';

// The vault's table of credentials. The engine reads and writes it only to move a credential
// between groups; every question takes the credential as an argument.
const vault = memoryResourceStore(credentials);
const engine = createEngine({ policy, resources: vault });

function heading(title: string): void {
  console.log(`\n== ${title}\n`);
}

async function credential(id: string): Promise<Resource> {
  const r = await vault.get('credential', id);
  if (r === undefined) throw new Error(`no credential ${id}`);
  return r;
}

/** The credentials a user may reveal, straight from the table, through the engine's filter. */
function revealable(user: string): string[] {
  const mayReveal = toPredicate(engine.filter(user, 'reveal', 'credential'));
  return vault.all().filter(mayReveal).map((c) => c.id);
}

heading('Who may reveal what');
for (const c of vault.all()) {
  console.log(`${c.id.padEnd(16)} [${(c.accessGroups ?? []).join(', ')}] reveal: ${engine.whoCan('reveal', c).join(', ')}`);
}
console.log('');
for (const user of ['anna', 'carl', 'dora', 'eve', 'finn']) console.log(`${user.padEnd(5)} may reveal: ${revealable(user).join(', ') || '(nothing)'}`);

heading('Decisions, explained');
// Marketing may look at the advertising accounts (a read grant) but not change them.
console.log(engine.explain('dora', 'reveal', await credential('acme-google-ads')));
console.log('');
console.log(engine.explain('dora', 'edit', await credential('acme-google-ads')));
console.log('');
// The IT team reaches the project's credentials through the project group.
console.log(engine.explain('carl', 'edit', await credential('acme-pardot-api')));
console.log('');
// Advertisers have no access to the inner workings of an API integration.
console.log(engine.explain('eve', 'view', await credential('acme-pardot-api')));
console.log('');
// Clients are isolated: the small client's people never see Acme's credentials.
console.log(engine.explain('anna', 'view', await credential('acme-aws-root')));

heading('Moving a credential between groups');
// The project now needs the Salesforce login: move it from Marketing to the project group.
const before = await credential('acme-salesforce');
console.log(`before: acme-salesforce in [${before.accessGroups?.join(', ')}]; reveal: ${engine.whoCan('reveal', before).join(', ')}; edit: ${engine.whoCan('edit', before).join(', ')}`);
const moved = await engine.moveResource({ type: 'credential', id: 'acme-salesforce' }, { from: 'acme-marketing', to: 'acme-pardot' });
console.log(`after:  acme-salesforce in [${moved.accessGroups?.join(', ')}]; reveal: ${engine.whoCan('reveal', moved).join(', ')}; edit: ${engine.whoCan('edit', moved).join(', ')}`);
console.log(`finn may now reveal: ${revealable('finn').join(', ')}`);
console.log(`the policy did not change: revision ${engine.revision}`);

// A credential stays with its client: another client's group is refused, and so is a move
// from a group the credential is not in.
for (const [to, from] of [
  ['smallbiz-general', undefined],
  ['acme-it', 'acme-marketing'],
] as const) {
  try {
    await engine.moveResource({ type: 'credential', id: 'acme-salesforce' }, from === undefined ? { to } : { from, to });
  } catch (e) {
    if (!(e instanceof PurviewError)) throw e;
    console.log(`refused: ${e.name}: ${e.message}`);
  }
}

heading('The team rotates');
const wordpress = await credential('sb-wordpress');
await engine.addMember('smallbiz-team', { user: 'gus' });
await engine.removeMember('smallbiz-team', { user: 'ben' });
console.log(`revision ${engine.revision}: reveal sb-wordpress: ${engine.whoCan('reveal', wordpress).join(', ')}`);
console.log(`ben may reveal: ${revealable('ben').join(', ') || '(nothing)'}; gus may reveal: ${revealable('gus').join(', ')}`);
