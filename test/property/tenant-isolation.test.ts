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
import { createEngine, toPolicyInput, toPredicate, type Engine, type PolicyInput, type Resource } from '../../src/index.js';
import { changeScenarioArb, GHOST, scenarioArb } from '../arbitraries/policy.js';
import { multiTenantArb, recipeOf, tenantChangeArb } from '../arbitraries/multi-tenant.js';
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
