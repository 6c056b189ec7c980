/**
 * purview/testing/fixtures: the policies and ids the conformance suite uses, importable on their
 * own (no test runner, no engine): `conformancePolicy()`, `smallPolicy()`, `ODD_IDS`, `LONG_ID`.
 * @packageDocumentation
 */
import type { PolicyInput, ResourceTypeInput } from '../index.js';

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
