/*
 * The contract of a tenant-scoped engine (`openEngine({ repository, tenants })`), case by case:
 * its options, the errors of what it cannot answer, its refusal to write, pinned snapshots and user
 * views, and following a writer across the edge of its part. The property that its answers equal a
 * full engine's is test/property/scale-out.test.ts. A memory repository; no server.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { InvalidInputError, memoryRepository, openEngine, OutOfScopeError, PurviewError, type PolicyInput, type SharedEngine } from '../../src/index.js';
import { CLIENTS } from '../support/clients-policy.js';

const policy: PolicyInput = CLIENTS;
const acmeLead = { type: 'lead', id: 'l1', tenant: 'acme', owner: { group: 'acme-sales' } } as const;
const euLead = { type: 'lead', id: 'l2', tenant: 'acme-eu', owner: { user: 'eve' } } as const;
const initechLead = { type: 'lead', id: 'l3', tenant: 'initech', owner: { user: 'ivy' } } as const;

const open: SharedEngine[] = [];
async function engine(options: Partial<Parameters<typeof openEngine>[0]> & { repository?: ReturnType<typeof memoryRepository> } = {}): Promise<SharedEngine> {
  const e = await openEngine({ repository: options.repository ?? memoryRepository(policy), pollIntervalMs: 0, ...options });
  open.push(e);
  return e;
}
afterEach(async () => {
  for (const e of open.splice(0)) await e.close();
});

function refusal(f: () => unknown): OutOfScopeError {
  try {
    f();
  } catch (e) {
    if (e instanceof OutOfScopeError) return e;
    throw e;
  }
  throw new Error('expected an OutOfScopeError, got an answer');
}

describe('a tenant-scoped engine', () => {
  it('serves the given tenants and their descendants, and holds only what they need', async () => {
    const e = await engine({ tenants: ['acme'] });
    expect(e.serves('acme')).toBe(true);
    expect(e.serves('acme-eu')).toBe(true);
    expect(e.serves('globex')).toBe(false);
    // The agency user's home tenant is held (its groups count), initech is not.
    expect([...e.policy.users.keys()].sort()).toEqual(['aga', 'ann', 'eve', 'gus']);
    expect([...e.policy.groups.keys()].sort()).toEqual(['acme-sales', 'globex-ops']);
    expect(e.can('aga', 'edit', acmeLead)).toBe(true);
    expect(e.groupsOf('aga')).toEqual(['acme-sales', 'globex-ops']);
    // A user of a held tenant who does not act in a served one is held, and denied for its tenant.
    expect(e.check('gus', 'view', acmeLead).denial).toBe('tenant');
    const full = await engine();
    expect(full.serves('anything')).toBe(true);
  });

  it('refuses a record of a tenant it does not serve with OutOfScopeError, never a deny', async () => {
    const e = await engine({ tenants: ['acme'] });
    for (const ask of [
      () => e.check('ann', 'view', initechLead),
      () => e.can('ann', 'view', initechLead),
      () => e.explain('ann', 'view', initechLead),
      () => e.whoCan('view', initechLead),
      () => e.effectiveOwners(initechLead),
      () => e.permittedFields('ann', initechLead),
      () => e.for('ann').can('view', initechLead),
      () => e.snapshot().check('ann', 'view', initechLead),
    ]) {
      const err = refusal(ask);
      expect(err.code).toBe('out-of-scope');
      expect(err.ids).toEqual(['initech']);
      expect(err.path).toEqual(['resource', 'tenant']);
      expect(err.tenants).toEqual(['acme']);
      expect(err.message).toContain('does not serve');
      expect(PurviewError.is(err)).toBe(true);
      expect(err.toJSON()).toMatchObject({ code: 'out-of-scope', tenants: ['acme'] });
    }
    // A controlled record without a tenant is in its parent's; a record without one in `default`.
    expect(refusal(() => e.can('ann', 'view', { type: 'lead', id: 'x', owner: { user: 'ann' } })).ids).toEqual(['default']);
  });

  it('refuses users, groups and owners it does not hold, and users whose tenants it does not all hold', async () => {
    const e = await engine({ tenants: ['acme'] });
    expect(refusal(() => e.check('ivy', 'view', acmeLead)).path).toEqual(['user']);
    expect(refusal(() => e.can('nobody', 'view', acmeLead)).ids).toEqual(['nobody']);
    expect(refusal(() => e.for('ivy')).path).toEqual(['user']);
    expect(refusal(() => e.membersOf('initech-all')).path).toEqual(['group']);
    expect(refusal(() => e.effectiveOwners({ type: 'lead', id: 'x', tenant: 'acme', owner: { user: 'ivy' } })).path).toEqual(['resource', 'owner']);
    // ann acts in acme only: its filter is whole. Serving acme-eu only, ann's home (acme) is held
    // (ann acts in acme-eu through it), so its filter is whole there too.
    expect(e.filter('ann', 'view', 'lead').kind).not.toBe('none');
    const eu = await engine({ tenants: ['acme-eu'] });
    expect(eu.filter('ann', 'view', 'lead').tenants).toEqual(['acme', 'acme-eu']);
    // gus is held serving acme (a user of a held tenant) but acts in globex only, which is held: answered.
    expect(e.groupsOf('gus')).toEqual(['globex-ops']);
  });

  it('does not write: every change is refused before anything is computed or appended', async () => {
    const repository = memoryRepository(policy);
    const e = await engine({ repository, tenants: ['acme'] });
    const writes: [string, () => Promise<unknown>][] = [
      ['update', () => e.update((d) => void d.users.delete('eve'))],
      ['replace', () => e.replace(policy)],
      ['addMember', () => e.addMember('acme-sales', { user: 'eve' })],
      ['removeMember', () => e.removeMember('acme-sales', { user: 'ann' })],
      ['setRole', () => e.setRole('ann', undefined)],
      ['setStatus', () => e.setStatus('ann', 'inactive')],
      ['deleteGroup', () => e.deleteGroup('acme-sales')],
      ['deleteRole', () => e.deleteRole('acme-boss', {} as never)],
      ['create', () => e.create('users', { id: 'new', tenant: 'acme' })],
      ['remove', () => e.remove('users', 'eve')],
    ];
    for (const [name, write] of writes) {
      const err = await write().then(
        () => undefined,
        (x: unknown) => x,
      );
      expect(err, name).toBeInstanceOf(OutOfScopeError);
      expect((err as OutOfScopeError).message).toContain('does not write');
    }
    expect(repository.log()).toEqual([]);
    expect(e.revision).toBe(0);
  });

  it('checks its tenants option: a non-empty list of declared tenant ids', async () => {
    for (const tenants of [[], 'acme', [1], ['acme', ''], [undefined]] as unknown[]) {
      await expect(engine({ tenants: tenants as string[] })).rejects.toBeInstanceOf(InvalidInputError);
    }
    const err = await engine({ tenants: ['acme', 'nope'] }).then(
      () => undefined,
      (x: unknown) => x as InvalidInputError,
    );
    expect(err).toBeInstanceOf(InvalidInputError);
    expect(err?.ids).toEqual(['nope']);
    expect(err?.path).toEqual(['tenants', 1]);
  });

  it('reads tenants as an own property only', async () => {
    const proto = Object.prototype as { tenants?: unknown };
    proto.tenants = ['initech'];
    try {
      const e = await engine();
      expect(e.serves('acme')).toBe(true);
      expect(e.can('ann', 'edit', acmeLead)).toBe(true);
    } finally {
      delete proto.tenants;
    }
  });

  it('follows a writer: changes inside its part op by op, a user who starts acting in it by reloading', async () => {
    const repository = memoryRepository(policy);
    const writer = await engine({ repository });
    const e = await engine({ repository, tenants: ['acme'] });
    const pinned = e.snapshot();
    await e.waitFor(await writer.create('groups', { id: 'eu-team', tenant: 'acme-eu', members: { users: ['eve'] } }));
    expect(e.groupsOf('eve')).toEqual(['eu-team']);
    // ivy of initech now acts in acme: the part grows (initech's groups become needed).
    await e.waitFor(await writer.update((d) => void ((d.users.get('ivy') as { tenants: string[] }).tenants = ['acme'])));
    expect(e.groupsOf('ivy')).toEqual(['initech-all']);
    expect(e.check('ivy', 'view', euLead)).toEqual(writer.check('ivy', 'view', euLead));
    // The snapshot pinned before keeps its own part and its own guards.
    expect(refusal(() => pinned.groupsOf('ivy')).path).toEqual(['user']);
    // A change in a tenant it does not hold is followed without holding anything new.
    await e.waitFor(await writer.create('users', { id: 'zed', tenant: 'globex' }));
    expect(e.policy.users.has('zed')).toBe(true);
    expect(e.revision).toBe(writer.revision);
  });
});
