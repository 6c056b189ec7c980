/*
 * Tenant isolation: for random multi-tenant policies, no user ever reaches a resource outside its
 * tenants, whatever the grants say.
 *
 * The policies are built to make isolation the only thing standing between users and records:
 * tenant trees several levels deep (ids such as `__proto__`, `constructor`, " " and "a:b"), users
 * with extra `tenants`, resource types whose organization-wide default is mostly `publicFull`,
 * access groups in every tenant granting `full` to every principal of the tenant (often with a
 * segment that matches every record), sharing rules, owning groups, role hierarchies; resources in
 * every tenant (and in an unknown one) owned by users and groups of any tenant and listing every
 * access group of every tenant.
 *
 * For every user (and unknown ones), every resource and every action, with the reach computed
 * here from the plain policy (the resource's tenant is the user's tenant, one of its `tenants`, or
 * a descendant of one of them):
 *  - an allowed check implies an existing, active user that reaches the tenant;
 *  - for an active user, the denial is `tenant` exactly when it does not reach it; where nothing but
 *    the tenant can deny (a `publicFull` type, no access levels, no ceilings) allowed === reach;
 *  - can() agrees with check(); whoCan() lists only users that reach the tenant; filter()'s tenants
 *    are all reachable and its predicate agrees with check().
 * It is checked on a fresh engine, and again after each of a series of random changes to the tenant
 * tree, users' tenants, memberships and grants (the incrementally maintained index), and on the
 * generic random policies and change sequences of the other property suites.
 */
import fc from 'fast-check';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { createEngine, toPolicyInput, toPredicate, type Engine, type PolicyDraft, type PolicyInput, type Resource } from '../../src/index.js';
import type { AccessGroupInput, GroupInput, RoleInput, SharingRuleInput, TenantInput, UserInput } from '../../src/model/policy-input.js';
import type { Principal, RulePrincipal } from '../../src/model/principal.js';
import { Choices } from '../arbitraries/choices.js';
import { changeScenarioArb, GHOST, scenarioArb } from '../arbitraries/policy.js';
import { runParams } from '../arbitraries/settings.js';
import { breathe, TEST_TIMEOUT_MS } from '../fuzz/harness.js';

vi.setConfig({ testTimeout: TEST_TIMEOUT_MS });

const tally = { policies: 0, checks: 0, allowed: 0, tenantDenials: 0, sharp: 0, changes: 0, accepted: 0 };
afterAll(() => {
  console.log(
    `tenant isolation: ${tally.policies} policies (incl. ${tally.accepted} accepted of ${tally.changes} changes), ${tally.checks} checks, ` +
      `${tally.allowed} allowed, ${tally.tenantDenials} denied for tenant, ${tally.sharp} where only the tenant could deny`,
  );
});

/* ------------------------------------------------------------------------------------------ */
/* The independent reach.                                                                       */

function tenantParents(p: PolicyInput): Map<string, string | undefined> {
  return new Map((p.tenants ?? []).map((t) => [t.id, t.parent]));
}

/** Whether user `userId` of `p` may act in `tenant`, from the plain policy. */
function reaches(p: PolicyInput, userId: string, tenant: string): boolean {
  const u = (p.users ?? []).find((x) => x.id === userId);
  if (u === undefined) return false;
  const parents = tenantParents(p);
  if (tenant !== 'default' && !parents.has(tenant)) return false; // an unknown tenant is nobody's
  const mine = new Set([u.tenant ?? 'default', ...(u.tenants ?? [])]);
  const seen = new Set<string>();
  for (let cur: string | undefined = tenant; cur !== undefined && !seen.has(cur); cur = parents.get(cur)) {
    if (mine.has(cur)) return true;
    seen.add(cur);
  }
  return false;
}

/** Whether nothing but the tenant can deny `type` here: publicFull default, no access levels, no ceilings anywhere. */
function onlyTenantCanDeny(p: PolicyInput, type: string): boolean {
  const t = new Map(Object.entries(p.resourceTypes)).get(type);
  return t?.default === 'publicFull' && p.accessLevels === undefined && (p.tenants ?? []).every((x) => x.ceiling === undefined);
}

/* ------------------------------------------------------------------------------------------ */
/* The check.                                                                                   */

const ODD_USERS = [GHOST, '__proto__', 'constructor', 'toString'];

function checkIsolation(engine: Engine, p: PolicyInput, resources: readonly Resource[], where: string): void {
  tally.policies++;
  const users = [...new Set([...(p.users ?? []).map((u) => u.id), ...ODD_USERS])];
  const byId = new Map((p.users ?? []).map((u) => [u.id, u]));
  const allTenants = ['default', ...(p.tenants ?? []).map((t) => t.id).filter((t) => t !== 'default')];
  const fail = (msg: string): never => {
    throw new Error(`${where}: ${msg}\npolicy: ${JSON.stringify(p)}`);
  };
  for (const r of resources) {
    const type = new Map(Object.entries(p.resourceTypes)).get(r.type);
    if (type === undefined) continue;
    // SPEC 9: a controlled record without a tenant is in its parent's.
    let own: string | undefined;
    for (let x: Resource | undefined = r; own === undefined && x !== undefined; x = x.parent) own = x.tenant;
    const tenant = own ?? 'default';
    // A child in another tenant than its parent's is denied with `tenant` whoever asks (SPEC 9; the
    // reference suite covers it): this suite's invariants are about the record's tenant.
    const effective = (x: Resource): string => x.tenant ?? (x.parent === undefined ? 'default' : effective(x.parent));
    let agree = true;
    for (let x: Resource | undefined = r; x?.parent !== undefined; x = x.parent) if (effective(x) !== effective(x.parent)) agree = false;
    if (!agree) continue;
    const sharp = onlyTenantCanDeny(p, r.type);
    for (const action of Object.keys(type.actions)) {
      for (const user of users) {
        tally.checks++;
        const d = engine.check(user, action, r);
        const can = engine.can(user, action, r);
        const u = byId.get(user);
        const active = u !== undefined && (u.status ?? 'active') === 'active';
        const reach = reaches(p, user, tenant);
        const what = `check(${JSON.stringify(user)}, ${JSON.stringify(action)}, ${JSON.stringify(r)})`;
        if (can !== d.allowed) fail(`${what}: can() says ${can}, check() says ${d.allowed}`);
        if (d.allowed) {
          tally.allowed++;
          if (!active) fail(`${what} allowed a user that is unknown or inactive`);
          if (!reach) fail(`${what} ALLOWED A USER OUTSIDE THE RESOURCE'S TENANT ${JSON.stringify(tenant)} (user tenant ${JSON.stringify(u?.tenant ?? 'default')}, tenants ${JSON.stringify(u?.tenants ?? [])}); reasons ${JSON.stringify(d.reasons)}`);
        }
        if (d.denial === 'tenant') tally.tenantDenials++;
        if (active && (d.denial === 'tenant') !== !reach) fail(`${what}: reach is ${reach} but the denial is ${String(d.denial)}`);
        if (active && sharp) {
          tally.sharp++;
          if (d.allowed !== reach) fail(`${what}: only the tenant can deny here, reach is ${reach}, allowed is ${d.allowed}`);
        }
      }
      const who = engine.whoCan(action, r);
      for (const w of who) if (!reaches(p, w, tenant)) fail(`whoCan(${JSON.stringify(action)}, ${JSON.stringify(r)}) lists ${JSON.stringify(w)}, outside tenant ${JSON.stringify(tenant)}`);
    }
  }
  // filter(): only reachable tenants, and its predicate agrees with check.
  for (const [typeName, type] of Object.entries(p.resourceTypes)) {
    for (const action of Object.keys(type.actions)) {
      for (const user of users) {
        const f = engine.filter(user, action, typeName);
        for (const t of f.tenants) if (!reaches(p, user, t)) fail(`filter(${JSON.stringify(user)}, ${JSON.stringify(action)}, ${JSON.stringify(typeName)}) includes tenant ${JSON.stringify(t)} the user does not reach`);
        if (f.kind !== 'none' && !allTenants.some((t) => f.tenants.includes(t))) fail(`filter's tenants ${JSON.stringify(f.tenants)} are not tenants of the policy`);
        const pass = toPredicate(f);
        for (const r of resources) {
          if (r.type !== typeName) continue;
          if (pass(r) !== engine.can(user, action, r)) fail(`filter(${JSON.stringify(user)}, ${JSON.stringify(action)}) predicate and can() disagree on ${JSON.stringify(r)}`);
        }
      }
    }
  }
}

/* ------------------------------------------------------------------------------------------ */
/* Multi-tenant policies.                                                                       */

const TENANT_IDS = ['acme', 'acme-eu', '__proto__', 'constructor', 'a:b', ' ', 'toString', 'beta'];
const USER_IDS = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'a:b', ' ', 'ann', 'bob', 'cy', 'dee'];
const ROLE_IDS = ['__proto__', 'constructor', 'boss', 'rep', 'a:b', 'valueOf'];
const GROUP_IDS = ['__proto__', 'constructor', 'team', 'all', 'a:b', 'toString', 'valueOf'];
const TYPES = { doc: ['view', 'edit', 'del', 'peek'], note: ['view', 'edit'] } as const;
const LEVEL_OF: Record<string, 'read' | 'readWrite' | 'full' | 'none'> = { view: 'read', edit: 'readWrite', del: 'full', peek: 'none' };

interface Scenario {
  readonly policy: PolicyInput;
  readonly resources: readonly Resource[];
}

function buildMultiTenant(c: Choices): Scenario {
  // Tenants: default plus 2-6 more, as a forest (default is a root).
  const tenantIds = ['default', ...c.distinct(TENANT_IDS, 6)];
  while (tenantIds.length < 3) tenantIds.push(TENANT_IDS.find((t) => !tenantIds.includes(t)) as string);
  const tenants: TenantInput[] = [];
  if (c.chance(3)) tenants.push({ id: 'default' });
  for (let i = 1; i < tenantIds.length; i++) {
    const parent = c.chance(4) ? undefined : c.pick(tenantIds.slice(0, i));
    tenants.push({ id: tenantIds[i] as string, ...(parent === undefined ? {} : { parent }) });
  }
  const parentOf = new Map(tenants.map((t) => [t.id, t.parent]));
  const chainOf = (t: string): string[] => {
    const out: string[] = [];
    for (let cur: string | undefined = t; cur !== undefined && !out.includes(cur); cur = parentOf.get(cur)) out.push(cur);
    return out;
  };
  const tenantField = (t: string): { tenant?: string } => (t === 'default' && c.chance(2) ? {} : { tenant: t });

  // Types: mostly publicFull, so that only the tenant stands in the way.
  const resourceTypes = Object.fromEntries(
    Object.entries(TYPES).map(([name, actions]) => [
      name,
      {
        actions: Object.fromEntries(actions.map((a) => [a, LEVEL_OF[a] as string])),
        default: c.pick(['publicFull', 'publicFull', 'publicFull', 'publicReadWrite', 'publicRead', 'private'] as const),
        hierarchy: !c.chance(4),
        groupOwnerLevel: c.pick(['full', 'full', 'readWrite', 'read'] as const),
      },
    ]),
  ) as PolicyInput['resourceTypes'];

  // Roles: a forest per tenant.
  const roles: RoleInput[] = [];
  const roleIds = c.distinct(ROLE_IDS, 6);
  for (const id of roleIds) {
    const tenant = c.pick(tenantIds);
    const same = roles.filter((r) => (r.tenant ?? 'default') === tenant);
    const parent = same.length > 0 && !c.chance(3) ? c.pick(same).id : undefined;
    roles.push({ id, ...tenantField(tenant), ...(parent === undefined ? {} : { parent }) });
  }
  const rolesOf = (t: string): RoleInput[] => roles.filter((r) => (r.tenant ?? 'default') === t);

  // Users: any tenant, a role of it, often further tenants.
  const users: UserInput[] = [];
  for (const id of c.distinct(USER_IDS, 10)) {
    const tenant = c.pick(tenantIds);
    const rs = rolesOf(tenant);
    const role = rs.length > 0 && !c.chance(3) ? c.pick(rs).id : undefined;
    const extra = c.chance(2) ? c.subset(tenantIds, 3).filter((t) => t !== tenant) : [];
    users.push({
      id,
      ...tenantField(tenant),
      ...(role === undefined ? {} : { role }),
      ...(extra.length > 0 ? { tenants: extra } : {}),
      ...(c.chance(6) ? { status: 'inactive' as const } : {}),
    });
  }
  const actsIn = (u: UserInput, t: string): boolean => {
    const chain = chainOf(t);
    return [u.tenant ?? 'default', ...(u.tenants ?? [])].some((x) => chain.includes(x));
  };

  // Groups: 0-2 per tenant (ids are global), members of their tenant.
  const groups: GroupInput[] = [];
  const groupIds = [...GROUP_IDS];
  for (const t of tenantIds) {
    const n = c.int(3);
    for (let i = 0; i < n && groupIds.length > 0; i++) {
      const id = groupIds.splice(c.int(groupIds.length), 1)[0] as string;
      const nested = groups.filter((g) => (g.tenant ?? 'default') === t).map((g) => g.id);
      groups.push({
        id,
        ...tenantField(t),
        members: {
          users: users.filter((u) => actsIn(u, t) && !c.chance(3)).map((u) => u.id),
          roles: c.subset(rolesOf(t).map((r) => r.id), 3),
          rolesAndSubordinates: c.subset(rolesOf(t).map((r) => r.id), 3),
          groups: c.subset(nested, 2),
        },
      });
    }
  }
  const groupsOf = (t: string): GroupInput[] => groups.filter((g) => (g.tenant ?? 'default') === t);
  const rulePrincipals = (t: string): RulePrincipal[] => [
    ...rolesOf(t).flatMap((r) => [{ role: r.id }, { roleAndSubordinates: r.id }]),
    ...groupsOf(t).map((g) => ({ group: g.id })),
  ];
  const principals = (t: string): Principal[] => [...users.filter((u) => actsIn(u, t)).map((u) => ({ user: u.id })), ...rulePrincipals(t)];

  // Sharing rules: every tenant may have some.
  const sharingRules: SharingRuleInput[] = [];
  let ruleN = 0;
  for (const t of tenantIds) {
    const ps = rulePrincipals(t);
    if (ps.length === 0) continue;
    for (let i = c.int(3); i > 0; i--) {
      sharingRules.push({ id: `rule-${ruleN++}`, ...tenantField(t), resourceType: c.pick(Object.keys(TYPES)), from: c.pick(ps), to: c.pick(ps), level: c.pick(['read', 'readWrite'] as const) });
    }
  }

  // Access groups: one or two per tenant, granting full to every principal of the tenant.
  const accessGroups: AccessGroupInput[] = [];
  let agN = 0;
  for (const t of tenantIds) {
    for (let i = 1 + c.int(2); i > 0; i--) {
      const ps = principals(t);
      accessGroups.push({
        id: c.chance(5) ? `__proto__${agN++}` : `ag-${agN++}`,
        ...tenantField(t),
        ...(c.chance(2) ? { segment: { all: [] } } : {}),
        grants: ps.filter(() => !c.chance(4)).map((to) => ({ to, level: c.pick(['full', 'full', 'readWrite', 'read'] as const) })),
      });
    }
  }

  const policy: PolicyInput = { tenants, roles, users, groups, resourceTypes, sharingRules, accessGroups };

  // Resources: in every tenant, an unknown one, and none given; owners from any tenant.
  const resources: Resource[] = [];
  const owners = [...users.map((u) => ({ user: u.id })), ...groups.map((g) => ({ group: g.id })), { user: GHOST }];
  const listed = [...accessGroups.map((a) => a.id), GHOST];
  for (const t of [...tenantIds, GHOST, undefined]) {
    for (const type of Object.keys(TYPES)) {
      for (let i = 0; i < 2; i++) {
        resources.push({
          type,
          id: `${type}-${t ?? 'none'}-${i}`,
          ...(t === undefined ? {} : { tenant: t }),
          owner: c.pick(owners),
          ...(c.chance(3) ? {} : { accessGroups: c.chance(2) ? listed : c.subset(listed, 2) }),
          attributes: {},
        });
      }
    }
  }
  return { policy, resources };
}

const STREAM = 800;
const multiTenantArb = (): fc.Arbitrary<Scenario> =>
  fc.array(fc.nat({ max: 1 << 16 }), { minLength: STREAM, maxLength: STREAM }).map((s) => buildMultiTenant(new Choices(s)));

/* ------------------------------------------------------------------------------------------ */
/* Changes aimed at the tenant structure.                                                       */

interface TenantChange {
  readonly kind: 'moveUser' | 'userTenants' | 'moveTenant' | 'addTenant' | 'crossGrant' | 'crossMember' | 'publicFull' | 'moveGroup';
  readonly a: number;
  readonly b: number;
  readonly c: number;
}

const tenantChangeArb: fc.Arbitrary<TenantChange> = fc.record({
  kind: fc.constantFrom('moveUser', 'userTenants', 'moveTenant', 'addTenant', 'crossGrant', 'crossMember', 'publicFull', 'moveGroup'),
  a: fc.nat(),
  b: fc.nat(),
  c: fc.nat(),
});

function recipeOf(ch: TenantChange, engine: Engine): { description: string; recipe: (d: PolicyDraft) => void } {
  const p = engine.policy;
  const at = <T,>(xs: readonly T[], k: number): T | undefined => (xs.length === 0 ? undefined : xs[k % xs.length]);
  const tenants = ['default', ...[...p.tenants.keys()].filter((t) => t !== 'default')];
  const users = [...p.users.keys()];
  const groups = [...p.groups.keys()];
  const ags = [...p.accessGroups.keys()];
  const u = at(users, ch.a);
  const t = at(tenants, ch.b) as string;
  switch (ch.kind) {
    case 'moveUser':
      return {
        description: `move user ${JSON.stringify(u)} to tenant ${JSON.stringify(t)} (dropping its role)`,
        recipe: (d) => {
          const x = u === undefined ? undefined : d.users.get(u);
          if (x === undefined) return;
          x.tenant = t;
          delete x.role;
        },
      };
    case 'userTenants': {
      const ts = tenants.filter((_, i) => ((ch.c >> i) & 1) === 1);
      return {
        description: `set tenants of user ${JSON.stringify(u)} to ${JSON.stringify(ts)}`,
        recipe: (d) => {
          const x = u === undefined ? undefined : d.users.get(u);
          if (x !== undefined) x.tenants = ts;
        },
      };
    }
    case 'moveTenant': {
      const parent = ch.c % 3 === 0 ? undefined : at(tenants, ch.c);
      return {
        description: `set parent of tenant ${JSON.stringify(t)} to ${JSON.stringify(parent)}`,
        recipe: (d) => {
          const x = d.tenants.get(t);
          if (x === undefined) {
            if (parent !== undefined) d.tenants.set(t, { id: t, parent });
          } else if (parent === undefined) delete x.parent;
          else x.parent = parent;
        },
      };
    }
    case 'addTenant': {
      const id = `new-${ch.a % 5}`;
      return { description: `add tenant ${id} under ${JSON.stringify(t)}`, recipe: (d) => void (d.tenants.has(id) ? undefined : d.tenants.set(id, { id, parent: t })) };
    }
    case 'crossGrant': {
      const ag = at(ags, ch.c);
      return {
        description: `grant full on access group ${JSON.stringify(ag)} to user ${JSON.stringify(u)}`,
        recipe: (d) => {
          const x = ag === undefined ? undefined : d.accessGroups.get(ag);
          if (x !== undefined && u !== undefined) x.grants.push({ to: { user: u }, level: 'full' });
        },
      };
    }
    case 'crossMember': {
      const g = at(groups, ch.c);
      return {
        description: `add user ${JSON.stringify(u)} to group ${JSON.stringify(g)}`,
        recipe: (d) => {
          const x = g === undefined ? undefined : d.groups.get(g);
          if (x !== undefined && u !== undefined && !x.members.users.includes(u)) x.members.users.push(u);
        },
      };
    }
    case 'moveGroup': {
      const g = at(groups, ch.c);
      return {
        description: `move group ${JSON.stringify(g)} to tenant ${JSON.stringify(t)}`,
        recipe: (d) => {
          const x = g === undefined ? undefined : d.groups.get(g);
          if (x !== undefined) x.tenant = t;
        },
      };
    }
    case 'publicFull':
      return {
        description: 'every type publicFull',
        recipe: (d) => {
          for (const type of d.resourceTypes.values()) type.default = 'publicFull';
        },
      };
  }
}

/* ------------------------------------------------------------------------------------------ */

describe('tenant isolation', () => {
  it('no user reaches a resource outside its tenants, on random multi-tenant policies', async () => {
    await fc.assert(
      fc.asyncProperty(multiTenantArb(), async (s) => {
        await breathe();
        const engine = createEngine({ policy: s.policy });
        checkIsolation(engine, s.policy, s.resources, 'fresh engine');
      }),
      runParams(150),
    );
    // The generator must produce allows, tenant denials and cases where only the tenant can deny.
    expect(tally.allowed).toBeGreaterThan(0);
    expect(tally.tenantDenials).toBeGreaterThan(0);
    expect(tally.sharp).toBeGreaterThan(0);
  });

  it('... and after each change to the tenant tree, users\' tenants, memberships and grants', async () => {
    await fc.assert(
      fc.asyncProperty(multiTenantArb(), fc.array(tenantChangeArb, { minLength: 1, maxLength: 6 }), async (s, changes) => {
        await breathe();
        const engine = createEngine({ policy: s.policy });
        for (const ch of changes) {
          const { description, recipe } = recipeOf(ch, engine);
          tally.changes++;
          const before = engine.revision;
          try {
            engine.updateSync(recipe);
          } catch (e) {
            if (!(e instanceof Error) || !['InvalidInputError', 'TenantError', 'TenantCycleError', 'GroupCycleError', 'RoleCycleError'].includes(e.name)) throw e;
            continue;
          }
          if (engine.revision === before) continue;
          tally.accepted++;
          checkIsolation(engine, toPolicyInput(engine.policy), s.resources, `after "${description}"`);
        }
      }),
      runParams(100),
    );
    expect(tally.accepted).toBeGreaterThan(0);
  });

  it('... and on the generic random policies and change sequences', async () => {
    await fc.assert(
      fc.asyncProperty(scenarioArb(), async (s) => {
        await breathe();
        checkIsolation(createEngine({ policy: s.policy }), s.policy, s.resources, 'generic policy');
      }),
      runParams(200),
    );
    await fc.assert(
      fc.asyncProperty(changeScenarioArb(), async (s) => {
        await breathe();
        const engine = createEngine({ policy: s.policy });
        for (const ch of s.changes) {
          const before = engine.revision;
          try {
            engine.updateSync(ch.recipe);
          } catch {
            continue; // rejected changes are the changes suite's business
          }
          if (engine.revision !== before) checkIsolation(engine, toPolicyInput(engine.policy), s.resources, `after "${ch.description}"`);
        }
      }),
      runParams(100),
    );
  });
});
