/*
 * load() against loadTenants(a quarter of the client trees) on a tenant-heavy policy in
 * PostgreSQL: client trees (a root and four children), users, roles, groups, sharing rules and an
 * access group in every tenant, and agency users acting in a client tree each (every tenth in two). A small size
 * runs with every `npm test` (the part is checked against scopePolicy); the figures quoted in the
 * report of the change (200 tenants of 200 users) with PURVIEW_PG_SCOPED_LARGE=1.
 */
import { describe, expect, it } from 'vitest';
import { openEngine, scopePolicy, type PolicyInput } from '../../src/index.js';
import type { AccessGroupInput, GroupInput, RoleInput, SharingRuleInput, TenantInput, UserInput } from '../../src/model/policy-input.js';
import { expectScopedLoads } from '../../src/testing/index.js';
import { usePostgres } from '../support/pg-context.js';

const pg = usePostgres('purview_scoped_scale');

const ms = (t0: bigint): number => Number(process.hrtime.bigint() - t0) / 1e6;

/** `roots` client trees of five tenants each, `perTenant` users in every tenant, and `roots / 2` agency users (every tenth in two trees). */
function tenantHeavy(roots: number, perTenant: number): { policy: PolicyInput; roots: string[] } {
  const tenants: TenantInput[] = [{ id: 'agency' }];
  const roles: RoleInput[] = [{ id: 'agency/lead', tenant: 'agency' }];
  const users: UserInput[] = [];
  const groups: GroupInput[] = [];
  const sharingRules: SharingRuleInput[] = [];
  const accessGroups: AccessGroupInput[] = [];
  const rootIds: string[] = [];
  for (let r = 0; r < roots; r++) {
    const root = `client-${r}`;
    rootIds.push(root);
    const tree = [root, ...Array.from({ length: 4 }, (_, c) => `${root}-${c}`)];
    tree.forEach((t, i) => {
      tenants.push(i === 0 ? { id: t } : { id: t, parent: root });
      roles.push({ id: `${t}/lead`, tenant: t }, { id: `${t}/rep`, tenant: t, parent: `${t}/lead` });
      const members: string[] = [];
      for (let u = 0; u < perTenant; u++) {
        const id = `${t}/u${u}`;
        users.push({ id, tenant: t, role: u % 10 === 0 ? `${t}/lead` : `${t}/rep` });
        members.push(id);
      }
      for (let g = 0; g < 5; g++) {
        groups.push({ id: `${t}/g${g}`, tenant: t, members: { users: members.filter((_, k) => k % 5 === g), ...(g > 0 ? { groups: [`${t}/g0`] } : {}) } });
      }
      sharingRules.push(
        { id: `${t}/share-0`, tenant: t, resourceType: 'lead', from: { group: `${t}/g1` }, to: { roleAndSubordinates: `${t}/lead` }, level: 'read' },
        { id: `${t}/share-1`, tenant: t, resourceType: 'lead', from: { role: `${t}/rep` }, to: { group: `${t}/g2` }, level: 'readWrite' },
      );
      accessGroups.push({ id: `${t}/vault`, tenant: t, grants: [{ to: { group: `${t}/g3` }, level: 'full' }, { to: { role: `${t}/lead` }, level: 'read' }] });
    });
  }
  for (let a = 0; a < Math.max(1, roots / 2); a++) {
    // Each acts in one client tree; every tenth in a second one, which a scoped engine then holds too.
    const second = a % 10 === 9 ? [`client-${(a * 7 + 3) % roots}`] : [];
    users.push({ id: `agency/u${a}`, tenant: 'agency', role: 'agency/lead', tenants: [`client-${a % roots}`, ...second] });
  }
  const policy: PolicyInput = {
    tenants,
    roles,
    users,
    groups,
    resourceTypes: { lead: { actions: { view: 'read', edit: 'readWrite', delete: 'full' }, default: 'private' } },
    sharingRules,
    accessGroups,
  };
  return { policy, roots: rootIds };
}

async function measure(roots: number, perTenant: number, runs: number): Promise<void> {
  const { policy, roots: rootIds } = tenantHeavy(roots, perTenant);
  const repository = pg.repository({ schema: pg.schema(), pool: pg.pool('scoped-scale', 4), initialPolicy: policy });
  await repository.migrate();
  const quarter = rootIds.slice(0, Math.max(1, Math.floor(rootIds.length / 4)));
  await expectScopedLoads(repository, [quarter]);
  const loads: number[] = [];
  const scoped: number[] = [];
  let part: PolicyInput | undefined;
  for (let i = 0; i < runs; i++) {
    let t0 = process.hrtime.bigint();
    const whole = await repository.load();
    loads.push(ms(t0));
    expect(whole.policy.users).toHaveLength(policy.users?.length ?? 0);
    t0 = process.hrtime.bigint();
    part = (await repository.loadTenants(quarter)).policy;
    scoped.push(ms(t0));
  }
  expect(part?.users?.length).toBe(scopePolicy(policy, quarter).policy.users?.length);
  // openEngine({ tenants }) loads through loadTenants and holds the same part.
  let called = 0;
  const counting = { ...repository, loadTenants: (t: readonly string[]) => (called++, repository.loadTenants(t)), load: () => Promise.reject(new Error('load must not be called')) };
  const engine = await openEngine({ repository: counting, tenants: quarter, pollIntervalMs: 0 });
  expect(called).toBe(1);
  expect(engine.policy.users.size).toBe(part?.users?.length);
  await engine.close();
  const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
  const summary = {
    server: pg.source,
    tenants: policy.tenants?.length,
    users: policy.users?.length,
    groups: policy.groups?.length,
    requested: quarter.length,
    partUsers: part?.users?.length,
    partGroups: part?.groups?.length,
    loadMs: loads.map(Math.round),
    loadTenantsMs: scoped.map(Math.round),
    medianLoadMs: Math.round(median(loads)),
    medianLoadTenantsMs: Math.round(median(scoped)),
  };
  console.log(`postgres loadTenants figures: ${JSON.stringify(summary)}`);
}

describe('loadTenants on a tenant-heavy policy in PostgreSQL', () => {
  it('small: 100 tenants of 20 users; a quarter of the client trees loads as scopePolicy', async () => {
    await measure(20, 20, 1);
  });
  it.runIf(process.env.PURVIEW_PG_SCOPED_LARGE === '1')('large: 200 tenants of 200 users', { timeout: 600_000 }, async () => {
    await measure(40, 200, 5);
  });
});
