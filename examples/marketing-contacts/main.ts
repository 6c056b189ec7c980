/**
 * Marketing contacts with segment-based access groups (seed 001): which contacts each user may
 * see, edit and send campaigns to, computed as a filter over the contact base; how overlapping
 * groups add up; and how tagging a contact or importing one changes who reaches it without any
 * change to the policy.
 *
 * Run it with `npx tsx examples/marketing-contacts/main.ts`.
 */
import { createEngine, toPredicate, type AccessFilter, type Resource } from '../../src/index.js';
import { contacts, policy } from './policy.js';

const engine = createEngine({ policy });
let base: Resource[] = [...contacts];

const USERS = ['mia', 'sam', 'pia', 'kim'];
const ACTIONS = ['view', 'edit', 'sendEmail'];

function heading(title: string): void {
  console.log(`\n== ${title}\n`);
}

/** The contacts of the base a user may act on: the engine's filter, compiled to a predicate. */
function reachable(user: string, action: string): string[] {
  return base.filter(toPredicate(engine.filter(user, action, 'contact'))).map((c) => c.id);
}

/** A filter as one line: where the contacts come from. */
function describeFilter(f: AccessFilter): string {
  if (f.kind !== 'some') return `${f.kind}${f.denial === undefined ? '' : ` (${f.denial})`}`;
  return f.anyOf
    .map((c) => {
      if (c.kind === 'segment') return `segment of ${c.accessGroup} ${JSON.stringify(c.segment.all)}`;
      if (c.kind === 'parent') return `parent ${c.type} passes (${describeFilter(c.filter)})`;
      if (c.kind === 'share') return `shared at ${c.minLevel}+ with [${Object.values(c.principals).flat().join(', ')}]`;
      return `${c.kind} in [${c.ids.join(', ')}]`;
    })
    .join(' OR ');
}

heading('What each user reaches');
for (const user of USERS) {
  console.log(`${user} (groups: ${engine.groupsOf(user).join(', ')})`);
  for (const action of ACTIONS) console.log(`  ${action.padEnd(9)} ${reachable(user, action).join(', ') || '(none)'}`);
}

heading('The filter behind a list');
// What a database query would use: the owners, access groups and segments that let mia send e-mail.
console.log(`mia sendEmail: ${describeFilter(engine.filter('mia', 'sendEmail', 'contact'))}`);
console.log(`sam sendEmail: ${describeFilter(engine.filter('sam', 'sendEmail', 'contact'))}`);
// The filter and the one-by-one check always agree.
const agree = USERS.every((u) => ACTIONS.every((a) => base.every((c) => toPredicate(engine.filter(u, a, 'contact'))(c) === engine.can(u, a, c))));
console.log(`filter agrees with can() for every user, action and contact: ${agree}`);

heading('Overlapping access, explained');
const b2b = base.find((c) => c.id === 'c-b2b') as Resource;
// Kim may edit b2b contacts as a member of sales, and send e-mail as a member of PR: the rights add up.
console.log(engine.explain('kim', 'sendEmail', b2b));
console.log('');
// Sales reaches the b2b segment, but its rights do not include sending campaigns.
console.log(engine.explain('sam', 'sendEmail', b2b));
console.log('');
const journalist = base.find((c) => c.id === 'c-journalist') as Resource;
// Marketing may read the press contacts but not send to them.
console.log(engine.explain('mia', 'sendEmail', journalist));

heading('Contacts change, the policy does not');
// Someone subscribes c-quiet to the newsletter: the tag puts it in the newsletter segment.
base = base.map((c) => (c.id === 'c-quiet' ? { ...c, attributes: { ...c.attributes, tags: ['newsletter'] } } : c));
const quiet = base.find((c) => c.id === 'c-quiet') as Resource;
console.log(`c-quiet tagged newsletter; sendEmail: ${engine.whoCan('sendEmail', quiet).join(', ')}`);
// A fair import puts a contact in the events segment; a press form assigns one to ag-press by hand.
base.push({ type: 'contact', id: 'c-fair', owner: { user: 'ada' }, attributes: { category: 'b2c', tags: [], source: 'fair-import' } });
base.push({ type: 'contact', id: 'c-press-form', owner: { user: 'ada' }, accessGroups: ['ag-press'], attributes: { category: 'press', tags: [] } });
for (const id of ['c-fair', 'c-press-form']) {
  const c = base.find((x) => x.id === id) as Resource;
  console.log(`${id}: view ${engine.whoCan('view', c).join(', ')}; edit ${engine.whoCan('edit', c).join(', ')}; sendEmail ${engine.whoCan('sendEmail', c).join(', ')}`);
}
console.log(`mia may now send e-mail to: ${reachable('mia', 'sendEmail').join(', ')}`);
console.log(`policy revision: ${engine.revision}`);
