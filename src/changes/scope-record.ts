import { DEFAULT_TENANT, type Id } from '../model/ids.js';
import type { Policy } from '../model/policy.js';
import { normalizeAccessGroup, normalizeGroup, normalizeRole, normalizeSharingRule, normalizeTenant, normalizeUser } from '../model/normalize.js';
import type { ReadOp } from './change-record-of.js';
import { scopedUser, userTouches, userWithin, type TenantScope } from './tenant-scope.js';

/*
 * Following a change log on a tenant-scoped engine (see tenant-scope.ts): each entity op of a
 * record is kept (it is about something the engine holds, or makes something held), turned into a
 * deletion (what it writes leaves the held part), or dropped (it is about another tenant's part and
 * stays there). A record the engine cannot follow op by op (one that makes the held part grow
 * beyond what it holds, or moves a tenant in the tree) asks for a reload of the scoped policy.
 *
 * Why op by op is enough: the held part only ever grows here (a user or entity that leaves it is
 * deleted, a new tenant joins the sets its parent is in), and every reference an entity of a held
 * tenant makes is to a user acting in that tenant or to an entity of that tenant, all held; a
 * writer validated the record against the whole policy, so a held entity that still names
 * something after the record names something held.
 */

/** What a record becomes on a scoped engine. */
export type ScopedRecord = { readonly ops: readonly ReadOp[]; readonly scope: TenantScope; readonly reload?: undefined } | { readonly reload: string };

type Held = 'users' | 'roles' | 'groups' | 'sharingRules' | 'accessGroups';

const PATH = ['changeRecord', 'ops'];

/** The tenant an entity of a tenant-owned collection is in, normalized as the engine will read it. */
function tenantOfEntity(collection: Exclude<Held, 'users'>, entity: unknown): Id {
  switch (collection) {
    case 'roles':
      return normalizeRole(entity, PATH).tenant;
    case 'groups':
      return normalizeGroup(entity, PATH).tenant;
    case 'sharingRules':
      return normalizeSharingRule(entity, PATH).tenant;
    case 'accessGroups':
      return normalizeAccessGroup(entity, PATH).tenant;
  }
}

/**
 * The ops of a record as an engine holding `policy` under `scope` applies them, and the scope after
 * them; or `{ reload }` with the reason when it must load its part of the policy again.
 */
export function scopeRecord(ops: readonly ReadOp[], policy: Policy, scope: TenantScope): ScopedRecord {
  let served = scope.served as Set<Id>;
  let servedUp = scope.servedUp as Set<Id>;
  let held = scope.held as Set<Id>;
  let heldUp = scope.heldUp as Set<Id>;
  let grown = false;
  const grow = (): void => {
    if (grown) return;
    grown = true;
    served = new Set(served);
    servedUp = new Set(servedUp);
    held = new Set(held);
    heldUp = new Set(heldUp);
  };
  // Whether each entity is held after the ops so far (the policy's answer until an op says otherwise).
  const overlay = new Map<Held, Map<Id, boolean>>();
  const isHeld = (c: Held, id: Id): boolean => overlay.get(c)?.get(id) ?? policy[c].has(id);
  const setHeld = (c: Held, id: Id, v: boolean): void => {
    let m = overlay.get(c);
    if (m === undefined) overlay.set(c, (m = new Map()));
    m.set(id, v);
  };
  // The parent of each tenant this record writes, as written so far (a deletion reloads instead).
  const tenantsNow = new Map<Id, Id | undefined>();
  const exists = (id: Id): boolean => tenantsNow.has(id) || policy.tenants.has(id) || id === DEFAULT_TENANT;

  const out: ReadOp[] = [];
  // Tenants first: a record that adds a tenant and its users must find the tenant in the sets.
  // New tenants and their parents, which may themselves be new (listed in any order).
  const fresh = new Map<Id, Id>();
  for (const op of ops) {
    if (op.op === 'set' || op.collection !== 'tenants') continue;
    if (op.op === 'delete') return { reload: `tenant ${op.id} is deleted` };
    const t = normalizeTenant(op.entity, PATH);
    if (exists(t.id)) {
      const before = tenantsNow.has(t.id) ? tenantsNow.get(t.id) : policy.tenants.get(t.id)?.parent;
      if (before !== t.parent) return { reload: `tenant ${t.id} moves in the tree` };
    } else if (scope.requested.includes(t.id)) {
      // A requested tenant created again (deleted since, now back, anywhere in the tree).
      return { reload: `tenant ${t.id}, one this engine serves, is created again` };
    } else if (t.parent !== undefined) fresh.set(t.id, t.parent);
    tenantsNow.set(t.id, t.parent);
    out.push(op);
  }
  // A new tenant is in every set its nearest tenant that is not new is in: the sets stay closed
  // under descendants. (The writer validated the tree: the walk ends.)
  if (fresh.size > 0) {
    grow();
    for (const id of fresh.keys()) {
      let p = fresh.get(id) as Id;
      for (let steps = 0; fresh.has(p) && steps <= fresh.size; steps++) p = fresh.get(p) as Id;
      if (served.has(p)) {
        served.add(id);
        servedUp.add(id);
      }
      if (held.has(p)) {
        held.add(id);
        heldUp.add(id);
      }
    }
  }
  // The other ops; the ops of one record land together, so their order across collections does not matter.
  for (const op of ops) {
    if (op.op === 'set' || op.collection === 'resourceTypes') {
      out.push(op);
      continue;
    }
    if (op.collection === 'tenants') continue;
    if (op.op === 'delete') {
      if (isHeld(op.collection, op.id)) {
        out.push(op);
        setHeld(op.collection, op.id, false);
      }
      continue;
    }
    if (op.collection === 'users') {
      const u = normalizeUser(op.entity, PATH);
      if (userTouches(u, servedUp)) {
        // It acts in a served tenant: everything it acts in must be held already.
        if (!userWithin(u, held)) return { reload: `user ${u.id} acts in a served tenant and in tenants this engine does not hold` };
        out.push(op);
        setHeld('users', op.key, true);
      } else if (userTouches(u, heldUp)) {
        out.push({ op: 'put', collection: 'users', key: op.key, entity: scopedUser(u, held) });
        setHeld('users', op.key, true);
      } else if (isHeld('users', op.key)) {
        out.push({ op: 'delete', collection: 'users', id: op.key });
        setHeld('users', op.key, false);
      }
      continue;
    }
    if (held.has(tenantOfEntity(op.collection, op.entity))) {
      out.push(op);
      setHeld(op.collection, op.key, true);
    } else if (isHeld(op.collection, op.key)) {
      out.push({ op: 'delete', collection: op.collection, id: op.key });
      setHeld(op.collection, op.key, false);
    }
  }
  return { ops: out, scope: grown ? { requested: scope.requested, served, servedUp, held, heldUp } : scope };
}
