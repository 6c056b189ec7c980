import { within } from '../graph/euler.js';
import { membersOfGroup, usersInSubtree } from '../graph/membership.js';
import { readRequest } from '../decide/request.js';
import type { DenialCode } from '../decide/decision.js';
import type { Id } from '../model/ids.js';
import { levelOfRank } from '../model/level.js';
import { expectId } from '../model/shape.js';
import { profileOf } from '../index/profile.js';
import type { GroupNode, Index, PrincipalRef, UserNode } from '../index/nodes.js';
import type { AccessFilter, FilterClause, FilterSource } from './access-filter.js';

/** Owner ids of one kind: those that count in any tenant, and those that count in one tenant only. */
interface Owners {
  readonly any: Set<Id>;
  readonly byTenant: Map<Id, Set<Id>>;
}

/** The owner set of one tenant, created on first use. */
function inTenant(owners: Owners, tenant: Id): Set<Id> {
  let s = owners.byTenant.get(tenant);
  if (s === undefined) owners.byTenant.set(tenant, (s = new Set()));
  return s;
}

/** Groups nested inside `root` at any depth, and `root` itself. Iterative. */
function groupsWithin(ix: Index, root: GroupNode): Set<GroupNode> {
  const out = new Set<GroupNode>([root]);
  const stack = [root];
  while (stack.length > 0) {
    const g = stack.pop() as GroupNode;
    for (const id of g.def.members.groups) {
      const c = ix.groups.get(id);
      if (c !== undefined && !out.has(c)) {
        out.add(c);
        stack.push(c);
      }
    }
  }
  return out;
}

/** The users who are members of a principal, as owners. */
function ownerUsersOf(ix: Index, p: PrincipalRef, add: (u: UserNode) => void): void {
  if (p.kind === 'user') {
    const u = ix.users.get(p.id);
    if (u !== undefined) add(u);
  } else if (p.kind === 'role') p.node.users.forEach(add);
  else if (p.kind === 'roleAndSubordinates') usersInSubtree(p.node, add);
  else membersOfGroup(ix, p.node).forEach(add);
}

/**
 * Builds the filter of the records of `type` that `user` may `action`: the same verdict as `can`
 * for every record, as a condition on its owner, tenant, access groups and attributes.
 */
export function buildFilter(ix: Index, user: Id, action: string, type: string): AccessFilter {
  expectId(user, ['user'], 'user id');
  // Validates the type and action the way a check does.
  const req = readRequest(ix, user, action, { type, id: 'filter', owner: { user } });
  const base = { user, action, type, revision: ix.revision };
  const none = (denial: DenialCode): AccessFilter => ({ ...base, kind: 'none', tenants: [], anyOf: [], sources: [], denial });
  const u = ix.users.get(user);
  if (u === undefined) return none('unknown-user');
  if (!u.active) return none('inactive-user');
  const p = profileOf(ix, u);
  if (p.caps !== undefined && p.caps[req.slot.index] !== 1) return none('capability');
  const tenants: Id[] = [];
  let reachable = false;
  for (const t of ix.tenants.values()) {
    if (!u.reach.some((r) => within(t, r))) continue;
    reachable = true;
    if (t.ceiling === undefined || t.ceiling[req.slot.index] === 1) tenants.push(t.id);
  }
  if (!reachable) return none('tenant');
  if (tenants.length === 0) return none('ceiling');
  tenants.sort();
  const allowedTenant = new Set(tenants);
  const need = req.slot.required;
  const t = req.type;
  if (t.defaultRank >= need) {
    return { ...base, kind: 'all', tenants, anyOf: [], sources: [{ source: 'default', level: levelOfRank(t.defaultRank) }] };
  }
  const sources: FilterSource[] = [];
  // Owners that reach records in any tenant, and owners that reach them in one tenant only (a
  // sharing rule applies in its own tenant). Kept apart structurally: no tenant id can stand for "any".
  const ownerUsers: Owners = { any: new Set(), byTenant: new Map() };
  const ownerGroups: Owners = { any: new Set(), byTenant: new Map() };
  const listed = new Map<Id, Set<Id>>();
  const segments: FilterClause[] = [];
  // owner
  ownerUsers.any.add(u.id);
  sources.push({ source: 'owner', level: 'full' });
  // hierarchy: records owned by users whose role is strictly below the user's.
  if (t.def.hierarchy && u.role !== undefined) {
    const set = ownerUsers.any;
    for (const child of u.role.children) usersInSubtree(child, (o) => set.add(o.id));
    sources.push({ source: 'hierarchy', level: 'full' });
  }
  // group-owner
  if (t.groupOwnerRank >= need && p.groups.size > 0) {
    for (const g of p.groups) ownerGroups.any.add(g.id);
    sources.push({ source: 'group-owner', level: levelOfRank(t.groupOwnerRank) });
  }
  // sharing rules that include the user, for this type, in a tenant it may reach here.
  // Each distinct `from` principal is expanded once per tenant, however many rules name it: many
  // rules from one large group cost rules + group, not their product.
  const expanded = new Map<Id, Map<PrincipalRef['kind'], Set<unknown>>>();
  const firstTime = (tenant: Id, from: PrincipalRef): boolean => {
    let byKind = expanded.get(tenant);
    if (byKind === undefined) expanded.set(tenant, (byKind = new Map()));
    let seen = byKind.get(from.kind);
    if (seen === undefined) byKind.set(from.kind, (seen = new Set()));
    const key = from.kind === 'user' ? from.id : from.node;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  };
  for (const r of p.rules.get(t.def.name) ?? []) {
    if (r.rank < need || !allowedTenant.has(r.tenant)) continue;
    sources.push({ source: 'sharing-rule', level: levelOfRank(r.rank), rule: r.def.id });
    if (!firstTime(r.tenant, r.from)) continue;
    const users = inTenant(ownerUsers, r.tenant);
    ownerUsersOf(ix, r.from, (o) => users.add(o.id));
    if (r.from.kind === 'group') {
      const groups = inTenant(ownerGroups, r.tenant);
      for (const g of groupsWithin(ix, r.from.node)) groups.add(g.id);
    }
  }
  // access groups
  for (const [ag, rank] of p.grants) {
    if (rank < need || !allowedTenant.has(ag.tenant) || (ag.types !== undefined && !ag.types.has(t.def.name))) continue;
    let ids = listed.get(ag.tenant);
    if (ids === undefined) listed.set(ag.tenant, (ids = new Set()));
    ids.add(ag.id);
    if (ag.segment !== undefined) segments.push({ kind: 'segment', segment: ag.segment, tenant: ag.tenant, accessGroup: ag.id });
    sources.push({ source: 'access-group', level: levelOfRank(rank), accessGroup: ag.id });
  }
  const sorted = (s: Set<Id>): Id[] => [...s].sort();
  const anyOf: FilterClause[] = [];
  for (const kind of ['ownerUser', 'ownerGroup'] as const) {
    const owners = kind === 'ownerUser' ? ownerUsers : ownerGroups;
    if (owners.any.size > 0) anyOf.push({ kind, ids: sorted(owners.any) });
    for (const [tenant, ids] of owners.byTenant) if (ids.size > 0) anyOf.push({ kind, ids: sorted(ids), tenant });
  }
  for (const [tenant, ids] of listed) anyOf.push({ kind: 'accessGroup', ids: sorted(ids), tenant });
  anyOf.push(...segments);
  return { ...base, kind: 'some', tenants, anyOf, sources };
}
