import type { Id } from '../model/ids.js';
import type { ErrorPath } from '../errors/errors.js';
import { expectArray, expectId, expectObject, expectOneOf, fail, onlyKeys, own } from '../model/shape.js';
import { readRevision } from '../model/revision.js';
import type { Policy } from '../model/policy.js';
import type { PolicyInput } from '../model/policy-input.js';
import { resourceTypeInput } from '../model/serialize.js';
import type { ChangeRecord, EntityOp } from '../ports/change-record.js';
import type { ChangeSet } from './change-set.js';
import type { Recipe } from '../model/policy.js';
import { putOp, type Op } from './ops.js';

/**
 * The change record of a change: a put for each entity it wrote, a delete for each it removed,
 * tenants and resource types included, and a set for each access-level field it changed.
 */
export function recordOf(changes: ChangeSet, next: Policy, revision: number): ChangeRecord {
  const ops: EntityOp[] = [];
  for (const [collection, ids] of changes.ids) {
    for (const id of ids) {
      const entity = next[collection].get(id);
      ops.push(entity === undefined ? { op: 'delete', collection, id } : ({ op: 'put', collection, entity } as EntityOp));
    }
  }
  for (const id of changes.frame.tenants) {
    const entity = next.tenants.get(id);
    ops.push(entity === undefined ? { op: 'delete', collection: 'tenants', id } : { op: 'put', collection: 'tenants', entity });
  }
  for (const name of changes.frame.resourceTypes) {
    const t = next.resourceTypes.get(name);
    ops.push(t === undefined ? { op: 'delete', collection: 'resourceTypes', id: name } : { op: 'put', collection: 'resourceTypes', entity: { name, ...resourceTypeInput(t) } });
  }
  if (changes.frame.accessLevels) ops.push({ op: 'set', field: 'accessLevels', value: next.accessLevels ?? null });
  if (changes.frame.defaultAccessLevel) ops.push({ op: 'set', field: 'defaultAccessLevel', value: next.defaultAccessLevel ?? null });
  return { revision, ops };
}

/** A change record as read from a repository: own properties only, checked, copied. */
export type ReadRecord =
  | { readonly revision: number; readonly replace: PolicyInput; readonly ops?: undefined }
  | { readonly revision: number; readonly replace?: undefined; readonly ops: readonly ReadOp[] };

/** One entity op of a change record, read: the entity itself is left to normalization. */
export type ReadOp =
  | { readonly op: 'put'; readonly collection: Collection; readonly key: Id; readonly entity: unknown }
  | { readonly op: 'delete'; readonly collection: Collection; readonly id: Id }
  | { readonly op: 'set'; readonly field: 'accessLevels' | 'defaultAccessLevel'; readonly value: unknown };

type Collection = 'users' | 'roles' | 'groups' | 'sharingRules' | 'accessGroups' | 'tenants' | 'resourceTypes';
const COLLECTIONS: readonly Collection[] = ['users', 'roles', 'groups', 'sharingRules', 'accessGroups', 'tenants', 'resourceTypes'];

/**
 * Reads a change record from a repository (caller data: rows, JSON, another process's write):
 * own properties only, so that a `replace` or `ops` inherited from `Object.prototype` never
 * counts, each read once. Throws `InvalidInputError` on a malformed record.
 */
export function readChangeRecord(value: unknown): ReadRecord {
  const path: ErrorPath = ['changeRecord'];
  const o = expectObject(value, path, 'a change record ({ revision, ops } or { revision, replace })');
  onlyKeys(o, ['revision', 'ops', 'replace'], path);
  const revision = readRevision(own(o, 'revision'), [...path, 'revision']);
  const replace = own(o, 'replace');
  const opsRaw = own(o, 'ops');
  if ((replace === undefined) === (opsRaw === undefined)) fail(path, 'a change record has exactly one of ops and replace');
  // The whole policy is checked by normalization, as any policy input is.
  if (replace !== undefined) return { revision, replace: replace as PolicyInput };
  const ops = expectArray(opsRaw, [...path, 'ops']).map((raw, i): ReadOp => {
    const p = [...path, 'ops', i];
    const op = expectObject(raw, p, 'an op');
    const kind = expectOneOf(own(op, 'op'), ['put', 'delete', 'set'], [...p, 'op']);
    if (kind === 'set') {
      onlyKeys(op, ['op', 'field', 'value'], p);
      return { op: kind, field: expectOneOf(own(op, 'field'), ['accessLevels', 'defaultAccessLevel'], [...p, 'field']), value: own(op, 'value') };
    }
    const collection = expectOneOf(own(op, 'collection'), COLLECTIONS, [...p, 'collection']);
    if (kind === 'delete') {
      onlyKeys(op, ['op', 'collection', 'id'], p);
      return { op: kind, collection, id: expectId(own(op, 'id'), [...p, 'id']) };
    }
    onlyKeys(op, ['op', 'collection', 'entity'], p);
    const entity = expectObject(own(op, 'entity'), [...p, 'entity'], 'an entity');
    const keyField = collection === 'resourceTypes' ? 'name' : 'id';
    const key = expectId(own(entity, keyField), [...p, 'entity', keyField]);
    if (collection !== 'resourceTypes') return { op: kind, collection, key, entity };
    // A resource type is stored keyed by name, without it.
    // Own data properties only: a key such as `__proto__` stays a key (and is refused by normalization as unknown).
    const rest = Object.create(null) as Record<string, unknown>;
    for (const k of Object.keys(entity)) if (k !== 'name') Object.defineProperty(rest, k, { value: own(entity, k), enumerable: true, writable: true, configurable: true });
    return { op: kind, collection, key, entity: rest };
  });
  return { revision, ops };
}

/** The recipe that replays an entity-level change record, as {@link readChangeRecord} read it. */
export function recipeOf(ops: readonly ReadOp[]): Recipe {
  return (draft) => {
    for (const op of ops) {
      if (op.op === 'set') {
        if (op.value === null) delete draft[op.field];
        else (draft as unknown as Record<string, unknown>)[op.field] = op.value;
        continue;
      }
      const map = draft[op.collection] as unknown as { set(id: Id, v: unknown): void; delete(id: Id): boolean };
      if (op.op === 'delete') map.delete(op.id);
      else map.set(op.key, op.entity);
    }
  };
}

/**
 * The operations of an entity-level change record (entities and tenants only), normalized; or
 * undefined when it also changes resource types or access levels, which a change replays as a
 * recipe (see {@link recipeOf}) since it recompiles the whole policy anyway.
 */
export function opsOfRecord(ops: readonly ReadOp[]): Op[] | undefined {
  const out: Op[] = [];
  for (const o of ops) {
    if (o.op === 'set' || o.collection === 'resourceTypes') return undefined;
    out.push(o.op === 'delete' ? { op: 'delete', collection: o.collection, id: o.id } : putOp(o.collection, o.key, o.entity));
  }
  return out;
}
