import { OutOfScopeError, quote } from '../errors/errors.js';
import type { Id } from '../model/ids.js';
import { DEFAULT_TENANT } from '../model/ids.js';
import type { Policy } from '../model/policy.js';
import type { Resource } from '../model/resource.js';
import { isPlainObject } from '../model/shape.js';
import { ownerFieldOf, tenantOf, typeOf } from '../decide/read-fields.js';
import { MAX_PARENT_CHAIN } from '../model/parent-chain.js';
import { userWithin, type TenantScope } from '../changes/tenant-scope.js';
import type { Queries, QueryOptions, UserQueries } from './types.js';

/*
 * The queries of a tenant-scoped engine: the same queries as any engine's, each behind a check
 * that its answer lies inside what the engine holds (changes/tenant-scope.ts). A query about a
 * record of a tenant it does not serve, a user or group it does not hold, or a user who acts in
 * tenants it does not hold, throws OutOfScopeError: the engine cannot tell an unknown id from one
 * it does not hold, so it never answers as if it could.
 */

/** Lists the requested tenants for a message. */
function served(scope: TenantScope): string {
  const list = scope.requested.slice(0, 5).map(quote).join(', ');
  return `${list}${scope.requested.length > 5 ? ', ...' : ''} and their descendants`;
}

/**
 * Where a settled record is, as the decision reads it: the tenant it is in and the top of its chain
 * of parents (the record itself for a type with access of its own); `tenant` undefined when that
 * cannot be read (the query itself then throws its InvalidInputError). One object per guard set,
 * reused: no allocation per query.
 */
interface Place {
  tenant: Id | undefined;
  top: object | undefined;
}

/** An own property's value, read once; undefined when the object does not have it as its own. */
const ownValue = (o: object, k: string): unknown => (Object.hasOwn(o, k) ? (o as Record<string, unknown>)[k] : undefined);

/**
 * The fields of a record that a decision reads (decide/read-fields.ts: type, id, tenant, owner,
 * parent, accessGroups, attributes, shares), each read exactly once (a getter runs once, an
 * inherited field never counts) into a fresh plain object, an absent one as `undefined` (which
 * every reader takes for absent); its owner likewise when it is `{ user }` or `{ group }` (an owner
 * with other fields is kept as it is: the decision refuses it either way). Other fields are left
 * out: no decision reads them, and their getters are never called. One shape for every record,
 * so the decision's reads of it stay fast.
 */
function settleOne(r: object): { tenant: unknown; type: unknown; owner: unknown; parent: unknown } {
  const copy = {
    type: ownValue(r, 'type'),
    id: ownValue(r, 'id'),
    tenant: ownValue(r, 'tenant'),
    owner: ownValue(r, 'owner'),
    parent: ownValue(r, 'parent'),
    accessGroups: ownValue(r, 'accessGroups'),
    attributes: ownValue(r, 'attributes'),
    shares: ownValue(r, 'shares'),
  };
  const owner = copy.owner;
  if (isPlainObject(owner)) {
    const keys = Object.keys(owner);
    let plain = true;
    for (const k of keys) if (k !== 'user' && k !== 'group') plain = false;
    if (plain) copy.owner = { user: ownValue(owner, 'user'), group: ownValue(owner, 'group') };
  }
  return copy;
}

/**
 * The record as the guard and the query will both read it, and where it is (into `out`): each
 * record of its chain of parents, up to the first of a type with access of its own, settled into
 * plain data (see {@link settleOne}), so that a getter or a proxy cannot show the guard one tenant
 * and the decision another. One walk up the chain for both. A controlled record without a tenant
 * of its own is in its parent's; the chain is bounded by the policy. Anything that is not plain
 * data is left as it is (the query refuses it).
 */
function settle(policy: Policy, resource: unknown, out: Place): unknown {
  out.tenant = undefined;
  out.top = undefined;
  if (!isPlainObject(resource)) return resource;
  const top = settleOne(resource);
  let cur = top;
  let tenant: Id | undefined;
  for (let depth = 0; depth <= MAX_PARENT_CHAIN + 1; depth++) {
    const own = tenantOf(cur);
    if (own !== undefined && typeof own !== 'string') return top;
    tenant ??= own;
    const type = typeOf(cur);
    if ((typeof type === 'string' ? policy.resourceTypes.get(type)?.controlledBy : undefined) === undefined) {
      out.tenant = tenant ?? DEFAULT_TENANT;
      out.top = cur;
      return top;
    }
    const parent = cur.parent;
    if (!isPlainObject(parent)) return top;
    cur = cur.parent = settleOne(parent);
  }
  return top;
}

/** The guards of one scope over one snapshot's policy. */
function guardsOf(scope: TenantScope, policy: Policy) {
  const tenants = scope.requested;
  const place: Place = { tenant: undefined, top: undefined };
  /** The record settled (see {@link settle}), once its tenant is known to be served; `place` says where it is until the next call. */
  const record = <R,>(input: R): R => {
    const resource = settle(policy, input, place) as R;
    if (place.tenant !== undefined && !scope.served.has(place.tenant)) {
      throw new OutOfScopeError({
        message: `the record is in tenant ${quote(place.tenant)}, which this engine does not serve (it serves ${served(scope)}); ask an instance that serves it`,
        ids: [place.tenant],
        path: ['resource', 'tenant'],
        tenants,
      });
    }
    return resource;
  };
  const user = (id: unknown): void => {
    if (typeof id === 'string' && !policy.users.has(id)) {
      throw new OutOfScopeError({
        message: `user ${quote(id)} is not held by this engine: it acts in none of the tenants the engine holds, or does not exist (the engine serves ${served(scope)}); ask an instance that serves its tenant`,
        ids: [id],
        path: ['user'],
        tenants,
      });
    }
  };
  const wholeUser = (id: unknown): void => {
    user(id);
    const u = typeof id === 'string' ? policy.users.get(id) : undefined;
    if (u !== undefined && !userWithin(u, scope.held)) {
      const outside = [...new Set([u.tenant, ...u.tenants])].filter((t) => !scope.held.has(t));
      throw new OutOfScopeError({
        message: `user ${quote(u.id)} acts in tenants this engine does not hold (${outside.slice(0, 5).map(quote).join(', ')}), so its groups and filters are not all here; ask an engine that serves them, or one opened without tenants`,
        ids: [u.id, ...outside],
        path: ['user'],
        tenants,
      });
    }
  };
  const group = (id: unknown): void => {
    if (typeof id === 'string' && !policy.groups.has(id)) {
      throw new OutOfScopeError({
        message: `group ${quote(id)} is not held by this engine: it is of a tenant the engine does not hold, or does not exist (the engine serves ${served(scope)})`,
        ids: [id],
        path: ['group'],
        tenants,
      });
    }
  };
  /** The top record of the last settled one (read before the query: a query may run caller code that asks again). */
  const topOf = (): object | undefined => place.top;
  /** Whether the owner of a settled record's top is held. */
  const owner = (top: object | undefined): void => {
    if (top === undefined) return;
    const o = ownerFieldOf(top);
    if (!isPlainObject(o)) return;
    const u = Object.hasOwn(o, 'user') ? o['user'] : undefined;
    const g = Object.hasOwn(o, 'group') ? o['group'] : undefined;
    const id = typeof u === 'string' ? u : typeof g === 'string' ? g : undefined;
    if (id === undefined) return;
    const held = typeof u === 'string' ? policy.users.has(u) : policy.groups.has(id);
    if (!held) {
      throw new OutOfScopeError({
        message: `the record's owner ${typeof u === 'string' ? 'user' : 'group'} ${quote(id)} is not held by this engine: it does not act in the record's tenant, or does not exist; ask an engine opened without tenants`,
        ids: [id],
        path: ['resource', 'owner'],
        tenants,
      });
    }
  };
  return { record, topOf, user, wholeUser, group, owner };
}

/** A user view whose every answer is guarded as the engine's are. */
function scopedUserView(view: UserQueries, g: ReturnType<typeof guardsOf>): UserQueries {
  return Object.freeze({
    user: view.user,
    revision: view.revision,
    can: (action: string, resource: Resource, options?: QueryOptions) => view.can(action, g.record(resource), options),
    check: (action: string, resource: Resource, options?: QueryOptions) => view.check(action, g.record(resource), options),
    explain: (action: string, resource: Resource, options?: QueryOptions & { readonly format?: 'text' | 'json' }) => view.explain(action, g.record(resource), options),
    filter: (action: string, type: string, options?: QueryOptions) => (g.wholeUser(view.user), view.filter(action, type, options)),
    groups: ((options?: QueryOptions & { readonly paths?: boolean }) => (g.wholeUser(view.user), view.groups(options as never))) as UserQueries['groups'],
    permittedFields: (resource: Resource, options?: QueryOptions) => view.permittedFields(g.record(resource), options),
  });
}

/**
 * The queries `q` of a snapshot holding `policy`, scoped to `scope`: every answer it gives equals
 * the answer of an engine holding the whole policy; every other query throws OutOfScopeError.
 */
export function scopedQueries(q: Queries, scope: TenantScope, policy: Policy): Queries {
  const g = guardsOf(scope, policy);
  const scoped: Queries = {
    revision: q.revision,
    policy: q.policy,
    // A user this engine does not hold is unknown to its snapshot, so the decision denies it: the
    // user is looked up only then, off the path of an allow.
    check: (u, a, r, o) => {
      const d = q.check(u, a, g.record(r), o);
      if (d.denial === 'unknown-user') g.user(u);
      return d;
    },
    can: (u, a, r, o) => {
      const allowed = q.can(u, a, g.record(r), o);
      if (!allowed) g.user(u);
      return allowed;
    },
    explain: (u, a, r, o) => {
      const x = g.record(r);
      g.user(u);
      return q.explain(u, a, x, o);
    },
    groupsOf: ((u: Id, o?: QueryOptions & { readonly paths?: boolean }) => (g.wholeUser(u), q.groupsOf(u, o as never))) as Queries['groupsOf'],
    membersOf: (group, o) => (g.group(group), q.membersOf(group, o)),
    effectiveOwners: (r, o) => {
      const x = g.record(r);
      const top = g.topOf();
      const answer = q.effectiveOwners(x, o);
      g.owner(top);
      return answer;
    },
    whoCan: (a, r, o) => q.whoCan(a, g.record(r), o),
    permittedFields: (u, r, o) => {
      const x = g.record(r);
      g.user(u);
      return q.permittedFields(u, x, o);
    },
    filter: (u, a, t, o) => (g.wholeUser(u), q.filter(u, a, t, o)),
    for: (u) => (g.user(u), scopedUserView(q.for(u), g)),
  };
  return scoped;
}
