/*
 * Random multi-tenant policies aimed at the tenant rules (shared by the tenant-isolation and
 * scale-out suites): tenant trees several levels deep (ids such as `__proto__`, `constructor`, " "
 * and "a:b"), users with extra `tenants`, resource types whose organization-wide default is mostly
 * `publicFull`, access groups in every tenant granting `full` to every principal of the tenant,
 * sharing rules, owning groups, role hierarchies; resources in every tenant (and in an unknown one)
 * owned by users and groups of any tenant. And changes aimed at the tenant structure.
 */
import fc from 'fast-check';
import type { Engine, PolicyDraft, PolicyInput, Resource } from '../../src/index.js';
import type { AccessGroupInput, GroupInput, RoleInput, SharingRuleInput, TenantInput, UserInput } from '../../src/model/policy-input.js';
import type { Principal, RulePrincipal } from '../../src/model/principal.js';
import { Choices } from './choices.js';
import { GHOST } from './policy.js';

const TENANT_IDS = ['acme', 'acme-eu', '__proto__', 'constructor', 'a:b', ' ', 'toString', 'beta'];
const USER_IDS = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'a:b', ' ', 'ann', 'bob', 'cy', 'dee'];
const ROLE_IDS = ['__proto__', 'constructor', 'boss', 'rep', 'a:b', 'valueOf'];
const GROUP_IDS = ['__proto__', 'constructor', 'team', 'all', 'a:b', 'toString', 'valueOf'];
const TYPES = { doc: ['view', 'edit', 'del', 'peek'], note: ['view', 'edit'] } as const;
const LEVEL_OF: Record<string, 'read' | 'readWrite' | 'full' | 'none'> = { view: 'read', edit: 'readWrite', del: 'full', peek: 'none' };

export interface Scenario {
  readonly policy: PolicyInput;
  readonly resources: readonly Resource[];
}

export function buildMultiTenant(c: Choices): Scenario {
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
export const multiTenantArb = (): fc.Arbitrary<Scenario> =>
  fc.array(fc.nat({ max: 1 << 16 }), { minLength: STREAM, maxLength: STREAM }).map((s) => buildMultiTenant(new Choices(s)));

/* ------------------------------------------------------------------------------------------ */
/* Changes aimed at the tenant structure.                                                       */

export interface TenantChange {
  readonly kind: 'moveUser' | 'userTenants' | 'moveTenant' | 'addTenant' | 'crossGrant' | 'crossMember' | 'publicFull' | 'moveGroup';
  readonly a: number;
  readonly b: number;
  readonly c: number;
}

export const tenantChangeArb: fc.Arbitrary<TenantChange> = fc.record({
  kind: fc.constantFrom('moveUser', 'userTenants', 'moveTenant', 'addTenant', 'crossGrant', 'crossMember', 'publicFull', 'moveGroup'),
  a: fc.nat(),
  b: fc.nat(),
  c: fc.nat(),
});

export function recipeOf(ch: TenantChange, engine: Engine): { description: string; recipe: (d: PolicyDraft) => void } {
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

