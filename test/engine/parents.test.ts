/*
 * SPEC 9, parent-controlled types: validation of `controlledBy` (on create and through recipes,
 * nothing half-applied), records of controlled types (bad input with its path), decisions that
 * nest the parent's reasons, and test files whose resources name their parent by id.
 */
import { describe, expect, it } from 'vitest';
import { createEngine, toPolicyInput, type PolicyInput, type Resource } from '../../src/index.js';
import { runTestFile } from '../../src/cli/run-tests.js';
import { validateTestFile } from '../../src/cli/test-file.js';

const policy: PolicyInput = {
  tenants: [{ id: 'acme' }],
  roles: [{ id: 'boss' }, { id: 'rep', parent: 'boss' }],
  users: [{ id: 'ann', role: 'rep' }, { id: 'bob' }, { id: 'vic', role: 'boss' }],
  groups: [{ id: 'team', members: { users: ['bob'] } }],
  resourceTypes: {
    account: { actions: { view: 'read', edit: 'readWrite', delete: 'full' }, groupOwnerLevel: 'read' },
    contact: { actions: { view: 'read', edit: 'readWrite' }, controlledBy: 'account' },
    note: { actions: { view: 'read' }, controlledBy: 'contact' },
  },
};

const account: Resource = { type: 'account', id: 'a1', owner: { user: 'ann' } };
const contact: Resource = { type: 'contact', id: 'c1', parent: account };
const note: Resource = { type: 'note', id: 'n1', parent: contact };

/** The InvalidInputError `f` throws, or fails. */
function invalid(f: () => unknown): { path: readonly (string | number)[]; ids: readonly string[]; message: string } {
  try {
    f();
  } catch (e) {
    expect((e as Error).name).toBe('InvalidInputError');
    return e as never;
  }
  throw new Error('expected an InvalidInputError');
}

const withTypes = (types: PolicyInput['resourceTypes'], rest: Partial<PolicyInput> = {}): PolicyInput => ({ ...rest, resourceTypes: types });

describe('controlledBy is validated when the policy is written', () => {
  it('names a declared type', () => {
    const e = invalid(() => createEngine({ policy: withTypes({ contact: { actions: { view: 'read' }, controlledBy: 'account' } }) }));
    expect(e.path).toEqual(['resourceTypes', 'contact', 'controlledBy']);
  });

  it('a loop is refused, naming it', () => {
    const e = invalid(() =>
      createEngine({ policy: withTypes({ a: { actions: { v: 'read' }, controlledBy: 'b' }, b: { actions: { v: 'read' }, controlledBy: 'c' }, c: { actions: { v: 'read' }, controlledBy: 'a' } }) }),
    );
    expect(e.path).toEqual(['resourceTypes', 'a', 'controlledBy']);
    expect(e.ids).toEqual(['a', 'b', 'c', 'a']);
    expect(e.message).toContain('loop');
    const self = invalid(() => createEngine({ policy: withTypes({ a: { actions: { v: 'read' }, controlledBy: 'a' } }) }));
    expect(self.ids).toEqual(['a', 'a']);
  });

  it('a chain longer than 16 links is refused', () => {
    const types: Record<string, PolicyInput['resourceTypes'][string]> = { t0: { actions: { v: 'read' } } };
    for (let i = 1; i <= 17; i++) types[`t${i}`] = { actions: { v: 'read' }, controlledBy: `t${i - 1}` };
    expect(invalid(() => createEngine({ policy: withTypes(types) })).path).toEqual(['resourceTypes', 't17', 'controlledBy']);
    delete types.t17;
    expect(() => createEngine({ policy: withTypes(types) })).not.toThrow();
  });

  it('a controlled type declares no default, hierarchy or groupOwnerLevel', () => {
    for (const [key, value] of [['default', 'private'], ['hierarchy', true], ['groupOwnerLevel', 'full']] as const) {
      const e = invalid(() => createEngine({ policy: withTypes({ account: { actions: { v: 'read' } }, contact: { actions: { v: 'read' }, controlledBy: 'account', [key]: value } }) }));
      expect(e.path).toEqual(['resourceTypes', 'contact', key]);
    }
  });

  it('no sharing rule or access group names a controlled type', () => {
    const rule = invalid(() => createEngine({ policy: { ...policy, sharingRules: [{ id: 'r1', resourceType: 'contact', from: { role: 'rep' }, to: { role: 'boss' }, level: 'read' }] } }));
    expect(rule.path).toEqual(['sharingRules', 'r1', 'resourceType']);
    const ag = invalid(() => createEngine({ policy: { ...policy, accessGroups: [{ id: 'g1', resourceTypes: ['account', 'note'], grants: [] }] } }));
    expect(ag.path).toEqual(['accessGroups', 'g1', 'resourceTypes', 1]);
  });

  it('recipes are validated the same way, and a rejected one changes nothing', async () => {
    const engine = createEngine({ policy });
    const before = engine.revision;
    await expect(engine.update((d) => void d.resourceTypes.set('account', { ...d.resourceTypes.get('account')!, controlledBy: 'note' } as never))).rejects.toMatchObject({ name: 'InvalidInputError' });
    await expect(
      engine.update((d) => {
        const t = d.resourceTypes.get('account')!;
        delete t.default;
        delete t.hierarchy;
        delete t.groupOwnerLevel;
        t.controlledBy = 'note';
      }),
    ).rejects.toMatchObject({ name: 'InvalidInputError', path: ['resourceTypes', 'account', 'controlledBy'] });
    await expect(engine.update((d) => void (d.resourceTypes.get('contact')!.default = 'publicRead'))).rejects.toMatchObject({ path: ['resourceTypes', 'contact', 'default'] });
    await expect(
      engine.update((d) => void d.sharingRules.set('r1', { id: 'r1', tenant: 'default', resourceType: 'note', from: { role: 'rep' }, to: { role: 'boss' }, level: 'read' })),
    ).rejects.toMatchObject({ path: ['sharingRules', 'r1', 'resourceType'] });
    await expect(engine.update((d) => void d.resourceTypes.delete('account'))).rejects.toMatchObject({ name: 'InvalidInputError' });
    expect(engine.revision).toBe(before);
    expect(engine.can('ann', 'view', note)).toBe(true);
    // A valid change: a new controlled type under an existing one.
    await engine.update((d) => void d.resourceTypes.set('task', { name: 'task', actions: new Map([['view', 'read']]), controlledBy: 'account' } as never));
    expect(engine.can('ann', 'view', { type: 'task', id: 't1', parent: account })).toBe(true);
  });

  it('toPolicyInput round-trips controlled types', () => {
    const engine = createEngine({ policy });
    const input = toPolicyInput(engine.policy);
    expect(input.resourceTypes.contact).toEqual({ actions: { view: 'read', edit: 'readWrite' }, controlledBy: 'account' });
    const again = createEngine({ policy: input });
    expect(toPolicyInput(again.policy)).toEqual(input);
    expect(again.can('ann', 'edit', contact)).toBe(true);
  });
});

describe('records of controlled types', () => {
  const engine = createEngine({ policy });

  it('are decided on their parent, at the level their action needs', () => {
    expect(engine.can('ann', 'edit', contact)).toBe(true);
    expect(engine.can('vic', 'edit', note.parent!)).toBe(true); // hierarchy on the account
    expect(engine.can('bob', 'view', contact)).toBe(false);
    const shared: Resource = { type: 'contact', id: 'c2', parent: { type: 'account', id: 'a2', owner: { group: 'team' } } };
    expect(engine.can('bob', 'view', shared)).toBe(true);
    expect(engine.check('bob', 'edit', shared)).toMatchObject({ allowed: false, denial: 'record-access', level: 'read' });
  });

  it('give a parent reason that nests the parent reasons, which explain renders', () => {
    const d = engine.check('ann', 'view', note);
    expect(d.reasons).toEqual([
      {
        source: 'parent',
        level: 'full',
        path: [{ kind: 'user', id: 'ann' }],
        parent: { type: 'contact', id: 'c1', reasons: [{ source: 'parent', level: 'full', path: [{ kind: 'user', id: 'ann' }], parent: { type: 'account', id: 'a1', reasons: [{ source: 'owner', level: 'full', path: [{ kind: 'user', id: 'ann' }] }] } }] },
      },
    ]);
    const text = engine.explain('ann', 'view', note);
    expect(text).toContain('parent contact "c1"');
    expect(text).toContain('        - full: owns the record');
  });

  it('are in their parent tenant, and denied with tenant when they name another', () => {
    const inAcme: Resource = { type: 'contact', id: 'c3', parent: { ...account, tenant: 'acme' } };
    expect(engine.check('ann', 'view', inAcme)).toMatchObject({ allowed: false, denial: 'tenant', resource: { tenant: 'acme' } });
    expect(engine.check('ann', 'view', { ...contact, tenant: 'acme' })).toMatchObject({ allowed: false, denial: 'tenant' });
    expect(engine.check('ann', 'view', { ...contact, tenant: 'default' }).allowed).toBe(true);
    // A mismatch anywhere in the chain.
    expect(engine.check('ann', 'view', { type: 'note', id: 'n2', tenant: 'acme', parent: { ...contact, tenant: 'acme' } }).denial).toBe('tenant');
    expect(engine.whoCan('view', { ...contact, tenant: 'acme' })).toEqual([]);
  });

  it('effectiveOwners and whoCan follow the parent', () => {
    expect(engine.effectiveOwners(note)).toEqual(['ann']);
    expect(engine.whoCan('view', note)).toEqual(['ann', 'vic']);
  });

  it('malformed records are InvalidInputError with the path', () => {
    const cases: [unknown, readonly (string | number)[]][] = [
      [{ type: 'contact', id: 'c' }, ['resource', 'parent']],
      [{ type: 'contact', id: 'c', parent: null }, ['resource', 'parent']],
      [{ type: 'contact', id: 'c', parent: contact }, ['resource', 'parent', 'type']],
      [{ type: 'contact', id: 'c', parent: account, owner: { user: 'ann' } }, ['resource', 'owner']],
      [{ type: 'contact', id: 'c', parent: account, accessGroups: ['g'] }, ['resource', 'accessGroups']],
      [{ type: 'contact', id: 'c', parent: account, shares: [] }, ['resource', 'shares']],
      [{ type: 'note', id: 'n', parent: { type: 'contact', id: 'c', parent: { type: 'account', id: 'a' } } }, ['resource', 'parent', 'parent', 'owner']],
      [{ type: 'note', id: 'n', parent: { type: 'contact', id: 7, parent: account } }, ['resource', 'parent', 'id']],
      [{ ...account, parent: account }, ['resource', 'parent']],
      [{ type: 'contact', id: 'c', parent: 'a1' }, ['resource', 'parent']],
    ];
    for (const [r, path] of cases) {
      expect(invalid(() => engine.can('ann', 'view', r as Resource)).path, JSON.stringify(r)).toEqual(path);
      expect(invalid(() => engine.check('ann', 'view', r as Resource)).path).toEqual(path);
    }
    expect(invalid(() => engine.effectiveOwners({ type: 'contact', id: 'c' } as Resource)).path).toEqual(['resource', 'parent']);
    expect(invalid(() => engine.effectiveOwners({ ...account, parent: account })).path).toEqual(['resource', 'parent']);
  });

  it('a parent object that refers back to its child is read once per type, and ends', () => {
    const loop: { type: string; id: string; parent?: unknown } = { type: 'contact', id: 'c', parent: undefined };
    loop.parent = loop;
    expect(invalid(() => engine.can('ann', 'view', loop as Resource)).path).toEqual(['resource', 'parent', 'type']);
  });
});

describe('test files with parents', () => {
  const file = (resources: unknown[], extra: object = {}) =>
    validateTestFile({ policy, resources, ...extra, ...('expectError' in extra ? {} : { assertions: [{ check: { user: 'ann', action: 'view', resource: 'n1' }, expect: 'allow' }] }) }, 'f.yaml');
  const good = [
    { type: 'account', id: 'a1', owner: { user: 'ann' } },
    { type: 'contact', id: 'c1', parent: 'a1' },
    { type: 'note', id: 'n1', parent: 'c1' },
  ];

  it('resources name their parent by id', () => {
    expect(runTestFile(file(good)).outcomes.every((o) => o.passed)).toBe(true);
  });

  it('an unknown parent id, a loop, or an invalid resource is an InvalidInputError that expectError covers', () => {
    for (const bad of [
      [...good.slice(0, 2), { type: 'note', id: 'n1', parent: 'nope' }],
      [good[0], { type: 'contact', id: 'c1', parent: 'n1' }, { type: 'note', id: 'n1', parent: 'c1' }],
      [...good, { type: 'contact', id: 'c2', parent: 'a1', owner: { user: 'ann' } }],
    ]) {
      const failed = runTestFile(file(bad)).outcomes;
      expect(failed).toHaveLength(1);
      expect(failed[0]).toMatchObject({ passed: false, actual: 'error InvalidInputError' });
      expect(runTestFile(file(bad, { expectError: 'InvalidInputError' })).outcomes[0]?.passed).toBe(true);
    }
  });
});
