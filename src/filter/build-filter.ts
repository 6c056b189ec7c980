import { compareFilterSources } from '../decide/canonical-order.js';
import type { Compiled, PrincipalRef } from '../compile/snapshot.js';
import type { AccessFilter, FilterClause, FilterSource } from '../decide/access-filter.js';
import type { DenialCode } from '../decide/decision.js';
import { gateTenants } from '../decide/gate.js';
import { readTypeRequest, type Request } from '../decide/request.js';
import type { FilterParts, Owners, Subject } from '../decide/sources/source.js';
import { OWN_SOURCES } from '../decide/sources/table.js';
import { compareIds, type Id } from '../model/ids.js';
import { levelOfRank } from '../model/level.js';
import { MAX_PARENT_CHAIN } from '../model/parent-chain.js';
import { expectId } from '../model/shape.js';


/**
 * Builds the filter of the records of `type` that `user` may `action`: the same verdict as `can`
 * for every record, as a condition on its owner, tenant, access groups and attributes. The gate
 * (steps 1-4) runs once for every tenant; each source of the decision table adds its clauses.
 */
export function buildFilter(c: Compiled, user: Id, action: string, type: string, at = NaN): AccessFilter {
  expectId(user, ['user'], 'user id');
  // Validates the type and action the way a check does. One instant for the whole filter (its
  // share clauses hold it), read from the clock when none is given.
  const req = readTypeRequest(c, action, type, at === at ? at : c.clock());
  const base = { user, action, type, revision: c.revision };
  const none = (denial: DenialCode): AccessFilter => ({ ...base, kind: 'none', tenants: [], anyOf: [], sources: [], denial });
  const g = gateTenants(c, user, req.slot);
  if (typeof g === 'string') return none(g);
  const tenants = g.tenants;
  const need = req.slot.required;
  if (req.type.controlledBy === undefined) return { ...base, tenants, ...ownAccess(c, g.s, req, tenants, need) };
  // A controlled type (steps 1-4 above were its own): record access is its parent's, at the level
  // the action needs. The chain of types up to one with access of its own, then the filter of each
  // parent type wrapped in the `parent` clause of its child, from the top down. Iterative.
  const chain: Request[] = [req];
  for (let t = req.type; t.controlledBy !== undefined && chain.length <= MAX_PARENT_CHAIN; ) {
    const parent = c.frame.types.get(t.controlledBy);
    if (parent === undefined) break;
    chain.push({ ...req, type: parent });
    t = parent;
  }
  const top = chain[chain.length - 1] as Request;
  let part: Access = ownAccess(c, g.s, top, tenants, need);
  for (let i = chain.length - 2; i >= 0; i--) {
    const parentType = (chain[i + 1] as Request).type.def.name;
    const inner: AccessFilter = { user, action, type: parentType, revision: c.revision, tenants, ...part };
    part =
      inner.kind === 'some' && inner.anyOf.length === 0
        ? { kind: 'some', anyOf: [], sources: [] }
        : { kind: 'some', anyOf: [{ kind: 'parent', type: parentType, filter: inner }], sources: [{ source: 'parent', level: levelOfRank(need) }] };
  }
  return { ...base, tenants, ...part };
}

/** The record-access part of a filter: every record (`all`), or those of one of the clauses. */
/** Segment clauses by tenant, then access group (every clause in `segments` is one). */
function bySegment(a: FilterClause, b: FilterClause): number {
  const key = (x: FilterClause): readonly [Id, Id] => (x.kind === 'segment' ? [x.tenant, x.accessGroup] : ['', '']);
  const [ta, ga] = key(a);
  const [tb, gb] = key(b);
  return compareIds(ta, tb) || compareIds(ga, gb);
}

type Access = Pick<AccessFilter, 'kind' | 'anyOf' | 'sources'>;

/** The record-access part of the filter of a type with access of its own: each own source adds its clauses. */
function ownAccess(c: Compiled, s: Subject, req: Request, tenants: readonly Id[], need: number): Access {
  // Owners that reach records in any tenant, and owners that reach them in one tenant only (a
  // sharing rule applies in its own tenant). Kept apart structurally: no tenant id can stand for "any".
  const ownerUsers: Owners = { any: new Set(), byTenant: new Map() };
  const ownerGroups: Owners = { any: new Set(), byTenant: new Map() };
  const sources: FilterSource[] = [];
  const expanded = new Map<Id, Map<PrincipalRef['kind'], Set<number>>>();
  const parts: FilterParts = {
    c,
    s,
    req,
    need,
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
  for (const source of OWN_SOURCES) {
    if (source.clause(parts)) return { kind: 'all', anyOf: [], sources: sources.filter((x) => x.source === source.name).sort(compareFilterSources) };
  }
  // Every list in id order (see decide/canonical-order.ts): not in the order entities were numbered.
  const sorted = (x: Set<Id>): Id[] => [...x].sort(compareIds);
  const byTenant = <T,>(m: ReadonlyMap<Id, T>): [Id, T][] => [...m].sort((a, b) => compareIds(a[0], b[0]));
  const anyOf: FilterClause[] = [];
  for (const kind of ['ownerUser', 'ownerGroup'] as const) {
    const owners = kind === 'ownerUser' ? ownerUsers : ownerGroups;
    if (owners.any.size > 0) anyOf.push({ kind, ids: sorted(owners.any) });
    for (const [tenant, ids] of byTenant(owners.byTenant)) if (ids.size > 0) anyOf.push({ kind, ids: sorted(ids), tenant });
  }
  for (const [tenant, ids] of byTenant(parts.listed)) anyOf.push({ kind: 'accessGroup', ids: sorted(ids), tenant });
  for (const x of [...parts.segments].sort(bySegment)) anyOf.push(x);
  for (const x of parts.shares) anyOf.push(x);
  return { kind: 'some', anyOf, sources: sources.sort(compareFilterSources) };
}
