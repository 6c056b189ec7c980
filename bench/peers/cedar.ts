/*
 * Cedar (@cedar-policy/cedar-wasm) over the same data: the policy set is preparsed once, and each
 * request goes through `statefulIsAuthorized` with the entity slice it needs: the principal and
 * everything above it (groups, roles), the resource, and for hierarchy checks the owner and the
 * owner's role chain.
 *
 * What it expresses: the same "core" subset as the casbin adapter (owner, owning group at any
 * nesting depth capped by the type's group-owner level, role hierarchy). Sharing rules, access
 * groups and segments are left out of the comparison (see docs/internal/benchmark-log.md, "The peers").
 *
 * Entities:
 *   User::"u"        attrs { role?: Role::"r" }, parents: the groups listing it, RoleExact::"r", Role::"r"
 *   RoleExact::"r"   parents: the groups listing r in `roles`
 *   Role::"r"        parents: Role::"parent", the groups listing r in `rolesAndSubordinates`
 *   Group::"g"       parents: the groups listing g in `groups`
 *   Account::"id"    attrs { ownerUser: User } or { ownerGroup: Group } (one type per resource type)
 *
 * The principal's part of the slice is built once per user and cached (untimed, see `prepare`):
 * an application would keep it in a cache too. The resource part is built on every call.
 */
import { entryIdOf } from '../entry-id.js';
import { getCedarVersion, preparsePolicySet, statefulIsAuthorized, type EntityJson } from '@cedar-policy/cedar-wasm/nodejs';
import type { PolicyInput } from '../../src/model/policy-input.js';
import type { Resource } from '../../src/model/resource.js';
import type { Peer } from './peer.js';

const RANK: Readonly<Record<string, number>> = { none: 0, read: 1, readWrite: 2, full: 3 };
const POLICY_SET_ID = 'purview-bench';

/** The Cedar entity type of a resource type: `account` -> `Account`. */
function entityType(type: string): string {
  return type.charAt(0).toUpperCase() + type.slice(1);
}

const uid = (type: string, id: string): { type: string; id: string } => ({ type, id });
const ref = (type: string, id: string): { __entity: { type: string; id: string } } => ({ __entity: { type, id } });

/** The Cedar policies for the core subset of a policy's resource types. */
export function cedarPolicies(policy: PolicyInput): string {
  const out: string[] = [
    '// Owner: full access.',
    'permit (principal, action, resource) when { resource has ownerUser && resource.ownerUser == principal };',
  ];
  for (const [type, def] of Object.entries(policy.resourceTypes)) {
    const T = entityType(type);
    const groupRank = RANK[def.groupOwnerLevel ?? 'full'] ?? 3;
    const groupActions = Object.entries(def.actions)
      .filter(([, level]) => (RANK[level] ?? 3) <= groupRank)
      .map(([a]) => `Action::${JSON.stringify(a)}`);
    if (groupActions.length > 0) {
      out.push(`// ${type}: members of the owning group, up to ${def.groupOwnerLevel ?? 'full'}.`);
      out.push(`permit (principal, action in [${groupActions.join(', ')}], resource is ${T}) when { resource has ownerGroup && principal in resource.ownerGroup };`);
    }
    if (def.hierarchy ?? true) {
      out.push(`// ${type}: superiors of the owner's role.`);
      out.push(
        `permit (principal, action, resource is ${T}) when { resource has ownerUser && principal has role && resource.ownerUser has role && resource.ownerUser.role != principal.role && resource.ownerUser.role in principal.role };`,
      );
    }
  }
  return out.join('\n');
}

export interface CedarPeer extends Peer {
  readonly version: string;
  readonly policyText: string;
  /** Mean entities per principal slice among the prepared principals. */
  sliceSize(): number;
  /** Policy evaluation errors Cedar reported (each one skipped a policy: a modelling bug if > 0). */
  errors(): number;
}

interface Slice {
  readonly entities: EntityJson[];
  readonly keys: Set<string>;
}

/** Builds the Cedar adapter for the core subset of a policy. */
export function cedarPeer(policy: PolicyInput): CedarPeer {
  const policyText = cedarPolicies(policy);
  const parsed = preparsePolicySet(POLICY_SET_ID, { staticPolicies: policyText });
  if (parsed.type !== 'success') throw new Error(`cedar: ${JSON.stringify(parsed.errors)}`);

  const userRole = new Map<string, string>();
  const roleParent = new Map<string, string>();
  const userGroups = new Map<string, string[]>();
  const roleGroups = new Map<string, string[]>();
  const subtreeGroups = new Map<string, string[]>();
  const groupParents = new Map<string, string[]>();
  const push = (m: Map<string, string[]>, k: string, v: string): void => {
    const l = m.get(k);
    if (l === undefined) m.set(k, [v]);
    else l.push(v);
  };
  for (const r of policy.roles ?? []) if (r.parent !== undefined) roleParent.set(r.id, r.parent);
  for (const u of policy.users ?? []) if (u.role !== undefined) userRole.set(u.id, u.role);
  for (const g of policy.groups ?? []) {
    for (const u of (g.members?.users ?? []).map(entryIdOf)) push(userGroups, u, g.id);
    for (const r of (g.members?.roles ?? []).map(entryIdOf)) push(roleGroups, r, g.id);
    for (const r of (g.members?.rolesAndSubordinates ?? []).map(entryIdOf)) push(subtreeGroups, r, g.id);
    for (const c of (g.members?.groups ?? []).map(entryIdOf)) push(groupParents, c, g.id);
  }
  const hierarchyTypes = new Set(Object.entries(policy.resourceTypes).filter(([, d]) => d.hierarchy ?? true).map(([t]) => t));

  const userEntity = (id: string): EntityJson => {
    const role = userRole.get(id);
    const parents = (userGroups.get(id) ?? []).map((g) => uid('Group', g));
    if (role !== undefined) parents.push(uid('RoleExact', role), uid('Role', role));
    return { uid: uid('User', id), attrs: role === undefined ? {} : { role: ref('Role', role) }, parents };
  };
  const roleEntity = (id: string): EntityJson => {
    const parent = roleParent.get(id);
    const parents = (subtreeGroups.get(id) ?? []).map((g) => uid('Group', g));
    if (parent !== undefined) parents.push(uid('Role', parent));
    return { uid: uid('Role', id), attrs: {}, parents };
  };
  /** Adds a role and its ancestors (with their subtree groups and those groups' ancestors) to a slice. */
  const addRoleChain = (role: string, into: EntityJson[], keys: Set<string>, groups: string[]): void => {
    for (let r: string | undefined = role; r !== undefined && !keys.has(`Role:${r}`); r = roleParent.get(r)) {
      keys.add(`Role:${r}`);
      into.push(roleEntity(r));
      for (const g of subtreeGroups.get(r) ?? []) groups.push(g);
    }
  };
  const addGroups = (start: readonly string[], into: EntityJson[], keys: Set<string>): void => {
    const queue = [...start];
    for (let i = 0; i < queue.length; i++) {
      const g = queue[i] as string;
      if (keys.has(`Group:${g}`)) continue;
      keys.add(`Group:${g}`);
      const parents = groupParents.get(g) ?? [];
      into.push({ uid: uid('Group', g), attrs: {}, parents: parents.map((p) => uid('Group', p)) });
      for (const p of parents) queue.push(p);
    }
  };

  const slices = new Map<string, Slice>();
  let errors = 0;
  /** The principal, its role entities and every group above it, transitively. */
  const sliceOf = (user: string): Slice => {
    const hit = slices.get(user);
    if (hit !== undefined) return hit;
    const entities: EntityJson[] = [userEntity(user)];
    const keys = new Set<string>([`User:${user}`]);
    const groups = [...(userGroups.get(user) ?? [])];
    const role = userRole.get(user);
    if (role !== undefined) {
      keys.add(`RoleExact:${role}`);
      entities.push({ uid: uid('RoleExact', role), attrs: {}, parents: (roleGroups.get(role) ?? []).map((g) => uid('Group', g)) });
      for (const g of roleGroups.get(role) ?? []) groups.push(g);
      addRoleChain(role, entities, keys, groups);
    }
    addGroups(groups, entities, keys);
    const slice = { entities, keys };
    slices.set(user, slice);
    return slice;
  };

  return {
    name: 'cedar',
    version: getCedarVersion(),
    policyText,
    notes: [
      `cedar-wasm ${getCedarVersion()} statefulIsAuthorized with a preparsed policy set (${policyText.split('\n').filter((l) => l.startsWith('permit')).length} policies), no schema`,
      'per call: the cached principal slice plus the resource entity (and the owner with its role chain for hierarchy types) is passed as `entities`',
    ],
    prepare(users: Iterable<string>): void {
      for (const u of users) sliceOf(u);
    },
    errors: () => errors,
    sliceSize(): number {
      let n = 0;
      for (const s of slices.values()) n += s.entities.length;
      return slices.size === 0 ? 0 : n / slices.size;
    },
    can(user: string, action: string, resource: Resource): boolean {
      const slice = sliceOf(user);
      const o = resource.owner!;
      const T = entityType(resource.type);
      const entities = slice.entities.slice();
      if ('user' in o) {
        entities.push({ uid: uid(T, resource.id), attrs: { ownerUser: ref('User', o.user) }, parents: [] });
        if (o.user !== user && hierarchyTypes.has(resource.type)) {
          entities.push(userEntity(o.user));
          const ownerRole = userRole.get(o.user);
          if (ownerRole !== undefined) {
            // The owner's role chain, minus what the principal's slice already holds.
            const keys = new Set<string>();
            for (let r: string | undefined = ownerRole; r !== undefined && !slice.keys.has(`Role:${r}`) && !keys.has(r); r = roleParent.get(r)) {
              keys.add(r);
              entities.push(roleEntity(r));
            }
          }
        }
      } else {
        entities.push({ uid: uid(T, resource.id), attrs: { ownerGroup: ref('Group', o.group) }, parents: [] });
      }
      const answer = statefulIsAuthorized({
        principal: uid('User', user),
        action: uid('Action', action),
        resource: uid(T, resource.id),
        context: {},
        preparsedPolicySetId: POLICY_SET_ID,
        entities,
      });
      if (answer.type !== 'success') throw new Error(`cedar: ${JSON.stringify(answer.errors)}`);
      errors += answer.response.diagnostics.errors.length;
      return answer.response.decision === 'allow';
    },
  };
}
