import { describe, expect, it } from 'vitest';
import { createEngine, InvalidInputError } from '../../src/index.js';

// In-memory engines with a clock the test moves: no server.
const T = (s: string): number => Date.parse(s);

function contractorPolicy() {
  return {
    resourceTypes: { ticket: { actions: { view: 'read', edit: 'readWrite' } } },
    users: [{ id: 'ann' }, { id: 'cy' }],
    groups: [
      { id: 'support', members: { users: ['ann', { id: 'cy', until: '2026-12-31T17:00:00Z' }] } },
      { id: 'ops', members: { groups: [{ id: 'support', since: '2026-06-01T00:00:00+02:00' }] } },
    ],
  } as const;
}

const ticket = { type: 'ticket', id: 't1', owner: { group: 'support' } } as const;
const opsTicket = { type: 'ticket', id: 't2', owner: { group: 'ops' } } as const;

describe('time-bound member entries', () => {
  it('a member stops counting at its until, with no change to the policy', () => {
    let now = T('2026-12-31T16:59:59.999Z');
    const engine = createEngine({ policy: contractorPolicy(), clock: () => now });
    expect(engine.can('cy', 'edit', ticket)).toBe(true);
    now = T('2026-12-31T17:00:00Z');
    expect(engine.can('cy', 'edit', ticket)).toBe(false);
    expect(engine.can('ann', 'edit', ticket)).toBe(true);
    expect(engine.revision).toBe(0);
    expect(engine.membersOf('support')).toEqual(['ann']);
    now = T('2026-12-30T00:00:00Z');
    expect(engine.membersOf('support')).toEqual(['ann', 'cy']);
  });

  it('asOf answers at another instant; offsets compare as points in time', () => {
    const engine = createEngine({ policy: contractorPolicy(), clock: () => T('2027-01-01T00:00:00Z') });
    expect(engine.can('cy', 'edit', ticket)).toBe(false);
    expect(engine.can('cy', 'edit', ticket, { asOf: '2026-12-31T18:59:59+02:00' })).toBe(true);
    expect(engine.can('cy', 'edit', ticket, { asOf: '2026-12-31T19:00:00+02:00' })).toBe(false);
    // The nesting edge starts at its since (2026-05-31T22:00Z).
    expect(engine.can('ann', 'edit', opsTicket, { asOf: '2026-05-31T21:59:59Z' })).toBe(false);
    expect(engine.can('ann', 'edit', opsTicket, { asOf: '2026-05-31T22:00:00Z' })).toBe(true);
    expect(engine.groupsOf('ann', { asOf: '2026-05-31T22:00:00Z' })).toEqual(['ops', 'support']);
    expect(engine.whoCan('edit', opsTicket, { asOf: '2026-06-02T00:00:00Z' })).toEqual(['ann', 'cy']);
    expect(engine.snapshot().for('cy').can('edit', ticket, { asOf: '2026-01-01T00:00:00Z' })).toBe(true);
  });

  it('changes keep the views right on both sides of a boundary', async () => {
    let now = T('2026-07-01T00:00:00Z');
    const engine = createEngine({ policy: contractorPolicy(), clock: () => now });
    await engine.addMember('support', { user: 'ann' }, { until: '2026-08-01T00:00:00Z' });
    const pinned = engine.snapshot();
    await engine.removeMember('support', { user: 'cy' });
    expect(engine.can('cy', 'edit', ticket)).toBe(false);
    expect(pinned.can('cy', 'edit', ticket)).toBe(true);
    now = T('2027-02-01T00:00:00Z');
    expect(pinned.can('cy', 'edit', ticket)).toBe(false);
    expect(engine.can('ann', 'edit', ticket)).toBe(true);
    await engine.addMember('support', { user: 'cy' }, { since: '2027-03-01T00:00:00Z' });
    expect(engine.can('cy', 'edit', ticket)).toBe(false);
    now = T('2027-03-01T00:00:00Z');
    expect(engine.can('cy', 'edit', ticket)).toBe(true);
    expect(engine.for('cy').can('edit', ticket)).toBe(true);
  });

  it('bad instants, bounds and clocks are typed errors with the path', () => {
    const bad = (members: unknown) => () => createEngine({ policy: { resourceTypes: { t: { actions: { v: 'read' } } }, users: [{ id: 'u' }], groups: [{ id: 'g', members }] } as never });
    for (const until of ['2026-02-30T00:00:00Z', '2026-12-31 17:00:00Z', '2026-12-31T24:00:00Z', '2026-12-31T17:00:00.1234Z', '2026-12-31T17:00:00', 1767200400000]) {
      expect(bad({ users: [{ id: 'u', until }] })).toThrowError(InvalidInputError);
      try {
        bad({ users: [{ id: 'u', until }] })();
      } catch (e) {
        expect((e as InvalidInputError).path).toEqual(['groups', 0, 'members', 'users', 0, 'until']);
      }
    }
    expect(bad({ users: [{ id: 'u', since: '2026-01-02T00:00:00Z', until: '2026-01-01T00:00:00Z' }] })).toThrowError(/must be after since/);
    expect(bad({ users: [{ id: 'u', from: '2026-01-02T00:00:00Z' }] })).toThrowError(/unknown field/);
    expect(() => createEngine({ policy: contractorPolicy(), clock: () => Number.NaN })).toThrowError(InvalidInputError);
    let reading: unknown = 0;
    const e = createEngine({ policy: contractorPolicy(), clock: () => reading as number });
    reading = '2026';
    expect(() => e.can('cy', 'edit', ticket)).toThrowError(/clock returned/);
    expect(() => e.can('cy', 'edit', ticket, { asOf: 'tomorrow' })).toThrowError(/asOf/);
    expect(() => createEngine({ policy: contractorPolicy(), clock: 5 as never })).toThrowError(/clock/);
  });
});

describe('reasons carry the until that bounds them', () => {
  it('paths, rules and grants', () => {
    const engine = createEngine({
      policy: {
        resourceTypes: { ticket: { actions: { view: 'read', edit: 'readWrite' } } },
        roles: [{ id: 'boss' }, { id: 'rep', parent: 'boss' }],
        users: [{ id: 'ann', role: 'rep' }, { id: 'bo', role: 'boss' }],
        groups: [
          { id: 'support', members: { users: [{ id: 'ann', until: '2027-01-01T00:00:00Z' }, { id: 'ann', since: '2026-06-01T00:00:00Z', until: '2027-03-01T00:00:00Z' }] } },
          { id: 'all', members: { groups: [{ id: 'support', until: '2027-02-01T00:00:00Z' }] } },
          { id: 'eu', members: { users: ['bo'] } },
        ],
        sharingRules: [{ id: 'r1', resourceType: 'ticket', from: { group: 'eu' }, to: { group: 'all' }, level: 'read', until: '2026-12-24T00:00:00Z' }],
        accessGroups: [{ id: 'vip', grants: [{ to: { role: 'rep' }, level: 'readWrite', since: '2026-01-01T00:00:00Z', until: '2026-11-30T00:00:00Z' }] }],
      },
      clock: () => Date.parse('2026-07-01T00:00:00Z'),
    });
    const owned = { type: 'ticket', id: 't', owner: { group: 'all' } } as const;
    const d = engine.check('ann', 'view', owned);
    expect(d.allowed).toBe(true);
    // Two entries for ann in support are in effect: the later until counts; the nesting edge ends sooner.
    expect(d.reasons[0]?.path).toEqual([
      { kind: 'user', id: 'ann' },
      { kind: 'group', id: 'support', via: 'member-of', until: '2027-03-01T00:00:00Z' },
      { kind: 'group', id: 'all', via: 'member-of', until: '2027-02-01T00:00:00Z' },
    ]);
    expect(d.reasons[0]?.until).toBe('2027-02-01T00:00:00Z');
    const shared = { type: 'ticket', id: 'u', owner: { user: 'bo' } } as const;
    const rule = engine.check('ann', 'view', shared).reasons.find((r) => r.source === 'sharing-rule');
    expect(rule?.until).toBe('2026-12-24T00:00:00Z');
    expect(engine.explain('ann', 'view', shared)).toMatch(/sharing rule "r1", until 2026-12-24T00:00:00Z/);
    const listed = { type: 'ticket', id: 'v', owner: { user: 'bo' }, accessGroups: ['vip'] } as const;
    const grant = engine.check('ann', 'edit', listed).reasons.find((r) => r.source === 'access-group');
    expect(grant?.until).toBe('2026-11-30T00:00:00Z');
    expect(engine.can('ann', 'edit', listed, { asOf: '2026-11-30T00:00:00Z' })).toBe(false);
    expect(engine.can('ann', 'view', shared, { asOf: '2026-12-24T00:00:00Z' })).toBe(false);
    expect(engine.can('ann', 'view', owned, { asOf: '2027-02-01T00:00:00Z' })).toBe(false);
  });
});

describe('found by review', () => {
  it('deleteRole removes the role from time-bound entries too', async () => {
    const engine = createEngine({
      policy: {
        resourceTypes: { t: { actions: { v: 'read' } } },
        roles: [{ id: 'staff' }, { id: 'other' }],
        users: [{ id: 'u', role: 'staff' }],
        groups: [{ id: 'g', members: { roles: [{ id: 'staff', until: '2030-01-01T00:00:00Z' }], rolesAndSubordinates: [{ id: 'staff', since: '2020-01-01T00:00:00Z' }] } }],
      },
    });
    await engine.deleteRole('staff', { reassignTo: 'other' });
    expect(engine.policy.groups.get('g')?.members.roles).toEqual([]);
    expect(engine.policy.groups.get('g')?.members.rolesAndSubordinates).toEqual([]);
  });

  it('queries as of a dozen instants in turn reuse their views: no whole build per query', async () => {
    const { compileStats } = await import('../../src/compile/apply.js');
    const groups = Array.from({ length: 50 }, (_, i) => ({ id: `g${i}`, members: { users: [{ id: 'u', until: `2027-${String(1 + (i % 12)).padStart(2, '0')}-01T00:00:00Z` }] } }));
    const engine = createEngine({ policy: { resourceTypes: { t: { actions: { v: 'read' } } }, users: [{ id: 'u' }], groups }, clock: () => Date.parse('2026-01-01T00:00:00Z') });
    const monthEnds = Array.from({ length: 12 }, (_, m) => `2027-${String(m + 1).padStart(2, '0')}-15T00:00:00Z`);
    for (const asOf of monthEnds) engine.groupsOf('u', { asOf });
    const before = compileStats.builds;
    for (let round = 0; round < 5; round++) for (const asOf of monthEnds) engine.groupsOf('u', { asOf });
    expect(compileStats.builds - before).toBe(0);
    expect(engine.groupsOf('u', { asOf: '2027-06-15T00:00:00Z' })).toHaveLength(24);
  });

  it('several entries for one id are all kept, and several equal ones too', () => {
    const engine = createEngine({ policy: { resourceTypes: { t: { actions: { v: 'read' } } }, users: [{ id: 'u' }], groups: [{ id: 'g', members: { users: [{ id: 'u' }, { id: 'u' }, { id: 'u', until: '2027-01-01T00:00:00Z' }] } }] } });
    expect(engine.policy.groups.get('g')?.members.users).toHaveLength(3);
    expect(engine.membersOf('g', { asOf: '2030-01-01T00:00:00Z' })).toEqual(['u']);
  });
});
