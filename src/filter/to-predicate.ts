import { InvalidInputError } from '../errors/errors.js';
import { DEFAULT_TENANT, type Id } from '../model/ids.js';
import { MAX_PARENT_CHAIN } from '../model/parent-chain.js';
import type { Resource } from '../model/resource.js';
import { segmentMatches } from '../model/segment-match.js';
import type { AccessFilter, FilterClause } from '../decide/access-filter.js';
import { compileShareClause, sharedBy, type ShareTest } from './share-clause.js';

/**
 * A clause with its id list turned into a set once, so a user in 10,000 groups still tests in
 * O(1); a `parent` clause with its filter compiled; a `share` clause with its test.
 */
type Compiled = { readonly clause: FilterClause; readonly ids: ReadonlySet<Id>; readonly parent?: (resource: Resource) => boolean; readonly share?: ShareTest };

const NO_IDS: ReadonlySet<Id> = new Set();

/** A field of a record: own properties only (never one from Object.prototype), as `check` reads it. */
function field(o: unknown, key: string): unknown {
  return typeof o === 'object' && o !== null && Object.hasOwn(o, key) ? (o as Record<string, unknown>)[key] : undefined;
}

/** A record's own tenant (null, as a row's NULL column, is none). */
function ownTenant(r: unknown): unknown {
  return field(r, 'tenant') ?? undefined;
}

/**
 * The tenant of a record of a controlled type: its own, else its parent's, and so on up the chain
 * of parents (at most MAX_PARENT_CHAIN links); `default` at the top.
 */
function tenantUp(r: unknown): unknown {
  let x: unknown = r;
  for (let i = 0; i <= MAX_PARENT_CHAIN + 1; i++) {
    const t = ownTenant(x);
    if (t !== undefined) return t;
    const p = field(x, 'parent') ?? undefined;
    if (p === undefined) return DEFAULT_TENANT;
    x = p;
  }
  return undefined;
}

function holds({ clause, ids, parent, share }: Compiled, r: Resource, tenant: Id): boolean {
  if (clause.kind === 'parent') {
    // The parent passes its filter, and the record is in its parent's tenant.
    const p = field(r, 'parent');
    return typeof p === 'object' && p !== null && tenantUp(p) === tenant && parent !== undefined && parent(p as Resource);
  }
  if (field(clause, 'tenant') !== undefined && clause.tenant !== tenant) return false;
  const owner = field(r, 'owner');
  switch (clause.kind) {
    case 'ownerUser': {
      const user = field(owner, 'user');
      return typeof user === 'string' && ids.has(user);
    }
    case 'ownerGroup': {
      const group = field(owner, 'group');
      return typeof group === 'string' && ids.has(group);
    }
    case 'accessGroup': {
      const listed = field(r, 'accessGroups');
      if (!Array.isArray(listed)) return false;
      for (let i = 0; i < listed.length; i++) {
        const id: unknown = field(listed, String(i));
        if (typeof id === 'string' && ids.has(id)) return true;
      }
      return false;
    }
    case 'segment':
      return segmentMatches(clause.segment, field(r, 'attributes'));
    case 'share':
      return share !== undefined && sharedBy(share, field(r, 'shares'));
  }
}

/**
 * Compiles a filter to a function over records in memory: true exactly for the records of the
 * filter's type that `can(user, action, record)` allows. A record of a controlled type carries its
 * parent (`parent`), on which the filter's `parent` clause is evaluated.
 * @example
 * ```ts
 * const visible = leads.filter(toPredicate(engine.filter('u1', 'view', 'lead')));
 * ```
 */
export function toPredicate(filter: AccessFilter): (resource: Resource) => boolean {
  return compile(filter, 0);
}

function compile(filter: AccessFilter, depth: number): (resource: Resource) => boolean {
  if (depth > MAX_PARENT_CHAIN) throw new InvalidInputError({ message: `the filter nests parent clauses more than ${MAX_PARENT_CHAIN} deep`, path: ['filter'] });
  if (filter.kind === 'none') return () => false;
  const tenants = new Set(filter.tenants);
  const compiled: Compiled[] = filter.anyOf.map((clause) =>
    clause.kind === 'parent'
      ? { clause, ids: NO_IDS, parent: compile(clause.filter, depth + 1) }
      : clause.kind === 'share'
        ? { clause, ids: NO_IDS, share: compileShareClause(clause) }
        : { clause, ids: clause.kind === 'segment' ? NO_IDS : new Set(clause.ids) },
  );
  // A filter with a `parent` clause is of a controlled type: a record without a tenant is in its parent's.
  const controlled = compiled.some((c) => c.parent !== undefined);
  return (r) => {
    if (r === null || typeof r !== 'object' || field(r, 'type') !== filter.type) return false;
    const tenant = controlled ? tenantUp(r) : ((field(r, 'tenant') as Id | null | undefined) ?? DEFAULT_TENANT);
    if (typeof tenant !== 'string') return false;
    if (!tenants.has(tenant)) return false;
    if (filter.kind === 'all') return true;
    return compiled.some((c) => holds(c, r, tenant));
  };
}
