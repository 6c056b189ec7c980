import { capSetOfRef, intersect, type CapSet } from '../access/capabilities.js';
import { DEFAULT_TENANT, type Id } from '../model/ids.js';
import { levelRank } from '../model/level.js';
import type { AccessGroup, Group, Role, SharingRule, Tenant, User } from '../model/policy.js';
import { principalParts, type Principal } from '../model/principal.js';
import { capSetOf } from '../access/capabilities.js';
import { eulerTour } from '../graph/euler.js';
import type { LevelRef } from '../model/access-level.js';
import { bare } from '../model/shape.js';
import type {
  AccessGroupNode,
  CompiledRule,
  GroupNode,
  Index,
  PrincipalRef,
  RoleNode,
  TenantNode,
  UserNode,
} from './nodes.js';

/*
 * Linking entities into the index and out of it. Build links everything once; an incremental
 * change unlinks the old version of what it touched and links the new one. Inputs are validated
 * already, so a missing node here is a bug, reported as such.
 */

function must<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`purview internal error: ${what} missing from the index`);
  return value;
}

/** The capability set of a level reference, or undefined when the policy has no access levels. */
export function levelSet(ix: Index, ref: LevelRef | undefined): CapSet | undefined {
  if (ref === undefined || ix.levels === undefined) return undefined;
  return capSetOfRef(ix.table, ix.levels, ref, []);
}

/** A new unlinked tenant node. */
export function newTenantNode(id: Id): TenantNode {
  return { id, parent: undefined, children: new Set(), tin: 0, tout: 0, ceiling: undefined };
}

/**
 * Relinks the tenant forest from the policy's tenants: links, Euler tour, effective ceilings.
 * Existing nodes are kept (users point at them), so a tenant change costs O(tenants) here.
 */
export function relinkTenants(ix: Index, tenants: ReadonlyMap<Id, Tenant>): void {
  const all: Tenant[] = [...tenants.values()];
  if (!tenants.has(DEFAULT_TENANT)) all.push(bare({ id: DEFAULT_TENANT }));
  const keep = new Set(all.map((t) => t.id));
  for (const id of [...ix.tenants.keys()]) if (!keep.has(id)) ix.tenants.delete(id);
  for (const t of all) {
    const node = ix.tenants.get(t.id);
    if (node === undefined) ix.tenants.set(t.id, newTenantNode(t.id));
    else {
      node.parent = undefined;
      node.children.clear();
    }
  }
  for (const t of all) {
    const node = must(ix.tenants.get(t.id), `tenant ${t.id}`);
    if (t.parent !== undefined) {
      const parent = must(ix.tenants.get(t.parent), `tenant ${t.parent}`);
      node.parent = parent;
      parent.children.add(node);
    }
  }
  const roots = [...ix.tenants.values()].filter((n) => n.parent === undefined);
  eulerTour(roots);
  // Effective ceilings, top-down in tour order (a parent's tin is below its children's).
  const byTin = [...ix.tenants.values()].sort((a, b) => a.tin - b.tin);
  const declared = new Map(all.map((t) => [t.id, t]));
  for (const node of byTin) {
    const own = declared.get(node.id)?.ceiling;
    const ownSet = own === undefined ? undefined : capSetOf(ix.table, own, []);
    const above = node.parent?.ceiling;
    node.ceiling = ownSet === undefined ? above : above === undefined ? ownSet : intersect(ownSet, above);
  }
  // The tour numbers moved: refresh the copies users keep inline.
  for (const u of ix.users.values()) {
    u.homeTin = u.tenant.tin;
    u.homeTout = u.tenant.tout;
  }
}

/** A new unlinked role node. */
export function newRoleNode(id: Id, tenant: Id): RoleNode {
  return {
    id,
    tenant,
    parent: undefined,
    children: new Set(),
    tin: 0,
    tout: 0,
    level: undefined,
    users: new Set(),
    inRoles: new Set(),
    inSubtrees: new Set(),
  };
}

/** Links a role to its parent and level. */
export function linkRole(ix: Index, node: RoleNode, def: Role): void {
  node.tenant = def.tenant;
  node.level = levelSet(ix, def.accessLevel);
  node.parent = def.parent === undefined ? undefined : must(ix.roles.get(def.parent), `role ${def.parent}`);
  node.parent?.children.add(node);
}

/** Unlinks a role from its parent. */
export function unlinkRole(node: RoleNode): void {
  node.parent?.children.delete(node);
  node.parent = undefined;
}

/** Renumbers the role forest after its shape changed. */
export function retourRoles(ix: Index): void {
  const roots: RoleNode[] = [];
  for (const r of ix.roles.values()) if (r.parent === undefined) roots.push(r);
  eulerTour(roots);
}

/** A new unlinked user node. */
export function newUserNode(ix: Index, def: User): UserNode {
  return {
    id: def.id,
    def,
    active: def.status === 'active',
    homeTin: 0,
    homeTout: 0,
    tenant: must(ix.tenants.get(def.tenant), `tenant ${def.tenant}`),
    reach: [],
    role: undefined,
    level: undefined,
    inUsers: new Set(),
    profile: undefined,
  };
}

/** Links a user to its tenants, role and level. */
export function linkUser(ix: Index, node: UserNode, def: User): void {
  node.def = def;
  node.tenant = must(ix.tenants.get(def.tenant), `tenant ${def.tenant}`);
  node.reach = [node.tenant, ...def.tenants.map((t) => must(ix.tenants.get(t), `tenant ${t}`))];
  node.active = def.status === 'active';
  node.homeTin = node.tenant.tin;
  node.homeTout = node.tenant.tout;
  node.level = levelSet(ix, def.accessLevel);
  node.role = def.role === undefined ? undefined : must(ix.roles.get(def.role), `role ${def.role}`);
  node.role?.users.add(node);
  node.profile = undefined;
}

/** Unlinks a user from its role. */
export function unlinkUser(node: UserNode): void {
  node.role?.users.delete(node);
  node.role = undefined;
  node.profile = undefined;
}

/** A new unlinked group node. */
export function newGroupNode(def: Group): GroupNode {
  return { id: def.id, def, tenant: def.tenant, parents: new Set(), level: undefined, up: undefined, upEpoch: -1 };
}

/** Adds the reverse edges of a group's members: users, roles, subtrees and nested groups point back at it. */
export function linkGroup(ix: Index, node: GroupNode, def: Group): void {
  node.def = def;
  node.tenant = def.tenant;
  node.level = levelSet(ix, def.accessLevel);
  for (const id of def.members.users) must(ix.users.get(id), `user ${id}`).inUsers.add(node);
  for (const id of def.members.roles) must(ix.roles.get(id), `role ${id}`).inRoles.add(node);
  for (const id of def.members.rolesAndSubordinates) must(ix.roles.get(id), `role ${id}`).inSubtrees.add(node);
  for (const id of def.members.groups) must(ix.groups.get(id), `group ${id}`).parents.add(node);
}

/** Removes the reverse edges that {@link linkGroup} added for the group's current definition. */
export function unlinkGroup(ix: Index, node: GroupNode): void {
  const m = node.def.members;
  for (const id of m.users) ix.users.get(id)?.inUsers.delete(node);
  for (const id of m.roles) ix.roles.get(id)?.inRoles.delete(node);
  for (const id of m.rolesAndSubordinates) ix.roles.get(id)?.inSubtrees.delete(node);
  for (const id of m.groups) ix.groups.get(id)?.parents.delete(node);
}

/** Resolves a principal to nodes. */
export function principalRef(ix: Index, p: Principal): PrincipalRef {
  const parts = must(principalParts(p), 'principal');
  const id = parts.id as Id;
  switch (parts.kind) {
    case 'user':
      return { kind: 'user', id };
    case 'role':
      return { kind: 'role', node: must(ix.roles.get(id), `role ${id}`) };
    case 'roleAndSubordinates':
      return { kind: 'roleAndSubordinates', node: must(ix.roles.get(id), `role ${id}`) };
    case 'group':
      return { kind: 'group', node: must(ix.groups.get(id), `group ${id}`) };
  }
}

/** Compiles a sharing rule. */
export function compileRule(ix: Index, def: SharingRule): CompiledRule {
  return { def, tenant: def.tenant, from: principalRef(ix, def.from), to: principalRef(ix, def.to), rank: levelRank(def.level) };
}

/** Compiles an access group. */
export function compileAccessGroup(ix: Index, def: AccessGroup): AccessGroupNode {
  return {
    id: def.id,
    def,
    tenant: def.tenant,
    types: def.resourceTypes === undefined ? undefined : new Set(def.resourceTypes),
    segment: def.segment,
    grants: def.grants.map((g) => ({ to: principalRef(ix, g.to), rank: levelRank(g.level) })),
  };
}
