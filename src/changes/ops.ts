import { quote, type ErrorPath } from '../errors/errors.js';
import { deepFreeze } from '../model/freeze.js';
import { editIdMap, type IdMap } from '../model/id-map.js';
import type { Id } from '../model/ids.js';
import {
  normalizeAccessGroup,
  normalizeGroup,
  normalizeRole,
  normalizeSharingRule,
  normalizeTenant,
  normalizeUser,
} from '../model/normalize.js';
import type { Policy } from '../model/policy.js';
import { bare, fail } from '../model/shape.js';
import type { ChangeSet, EntityCollection, FrameChanges } from './change-set.js';

/*
 * Operations: the currency of every change. A command emits operations, a recipe is read into
 * operations (see `opsOfRecipe` in recipe-ops.ts), a change record is replayed as operations; the
 * one step below turns operations into the next policy and the change set that validation and the
 * compiled snapshot consume. Entities in operations are normalized (plain, prototype-less data).
 */

/** The collections an operation may write: the entity collections and the tenants. */
export type OpCollection = EntityCollection | 'tenants';

/** One operation: an entity written (whole, normalized) or deleted. */
export type Op =
  | { readonly op: 'put'; readonly collection: OpCollection; readonly id: Id; readonly entity: { readonly id: Id } }
  | { readonly op: 'delete'; readonly collection: OpCollection; readonly id: Id };

const NORMALIZE: Readonly<Record<OpCollection, (v: unknown, p: ErrorPath) => { id: Id }>> = {
  users: normalizeUser,
  roles: normalizeRole,
  groups: normalizeGroup,
  sharingRules: normalizeSharingRule,
  accessGroups: normalizeAccessGroup,
  tenants: normalizeTenant,
};

/**
 * The operation that writes `value` (caller data: a recipe's draft result, a change record's
 * entity) at `id`: normalized, so that the policy holds a plain copy read once, never the object
 * given. Throws `InvalidInputError` with the path on a malformed entity.
 */
export function putOp(collection: OpCollection, id: Id, value: unknown): Op {
  return { op: 'put', collection, id, entity: NORMALIZE[collection](value, [collection, id]) };
}

/** The next policy and what changed: `policy` with the operations applied, in order (a later one on the same id wins). */
export function applyOps(policy: Policy, ops: readonly Op[]): { readonly next: Policy; readonly changes: ChangeSet } {
  const puts = new Map<OpCollection, Map<Id, { readonly id: Id }>>();
  const deletes = new Map<OpCollection, Set<Id>>();
  for (const o of ops) {
    let p = puts.get(o.collection);
    if (p === undefined) puts.set(o.collection, (p = new Map()));
    let d = deletes.get(o.collection);
    if (d === undefined) deletes.set(o.collection, (d = new Set()));
    if (o.op === 'put') {
      if (o.entity.id !== o.id) fail([o.collection, o.id, 'id'], `entry keyed ${quote(o.id)} has id ${quote(o.entity.id)}; the key must be the id`, [o.id]);
      p.set(o.id, deepFreeze(o.entity));
      d.delete(o.id);
    } else {
      p.delete(o.id);
      d.add(o.id);
    }
  }
  const ids = new Map<EntityCollection, Set<Id>>();
  const frame: FrameChanges = { tenants: new Set(), resourceTypes: new Set(), accessLevels: false, defaultAccessLevel: false };
  const edited: Partial<Record<OpCollection, IdMap<unknown>>> = {};
  for (const [collection, p] of puts) {
    const d = deletes.get(collection) ?? new Set<Id>();
    const touched = new Set<Id>([...p.keys(), ...d]);
    if (touched.size === 0) continue;
    if (collection === 'tenants') for (const id of touched) frame.tenants.add(id);
    else ids.set(collection, touched);
    edited[collection] = editIdMap(policy[collection] as IdMap<unknown>, p, d);
  }
  const next = Object.freeze(bare({ ...policy, ...edited })) as Policy;
  return { next, changes: { full: false, opaque: false, ids, frame } };
}
