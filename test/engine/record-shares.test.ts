/*
 * Record shares (SPEC 9): reading `resource.shares` (bad input names the path), the record-share
 * source in check, can, explain and whoCan, tenants, unknown principals and the bounds.
 */
import { describe, expect, it } from 'vitest';
import { createEngine, InvalidInputError, type PolicyInput, type Resource } from '../../src/index.js';
import { queriesAt } from '../support/at-instant.js';

const policy: PolicyInput = {
  tenants: [{ id: 'acme' }],
  roles: [{ id: 'lead' }, { id: 'agent', parent: 'lead' }, { id: 'other', tenant: 'acme' }],
  users: [
    { id: 'ann', role: 'agent' },
    { id: 'bob', role: 'agent' },
    { id: 'cat', role: 'lead' },
    { id: 'dan' },
    { id: 'eve', tenant: 'acme', role: 'other' },
    { id: 'fay', status: 'inactive' },
  ],
  groups: [
    { id: 'tier2', members: { users: ['dan'] } },
    { id: 'acme-team', tenant: 'acme', members: { users: ['eve'] } },
  ],
  resourceTypes: { ticket: { actions: { view: 'read', edit: 'readWrite', delete: 'full' }, hierarchy: false } },
};

const ticket = (shares: unknown, extra: object = {}): Resource => ({ type: 'ticket', id: 't1', owner: { user: 'ann' }, shares, ...extra }) as Resource;
const T0 = Date.parse('2026-03-01T00:00:00Z');
const UNTIL = '2026-03-15T00:00:00Z';

describe('record shares', () => {
  it('a share gives its level to the members of its principal, and nothing more', () => {
    const e = createEngine({ policy });
    const t = ticket([{ to: { user: 'bob' }, level: 'readWrite' }, { to: { group: 'tier2' }, level: 'read' }, { to: { role: 'lead' }, level: 'full' }]);
    expect(e.can('bob', 'edit', t)).toBe(true);
    expect(e.can('bob', 'delete', t)).toBe(false);
    expect(e.can('dan', 'view', t)).toBe(true);
    expect(e.can('dan', 'edit', t)).toBe(false);
    expect(e.can('cat', 'delete', t)).toBe(true);
    expect(e.can('eve', 'view', t)).toBe(false);
    expect(e.whoCan('view', t)).toEqual(['ann', 'bob', 'cat', 'dan']);
    expect(e.whoCan('edit', t)).toEqual(['ann', 'bob', 'cat']);
    expect(e.whoCan('delete', t)).toEqual(['ann', 'cat']);
    const d = e.check('bob', 'edit', t);
    expect(d.reasons).toEqual([{ source: 'record-share', level: 'readWrite', path: [{ kind: 'user', id: 'bob' }], share: 0 }]);
    expect(e.check('dan', 'view', t).reasons[0]).toMatchObject({ source: 'record-share', share: 1, path: [{ kind: 'user', id: 'dan' }, { kind: 'group', id: 'tier2' }] });
  });

  it('roleAndSubordinates covers the subtree; a role, only its own users', () => {
    const e = createEngine({ policy });
    expect(e.whoCan('view', ticket([{ to: { roleAndSubordinates: 'lead' }, level: 'read' }]))).toEqual(['ann', 'bob', 'cat']);
    expect(e.whoCan('view', ticket([{ to: { role: 'lead' }, level: 'read' }]))).toEqual(['ann', 'cat']);
  });

  it('a principal of another tenant, an unknown one and an inactive user count for nothing', () => {
    const e = createEngine({ policy });
    const t = ticket([{ to: { group: 'acme-team' }, level: 'full' }, { to: { role: 'other' }, level: 'full' }, { to: { user: 'eve' }, level: 'full' }, { to: { user: 'ghost' }, level: 'full' }, { to: { group: 'ghost' }, level: 'full' }, { to: { user: 'fay' }, level: 'full' }]);
    expect(e.whoCan('view', t)).toEqual(['ann']);
    expect(e.check('eve', 'view', t).denial).toBe('tenant');
    // The same shares on a record of acme count there.
    const inAcme = ticket([{ to: { group: 'acme-team' }, level: 'full' }], { tenant: 'acme', owner: { user: 'eve' }, id: 't2' });
    expect(e.check('eve', 'view', inAcme).allowed).toBe(true);
  });

  it('a share counts from since (inclusive) to until (exclusive); its reason carries until, and explain prints it', () => {
    const t = ticket([{ to: { user: 'bob' }, level: 'read', since: '2026-03-01T01:00:00+01:00', until: UNTIL }]);
    expect(queriesAt(policy, T0 - 1).can('bob', 'view', t)).toBe(false);
    expect(queriesAt(policy, T0).can('bob', 'view', t)).toBe(true);
    expect(queriesAt(policy, Date.parse(UNTIL) - 1).can('bob', 'view', t)).toBe(true);
    expect(queriesAt(policy, Date.parse(UNTIL)).can('bob', 'view', t)).toBe(false);
    expect(queriesAt(policy, Date.parse(UNTIL)).whoCan('view', t)).toEqual(['ann']);
    const q = queriesAt(policy, T0);
    expect(q.whoCan('view', t)).toEqual(['ann', 'bob']);
    expect(q.check('bob', 'view', t).reasons[0]).toMatchObject({ source: 'record-share', until: UNTIL, share: 0 });
    expect(q.explain('bob', 'view', t)).toContain(`record share #0 on the record, until ${UNTIL}`);
  });

  it('null shares, since and until are absent, as a row has them', () => {
    const e = createEngine({ policy });
    expect(e.can('bob', 'view', ticket(null))).toBe(false);
    expect(e.can('bob', 'view', ticket([{ to: { user: 'bob' }, level: 'read', since: null, until: null }]))).toBe(true);
  });

  it('a malformed share is an InvalidInputError naming the path, in every query', () => {
    const e = createEngine({ policy });
    const bad: [unknown, (string | number)[]][] = [
      [{ shares: 'bob' }, ['resource', 'shares']],
      [[null], ['resource', 'shares', 0]],
      [[{ to: { user: 'bob' }, level: 'read' }, { to: { user: 'bob' }, level: 'none' }], ['resource', 'shares', 1, 'level']],
      [[{ to: { user: 'bob' } }], ['resource', 'shares', 0, 'level']],
      [[{ level: 'read' }], ['resource', 'shares', 0, 'to']],
      [[{ to: 'bob', level: 'read' }], ['resource', 'shares', 0, 'to']],
      [[{ to: { user: 'bob', group: 'x' }, level: 'read' }], ['resource', 'shares', 0, 'to']],
      [[{ to: { team: 'x' }, level: 'read' }], ['resource', 'shares', 0, 'to', 'team']],
      [[{ to: { user: '' }, level: 'read' }], ['resource', 'shares', 0, 'to', 'user']],
      [[{ to: { user: 'bob' }, level: 'read', since: '2026-02-30T00:00:00Z' }], ['resource', 'shares', 0, 'since']],
      [[{ to: { user: 'bob' }, level: 'read', until: 42 }], ['resource', 'shares', 0, 'until']],
      [[{ to: { user: 'bob' }, level: 'read', since: UNTIL, until: UNTIL }], ['resource', 'shares', 0, 'until']],
      [[{ to: { user: 'bob' }, level: 'read', note: 'x' }], ['resource', 'shares', 0, 'note']],
      [[new (class { to = { user: 'bob' }; level = 'read'; })()], ['resource', 'shares', 0]],
    ];
    for (const [shares, path] of bad) {
      const t = Array.isArray(shares) ? ticket(shares) : ticket((shares as { shares: unknown }).shares);
      for (const f of [() => e.can('bob', 'view', t), () => e.check('bob', 'view', t), () => e.whoCan('view', t), () => e.permittedFields('bob', t)]) {
        let err: unknown;
        try {
          f();
        } catch (x) {
          err = x;
        }
        expect(err, JSON.stringify(shares)).toBeInstanceOf(InvalidInputError);
        expect((err as InvalidInputError).path, JSON.stringify(shares)).toEqual(path);
      }
    }
    // A hole is refused, never read from Array.prototype.
    const holes = [{ to: { user: 'bob' }, level: 'read' }];
    holes.length = 2;
    expect(() => e.can('bob', 'view', ticket(holes))).toThrow(InvalidInputError);
  });

  it('inherited shares are not read', () => {
    const e = createEngine({ policy });
    const proto = { shares: [{ to: { user: 'bob' }, level: 'full' }] };
    const t = Object.assign(Object.create(proto) as object, { type: 'ticket', id: 't1', owner: { user: 'ann' } });
    expect(() => e.can('bob', 'view', t as Resource)).toThrow(InvalidInputError);
    Object.defineProperty(Object.prototype, 'shares', { value: [{ to: { user: 'bob' }, level: 'full' }], configurable: true });
    try {
      expect(e.can('bob', 'view', { type: 'ticket', id: 't1', owner: { user: 'ann' } })).toBe(false);
    } finally {
      delete (Object.prototype as unknown as Record<string, unknown>).shares;
    }
  });
});
