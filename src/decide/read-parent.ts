import { readShares } from './read-shares.js';
import type { ActionSlot } from '../access/action-table.js';
import type { Compiled, TypeNode } from '../compile/snapshot.js';
import { quote, type ErrorPath } from '../errors/errors.js';
import { DEFAULT_TENANT, type Id } from '../model/ids.js';
import { MAX_PARENT_CHAIN } from '../model/parent-chain.js';
import { describe, fail } from '../model/shape.js';
import {
  accessGroupsOf,
  attributesOf,
  sharesOf,
  checkedOwner,
  expectRecord,
  ownerGroupOf,
  ownerUserOf,
  parentOf,
  readAccessGroups,
  readAttributes,
  recordId,
  recordTenant,
  typeOf,
} from './read-fields.js';
import type { Request } from './request-type.js';

/*
 * Reading a record of a parent-controlled type (master-detail, docs/parent-controlled-types.md):
 * the record carries `parent`, a record of the type its type is `controlledBy`, which may itself
 * be controlled, and so on up to a record with an owner. The chain is read iteratively, one type
 * up per step: the policy bounds the chain of `controlledBy` (MAX_PARENT_CHAIN) and never lets it
 * loop, so a parent object that refers back to its child cannot make the reading go on.
 *
 * Each link becomes a request of its own, with the child's action slot (the level the child's
 * action needs is decided on the parent). A controlled link has no owner, access groups or
 * attributes that count for record access; the top link is read as any owned record is. A child
 * without `tenant` is in its parent's tenant; a child whose tenant is not its parent's (anywhere in
 * the chain) gets tenant number -1, which the gate denies with `tenant`.
 */

/** One controlled record on the way up: the object, its type and where it sits in the request. */
interface Link {
  readonly r: object;
  readonly type: TypeNode;
  readonly path: ErrorPath;
}

/** A field a controlled record may not carry (null, as a row's NULL column, is absent). */
function ownField(r: object, key: 'owner' | 'shares' | 'accessGroups'): boolean {
  if (!Object.hasOwn(r, key)) return false;
  const v = (r as Record<string, unknown>)[key];
  return v !== undefined && v !== null;
}

/** Reads a record of a controlled type (already resolved to `type`) and its chain of parents. */
export function readChild(c: Compiled, child: object, type: TypeNode, slot: ActionSlot, at: number): Request {
  const links: Link[] = [];
  let r = child;
  let t = type;
  let path: ErrorPath = ['resource'];
  // At most MAX_PARENT_CHAIN controlled links (validated on write); the bound holds even so.
  for (let depth = 0; t.controlledBy !== undefined; depth++) {
    if (depth > MAX_PARENT_CHAIN) fail(path, `the chain of parents is longer than ${MAX_PARENT_CHAIN}`);
    checkControlled(r, t, path);
    links.push({ r, type: t, path });
    const parentType = c.frame.types.get(t.controlledBy);
    if (parentType === undefined) fail([...path, 'type'], `resource type ${quote(t.controlledBy)} is not declared in the policy`, [t.controlledBy]);
    const parentPath: ErrorPath = [...path, 'parent'];
    const p = parentOf(r);
    if (p === undefined) {
      fail(parentPath, `a record of type ${quote(t.def.name)} is controlled by its parent: give parent, the record of type ${quote(t.controlledBy)} it belongs to`);
    }
    const pr = expectRecord(p, parentPath);
    const pt = typeOf(pr);
    if (pt !== t.controlledBy) {
      fail([...parentPath, 'type'], `the parent of a record of type ${quote(t.def.name)} is a record of type ${quote(t.controlledBy)}, got ${typeof pt === 'string' ? `one of type ${quote(pt)}` : `type ${describe(pt)}`}`);
    }
    r = pr;
    t = parentType;
    path = parentPath;
  }
  // The top of the chain: a record with record access of its own.
  if (parentOf(r) !== undefined) {
    fail([...path, 'parent'], `resource type ${quote(t.def.name)} is not controlled by another type, so its records have no parent; remove parent`);
  }
  const ids = c.ids;
  const id = recordId(r, path);
  const tenant = recordTenant(r, path) ?? DEFAULT_TENANT;
  const owner = checkedOwner(r, path);
  const ownerUser = ownerUserOf(owner, path);
  const ownerGroup = ownerUser === undefined ? ownerGroupOf(owner, path) : undefined;
  const listed = accessGroupsOf(r);
  const attributes = attributesOf(r);
  const shares = sharesOf(r);
  let tenantNum = tenant === DEFAULT_TENANT ? c.defaultTenant : ids.tenants.numOf(tenant);
  let req: Request = {
    c,
    type: t,
    slot,
    id,
    tenant,
    tenantNum,
    ownerUser,
    ownerGroup,
    ownerUserNum: ownerUser === undefined ? -1 : ids.users.numOf(ownerUser),
    ownerGroupNum: ownerGroup === undefined ? -1 : ids.groups.numOf(ownerGroup),
    ownerFacts: null,
    accessGroups: listed === undefined ? undefined : readAccessGroups(listed, path),
    attributes: attributes === undefined ? undefined : readAttributes(attributes, path),
    shares: shares === undefined ? undefined : readShares(shares, path),
    at,
    parent: undefined,
  };
  // Down the chain: each child in its parent's tenant unless it names another (then in none).
  for (let i = links.length - 1; i >= 0; i--) {
    const link = links[i] as Link;
    const ownTenant = recordTenant(link.r, link.path);
    const attrs = attributesOf(link.r);
    if (ownTenant !== undefined && ownTenant !== req.tenant) tenantNum = -1;
    req = {
      c,
      type: link.type,
      slot,
      id: recordId(link.r, link.path),
      tenant: ownTenant ?? req.tenant,
      tenantNum,
      ownerUser: undefined,
      ownerGroup: undefined,
      ownerUserNum: -1,
      ownerGroupNum: -1,
      ownerFacts: undefined,
      accessGroups: undefined,
      attributes: attrs === undefined ? undefined : readAttributes(attrs, link.path),
      shares: undefined,
      at,
      parent: req,
    };
  }
  return req;
}

/** A controlled record has no owner, shares or access groups of its own. */
function checkControlled(r: object, t: TypeNode, path: ErrorPath): void {
  for (const key of ['owner', 'shares', 'accessGroups'] as const) {
    if (ownField(r, key)) {
      fail([...path, key], `a record of type ${quote(t.def.name)} is controlled by its parent (a record of type ${quote(t.controlledBy ?? '')}) and has no ${key} of its own; remove ${key}`);
    }
  }
}

/** The top of a request's chain of parents: the record whose own access decides (the request itself when it has no parent). */
export function rootOf(req: Request): Request {
  let r = req;
  for (let i = 0; r.parent !== undefined && i <= MAX_PARENT_CHAIN; i++) r = r.parent;
  return r;
}

/** The type id pairs of a request's chain, child first (for messages and reasons). */
export function chainIds(req: Request): { readonly type: string; readonly id: Id }[] {
  const out: { type: string; id: Id }[] = [];
  for (let r: Request | undefined = req; r !== undefined && out.length <= MAX_PARENT_CHAIN + 1; r = r.parent) out.push({ type: r.type.def.name, id: r.id });
  return out;
}
