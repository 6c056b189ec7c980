import { DEFAULT_TENANT, type Id } from '../model/ids.js';
import type { Resource } from '../model/resource.js';
import { segmentMatches } from '../model/segment-match.js';
import type { AccessFilter, FilterClause } from '../decide/access-filter.js';
import { compileShareClause, sharedBy, type ShareTest } from './share-clause.js';

/** A clause with its id list turned into a set once, so a user in 10,000 groups still tests in O(1). */
type Compiled = { readonly clause: FilterClause; readonly ids: ReadonlySet<Id>; readonly share: ShareTest | undefined };

const NO_IDS: ReadonlySet<Id> = new Set();

function compile(clause: FilterClause): Compiled {
  if (clause.kind === 'share') return { clause, ids: NO_IDS, share: compileShareClause(clause) };
  return { clause, ids: clause.kind === 'segment' ? NO_IDS : new Set(clause.ids), share: undefined };
}

/** A field of a record: own properties only (never one from Object.prototype), as `check` reads it. */
function field(o: unknown, key: string): unknown {
  return typeof o === 'object' && o !== null && Object.hasOwn(o, key) ? (o as Record<string, unknown>)[key] : undefined;
}

function holds({ clause, ids, share }: Compiled, r: Resource, tenant: Id): boolean {
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
 * filter's type that `can(user, action, record)` allows.
 * @example
 * ```ts
 * const visible = leads.filter(toPredicate(engine.filter('u1', 'view', 'lead')));
 * ```
 */
export function toPredicate(filter: AccessFilter): (resource: Resource) => boolean {
  if (filter.kind === 'none') return () => false;
  const tenants = new Set(filter.tenants);
  const compiled: Compiled[] = filter.anyOf.map(compile);
  return (r) => {
    if (r === null || typeof r !== 'object' || field(r, 'type') !== filter.type) return false;
    const tenant = (field(r, 'tenant') as Id | null | undefined) ?? DEFAULT_TENANT;
    if (typeof tenant !== 'string') return false;
    if (!tenants.has(tenant)) return false;
    if (filter.kind === 'all') return true;
    return compiled.some((c) => holds(c, r, tenant));
  };
}
