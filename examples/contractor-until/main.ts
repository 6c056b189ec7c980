/*
 * A contractor's access that ends on a date (docs/time-bound-access.md): Carl is in the client
 * team until the engagement ends; Nina joins the escalation group on her start date; an audit
 * sharing rule runs for one quarter. Nothing changes the policy at those instants: each check is
 * answered at the engine's clock (here a fixed one, so the output is the same every run), or at
 * the instant a query names with `asOf`. Run: npx tsx examples/contractor-until/main.ts
 */
import { createEngine, type Resource } from '../../src/index.js';

let now = Date.parse('2026-12-31T16:00:00Z');
const engine = createEngine({
  clock: () => now,
  policy: {
    resourceTypes: { credential: { actions: { view: 'read', rotate: 'readWrite' } } },
    roles: [{ id: 'auditor' }],
    users: [{ id: 'ann' }, { id: 'carl' }, { id: 'nina' }, { id: 'otto', role: 'auditor' }],
    groups: [
      { id: 'client-team', members: { users: ['ann', { id: 'carl', until: '2026-12-31T17:00:00Z' }] } },
      { id: 'escalation', members: { users: [{ id: 'nina', since: '2027-01-04T08:00:00+01:00' }], groups: ['client-team'] } },
    ],
    sharingRules: [
      { id: 'audit-q4', resourceType: 'credential', from: { group: 'client-team' }, to: { role: 'auditor' }, level: 'read', since: '2026-10-01T00:00:00Z', until: '2027-01-01T00:00:00Z' },
    ],
  },
});

const vpn: Resource = { type: 'credential', id: 'vpn', owner: { group: 'client-team' } };
const pager: Resource = { type: 'credential', id: 'pager', owner: { group: 'escalation' } };

console.log(`16:00Z carl rotate vpn: ${engine.can('carl', 'rotate', vpn)}`);
console.log(engine.explain('carl', 'rotate', vpn));
now = Date.parse('2026-12-31T17:00:00Z');
console.log(`17:00Z carl rotate vpn: ${engine.can('carl', 'rotate', vpn)}`);
console.log(`client-team now: ${engine.membersOf('client-team').join(', ')}`);
console.log(`pager viewers on 2027-01-04 at 07:00Z: ${engine.whoCan('view', pager, { asOf: '2027-01-04T07:00:00Z' }).join(', ')}`);
console.log(`otto view vpn as of 2026-12-15: ${engine.can('otto', 'view', vpn, { asOf: '2026-12-15T00:00:00Z' })}, as of 2027-01-01: ${engine.can('otto', 'view', vpn, { asOf: '2027-01-01T00:00:00Z' })}`);
console.log(`policy revision: ${engine.revision}`);
