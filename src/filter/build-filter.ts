import type { Compiled, PrincipalRef } from '../compile/snapshot.js';
import type { AccessFilter, FilterClause, FilterSource } from '../decide/access-filter.js';
import type { DenialCode } from '../decide/decision.js';
import { gateTenants } from '../decide/gate.js';
import { readRequest } from '../decide/request.js';
import type { FilterParts, Owners } from '../decide/sources/source.js';
import { SOURCES } from '../decide/sources/table.js';
import type { Id } from '../model/ids.js';
import { expectId } from '../model/shape.js';

const byCodeUnit = (a: Id, b: Id): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Builds the filter of the records of `type` that `user` may `action`: the same verdict as `can`
 * for every record, as a condition on its owner, tenant, access groups and attributes. The gate
 * (steps 1-4) runs once for every tenant; each source of the decision table adds its clauses.
 */
export function buildFilter(c: Compiled, user: Id, action: string, type: string, at = NaN): AccessFilter {
  expectId(user, ['user'], 'user id');
  // Validates the type and action the way a check does.
  const req = readRequest(c, user, action, { type, id: 'filter', owner: { user } }, at);
  const base = { user, action, type, revision: c.revision };
  const none = (denial: DenialCode): AccessFilter => ({ ...base, kind: 'none', tenants: [], anyOf: [], sources: [], denial });
  const g = gateTenants(c, user, req.slot);
  if (typeof g === 'string') return none(g);
  const tenants = g.tenants;
  // Owners that reach records in any tenant, and owners that reach them in one tenant only (a
  // sharing rule applies in its own tenant). Kept apart structurally: no tenant id can stand for "any".
  const ownerUsers: Owners = { any: new Set(), byTenant: new Map() };
  const ownerGroups: Owners = { any: new Set(), byTenant: new Map() };
  const sources: FilterSource[] = [];
  const expanded = new Map<Id, Map<PrincipalRef['kind'], Set<number>>>();
  const parts: FilterParts = {
    c,
    s: g.s,
    req,
    need: req.slot.required,
    tenants: new Set(tenants),
    ownerUsers,
    ownerGroups,
    listed: new Map(),
    segments: [],
    shares: [],
    sources,
    firstTime(tenant, p) {
      let byKind = expanded.get(tenant);
      if (byKind === undefined) expanded.set(tenant, (byKind = new Map()));
      let seen = byKind.get(p.kind);
      if (seen === undefined) byKind.set(p.kind, (seen = new Set()));
      if (seen.has(p.num)) return false;
      seen.add(p.num);
      return true;
    },
  };
  for (const source of SOURCES) {
    if (source.clause(parts)) return { ...base, kind: 'all', tenants, anyOf: [], sources: sources.filter((s) => s.source === source.name) };
  }
  const sorted = (s: Set<Id>): Id[] => [...s].sort(byCodeUnit);
  const anyOf: FilterClause[] = [];
  for (const kind of ['ownerUser', 'ownerGroup'] as const) {
    const owners = kind === 'ownerUser' ? ownerUsers : ownerGroups;
    if (owners.any.size > 0) anyOf.push({ kind, ids: sorted(owners.any) });
    for (const [tenant, ids] of owners.byTenant) if (ids.size > 0) anyOf.push({ kind, ids: sorted(ids), tenant });
  }
  for (const [tenant, ids] of parts.listed) anyOf.push({ kind: 'accessGroup', ids: sorted(ids), tenant });
  for (const s of parts.segments) anyOf.push(s);
  for (const s of parts.shares) anyOf.push(s);
  return { ...base, kind: 'some', tenants, anyOf, sources };
}
