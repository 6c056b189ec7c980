import { DEFAULT_TENANT, type Id } from '../model/ids.js';
import type { Resource } from '../model/resource.js';
import { segmentMatches } from '../model/segment-match.js';
import type { AccessFilter, FilterClause } from './access-filter.js';

/** A clause with its id list turned into a set once, so a user in 10,000 groups still tests in O(1). */
type Compiled = { readonly clause: FilterClause; readonly ids: ReadonlySet<Id> };

/** An own property of a record (or of its owner); inherited ones, from a polluted prototype, never count. */
function own(o: unknown, key: string): unknown {
  return typeof o === 'object' && o !== null && Object.prototype.hasOwnProperty.call(o, key) ? (o as Record<string, unknown>)[key] : undefined;
}

function holds({ clause, ids }: Compiled, r: Resource, tenant: Id): boolean {
  if (clause.tenant !== undefined && clause.tenant !== tenant) return false;
  switch (clause.kind) {
    case 'ownerUser': {
      const user = own(own(r, 'owner'), 'user');
      return typeof user === 'string' && ids.has(user);
    }
    case 'ownerGroup': {
      const group = own(own(r, 'owner'), 'group');
      return typeof group === 'string' && ids.has(group);
    }
    case 'accessGroup': {
      const listed = own(r, 'accessGroups');
      return Array.isArray(listed) && listed.some((id) => typeof id === 'string' && ids.has(id));
    }
    case 'segment':
      return segmentMatches(clause.segment, own(r, 'attributes'));
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
  const compiled: Compiled[] = filter.anyOf.map((clause) => ({ clause, ids: new Set(clause.kind === 'segment' ? [] : clause.ids) }));
  return (r) => {
    if (r === null || typeof r !== 'object' || own(r, 'type') !== filter.type) return false;
    const t = own(r, 'tenant');
    const tenant = t ?? DEFAULT_TENANT;
    if (typeof tenant !== 'string') return false;
    if (!tenants.has(tenant)) return false;
    if (filter.kind === 'all') return true;
    return compiled.some((c) => holds(c, r, tenant));
  };
}
