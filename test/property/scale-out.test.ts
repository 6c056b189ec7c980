/*
 * Scale-out by tenant: an engine opened with `tenants` answers every query exactly as an engine
 * holding the whole policy does, or throws OutOfScopeError, and it answers every query the spec
 * puts in its scope. On random multi-tenant policies (test/arbitraries/multi-tenant.ts: deep tenant
 * trees, users acting in several tenants, owners of any tenant) and on the generic random policies,
 * with a random set of served tenants; then while a full writer applies random changes (to the
 * tenant tree, users' tenants, memberships, grants, and the generic change sequences) and the scoped
 * engine follows them through the change log.
 *
 * What must be answered is computed here from the plain policy, independently of the engine:
 *  - a tenant is served when it or an ancestor is one of the requested tenants;
 *  - check, can, explain, permittedFields about a record of a served tenant, by a user who acts in a
 *    served tenant; whoCan about a record of a served tenant;
 *  - groupsOf and filter of a user who acts in a served tenant; membersOf a group of a served tenant;
 *  - effectiveOwners of a record of a served tenant whose owner is a user acting in that tenant or
 *    a group of that tenant.
 * Every other query may be answered (then equally) or refused with OutOfScopeError, nothing else.
 */
import fc from 'fast-check';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { memoryRepository, openEngine, OutOfScopeError, toPolicyInput, type EngineBase, type PolicyInput, type PolicyRepository, type Recipe, type Resource, type SharedEngine } from '../../src/index.js';
import { changeScenarioArb, GHOST, scenarioArb } from '../arbitraries/policy.js';
import { multiTenantArb, recipeOf, tenantChangeArb, type TenantChange } from '../arbitraries/multi-tenant.js';
import { runParams } from '../arbitraries/settings.js';
import { Choices } from '../arbitraries/choices.js';
import type { AccessGroupInput, GroupInput, RoleInput, SharingRuleInput, TenantInput, UserInput } from '../../src/model/policy-input.js';
import type { Principal, RulePrincipal } from '../../src/model/principal.js';
import { breathe, TEST_TIMEOUT_MS } from '../fuzz/harness.js';

vi.setConfig({ testTimeout: TEST_TIMEOUT_MS });

const AS_OF = { asOf: '2026-06-01T00:00:00Z' } as const;
const tally = { engines: 0, answered: 0, mustAnswer: 0, refused: 0, changes: 0, followed: 0, reloads: 0 };
afterAll(() => {
  console.log(
    `scale-out: ${tally.engines} scoped engines, ${tally.answered} answers equal to a full engine's (${tally.mustAnswer} of them required), ` +
      `${tally.refused} refused; ${tally.followed} of ${tally.changes} changes followed op by op, ${tally.reloads} reloads`,
  );
});

/* ------------------------------------------------------------------------------------------ */
/* The scope, from the plain policy.                                                            */

function parentsOf(p: PolicyInput): Map<string, string | undefined> {
  return new Map((p.tenants ?? []).map((t) => [t.id, t.parent]));
}

/** `t` and its ancestors (an unknown tenant: itself only). */
function chain(p: PolicyInput, t: string): string[] {
  const parents = parentsOf(p);
  const out: string[] = [];
  for (let cur: string | undefined = t; cur !== undefined && !out.includes(cur); cur = parents.get(cur)) out.push(cur);
  return out;
}

function isServed(p: PolicyInput, requested: readonly string[], t: string): boolean {
  if (t !== 'default' && !parentsOf(p).has(t)) return false;
  return chain(p, t).some((x) => requested.includes(x));
}

function actsIn(p: PolicyInput, userId: string, t: string): boolean {
  const u = (p.users ?? []).find((x) => x.id === userId);
  if (u === undefined) return false;
  if (t !== 'default' && !parentsOf(p).has(t)) return false;
  const mine = [u.tenant ?? 'default', ...(u.tenants ?? [])];
  return chain(p, t).some((x) => mine.includes(x));
}

function allTenants(p: PolicyInput): string[] {
  return ['default', ...(p.tenants ?? []).map((t) => t.id).filter((t) => t !== 'default')];
}

/** Whether some served tenant has the user acting in it. */
function actsInServed(p: PolicyInput, requested: readonly string[], user: string): boolean {
  return allTenants(p).some((t) => isServed(p, requested, t) && actsIn(p, user, t));
}

/** The tenant a record is in (a controlled record without one: its parent's). */
function tenantOfRecord(r: Resource): string {
  return r.tenant ?? (r.parent === undefined ? 'default' : tenantOfRecord(r.parent));
}

function topOf(r: Resource): Resource {
  return r.parent === undefined ? r : topOf(r.parent);
}

/* ------------------------------------------------------------------------------------------ */
/* The comparison.                                                                              */

type Outcome = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: unknown };

function run(f: () => unknown): Outcome {
  try {
    return { ok: true, value: f() };
  } catch (error) {
    return { ok: false, error };
  }
}

/**
 * Compares one query on both engines: the scoped answer equals the full one, or is an
 * OutOfScopeError (never when `must`). A full engine's error (an undeclared action, say) must be
 * the scoped engine's too, unless the scoped one refuses first.
 */
function same(what: string, must: boolean, full: () => unknown, scoped: () => unknown, where: string): void {
  const a = run(full);
  const b = run(scoped);
  const context = `${where}: ${what}`;
  if (!b.ok && b.error instanceof OutOfScopeError) {
    if (must) throw new Error(`${context} must be answered by the scoped engine, but it refused: ${b.error.message}`);
    tally.refused++;
    return;
  }
  if (!b.ok) {
    if (a.ok) throw new Error(`${context}: the full engine answers ${JSON.stringify(a.value)} but the scoped engine throws ${String(b.error)}`);
    expect((b.error as Error).name, context).toBe((a.error as Error).name);
    return;
  }
  if (!a.ok) throw new Error(`${context}: the full engine throws ${String(a.error)} but the scoped engine answers ${JSON.stringify(b.value)}`);
  expect(b.value, context).toEqual(a.value);
  tally.answered++;
  if (must) tally.mustAnswer++;
}

const ODD_USERS = [GHOST, '__proto__', 'constructor'];

/** Every query of the battery on both engines. */
function compare(full: EngineBase, scoped: EngineBase, p: PolicyInput, requested: readonly string[], resources: readonly Resource[], where: string): void {
  const users = [...new Set([...(p.users ?? []).map((u) => u.id), ...ODD_USERS])];
  const groups = [...new Set([...(p.groups ?? []).map((g) => g.id), GHOST])];
  const types = Object.keys(p.resourceTypes);
  for (const user of users) {
    const mustUser = actsInServed(p, requested, user);
    same(`groupsOf(${JSON.stringify(user)})`, mustUser, () => full.groupsOf(user, { ...AS_OF, paths: true }), () => scoped.groupsOf(user, { ...AS_OF, paths: true }), where);
    for (const type of types) {
      for (const action of Object.keys(new Map(Object.entries(p.resourceTypes)).get(type)?.actions ?? {})) {
        same(`filter(${JSON.stringify(user)}, ${JSON.stringify(action)}, ${JSON.stringify(type)})`, mustUser, () => full.filter(user, action, type, AS_OF), () => scoped.filter(user, action, type, AS_OF), where);
      }
    }
  }
  for (const g of groups) {
    const def = (p.groups ?? []).find((x) => x.id === g);
    same(`membersOf(${JSON.stringify(g)})`, def !== undefined && isServed(p, requested, def.tenant ?? 'default'), () => full.membersOf(g, AS_OF), () => scoped.membersOf(g, AS_OF), where);
  }
  for (const r of resources) {
    const tenant = tenantOfRecord(r);
    const served = isServed(p, requested, tenant);
    const owner = topOf(r).owner;
    const ownerHere =
      owner !== undefined &&
      ('user' in owner && owner.user !== undefined ? actsIn(p, owner.user, tenant) : (p.groups ?? []).some((g) => g.id === (owner as { group: string }).group && (g.tenant ?? 'default') === tenant));
    same(`effectiveOwners(${JSON.stringify(r)})`, served && ownerHere, () => full.effectiveOwners(r, AS_OF), () => scoped.effectiveOwners(r, AS_OF), where);
    const actions = Object.keys(new Map(Object.entries(p.resourceTypes)).get(r.type)?.actions ?? {});
    for (const action of [...actions, 'undeclared-action']) {
      same(`whoCan(${JSON.stringify(action)}, ${JSON.stringify(r)})`, served && action !== 'undeclared-action', () => full.whoCan(action, r, AS_OF), () => scoped.whoCan(action, r, AS_OF), where);
      for (const user of users) {
        const must = served && action !== 'undeclared-action' && actsInServed(p, requested, user);
        const q = `(${JSON.stringify(user)}, ${JSON.stringify(action)}, ${JSON.stringify(r)})`;
        same(`check${q}`, must, () => full.check(user, action, r, AS_OF), () => scoped.check(user, action, r, AS_OF), where);
        same(`can${q}`, must, () => full.can(user, action, r, AS_OF), () => scoped.can(user, action, r, AS_OF), where);
        same(`for(user).can${q}`, must, () => full.for(user).can(action, r, AS_OF), () => scoped.for(user).can(action, r, AS_OF), where);
      }
    }
    for (const user of users) {
      const must = served && actsInServed(p, requested, user);
      same(`permittedFields(${JSON.stringify(user)}, ${JSON.stringify(r)})`, must, () => full.permittedFields(user, r, AS_OF), () => scoped.permittedFields(user, r, AS_OF), where);
      if (actions[0] !== undefined) {
        const a = actions[0];
        same(`explain(${JSON.stringify(user)}, ${JSON.stringify(a)}, ${JSON.stringify(r)})`, must, () => full.explain(user, a, r, AS_OF), () => scoped.explain(user, a, r, AS_OF), where);
      }
    }
  }
}

/** A memory repository that counts whole loads (a scoped engine reloads with one). */
function counted(repo: PolicyRepository): PolicyRepository & { loads: number } {
  const out = {
    loads: 0,
    load: () => {
      out.loads++;
      return repo.load();
    },
    append: repo.append.bind(repo),
    changesSince: repo.changesSince.bind(repo),
    subscribe: repo.subscribe.bind(repo),
  };
  return out;
}

/** A random non-empty set of the policy's tenants, from `bits`. */
function pickTenants(p: PolicyInput, bits: number): string[] {
  const ts = allTenants(p);
  const out = ts.filter((_, i) => ((bits >> i) & 1) === 1);
  return out.length > 0 ? out : [ts[bits % ts.length] as string];
}

/* ------------------------------------------------------------------------------------------ */
/* Fleet-shaped policies: client trees, agency users, capabilities from groups.                 */

/**
 * Several client trees (a root and children), roles per root, users mostly inside one tree and
 * some (agency users) acting in other trees too, groups in every tenant with capabilities
 * (access levels), sharing rules and access groups per tenant, a ceiling now and then; records in
 * every tenant owned by users and groups of any tenant. Serving one tree then holds the trees its
 * agency users act in (where users act in tenants further out still): the shapes in which a part
 * that held too little would answer differently.
 */
function buildFleet(c: Choices): { policy: PolicyInput; resources: Resource[] } {
  const roots = ['c0', 'c1', '__proto__', 'c 3'].slice(0, 2 + c.int(3));
  const tenants: TenantInput[] = [];
  for (const r of roots) {
    tenants.push({ id: r, ...(c.chance(4) ? { ceiling: ['doc:view', 'doc:edit', 'note:view'] } : {}) });
    for (let i = c.int(3); i > 0; i--) tenants.push({ id: `${r}/${i}`, parent: r });
  }
  const tenantIds = ['default', ...tenants.map((t) => t.id)];
  const rootOf = (t: string): string => tenants.find((x) => x.id === t)?.parent ?? t;
  const roles: RoleInput[] = [];
  for (const r of roots) {
    let parent: string | undefined;
    for (let i = c.int(3); i > 0; i--) {
      const id = `${r}:role${i}`;
      roles.push({ id, tenant: r, ...(parent === undefined ? {} : { parent }) });
      parent = c.chance(3) ? undefined : id;
    }
  }
  const accessLevels = { minimum: ['doc:view'], standard: ['doc:view', 'doc:edit', 'note:view'], full: ['doc:view', 'doc:edit', 'doc:del', 'doc:peek', 'note:view', 'note:edit'] } as const;
  const level = (): { accessLevel?: 'minimum' | 'standard' | 'full' } => (c.chance(2) ? {} : { accessLevel: c.pick(['minimum', 'standard', 'full'] as const) });
  const users: UserInput[] = [];
  for (let i = 0; i < 10 + c.int(8); i++) {
    const home = c.pick(tenantIds);
    const rs = roles.filter((r) => r.tenant === home);
    const role = rs.length > 0 && !c.chance(3) ? c.pick(rs).id : undefined;
    const extra = c.chance(3) ? c.subset(tenantIds.filter((t) => rootOf(t) !== rootOf(home)), 3).slice(0, 2) : [];
    users.push({ id: c.chance(8) ? `__proto__${i}` : `u${i}`, tenant: home, ...(role === undefined ? {} : { role }), ...(extra.length > 0 ? { tenants: extra } : {}), ...level(), ...(c.chance(8) ? { status: 'inactive' as const } : {}) });
  }
  const policyShape: PolicyInput = { tenants, roles, users, resourceTypes: {} };
  const acts = (u: UserInput, t: string): boolean => actsIn(policyShape, u.id, t);
  const groups: GroupInput[] = [];
  for (const t of tenantIds) {
    for (let i = c.int(3); i > 0; i--) {
      const same = groups.filter((g) => g.tenant === t).map((g) => g.id);
      const rs = roles.filter((r) => r.tenant === t).map((r) => r.id);
      groups.push({
        id: `${t}#g${i}`,
        tenant: t,
        members: { users: users.filter((u) => acts(u, t) && c.chance(2)).map((u) => u.id), roles: c.subset(rs, 3), rolesAndSubordinates: c.subset(rs, 4), groups: c.subset(same, 2) },
        ...level(),
      });
    }
  }
  const principalsOf = (t: string): Principal[] => [
    ...users.filter((u) => acts(u, t)).map((u) => ({ user: u.id })),
    ...roles.filter((r) => r.tenant === t).flatMap((r) => [{ role: r.id }, { roleAndSubordinates: r.id }]),
    ...groups.filter((g) => g.tenant === t).map((g) => ({ group: g.id })),
  ];
  const sharingRules: SharingRuleInput[] = [];
  const accessGroups: AccessGroupInput[] = [];
  for (const t of tenantIds) {
    const rp = principalsOf(t).filter((x): x is RulePrincipal => !('user' in x));
    for (let i = rp.length === 0 ? 0 : c.int(3); i > 0; i--) sharingRules.push({ id: `${t}>rule${i}`, tenant: t, resourceType: c.pick(['doc', 'note']), from: c.pick(rp), to: c.pick(rp), level: c.pick(['read', 'readWrite'] as const) });
    const ps = principalsOf(t);
    for (let i = c.int(2); i > 0; i--) accessGroups.push({ id: `${t}>ag${i}`, tenant: t, ...(c.chance(2) ? { segment: { all: [] } } : {}), grants: ps.filter(() => c.chance(3)).map((to) => ({ to, level: c.pick(['read', 'readWrite', 'full'] as const) })) });
  }
  const resourceTypes = {
    doc: { actions: { view: 'read', edit: 'readWrite', del: 'full', peek: 'none' }, default: c.pick(['private', 'private', 'publicRead'] as const) },
    note: { actions: { view: 'read', edit: 'readWrite' }, default: 'private' as const, hierarchy: c.chance(2) },
  } as PolicyInput['resourceTypes'];
  const policy: PolicyInput = { tenants, roles, users, groups, resourceTypes, sharingRules, accessGroups, accessLevels, ...(c.chance(2) ? { defaultAccessLevel: 'minimum' as const } : {}) };
  const owners = [...users.map((u) => ({ user: u.id })), ...groups.map((g) => ({ group: g.id })), { user: GHOST }];
  const resources: Resource[] = [];
  for (const t of tenantIds) {
    for (const type of ['doc', 'note']) {
      for (let i = 0; i < 2; i++) {
        const listed = accessGroups.filter((a) => a.tenant === t).map((a) => a.id);
        resources.push({ type, id: `${type}@${t}#${i}`, tenant: t, owner: c.pick(owners), ...(listed.length > 0 && c.chance(2) ? { accessGroups: listed } : {}) });
      }
    }
  }
  return { policy, resources };
}

const fleetArb = (): fc.Arbitrary<{ policy: PolicyInput; resources: Resource[] }> =>
  fc.array(fc.nat({ max: 1 << 16 }), { minLength: 600, maxLength: 600 }).map((s) => buildFleet(new Choices(s)));

/**
 * Changes that move the edge of a scoped engine's part: a user leaves for a tenant of its own (out
 * of every group and grant), a tenant appears under another with a user and an access group of
 * its own; the rest as the tenant-isolation suite makes them.
 */
type FleetChange = { readonly kind: 'island' | 'newTenant'; readonly a: number; readonly b: number } | { readonly kind: 'tenant'; readonly change: TenantChange };

const fleetChangeArb: fc.Arbitrary<FleetChange> = fc.oneof(
  fc.record({ kind: fc.constantFrom('island' as const, 'newTenant' as const), a: fc.nat(), b: fc.nat() }),
  tenantChangeArb.map((change) => ({ kind: 'tenant' as const, change })),
  tenantChangeArb.map((change) => ({ kind: 'tenant' as const, change })),
);

function fleetRecipe(ch: FleetChange, writer: SharedEngine): Recipe {
  if (ch.kind === 'tenant') return (d) => recipeOf(ch.change, writer as never).recipe(d);
  const p = writer.policy;
  if (ch.kind === 'island') {
    const users = [...p.users.keys()];
    const u = users[ch.a % Math.max(1, users.length)];
    return (d) => {
      if (u === undefined) return;
      if (!d.tenants.has('island')) d.tenants.set('island', { id: 'island' });
      const x = d.users.get(u);
      if (x === undefined) return;
      x.tenant = 'island';
      x.tenants = [];
      delete x.role;
      for (const g of d.groups.values()) g.members.users = g.members.users.filter((e) => (typeof e === 'string' ? e : e.id) !== u);
      for (const ag of d.accessGroups.values()) ag.grants = ag.grants.filter((gr) => !('user' in gr.to) || gr.to.user !== u);
    };
  }
  const tenants = ['default', ...[...p.tenants.keys()].filter((t) => t !== 'default')];
  const parent = tenants[ch.b % tenants.length] as string;
  const k = ch.a % 3;
  return (d) => {
    const id = `new-${k}`;
    if (d.tenants.has(id) || d.users.has(`nu-${k}`)) return;
    d.tenants.set(id, { id, parent });
    d.users.set(`nu-${k}`, { id: `nu-${k}`, tenant: id });
    d.accessGroups.set(`${id}>ag`, { id: `${id}>ag`, tenant: id, segment: { all: [] }, grants: [{ to: { user: `nu-${k}` }, level: 'full' }] });
  };
}

/** Records in the tenants fleet changes may create, owned by the users they create. */
const NEW_RECORDS: readonly Resource[] = [0, 1, 2].map((k) => ({ type: 'doc', id: `doc@new-${k}`, tenant: `new-${k}`, owner: { user: `nu-${k}` } }));

const QUIET = { pollIntervalMs: 0 } as const;

async function staticCase(policy: PolicyInput, resources: readonly Resource[], bits: number): Promise<void> {
  await breathe();
  const requested = pickTenants(policy, bits);
  const repository = memoryRepository(policy);
  const full = await openEngine({ repository, ...QUIET });
  const scoped = await openEngine({ repository, tenants: requested, ...QUIET });
  tally.engines++;
  try {
    compare(full, scoped, policy, requested, resources, `serving ${JSON.stringify(requested)}`);
    // A pinned snapshot is guarded the same way.
    const snap = scoped.snapshot();
    for (const r of resources.slice(0, 4)) {
      same(`snapshot().whoCan(${JSON.stringify(r)})`, isServed(policy, requested, tenantOfRecord(r)), () => full.snapshot().whoCan(Object.keys(new Map(Object.entries(policy.resourceTypes)).get(r.type)?.actions ?? {})[0] ?? 'x', r, AS_OF), () => snap.whoCan(Object.keys(new Map(Object.entries(policy.resourceTypes)).get(r.type)?.actions ?? {})[0] ?? 'x', r, AS_OF), 'snapshot');
    }
  } finally {
    await scoped.close();
    await full.close();
  }
}

async function followCase(policy: PolicyInput, resources: readonly Resource[], bits: number, recipes: (writer: SharedEngine) => readonly Recipe[]): Promise<void> {
  await breathe();
  const requested = pickTenants(policy, bits);
  const repository = counted(memoryRepository(policy));
  const writer = await openEngine({ repository, ...QUIET });
  const problems: unknown[] = [];
  const scoped = await openEngine({ repository, tenants: requested, ...QUIET, onError: (e) => problems.push(e) });
  tally.engines++;
  try {
    for (const recipe of recipes(writer)) {
      const before = writer.revision;
      try {
        await writer.update(recipe);
      } catch {
        continue; // a rejected change is the changes suite's business
      }
      if (writer.revision === before) continue;
      tally.changes++;
      const loads = repository.loads;
      await scoped.waitFor(writer.revision, { timeoutMs: 2_000 }).catch((e: unknown) => {
        throw problems.length > 0 ? problems[0] : e;
      });
      expect(problems, 'the scoped engine reported problems while following').toEqual([]);
      if (repository.loads === loads) tally.followed++;
      else tally.reloads++;
      expect(scoped.revision).toBe(writer.revision);
      compare(writer, scoped, toPolicyInput(writer.policy), requested, resources, `serving ${JSON.stringify(requested)} after revision ${writer.revision}`);
    }
  } finally {
    await scoped.close();
    await writer.close();
  }
}

describe('scale-out by tenant', () => {
  it('a scoped engine answers as a full engine, or refuses with OutOfScopeError, on random multi-tenant policies', async () => {
    await fc.assert(
      fc.asyncProperty(multiTenantArb(), fc.nat(), async (s, bits) => staticCase(s.policy, s.resources, bits)),
      runParams(60),
    );
    expect(tally.mustAnswer).toBeGreaterThan(0);
    expect(tally.refused).toBeGreaterThan(0);
  });

  it('... on fleet-shaped policies (client trees, agency users, capabilities from groups)', async () => {
    await fc.assert(
      fc.asyncProperty(fleetArb(), fc.nat(), async (s, bits) => staticCase(s.policy, s.resources, bits)),
      runParams(80),
    );
  });

  it('... and on the generic random policies', async () => {
    await fc.assert(
      fc.asyncProperty(scenarioArb(), fc.nat(), async (s, bits) => staticCase(s.policy, s.resources, bits)),
      runParams(60),
    );
  });

  it('... and while it follows a full writer through changes to tenants, users, memberships and grants', async () => {
    await fc.assert(
      fc.asyncProperty(multiTenantArb(), fc.nat(), fc.array(tenantChangeArb, { minLength: 1, maxLength: 5 }), async (s, bits, changes) =>
        followCase(s.policy, s.resources, bits, (writer) => changes.map((ch) => (d) => recipeOf(ch, writer as never).recipe(d))),
      ),
      runParams(50),
    );
    expect(tally.followed).toBeGreaterThan(0);
  });

  it('... and while it follows changes to fleet-shaped policies', async () => {
    await fc.assert(
      fc.asyncProperty(fleetArb(), fc.nat(), fc.array(fleetChangeArb, { minLength: 1, maxLength: 6 }), async (s, bits, changes) =>
        followCase(s.policy, [...s.resources, ...NEW_RECORDS], bits, (writer) => changes.map((ch) => fleetRecipe(ch, writer))),
      ),
      runParams(50),
    );
  });

  it('... and through the generic change sequences', async () => {
    await fc.assert(
      fc.asyncProperty(changeScenarioArb(), fc.nat(), async (s, bits) => followCase(s.policy, s.resources, bits, () => s.changes.map((c) => c.recipe))),
      runParams(50),
    );
  });
});
