import { capSetOfRef } from '../access/capabilities.js';
import { levelRank } from '../model/level.js';
import type { OrgDefault, Policy } from '../model/policy.js';
import type { ValidationContext } from '../validate/context.js';
import {
  compileAccessGroup,
  compileRule,
  linkGroup,
  linkRole,
  linkUser,
  newGroupNode,
  newRoleNode,
  newUserNode,
  relinkTenants,
  retourRoles,
} from './link.js';
import type { Index, TypeNode } from './nodes.js';

const DEFAULT_RANK: Readonly<Record<OrgDefault, number>> = { private: 0, publicRead: 1, publicReadWrite: 2, publicFull: 3 };

/** The rank that an organization-wide default grants. */
export function defaultRank(d: OrgDefault): number {
  return DEFAULT_RANK[d];
}

/** Compiles a validated policy into a fresh index. Linear in the size of the policy. */
export function buildIndex(policy: Policy, ctx: ValidationContext, revision: number): Index {
  const types = new Map<string, TypeNode>();
  for (const [name, def] of policy.resourceTypes) {
    const actions = ctx.table.byType.get(name) ?? new Map();
    types.set(name, { def, actions, defaultRank: defaultRank(def.default), groupOwnerRank: levelRank(def.groupOwnerLevel) });
  }
  const ix: Index = {
    revision,
    table: ctx.table,
    levels: ctx.levels,
    defaultCaps:
      ctx.levels === undefined
        ? undefined
        : policy.defaultAccessLevel === undefined
          ? new Uint8Array(ctx.table.slots.length)
          : capSetOfRef(ctx.table, ctx.levels, policy.defaultAccessLevel, []),
    types,
    tenants: new Map(),
    roles: new Map(),
    users: new Map(),
    groups: new Map(),
    rules: new Map(),
    accessGroups: new Map(),
    grantEpoch: 0,
    nestEpoch: 0,
  };
  relinkTenants(ix, policy.tenants);
  for (const r of policy.roles.values()) ix.roles.set(r.id, newRoleNode(r.id, r.tenant));
  for (const r of policy.roles.values()) linkRole(ix, ix.roles.get(r.id)!, r);
  retourRoles(ix);
  for (const u of policy.users.values()) {
    const node = newUserNode(ix, u);
    ix.users.set(u.id, node);
    linkUser(ix, node, u);
  }
  for (const g of policy.groups.values()) ix.groups.set(g.id, newGroupNode(g));
  for (const g of policy.groups.values()) linkGroup(ix, ix.groups.get(g.id)!, g);
  for (const r of policy.sharingRules.values()) ix.rules.set(r.id, compileRule(ix, r));
  for (const a of policy.accessGroups.values()) ix.accessGroups.set(a.id, compileAccessGroup(ix, a));
  return ix;
}
