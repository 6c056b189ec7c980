import { InvalidInputError, quote } from '../errors/errors.js';
import { putOp, type Op, type OpCollection } from '../changes/ops.js';
import type { Id } from '../model/ids.js';
import { entryId } from '../model/member-entry.js';
import type { Policy } from '../model/policy.js';
import type { AccessGroupInput, GroupInput, PolicyInput, ResourceTypeInput, RoleInput, SharingRuleInput, TenantInput, UserInput } from '../model/policy-input.js';
import { principalParts } from '../model/principal.js';
import { bare, expectId, expectObject, own } from '../model/shape.js';
import type { ReverseEdges } from '../validate/reverse-edges.js';
import type { PreparedChange } from './prepared-change.js';

/*
 * The entity commands: create, modify and remove any entity with one typed call, each emitting
 * the operations a recipe making the same change would (validated on the same path), so that a
 * command and a recipe never disagree on what is valid.
 */

/** What `create` takes, per collection: an entity as a policy file writes it (defaults may be left out). */
export interface EntityInputs {
  readonly users: UserInput;
  readonly roles: RoleInput;
  readonly groups: GroupInput;
  readonly tenants: TenantInput;
  readonly sharingRules: SharingRuleInput;
  readonly accessGroups: AccessGroupInput;
  readonly resourceTypes: ResourceTypeInput & { readonly name: string };
}

/** A collection the entity commands write. */
export type EntityKind = keyof EntityInputs;

/** The fields `modify` may set: any but the id (`undefined` removes an optional field). */
export type EntityChanges<K extends EntityKind> = { readonly [F in Exclude<keyof EntityInputs[K], 'id' | 'name'>]?: EntityInputs[K][F] | undefined };

/** The entity commands of an engine. */
export interface EntityCommands {
  /**
   * Creates an entity; an `InvalidInputError` when one with its id (a resource type: its name)
   * exists. Validated as any change is: references must exist, tenants must match, no cycle.
   * @example
   * ```ts
   * await engine.create('users', { id: 'zed', role: 'rep' });
   * await engine.create('resourceTypes', { name: 'ticket', actions: { view: 'read', close: 'readWrite' } });
   * ```
   */
  create<K extends EntityKind>(kind: K, entity: EntityInputs[K]): Promise<number>;
  /**
   * Changes some fields of an existing entity (the others stay); a field given as `undefined` is
   * removed. An `InvalidInputError` when the entity does not exist.
   * @example
   * ```ts
   * await engine.modify('users', 'zed', { role: 'manager', accessLevel: 'extended' });
   * ```
   */
  modify<K extends EntityKind>(kind: K, id: Id, changes: EntityChanges<K>): Promise<number>;
  /**
   * Removes an entity and what names it: a user leaves every group and grant; a sharing rule,
   * access group or resource type goes (a type still named by a rule or access group is refused,
   * as is a tenant still in use). Roles and groups have their own commands, which say where their
   * users or records go: `deleteRole(role, { reassignTo })`, `deleteGroup(group, { transferTo })`.
   * A no-op when the entity does not exist.
   */
  remove(kind: Exclude<EntityKind, 'roles' | 'groups'>, id: Id): Promise<number>;
}

/** What the entity commands need from the engine. */
export interface EntityCommandContext {
  prepareOps(ops: readonly Op[]): PreparedChange | undefined;
  /** The change to a whole new version of the policy (for resource types, which recompile it). */
  prepareVersion(policy: PolicyInput | Policy): PreparedChange | undefined;
  commit(prepared: PreparedChange): Promise<number>;
  revision(): number;
  policy(): Policy;
  /** The reverse edges of the current snapshot (who lists a user). */
  edges(): ReverseEdges;
}

const KINDS: readonly EntityKind[] = ['users', 'roles', 'groups', 'tenants', 'sharingRules', 'accessGroups', 'resourceTypes'];

function expectKind(kind: unknown): EntityKind {
  if (typeof kind !== 'string' || !(KINDS as readonly string[]).includes(kind)) {
    throw new InvalidInputError({ message: `expected one of ${KINDS.join(', ')} as the kind of entity, got ${typeof kind === 'string' ? quote(kind) : typeof kind}`, path: ['kind'] });
  }
  return kind as EntityKind;
}

/** The entity commands over a context. */
export function entityCommandsOf(ctx: EntityCommandContext): EntityCommands {
  const land = (prepared: PreparedChange | undefined): Promise<number> => (prepared === undefined ? Promise.resolve(ctx.revision()) : ctx.commit(prepared));
  const run = (make: () => PreparedChange | undefined): Promise<number> => {
    try {
      return land(make());
    } catch (e) {
      return Promise.reject(e);
    }
  };
  const exists = (kind: EntityKind, id: Id): boolean => (kind === 'resourceTypes' ? ctx.policy().resourceTypes.has(id) : ctx.policy()[kind].has(id));
  /** The plain fields of the current entity, as an input would write them. */
  const current = (kind: EntityKind, id: Id): Record<string, unknown> => {
    const p = ctx.policy();
    if (kind === 'resourceTypes') {
      const t = p.resourceTypes.get(id);
      if (t === undefined) return {};
      return { ...t, actions: Object.fromEntries(t.actions), ...(t.fields === undefined ? {} : { fields: Object.fromEntries(t.fields) }) };
    }
    return { ...(p[kind].get(id) as object) };
  };
  /** A resource type written into a new version of the whole policy (types recompile everything). */
  const withType = (name: string, def: Record<string, unknown> | undefined): Policy => {
    const types = new Map(ctx.policy().resourceTypes as ReadonlyMap<string, unknown>);
    if (def === undefined) types.delete(name);
    else types.set(name, def);
    return bare({ ...ctx.policy(), resourceTypes: types }) as unknown as Policy;
  };
  return {
    create: (kind, entity) =>
      run(() => {
        const k = expectKind(kind);
        const e = expectObject(entity, ['entity'], 'an entity');
        const id = expectId(own(e, k === 'resourceTypes' ? 'name' : 'id'), ['entity', k === 'resourceTypes' ? 'name' : 'id'], k === 'resourceTypes' ? 'resource type name' : 'id');
        if (exists(k, id)) throw new InvalidInputError({ message: `${k} already has ${quote(id)}: change it with modify(${quote(k)}, ${quote(id)}, { ... })`, path: ['entity', k === 'resourceTypes' ? 'name' : 'id'], ids: [id] });
        if (k === 'resourceTypes') return ctx.prepareVersion(withType(id, { ...e }));
        return ctx.prepareOps([putOp(k as OpCollection, id, e)]);
      }),
    modify: (kind, id, changes) =>
      run(() => {
        const k = expectKind(kind);
        const i = expectId(id, ['id'], k === 'resourceTypes' ? 'resource type name' : 'id');
        if (!exists(k, i)) throw new InvalidInputError({ message: `${k} has no ${quote(i)}: create it with create(${quote(k)}, { ... })`, path: ['id'], ids: [i] });
        const c = expectObject(changes, ['changes'], 'an object of fields to change');
        const next: Record<string, unknown> = current(k, i);
        for (const key of Object.keys(c)) {
          if (key === 'id' || key === 'name') throw new InvalidInputError({ message: `the ${key} of an entity cannot change: create a new one and remove the old`, path: ['changes', key] });
          const v = own(c, key);
          if (v === undefined) delete next[key];
          else next[key] = v;
        }
        if (k === 'resourceTypes') return ctx.prepareVersion(withType(i, next));
        return ctx.prepareOps([putOp(k as OpCollection, i, next)]);
      }),
    remove: (kind, id) =>
      run(() => {
        const k = expectKind(kind);
        if (k === 'roles' || k === 'groups') {
          throw new InvalidInputError({ message: k === 'roles' ? 'remove a role with deleteRole(role, { reassignTo }): its users and child roles need a role to go to' : 'remove a group with deleteGroup(group, { transferTo }): its records need an owner to go to', path: ['kind'] });
        }
        const i = expectId(id, ['id'], k === 'resourceTypes' ? 'resource type name' : 'id');
        if (!exists(k, i)) return undefined;
        if (k === 'resourceTypes') return ctx.prepareVersion(withType(i, undefined));
        const ops: Op[] = [];
        if (k === 'users') {
          const p = ctx.policy();
          // The user leaves every group and grant that names it.
          for (const gid of new Set(ctx.edges().groupsListingUser(i))) {
            const g = p.groups.get(gid);
            if (g !== undefined) ops.push(putOp('groups', g.id, { ...g, members: { ...g.members, users: g.members.users.filter((e) => entryId(e) !== i) } }));
          }
          const namesUser = (to: unknown): boolean => {
            const parts = principalParts(to);
            return parts !== undefined && parts.kind === 'user' && parts.id === i;
          };
          for (const a of p.accessGroups.values()) {
            if (a.grants.some((g) => namesUser(g.to))) ops.push(putOp('accessGroups', a.id, { ...a, grants: a.grants.filter((g) => !namesUser(g.to)) }));
          }
        }
        ops.push({ op: 'delete', collection: k as OpCollection, id: i });
        return ctx.prepareOps(ops);
      }),
  };
}
