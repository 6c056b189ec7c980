import { groupPaths, principalPath, type GroupPaths } from '../graph/membership.js';
import { levelOfRank } from '../model/level.js';
import type { Resource } from '../model/resource.js';
import { segmentMatches } from '../model/segment-match.js';
import { membershipOf, withGrants } from '../index/profile.js';
import type { GroupNode, Index, PrincipalRef, Profile, UserNode } from '../index/nodes.js';
import type { Decision, DenialCode, MembershipPath, PathStep, Reason } from './decision.js';
import { accessGroupApplies, ownerIn, recordRank, strictlyAbove } from './record-access.js';
import { readRequest, type Request } from './request.js';

/**
 * Steps 1-4 of the decision: the user, the tenant, the capability, the ceiling. Needs only the
 * user's group closure and capabilities (not its grants), so that `whoCan` can gate candidates
 * without compiling every candidate's sharing rules and grants.
 */
export function gate(ix: Index, userId: string, req: Request): { u: UserNode; p: Profile } | DenialCode {
  const u = ix.users.get(userId);
  if (u === undefined) return 'unknown-user';
  if (!u.active) return 'inactive-user';
  const t = ix.tenants.get(req.tenant);
  if (t === undefined) return 'tenant';
  if (!(u.homeTin <= t.tin && t.tout <= u.homeTout)) {
    let reached = false;
    for (const r of u.reach) {
      if (r.tin <= t.tin && t.tout <= r.tout) {
        reached = true;
        break;
      }
    }
    if (!reached) return 'tenant';
  }
  const p = membershipOf(ix, u);
  if (p.caps !== undefined && p.caps[req.slot.index] !== 1) return 'capability';
  if (t.ceiling !== undefined && t.ceiling[req.slot.index] !== 1) return 'ceiling';
  return { u, p };
}

/** `can(user, action, resource)`: the fast path, a boolean without reasons. */
export function can(ix: Index, user: string, action: string, resource: Resource): boolean {
  return canRequest(ix, user, readRequest(ix, user, action, resource));
}

/** `can` on a request already read (see {@link readRequest}), e.g. once for many users. */
export function canRequest(ix: Index, user: string, req: Request): boolean {
  const g = gate(ix, user, req);
  if (typeof g === 'string') return false;
  const need = req.slot.required;
  return recordRank(ix, g.u, withGrants(ix, g.u, g.p), req, need) >= need;
}

/** The chain of groups from `inner` up to `outer` that contains it (shortest), as a path. */
function nestingPath(inner: GroupNode, outer: GroupNode): MembershipPath {
  const pred = new Map<GroupNode, GroupNode | undefined>([[inner, undefined]]);
  const queue = [inner];
  for (let i = 0; i < queue.length && !pred.has(outer); i++) {
    for (const p of (queue[i] as GroupNode).parents) {
      if (!pred.has(p)) {
        pred.set(p, queue[i]);
        queue.push(p);
      }
    }
  }
  const chain: PathStep[] = [];
  for (let g: GroupNode | undefined = pred.has(outer) ? outer : inner; g !== undefined; g = pred.get(g)) {
    chain.push({ kind: 'group', id: g.id, via: 'member-of' });
  }
  return chain.reverse();
}

/** A path per principal, computed once for each distinct principal (by kind, then node or id). */
function memoPath(compute: (p: PrincipalRef) => MembershipPath): (p: PrincipalRef) => MembershipPath {
  const byKind = new Map<PrincipalRef['kind'], Map<unknown, MembershipPath>>();
  return (p) => {
    let m = byKind.get(p.kind);
    if (m === undefined) byKind.set(p.kind, (m = new Map()));
    const key = p.kind === 'user' ? p.id : p.node;
    let path = m.get(key);
    if (path === undefined) m.set(key, (path = Object.freeze(compute(p)) as MembershipPath));
    return path;
  };
}

/** Every source of record-level access with the path that proves it. */
function reasonsFor(ix: Index, u: UserNode, p: Profile, req: Request): Reason[] {
  const out: Reason[] = [];
  let paths: GroupPaths | undefined;
  const lazyPaths = (): GroupPaths => (paths ??= groupPaths(u));
  const userStep: PathStep = { kind: 'user', id: u.id };
  const type = req.type;
  if (type.defaultRank > 0) out.push({ source: 'default', level: levelOfRank(type.defaultRank), path: [userStep] });
  const ownerUser = req.ownerUser === undefined ? undefined : ix.users.get(req.ownerUser);
  const ownerGroup = req.ownerGroup === undefined ? undefined : ix.groups.get(req.ownerGroup);
  if (req.ownerUser === u.id) out.push({ source: 'owner', level: 'full', path: [userStep] });
  else if (type.def.hierarchy && u.role !== undefined && ownerUser?.role !== undefined && strictlyAbove(u.role, ownerUser.role)) {
    out.push({
      source: 'hierarchy',
      level: 'full',
      path: [
        userStep,
        { kind: 'role', id: u.role.id, via: 'has-role' },
        { kind: 'role', id: ownerUser.role.id, via: 'superior-of' },
        { kind: 'user', id: ownerUser.id, via: 'owned-by' },
      ],
    });
  }
  if (ownerGroup !== undefined && p.groups.has(ownerGroup) && type.groupOwnerRank > 0) {
    out.push({ source: 'group-owner', level: levelOfRank(type.groupOwnerRank), path: lazyPaths().pathTo(ownerGroup) ?? [userStep] });
  }
  // Rules that share a principal share its path: one walk of the owner's groups, one array per
  // distinct principal, so that many rules over a deep chain cost rules + depth, not their product.
  let ownerPaths: GroupPaths | undefined;
  const ownerPathOf = memoPath((from) =>
    ownerUser !== undefined
      ? (principalPath(ownerUser, from, () => (ownerPaths ??= groupPaths(ownerUser))) ?? [])
      : ownerGroup !== undefined && from.kind === 'group'
        ? nestingPath(ownerGroup, from.node)
        : [],
  );
  const userPathOf = memoPath((to) => principalPath(u, to, lazyPaths) ?? [userStep]);
  for (const r of p.rules.get(type.def.name) ?? []) {
    if (r.tenant !== req.tenant || !ownerIn(ix, r.from, ownerUser, ownerGroup)) continue;
    out.push({ source: 'sharing-rule', level: levelOfRank(r.rank), path: userPathOf(r.to), rule: r.def.id, ownerPath: ownerPathOf(r.from) });
  }
  const listed = new Set<string>();
  for (const id of req.accessGroups ?? []) listed.add(id);
  for (const [ag, rank] of p.grants) {
    if (!accessGroupApplies(ag, req)) continue;
    const via = listed.has(ag.id) ? 'listed' : ag.segment !== undefined && segmentMatches(ag.segment, req.attributes) ? 'segment' : undefined;
    if (via === undefined) continue;
    // The path of the grant that gave the highest rank.
    let path: MembershipPath = [userStep];
    for (const g of ag.grants) {
      const found = g.rank === rank ? principalPath(u, g.to, lazyPaths) : undefined;
      if (found !== undefined) {
        path = found;
        break;
      }
    }
    out.push({ source: 'access-group', level: levelOfRank(rank), path, accessGroup: ag.id, via });
  }
  const order = ['none', 'read', 'readWrite', 'full'];
  return out.sort((a, b) => order.indexOf(b.level) - order.indexOf(a.level));
}

/** `check(user, action, resource)`: the full decision with every reason and its proof. */
export function check(ix: Index, user: string, action: string, resource: Resource): Decision {
  const req = readRequest(ix, user, action, resource);
  const base = {
    user,
    action,
    resource: { type: req.type.def.name, id: req.id, tenant: req.tenant },
    required: levelOfRank(req.slot.required),
    revision: ix.revision,
  };
  const g = gate(ix, user, req);
  if (typeof g === 'string') return { ...base, allowed: false, level: 'none', denial: g, reasons: [] };
  const p = withGrants(ix, g.u, g.p);
  const reasons = reasonsFor(ix, g.u, p, req);
  const rank = recordRank(ix, g.u, p, req, 4);
  const allowed = rank >= req.slot.required;
  return { ...base, allowed, level: levelOfRank(rank), ...(allowed ? {} : { denial: 'record-access' as const }), reasons };
}
