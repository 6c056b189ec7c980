/*
 * Which form a segment condition has, and what a record holds, are read from own fields only: a
 * field some other library put on Object.prototype never picks a condition's form (in check, in
 * toPredicate and in toSql alike) nor lists a record in an access group.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createEngine, segmentMatches, toPredicate, type Condition, type PolicyInput, type Resource } from '../../src/index.js';
import { toSql } from '../../src/adapters/postgres/index.js';

const proto = Object.prototype as Record<string, unknown>;
afterEach(() => {
  for (const k of ['equals', 'in', 'contains', 'accessGroups', 'attributes', 'owner', 'tenant', 'type', 'user', 'group']) delete proto[k];
});

const policy: PolicyInput = {
  resourceTypes: { lead: { actions: { view: 'read' } } },
  users: [{ id: 'u' }, { id: 'o' }],
  accessGroups: [
    { id: 'us', segment: { all: [{ attribute: 'region', in: ['US'] }] }, grants: [{ to: { user: 'u' }, level: 'read' }] },
    { id: 'listed', grants: [{ to: { user: 'u' }, level: 'read' }] },
  ],
};
const eu: Resource = { type: 'lead', id: 'l1', owner: { user: 'o' }, attributes: { region: 'EU' } };

describe('segment conditions read their form from own fields', () => {
  it('an inherited `equals` does not turn an `in` condition into an equality', () => {
    const engine = createEngine({ policy });
    expect(engine.can('u', 'view', eu)).toBe(false);
    proto.equals = 'EU';
    const inUs: Condition = { attribute: 'region', in: ['US'] };
    expect(segmentMatches({ all: [inUs] }, { region: 'EU' })).toBe(false);
    expect(engine.can('u', 'view', eu)).toBe(false);
    const f = engine.filter('u', 'view', 'lead');
    expect(toPredicate(f)(eu)).toBe(false);
    // toSql compiles the `in` condition as a containment over the listed values, not the inherited one.
    const sql = toSql(f, { ownerUser: 'ou', ownerGroup: 'og', accessGroups: 'ag', attributes: 'attrs', shares: false });
    expect(JSON.stringify(sql.params)).not.toContain('EU');
    expect(JSON.stringify(sql.params)).toContain('US');
  });

  it('an inherited `in` or `contains` does not match either', () => {
    proto.in = ['EU'];
    expect(segmentMatches({ all: [{ attribute: 'region', equals: 'US' }] }, { region: 'EU' })).toBe(false);
    delete proto.in;
    proto.contains = 'EU';
    expect(segmentMatches({ all: [{ attribute: 'region', equals: 'US' }] }, { region: 'EU' })).toBe(false);
  });
});

describe('toPredicate reads a record\'s own fields only', () => {
  it('an inherited `accessGroups` lists the record in nothing', () => {
    const f = createEngine({ policy }).filter('u', 'view', 'lead');
    const plain: Resource = { type: 'lead', id: 'l2', owner: { user: 'o' } };
    expect(toPredicate(f)(plain)).toBe(false);
    proto.accessGroups = ['listed'];
    expect(toPredicate(f)(plain)).toBe(false);
    expect(toPredicate(f)({ ...plain, accessGroups: ['listed'] })).toBe(true);
  });

  it('an inherited owner or attributes do not count', () => {
    const f = createEngine({ policy }).filter('u', 'view', 'lead');
    const noAttrs = { type: 'lead', id: 'l3', owner: { group: 'g' } } as Resource;
    proto.attributes = { region: 'US' };
    expect(toPredicate(f)(noAttrs)).toBe(false);
    delete proto.attributes;
    proto.user = 'u';
    expect(toPredicate(f)(noAttrs)).toBe(false);
  });
});
