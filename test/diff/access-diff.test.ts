/*
 * accessDiff on hand-made policy pairs, one per way a decision can change without anything
 * policy-wide changing (so that the narrowing in src/diff/affected.ts is what finds it): each
 * compares with a brute-force check of every user, action and resource on both policies.
 */
import { describe, expect, it } from 'vitest';
import { accessDiff, createEngine, LimitError, InvalidInputError, type PolicyInput, type Resource } from '../../src/index.js';

const AS_OF = { asOf: '2026-01-01T00:00:00Z' };

const base = (extra: Partial<PolicyInput> = {}): PolicyInput => ({
  resourceTypes: { lead: { actions: { view: 'read', edit: 'readWrite' } } },
  users: [{ id: 'owner' }, { id: 'u1' }, { id: 'u2' }, { id: 'boss', role: 'top' }, { id: 'rep', role: 'rep' }],
  roles: [{ id: 'top' }, { id: 'rep', parent: 'top' }],
  groups: [
    { id: 'inner', members: { users: ['owner'] } },
    { id: 'outer', members: { groups: ['inner'] } },
    { id: 'readers', members: { users: ['u1'] } },
    { id: 'side', members: { users: ['u2'] } },
  ],
  ...extra,
});

function brute(before: PolicyInput, after: PolicyInput, resources: readonly Resource[]): string[] {
  const b = createEngine({ policy: before });
  const a = createEngine({ policy: after });
  const users = [...new Set([...b.policy.users.keys(), ...a.policy.users.keys()])];
  const out: string[] = [];
  for (const r of resources) for (const user of users) for (const action of ['view', 'edit']) {
    const x = b.can(user, action, r, AS_OF);
    const y = a.can(user, action, r, AS_OF);
    if (x !== y) out.push(`${user} ${action} ${r.id} ${y ? 'gained' : 'lost'}`);
  }
  return out.sort();
}

/** The flips accessDiff finds, checked against brute force; `narrowed`: fewer decisions compared than all (users x actions x resources). */
function flips(before: PolicyInput, after: PolicyInput, resources: readonly Resource[], narrowed = true): string[] {
  const d = accessDiff(before, after, resources, AS_OF);
  const got = d.changes.map((c) => `${c.user} ${c.action} ${c.resource} ${c.after === 'allow' ? 'gained' : 'lost'}`).sort();
  expect(got).toEqual(brute(before, after, resources));
  const all = new Set([...createEngine({ policy: before }).policy.users.keys(), ...createEngine({ policy: after }).policy.users.keys()]).size * 2 * resources.length;
  if (narrowed) expect(d.summary.compared).toBeLessThan(all);
  else expect(d.summary.compared).toBe(all);
  return got;
}

const byGroup: Resource = { type: 'lead', id: 'g', owner: { group: 'inner' } };
const byOwner: Resource = { type: 'lead', id: 'o', owner: { user: 'owner' } };
const byRep: Resource = { type: 'lead', id: 'r', owner: { user: 'rep' } };

describe('accessDiff finds each kind of flip', () => {
  it('a sharing rule that changes its level reaches the members of its to', () => {
    const rule = { id: 's', resourceType: 'lead', from: { group: 'outer' }, to: { group: 'readers' }, level: 'read' as const };
    expect(flips(base({ sharingRules: [rule] }), base({ sharingRules: [{ ...rule, level: 'readWrite' }] }), [byOwner])).toEqual(['u1 edit o gained']);
  });

  it('a grant of an access group reaches the members of its principal', () => {
    const ag = (level: 'read' | 'readWrite') => [{ id: 'ag', grants: [{ to: { user: 'u2' }, level }] }];
    const listed: Resource = { ...byOwner, accessGroups: ['ag'] };
    expect(flips(base({ accessGroups: ag('read') }), base({ accessGroups: ag('readWrite') }), [listed])).toEqual(['u2 edit o gained']);
  });

  it("an owner who joins a rule's from group: every user on the owner's records", () => {
    const rule = { id: 's', resourceType: 'lead', from: { group: 'readers' }, to: { group: 'side' }, level: 'read' as const };
    const after = base({ sharingRules: [rule], groups: [...(base().groups ?? []).filter((g) => g.id !== 'readers'), { id: 'readers', members: { users: ['u1', 'owner'] } }] });
    expect(flips(base({ sharingRules: [rule] }), after, [byOwner], false)).toEqual(['u2 view o gained']);
  });

  it('a group nested elsewhere: records owned by groups inside it, for rules from the outer group', () => {
    const rule = { id: 's', resourceType: 'lead', from: { group: 'outer' }, to: { group: 'side' }, level: 'read' as const };
    const after = base({ sharingRules: [rule], groups: [{ id: 'inner', members: { users: ['owner'] } }, { id: 'outer', members: {} }, { id: 'readers', members: { users: ['u1'] } }, { id: 'side', members: { users: ['u2'] } }] });
    expect(flips(base({ sharingRules: [rule] }), after, [byGroup], false)).toEqual(['u2 view g lost']);
  });

  it("a user who changes role: superiors lose the records it owns", () => {
    const after = base({ users: [{ id: 'owner' }, { id: 'u1' }, { id: 'u2' }, { id: 'boss', role: 'top' }, { id: 'rep' }] });
    expect(flips(base(), after, [byRep], false).filter((f) => f.startsWith('boss'))).toEqual(['boss edit r lost', 'boss view r lost']);
  });

  it("a group's access level changes: its members' capabilities", () => {
    const levels = { accessLevels: { minimum: ['lead:view'] }, defaultAccessLevel: 'minimum' } as Partial<PolicyInput>;
    const groups = (level?: string) => [...(base().groups ?? []).filter((g) => g.id !== 'readers'), { id: 'readers', members: { users: ['u1'] }, ...(level === undefined ? {} : { accessLevel: level }) }];
    const open: Resource = { type: 'lead', id: 'p', owner: { user: 'u1' } };
    expect(flips(base({ ...levels, groups: groups() as never }), base({ ...levels, groups: groups('full') as never }), [open])).toEqual(['u1 edit p gained']);
  });

  it('a group member removed: the member loses what the group owns', () => {
    const after = base({ groups: [{ id: 'inner', members: {} }, { id: 'outer', members: { groups: ['inner'] } }, { id: 'readers', members: { users: ['u1'] } }, { id: 'side', members: { users: ['u2'] } }] });
    expect(flips(base(), after, [byGroup], false)).toEqual(['owner edit g lost', 'owner view g lost']);
  });
});

describe('accessDiff: structure, options and bad input', () => {
  it('reports users added and removed, memberships and nesting changes', () => {
    const after = base({
      users: [{ id: 'owner' }, { id: 'u1' }, { id: 'new' }, { id: 'boss', role: 'top' }, { id: 'rep', role: 'rep' }],
      groups: [{ id: 'inner', members: { users: ['owner'] } }, { id: 'outer', members: {} }, { id: 'readers', members: { users: ['u1'], groups: ['inner'] } }],
    });
    const s = accessDiff(base(), after, [], AS_OF).structural;
    expect(s.usersAdded).toEqual(['new']);
    expect(s.usersRemoved).toEqual(['u2']);
    expect(s.memberships).toEqual([{ user: 'owner', gained: ['readers'], lost: ['outer'] }, { user: 'u2', gained: [], lost: ['side'] }]);
    expect(s.groupsMoved).toEqual([{ group: 'inner', joined: ['readers'], left: ['outer'] }]);
  });

  it('an action one side does not declare is a deny there, with the denial undeclared', () => {
    const after = base({ resourceTypes: { lead: { actions: { view: 'read', edit: 'readWrite', close: 'read' } } } });
    const d = accessDiff(base(), after, [byOwner], AS_OF);
    expect(d.changes).toEqual([expect.objectContaining({ user: 'owner', action: 'close', before: 'deny', after: 'allow', denialBefore: 'undeclared' })]);
  });

  it('refuses more decisions than the limit before making any, and malformed input with its path', () => {
    expect(() => accessDiff(base(), base({ resourceTypes: { lead: { actions: { view: 'read', edit: 'readWrite' }, default: 'publicRead' } } }), [byOwner], { ...AS_OF, limit: 3 })).toThrow(LimitError);
    expect(() => accessDiff(base(), base(), [{ type: 'nope', id: 'x' } as Resource])).toThrow(/no resource type "nope" in either policy/);
    expect(() => accessDiff(base(), base(), [], { asOf: 'soon' })).toThrow(InvalidInputError);
    expect(() => accessDiff(base(), base(), [], { limit: -1 })).toThrow(/options.limit/);
    expect(() => accessDiff(base(), base(), [], { other: 1 } as never)).toThrow(/unknown key|other/);
  });
});
