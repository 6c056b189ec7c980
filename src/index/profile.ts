import { union, type CapSet } from '../access/capabilities.js';
import { within } from '../graph/euler.js';
import type { GroupNode, Index, PrincipalRef, Profile, RoleNode, UserNode, CompiledRule } from './nodes.js';

/**
 * Every group a user is a member of: the groups listing it, its role, or a role above its role
 * as `rolesAndSubordinates`, then every group containing those, breadth-first without recursion.
 */
export function closureOfUser(u: UserNode): Set<GroupNode> {
  const out = new Set<GroupNode>();
  const queue: GroupNode[] = [];
  const seed = (g: GroupNode): void => {
    if (!out.has(g)) {
      out.add(g);
      queue.push(g);
    }
  };
  u.inUsers.forEach(seed);
  if (u.role !== undefined) {
    u.role.inRoles.forEach(seed);
    const seen = new Set<RoleNode>();
    for (let r: RoleNode | undefined = u.role; r !== undefined && !seen.has(r); r = r.parent) {
      seen.add(r);
      r.inSubtrees.forEach(seed);
    }
  }
  for (let i = 0; i < queue.length; i++) (queue[i] as GroupNode).parents.forEach(seed);
  return out;
}

/** A group and every group containing it, cached until group nesting next changes. */
export function upClosure(ix: Index, g: GroupNode): Set<GroupNode> {
  if (g.up !== undefined && g.upEpoch === ix.nestEpoch) return g.up;
  const out = new Set<GroupNode>([g]);
  const queue: GroupNode[] = [g];
  for (let i = 0; i < queue.length; i++) {
    for (const p of (queue[i] as GroupNode).parents) {
      if (!out.has(p)) {
        out.add(p);
        queue.push(p);
      }
    }
  }
  g.up = out;
  g.upEpoch = ix.nestEpoch;
  return out;
}

/** Whether a user (with its group closure) is a member of a principal. */
export function isMember(u: UserNode, groups: ReadonlySet<GroupNode>, p: PrincipalRef): boolean {
  switch (p.kind) {
    case 'user':
      return p.id === u.id;
    case 'role':
      return u.role === p.node;
    case 'roleAndSubordinates':
      return u.role !== undefined && within(u.role, p.node);
    case 'group':
      return groups.has(p.node);
  }
}

function capsOf(ix: Index, u: UserNode, groups: Set<GroupNode>): CapSet | undefined {
  if (ix.levels === undefined) return undefined;
  let caps: CapSet | undefined = u.level;
  const add = (s: CapSet | undefined): void => {
    if (s !== undefined) caps = caps === undefined ? s : union(caps, s);
  };
  add(u.role?.level);
  for (const g of groups) add(g.level);
  return caps ?? ix.defaultCaps;
}

/** Compiles which sharing rules and access-group grants include the user. */
function compileGrants(ix: Index, u: UserNode, p: Profile): void {
  const rules = new Map<string, CompiledRule[]>();
  for (const r of ix.rules.values()) {
    if (!isMember(u, p.groups, r.to)) continue;
    const list = rules.get(r.def.resourceType);
    if (list === undefined) rules.set(r.def.resourceType, [r]);
    else list.push(r);
  }
  const grants = new Map<import('./nodes.js').AccessGroupNode, number>();
  for (const a of ix.accessGroups.values()) {
    let best = -1;
    for (const g of a.grants) if (g.rank > best && isMember(u, p.groups, g.to)) best = g.rank;
    if (best > 0) grants.set(a, best);
  }
  p.rules = rules;
  p.hasRules = rules.size > 0;
  p.grants = grants;
  p.segmentGrants = [];
  for (const [group, rank] of grants) if (group.segment !== undefined) p.segmentGrants.push({ group, rank });
  p.grantEpoch = ix.grantEpoch;
}

/**
 * The user's profile with its group closure and capabilities, but grants possibly stale: enough
 * to ask what the user is a member of (a record owner, for instance).
 */
export function membershipOf(ix: Index, u: UserNode): Profile {
  let p = u.profile;
  if (p === undefined) {
    const groups = closureOfUser(u);
    p = { groups, caps: capsOf(ix, u, groups), grantEpoch: -1, rules: new Map(), hasRules: false, grants: new Map(), segmentGrants: [] };
    u.profile = p;
  }
  return p;
}

/** The user's compiled profile, computing what a change dropped. */
export function profileOf(ix: Index, u: UserNode): Profile {
  const p = membershipOf(ix, u);
  if (p.grantEpoch !== ix.grantEpoch) compileGrants(ix, u, p);
  return p;
}
