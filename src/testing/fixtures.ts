/**
 * purview/testing/fixtures: the policies and ids the conformance suite uses, importable on their
 * own (no test runner, no engine): `conformancePolicy()`, `smallPolicy()`, `fleetPolicy()`,
 * `FLEET_TENANT_SUBSETS`, `ODD_IDS`, `LONG_ID`.
 * @packageDocumentation
 */
import type { PolicyInput, ResourceTypeInput } from '../index.js';
import type { AccessGroupInput, GroupInput, RoleInput, SharingRuleInput, TenantInput, UserInput } from '../model/policy-input.js';

/** Sets an own, enumerable property, so that keys such as `__proto__` stay data. */
function own<T>(obj: Record<string, T>, key: string, value: T): Record<string, T> {
  Object.defineProperty(obj, key, Object.setPrototypeOf({ value, enumerable: true, writable: true, configurable: true }, null) as PropertyDescriptor);
  return obj;
}

/** An id of the maximum length (256 characters). */
export const LONG_ID = `long-${'x'.repeat(251)}`;

/** Ids that a careless store confuses with object properties, SQL, or other ids. */
export const ODD_IDS = ['__proto__', 'constructor', 'toString', "o'brien; DROP TABLE users; --", 'a:b c', 'ünï 🚀', '"quoted"', 'back\\slash', LONG_ID] as const;

function resourceTypes(): Record<string, ResourceTypeInput> {
  const types: Record<string, ResourceTypeInput> = {
    lead: {
      actions: { view: 'read', edit: 'readWrite', delete: 'full', 'export:csv': 'read', share: 'full' },
      readActions: ['view', 'export:csv'],
      default: 'publicRead',
      hierarchy: true,
      groupOwnerLevel: 'readWrite',
    },
    account: { actions: { delete: 'full', view: 'read', edit: 'readWrite' }, default: 'private', hierarchy: false, groupOwnerLevel: 'read' },
    note: { actions: { read: 'read', write: 'readWrite' }, default: 'publicReadWrite', readActions: [] },
  };
  // A type called __proto__, whose actions are called like Object.prototype's members.
  const actions: Record<string, ResourceTypeInput['actions'][string]> = {};
  own(actions, 'toString', 'read');
  own(actions, '__proto__', 'readWrite');
  own(actions, 'constructor', 'full');
  own(types, '__proto__', { actions: { ...actions }, default: 'publicFull' });
  return { ...types };
}

/**
 * A policy that uses every feature the model has, with awkward ids: tenants with ceilings,
 * roles with access levels of every form, inactive users acting in further tenants, groups with
 * all four kinds of member, nested groups, sharing rules, access groups with segments and
 * grants, access-level tiers and a default level. Conformance tests check it round-trips exactly.
 */
export function conformancePolicy(): PolicyInput {
  const [proto, ctor, toStr, sql, colon, unicode, quoted, backslash, long] = ODD_IDS;
  return {
    tenants: [
      { id: 'default' },
      { id: 'agency', ceiling: ['lead:*', 'account:*', 'note:*', '__proto__:*'] },
      { id: 'client-a', parent: 'agency', ceiling: ['lead:view', 'lead:edit', 'account:view', 'note:read'] },
      { id: 'client-b', parent: 'agency' },
      { id: unicode, parent: 'client-b', ceiling: [] },
    ],
    roles: [
      { id: 'ceo', accessLevel: 'full' },
      { id: 'vp', parent: 'ceo', accessLevel: 1 },
      { id: 'rep', parent: 'vp', accessLevel: 'standard:readOnly' },
      { id: proto, parent: 'rep', accessLevel: { custom: ['lead:view', '__proto__:toString'] } },
      { id: 'a-lead', tenant: 'client-a', accessLevel: 7 },
      { id: 'a-member', tenant: 'client-a', parent: 'a-lead' },
    ],
    users: [
      { id: 'ann', role: 'ceo' },
      { id: 'bob', role: 'vp', accessLevel: 'limited' },
      { id: 'cy', role: 'rep', status: 'inactive', tenants: ['client-a', 'client-b'] },
      { id: ctor, role: proto, tenants: ['agency'] },
      { id: toStr, accessLevel: { custom: ['*:view'] } },
      { id: sql, role: 'rep' },
      { id: long },
      { id: 'ava', tenant: 'client-a', role: 'a-lead' },
      { id: 'abe', tenant: 'client-a', role: 'a-member', status: 'active' },
      { id: quoted, tenant: 'client-b' },
      { id: backslash, tenant: unicode },
    ],
    groups: [
      { id: 'sales', name: 'Sales', description: 'Everyone who sells', members: { users: ['bob', sql], groups: ['team-a', colon] } },
      { id: 'team-a', members: { users: ['cy', ctor, long], roles: ['rep'] }, accessLevel: 'extended' },
      { id: colon, name: '', members: { rolesAndSubordinates: ['vp', proto], groups: [proto] } },
      { id: proto, members: { users: [toStr] }, accessLevel: { custom: [] } },
      { id: 'empty' },
      { id: 'a-team', tenant: 'client-a', members: { users: ['abe', 'ava', 'cy'], roles: ['a-member'], rolesAndSubordinates: ['a-lead'] } },
    ],
    resourceTypes: resourceTypes(),
    sharingRules: [
      { id: 'r1', resourceType: 'lead', from: { roleAndSubordinates: 'vp' }, to: { group: 'sales' }, level: 'read' },
      { id: sql, resourceType: 'account', from: { group: proto }, to: { role: 'ceo' }, level: 'readWrite' },
      { id: 'a-rule', tenant: 'client-a', resourceType: 'lead', from: { role: 'a-member' }, to: { roleAndSubordinates: 'a-lead' }, level: 'readWrite' },
    ],
    accessGroups: [
      {
        id: 'vault-emea',
        resourceTypes: ['lead', 'account'],
        segment: {
          all: [
            { attribute: 'region', equals: 'emea' },
            { attribute: 'tier', in: ['gold', 1, true] },
            { attribute: 'tags', contains: 'vip' },
            { attribute: 'score', equals: 3.5 },
            { attribute: 'flags', equals: ['a', 'b'] },
          ],
        },
        grants: [
          { to: { user: 'ann' }, level: 'full' },
          { to: { group: 'team-a' }, level: 'read' },
          { to: { role: 'rep' }, level: 'none' },
          { to: { roleAndSubordinates: 'vp' }, level: 'readWrite' },
        ],
      },
      { id: proto, segment: { all: [] } },
      { id: 'manual', resourceTypes: [], grants: [{ to: { user: toStr }, level: 'read' }] },
      { id: 'a-vault', tenant: 'client-a', grants: [{ to: { group: 'a-team' }, level: 'readWrite' }, { to: { user: 'cy' }, level: 'read' }] },
    ],
    accessLevels: {
      minimum: ['lead:view'],
      limited: ['note:*'],
      standard: ['lead:*', 'account:view'],
      extended: ['account:*', '__proto__:*'],
    },
    defaultAccessLevel: 'minimum',
  };
}

/** A small policy for tests that only need a few entities. */
export function smallPolicy(): PolicyInput {
  return {
    resourceTypes: { lead: { actions: { view: 'read', edit: 'readWrite', delete: 'full' } } },
    roles: [{ id: 'boss' }, { id: 'rep', parent: 'boss' }],
    users: [{ id: 'u1', role: 'rep' }, { id: 'u2' }, { id: 'u3', role: 'boss' }],
    groups: [{ id: 'sales', members: { users: ['u1'] } }, { id: 'team' }],
  };
}

/** The tenants of {@link fleetPolicy} with their parents (`default` is implicit: not declared). */
const FLEET_TENANTS: readonly (readonly [string, string | undefined])[] = [
  ['agency', undefined],
  ['agency-eu', 'agency'],
  ['client-a', undefined],
  ['client-a-1', 'client-a'],
  ['client-a-2', 'client-a'],
  ['client-a-1-x', 'client-a-1'],
  ['client-b', undefined],
  ['client-b-1', 'client-b'],
  ['client-c', undefined],
  ['__proto__', undefined],
  ['constructor', '__proto__'],
];

/**
 * A policy shaped like a fleet split by tenant: several client trees (two and three levels deep,
 * one named `__proto__`), an agency whose users act in tenants of other trees (`tenants`), and in
 * every tenant (the implicit `default` too) roles, users (one inactive), groups with time-bound and
 * nested members, a sharing rule and an access group with time-bound grants. Loading a tenant
 * subset of it (`loadTenants`) must give `scopePolicy` of the whole.
 */
export function fleetPolicy(): PolicyInput {
  const all = ['default', ...FLEET_TENANTS.map(([t]) => t)];
  const tenants: TenantInput[] = FLEET_TENANTS.map(([id, parent]) => (parent === undefined ? { id } : { id, parent }));
  const roles: RoleInput[] = [];
  const users: UserInput[] = [];
  const groups: GroupInput[] = [];
  const sharingRules: SharingRuleInput[] = [];
  const accessGroups: AccessGroupInput[] = [];
  // Users who act in tenants of other trees, and the tenants whose groups and access groups list them.
  const travellers: { user: UserInput; memberOf: string[] }[] = [
    { user: { id: 'agency/ops', tenant: 'agency', role: 'agency/lead', tenants: ['client-a-1', 'client-b'] }, memberOf: ['client-a-1', 'client-b', 'client-b-1'] },
    { user: { id: 'agency-eu/ops', tenant: 'agency-eu', role: 'agency-eu/member', tenants: ['client-c'] }, memberOf: ['client-c'] },
    { user: { id: 'client-a-2/guest', tenant: 'client-a-2', role: 'client-a-2/member', tenants: ['__proto__'] }, memberOf: ['__proto__', 'constructor'] },
    { user: { id: 'constructor/x', tenant: 'constructor', tenants: ['client-b-1'], status: 'inactive' }, memberOf: ['client-b-1'] },
    { user: { id: 'default/admin', role: 'default/lead', tenants: ['agency-eu'] }, memberOf: ['agency-eu'] },
  ];
  all.forEach((t, i) => {
    const tenant = t === 'default' ? {} : { tenant: t };
    const id = (name: string): string => `${t}/${name}`;
    roles.push({ id: id('lead'), ...tenant }, { id: id('member'), ...tenant, parent: id('lead') });
    users.push(
      { id: id('u1'), ...tenant, role: id('lead') },
      { id: id('u2'), ...tenant, role: id('member') },
      { id: id('u3'), ...tenant, status: 'inactive' },
    );
    const guests = travellers.filter((g) => g.memberOf.includes(t)).map((g) => g.user.id);
    groups.push(
      {
        id: id('team'),
        ...tenant,
        members: {
          users: [id('u1'), { id: id('u2'), since: '2024-01-01T00:00:00Z', until: '2030-01-01T00:00:00Z' }, ...guests],
          roles: [id('member')],
          rolesAndSubordinates: i % 2 === 0 ? [id('lead')] : [],
        },
      },
      { id: id('all'), ...tenant, name: `Everyone in ${t}`, members: { groups: [id('team')], users: [id('u3')] } },
    );
    sharingRules.push({
      id: id('share'),
      ...tenant,
      resourceType: 'lead',
      from: { group: id('team') },
      to: { roleAndSubordinates: id('lead') },
      level: 'read',
      ...(i % 3 === 0 ? { until: '2031-06-30T12:00:00Z' } : {}),
    });
    accessGroups.push({
      id: id('vault'),
      ...tenant,
      grants: [
        { to: { group: id('all') }, level: 'read' },
        { to: { user: id('u1') }, level: 'full', since: '2024-06-01T00:00:00Z' },
        ...guests.map((g) => ({ to: { user: g }, level: 'readWrite' as const })),
      ],
    });
  });
  users.push(...travellers.map((g) => g.user));
  return {
    tenants,
    roles,
    users,
    groups,
    resourceTypes: {
      lead: { actions: { view: 'read', edit: 'readWrite', delete: 'full' }, default: 'private' },
      note: { actions: { read: 'read', write: 'readWrite' }, default: 'publicRead', fields: { body: { read: 'read', write: 'write' } } },
    },
    sharingRules,
    accessGroups,
  };
}

/** Tenant subsets of {@link fleetPolicy} to load: single roots, inner and leaf tenants, several trees, overlaps, `default`. */
export const FLEET_TENANT_SUBSETS: readonly (readonly string[])[] = [
  ['client-a'],
  ['client-a-1'],
  ['client-a-1-x'],
  ['client-b', 'client-c'],
  ['__proto__'],
  ['constructor'],
  ['agency'],
  ['agency-eu'],
  ['default'],
  ['client-a', 'client-a-1', 'client-a'],
  ['agency', 'client-a', 'client-b', 'client-c', '__proto__', 'default'],
];
