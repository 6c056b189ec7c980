import { DEFAULT_TENANT, type Id } from '../model/ids.js';
import type { Policy, User } from '../model/policy.js';
import type { PolicyInput, UserInput } from '../model/policy-input.js';
import { toPolicyInput } from '../model/serialize.js';
import { normalizePolicy } from '../model/normalize.js';
import { isIdMap } from '../model/id-map.js';
import { fail } from '../model/shape.js';
import { quote } from '../errors/errors.js';

/*
 * Scale-out by tenant (docs/scale-out.md): an engine opened with `tenants` holds only the part of
 * the policy that its answers about those tenants depend on. What that part is follows from the
 * tenant rules of section 2 of the spec:
 *
 * - `served`: the given tenants and their descendants. Queries about records of other tenants are
 *   refused (OutOfScopeError), never answered.
 * - the users who act in a served tenant (their own tenant or one of `tenants`, or an ancestor of
 *   either, is an ancestor-or-self of a served tenant): they are the only ones a check about a
 *   served record can allow, so each must be held with everything its decisions read.
 * - `held`: the served tenants and every tenant those users act in (descendants included). A user
 *   is a member only of groups of tenants it acts in, a role's users and a group's nested groups
 *   are of the group's own tenant, so the roles, groups, sharing rules and access groups of the held
 *   tenants are everything such a user's memberships, capabilities and filters read.
 * - the users who act in a held tenant: the members a held group may list, the owners a hierarchy
 *   may reach. A user whose own tenant is not held keeps its tenant, tenants, status and level but
 *   not its role (a role of an unheld tenant, which no held user's hierarchy can reach).
 * - every tenant (a few thousand at most; ceilings and the tree), resource type and access level.
 *
 * Both sets are closed under descendants, so "a user acts only in held tenants" is "its tenant and
 * every one of its tenants are held". A scoped policy is itself a valid policy, and scoping it again
 * changes nothing.
 *
 * The scope is computed in two halves so that a repository can compute it without the policy
 * (`PolicyRepository.loadTenants`): `servedOf` needs only the tenant tree, and `scopeFrom` adds the
 * tenants of the users who act in a served tenant, which one query can return.
 */

const EMPTY: ReadonlyMap<Id, never> = new Map<Id, never>();

/**
 * What to do with a requested tenant the policy does not declare: `refuse` (an `InvalidInputError`
 * naming it; the default) or `skip` (it serves nothing: an engine following a policy in which one
 * of its tenants was deleted).
 */
export type MissingTenants = 'refuse' | 'skip';

/** The tenants a scoped engine serves and holds (see the comment above). */
export interface TenantScope {
  /** The tenants asked for, in the order given, without repeats. */
  readonly requested: readonly Id[];
  /** The requested tenants and their descendants: the records it answers about. */
  readonly served: ReadonlySet<Id>;
  /** `served` and the ancestors of served tenants: a user acting in one of these acts in a served tenant. */
  readonly servedUp: ReadonlySet<Id>;
  /** The tenants whose roles, groups, rules and access groups it holds, all of them; closed under descendants. */
  readonly held: ReadonlySet<Id>;
  /** `held` and the ancestors of held tenants. */
  readonly heldUp: ReadonlySet<Id>;
}

/** The tree of tenants as parent links, read from a policy's tenants (the implicit `default` included). */
export interface TenantTree {
  parentOf(id: Id): Id | undefined;
  childrenOf(id: Id): readonly Id[];
  has(id: Id): boolean;
}

/** The tenant tree of a policy. */
export function tenantTree(policy: Policy): TenantTree {
  return tenantTreeOf(policy.tenants.values());
}

/**
 * The tenant tree of tenant records (an id and an optional parent each), for a reader that has the
 * tenants but no policy yet (a repository's `loadTenants` reads the tenants table first). The
 * implicit `default` exists whether or not it is listed.
 */
export function tenantTreeOf(tenants: Iterable<{ readonly id: Id; readonly parent?: Id | undefined }>): TenantTree {
  const parents = new Map<Id, Id | undefined>();
  const children = new Map<Id, Id[]>();
  for (const t of tenants) {
    parents.set(t.id, t.parent);
    if (t.parent === undefined) continue;
    let list = children.get(t.parent);
    if (list === undefined) children.set(t.parent, (list = []));
    list.push(t.id);
  }
  return {
    parentOf: (id) => parents.get(id),
    childrenOf: (id) => children.get(id) ?? [],
    has: (id) => parents.has(id) || id === DEFAULT_TENANT,
  };
}

/** Adds `root` and its descendants to `out`. Iterative; a tenant already in `out` is not walked again. */
export function addSubtree(tree: TenantTree, root: Id, out: Set<Id>): void {
  const stack = [root];
  while (stack.length > 0) {
    const t = stack.pop() as Id;
    if (out.has(t)) continue;
    out.add(t);
    for (const c of tree.childrenOf(t)) stack.push(c);
  }
}

/** `set` and the ancestors of its tenants. Cycle-safe (the tree has none once validated; the bound holds anyway). */
export function withAncestors(tree: TenantTree, set: ReadonlySet<Id>): Set<Id> {
  const out = new Set<Id>(set);
  for (const t of set) {
    let p = tree.parentOf(t);
    while (p !== undefined && !out.has(p)) {
      out.add(p);
      p = tree.parentOf(p);
    }
  }
  return out;
}

/** Whether the user's tenant or one of its tenants is in `set`. */
export function userTouches(user: Pick<User, 'tenant' | 'tenants'>, set: ReadonlySet<Id>): boolean {
  if (set.has(user.tenant)) return true;
  for (const t of user.tenants) if (set.has(t)) return true;
  return false;
}

/** Whether the user acts only in tenants of `set` (a set closed under descendants). */
export function userWithin(user: Pick<User, 'tenant' | 'tenants'>, set: ReadonlySet<Id>): boolean {
  if (!set.has(user.tenant)) return false;
  for (const t of user.tenants) if (!set.has(t)) return false;
  return true;
}

/**
 * Reads the `tenants` option: a non-empty list of tenant ids, each declared in the policy (or the
 * implicit `default`) unless `missing` is `skip` (a tenant deleted since: it serves nothing). Repeats are dropped.
 */
export function readRequestedTenants(value: unknown, tree: TenantTree | undefined, missing: MissingTenants = 'refuse'): Id[] {
  if (!Array.isArray(value) || value.length === 0) fail(['tenants'], 'expected a non-empty array of tenant ids: the tenants this engine serves');
  const out: Id[] = [];
  const seen = new Set<Id>();
  for (let i = 0; i < value.length; i++) {
    if (!Object.hasOwn(value, i)) fail(['tenants', i], 'expected a tenant id, got a hole');
    const t: unknown = value[i];
    if (typeof t !== 'string' || t.length === 0) fail(['tenants', i], 'expected a tenant id (a non-empty string)');
    if (tree !== undefined && missing === 'refuse' && !tree.has(t)) fail(['tenants', i], `tenant ${quote(t)} does not exist in the policy; serve tenants it declares`, [t]);
    if (!seen.has(t)) {
      seen.add(t);
      out.push(t);
    }
  }
  return out;
}

/** The scope of `requested` tenants in a policy (the full one, or one already scoped to them). */
export function scopeOf(policy: Policy, requested: readonly Id[]): TenantScope {
  const tree = tenantTree(policy);
  const served = servedOf(tree, requested);
  const actorTenants: Id[] = [];
  for (const u of policy.users.values()) if (userTouches(u, served.servedUp)) actorTenants.push(u.tenant, ...u.tenants);
  return scopeFrom(tree, requested, served, actorTenants);
}

/** The first half of a scope: `served` (the requested tenants and their descendants) and `servedUp`. */
export function servedOf(tree: TenantTree, requested: readonly Id[]): Pick<TenantScope, 'served' | 'servedUp'> {
  const served = new Set<Id>();
  // A requested tenant the tree does not have (deleted since the engine opened) serves nothing.
  for (const t of requested) if (tree.has(t)) addSubtree(tree, t, served);
  return { served, servedUp: withAncestors(tree, served) };
}

/**
 * The whole scope from its first half and `actorTenants`: the tenant and every one of the tenants
 * of each user who acts in a served tenant (`userTouches(user, servedUp)`), in any order, repeats
 * allowed. `scopeOf` reads them from a policy; a repository may read them with a query.
 */
export function scopeFrom(tree: TenantTree, requested: readonly Id[], served: Pick<TenantScope, 'served' | 'servedUp'>, actorTenants: Iterable<Id>): TenantScope {
  const held = new Set<Id>(served.served);
  for (const t of actorTenants) addSubtree(tree, t, held);
  return { requested: Object.freeze([...requested]), served: served.served, servedUp: served.servedUp, held, heldUp: withAncestors(tree, held) };
}

/** A user as a scoped policy holds it: without its role when its own tenant is not held. */
export function scopedUser<U extends UserInput>(user: U, held: ReadonlySet<Id>): U {
  if (user.role === undefined || held.has(user.tenant ?? DEFAULT_TENANT)) return user;
  const { role: _dropped, ...rest } = user;
  return rest as U;
}

/**
 * The part of `policy` an engine serving `requested` holds (see the comment at the top), as plain
 * data, with its scope. Repositories that load a tenant subset themselves
 * (`PolicyRepository.loadTenants`) must return exactly this.
 * @example
 * ```ts
 * const { policy: part } = scopePolicy(fullPolicy, ['client-a', 'client-b']);
 * ```
 */
export function scopePolicy(policy: Policy | PolicyInput, requested: readonly Id[], options?: { readonly missing?: MissingTenants }): { readonly policy: PolicyInput; readonly scope: TenantScope } {
  const full = isIdMap((policy as Policy).users) ? (policy as Policy) : normalizePolicy(policy);
  const tree = tenantTree(full);
  const wanted = readRequestedTenants(requested, tree, options?.missing);
  const scope = scopeOf(full, wanted);
  const byTenant = <T extends { readonly tenant: Id }>(m: ReadonlyMap<Id, T>): T[] => [...m.values()].filter((e) => scope.held.has(e.tenant));
  const users: User[] = [];
  for (const u of full.users.values()) if (userTouches(u, scope.heldUp)) users.push(scopedUser(u, scope.held));
  // In the policy's own order, unsorted: answers do not depend on the order (they are in id order,
  // see decide/canonical-order.ts), so sorting a million users would buy nothing.
  const all = toPolicyInput({ ...full, roles: EMPTY, users: EMPTY, groups: EMPTY, sharingRules: EMPTY, accessGroups: EMPTY } as unknown as Policy);
  return {
    policy: {
      ...all,
      tenants: [...full.tenants.values()],
      roles: byTenant(full.roles),
      users,
      groups: byTenant(full.groups),
      sharingRules: byTenant(full.sharingRules),
      accessGroups: byTenant(full.accessGroups),
    },
    scope,
  };
}
