/*
 * filter() keeps "any tenant" apart from every tenant id: a tenant may be named anything, the
 * string the filter once used as its marker ('\u0000any') included, and its sharing-rule clauses
 * stay limited to it.
 */
import { describe, expect, it } from 'vitest';
import { createEngine, toPredicate, type PolicyInput, type Resource } from '../../src/index.js';

const SENTINEL = '\u0000any';

const policy: PolicyInput = {
  tenants: [{ id: SENTINEL }],
  resourceTypes: { lead: { actions: { view: 'read', edit: 'readWrite' } } },
  roles: [{ id: 'rep', tenant: SENTINEL }, { id: 'mgr' }],
  users: [
    { id: 'u', role: 'mgr', tenants: [SENTINEL] },
    { id: 'o', tenant: SENTINEL, role: 'rep' },
    { id: 'p' },
  ],
  groups: [
    { id: 'viewers', tenant: SENTINEL, members: { users: ['u'] } },
    { id: 'owners', tenant: SENTINEL, members: { users: ['o'] } },
    { id: 'team', members: { users: ['u'] } },
  ],
  sharingRules: [
    // In tenant SENTINEL only: records there owned by `rep` users, or by group `owners`, are shared with `viewers`.
    { id: 'by-role', tenant: SENTINEL, resourceType: 'lead', from: { role: 'rep' }, to: { group: 'viewers' }, level: 'read' },
    { id: 'by-group', tenant: SENTINEL, resourceType: 'lead', from: { group: 'owners' }, to: { group: 'viewers' }, level: 'read' },
  ],
};

const tenants = [undefined, 'default', SENTINEL];
const owners = [{ user: 'u' }, { user: 'o' }, { user: 'p' }, { group: 'owners' }, { group: 'team' }, { group: 'viewers' }];
const records: Resource[] = tenants.flatMap((tenant, i) =>
  owners.map((owner, j) => ({ type: 'lead', id: `r${i}-${j}`, ...(tenant === undefined ? {} : { tenant }), owner }) as Resource),
);

describe('a tenant whose id is the old "any tenant" marker', () => {
  it('toPredicate(filter) agrees with can on every record, for every user and action', () => {
    const engine = createEngine({ policy });
    let allowed = 0;
    for (const user of ['u', 'o', 'p']) {
      for (const action of ['view', 'edit']) {
        const pass = toPredicate(engine.filter(user, action, 'lead'));
        for (const r of records) {
          const can = engine.can(user, action, r);
          if (can) allowed++;
          expect(pass(r), `${user} ${action} ${JSON.stringify(r)}`).toBe(can);
        }
      }
    }
    expect(allowed).toBeGreaterThan(0);
  });

  it('the sharing rules of that tenant stay limited to it; the owner clause is for any tenant', () => {
    const f = createEngine({ policy }).filter('u', 'view', 'lead');
    expect(f.kind).toBe('some');
    const users = f.anyOf.filter((c) => c.kind === 'ownerUser');
    expect(users).toContainEqual({ kind: 'ownerUser', ids: ['u'] });
    expect(users).toContainEqual({ kind: 'ownerUser', ids: ['o'], tenant: SENTINEL });
    const groups = f.anyOf.filter((c) => c.kind === 'ownerGroup');
    expect(groups).toContainEqual({ kind: 'ownerGroup', ids: ['team', 'viewers'] });
    expect(groups).toContainEqual({ kind: 'ownerGroup', ids: ['owners'], tenant: SENTINEL });
    // A record of the default tenant owned by `o` is not shared (the rule is of tenant SENTINEL).
    const r: Resource = { type: 'lead', id: 'x', owner: { user: 'o' } };
    expect(createEngine({ policy }).can('u', 'view', r)).toBe(false);
    expect(toPredicate(f)(r)).toBe(false);
  });
});
