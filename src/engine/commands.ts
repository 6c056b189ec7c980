import { ConflictError, InvalidInputError, quote } from '../errors/errors.js';
import type { Id } from '../model/ids.js';
import { normalizeBounds, normalizePrincipal } from '../model/normalize.js';
import type { Group, MemberEntry, Policy, User, UserStatus } from '../model/policy.js';
import { principalParts } from '../model/principal.js';
import type { Owner, Resource } from '../model/resource.js';
import { bare, expectId, expectObject, expectOneOf, fail, onlyKeys, own, type Plain } from '../model/shape.js';
import { entryId, hasBounds, listsId } from '../model/member-entry.js';
import { sameData } from '../model/same-data.js';
import type { ReverseEdges } from '../validate/reverse-edges.js';
import type { ResourceStore } from '../ports/resource-store.js';
import { sameOwner } from '../model/same-owner.js';
import type { PreparedChange } from './prepared-change.js';
import { putOp, type Op } from '../changes/ops.js';
import { deleteGroupOps, deleteRoleOps } from './deletion-ops.js';
import type { DeleteGroupOptions, Engine } from './types.js';

/** What the commands need from the engine. */
export interface CommandContext {
  /** Computes a change given as operations, validated; undefined when it changes nothing. */
  prepareOps(ops: readonly Op[]): PreparedChange | undefined;
  /** Lands a prepared change (installs it, or appends it to a repository and then installs it). */
  commit(prepared: PreparedChange): Promise<number>;
  /** The reverse edges of the current snapshot. */
  edges(): ReverseEdges;
  /** The current revision. */
  revision(): number;
  policy(): Policy;
  readonly resources: ResourceStore;
  /** Catches up with changes that landed elsewhere (a shared engine's repository); a no-op in memory. */
  sync(): Promise<void>;
}

type Commands = Pick<Engine, 'addMember' | 'removeMember' | 'setRole' | 'setStatus' | 'deleteGroup' | 'deleteRole' | 'moveResource'>;

const LIST: Readonly<Record<string, keyof Group['members']>> = {
  user: 'users',
  role: 'roles',
  roleAndSubordinates: 'rolesAndSubordinates',
  group: 'groups',
};

/** Whether an owner is a group (an own `group`, never an inherited one). */
function isGroup(owner: Owner): owner is { readonly group: Id } {
  return Object.hasOwn(owner, 'group');
}

function normalizeOwner(value: unknown, path: (string | number)[]): Owner {
  const p = normalizePrincipal(value, path);
  if (Object.hasOwn(p, 'user')) return bare({ user: (p as { user: Id }).user });
  if (Object.hasOwn(p, 'group')) return bare({ group: (p as { group: Id }).group });
  return fail(path, 'an owner is { user } or { group }');
}

/** A field of a command's argument object: own properties only; the object itself absent or plain. */
function optionOf(obj: unknown, key: string, path: (string | number)[]): unknown {
  return obj === undefined ? undefined : own(expectObject(obj, path), key);
}

/** The typed commands, each a list of operations run through the engine's validated change path. */
export function commandsOf(ctx: CommandContext): Commands {

  /** Lands operations: the commands that change one entity emit its new version directly, no recipe. */
  const runOps = async (ops: readonly Op[]): Promise<number> => {
    const prepared = ctx.prepareOps(ops);
    return prepared === undefined ? ctx.revision() : ctx.commit(prepared);
  };
  const needGroup = (id: Id): void => {
    if (!ctx.policy().groups.has(id)) throw new InvalidInputError({ message: `group ${quote(id)} does not exist`, path: ['group'], ids: [id] });
  };
  const needUser = (id: Id): void => {
    if (!ctx.policy().users.has(id)) throw new InvalidInputError({ message: `user ${quote(id)} does not exist`, path: ['user'], ids: [id] });
  };
  const member = (group: unknown, m: unknown): { group: Id; list: keyof Group['members']; id: Id } => {
    const g = expectId(group, ['group'], 'group id');
    const p = normalizePrincipal(m, ['member']);
    const parts = principalParts(p);
    needGroup(g);
    return { group: g, list: LIST[parts?.kind ?? 'user'] ?? 'users', id: parts?.id as Id };
  };

  // Commands that move records run one at a time, so that two of them never interleave their
  // record moves and policy changes (two deleteGroup calls that transfer to each other).
  let lock: Promise<unknown> = Promise.resolve();
  const exclusive = <T>(task: () => Promise<T>): Promise<T> => {
    const run = lock.then(task, task);
    lock = run.catch(() => undefined);
    return run;
  };

  return {
    addMember: async (group, m, options) => {
      const { group: g, list, id } = member(group, m);
      const bounds = options === undefined ? bare({}) : normalizeBounds(expectObject(options, ['options'], 'an options object ({ since?, until? })'), ['options']);
      if (options !== undefined) onlyKeys(options as Plain, ['since', 'until'], ['options']);
      const def = ctx.policy().groups.get(g) as Group;
      const members = def.members[list];
      const entry: MemberEntry = hasBounds(bounds) ? bare({ id, ...bounds }) : id;
      // A no-op when the same entry is there already (a plain id is there for good).
      if (members.some((e) => e === id || sameData(e, entry))) return ctx.revision();
      return runOps([putOp('groups', g, { ...def, members: { ...def.members, [list]: [...members, entry] } })]);
    },
    removeMember: async (group, m) => {
      const { group: g, list, id } = member(group, m);
      const def = ctx.policy().groups.get(g) as Group;
      const members = def.members[list];
      // Every entry naming the member goes, time-bound or not.
      if (!listsId(members, id)) return ctx.revision();
      return runOps([putOp('groups', g, { ...def, members: { ...def.members, [list]: members.filter((e) => entryId(e) !== id) } })]);
    },
    setRole: async (user, role) => {
      const u = expectId(user, ['user'], 'user id');
      const r = role === undefined ? undefined : expectId(role, ['role'], 'role id');
      needUser(u);
      const def = ctx.policy().users.get(u) as User;
      if (def.role === r) return ctx.revision();
      const { role: _old, ...rest } = def;
      return runOps([putOp('users', u, r === undefined ? rest : { ...rest, role: r })]);
    },
    setStatus: async (user, status: UserStatus) => {
      const u = expectId(user, ['user'], 'user id');
      const s = expectOneOf(status, ['active', 'inactive'], ['status']);
      needUser(u);
      const def = ctx.policy().users.get(u) as User;
      if (def.status === s) return ctx.revision();
      return runOps([putOp('users', u, { ...def, status: s })]);
    },
    deleteGroup: (group, options?: DeleteGroupOptions) => exclusive(() => deleteGroup(group, options)),
    deleteRole: async (role, options) => {
      const r = expectId(role, ['role'], 'role id');
      const to = expectId(optionOf(options, 'reassignTo', ['options']), ['reassignTo'], 'role id to reassign to');
      const node = ctx.policy().roles.get(r);
      if (node === undefined) throw new InvalidInputError({ message: `role ${quote(r)} does not exist`, path: ['role'], ids: [r] });
      const target = ctx.policy().roles.get(to);
      if (target === undefined) throw new InvalidInputError({ message: `role ${quote(to)} to reassign to does not exist`, path: ['reassignTo'], ids: [to] });
      if (to === r) throw new InvalidInputError({ message: `cannot reassign role ${quote(r)}'s users to itself`, path: ['reassignTo'], ids: [r] });
      // A direct child may take the deleted role's place (its parent becomes the deleted role's
      // parent); a role further below cannot, since the child above it would become its child.
      const edges = ctx.edges();
      const promoted = target.parent === r;
      if (!promoted && edges.roleWithin(to, r)) {
        throw new InvalidInputError({
          message: `role ${quote(to)} is below role ${quote(r)} but not directly: reassign to a role outside ${quote(r)}'s subtree, or to one of its direct children (which then takes its place)`,
          path: ['reassignTo'],
          ids: [to, r],
        });
      }
      return runOps(deleteRoleOps(ctx.policy(), edges, r, to, promoted));
    },
    moveResource: (ref, move) => exclusive(() => moveResource(ref, move)),
  };

  async function moveResource(ref: { readonly type: string; readonly id: Id }, move: { readonly from?: Id; readonly to: Id }): Promise<Resource> {
    {
      const type = expectId(optionOf(ref, 'type', ['resource']), ['resource', 'type'], 'resource type');
      const id = expectId(optionOf(ref, 'id', ['resource']), ['resource', 'id'], 'resource id');
      const toRaw = optionOf(move, 'to', ['move']);
      const fromRaw = optionOf(move, 'from', ['move']);
      const to = expectId(toRaw, ['to'], 'access group id');
      const from = fromRaw === undefined ? undefined : expectId(fromRaw, ['from'], 'access group id');
      const stored = await ctx.resources.get(type, id);
      if (stored === undefined) throw new InvalidInputError({ message: `no ${quote(type)} record ${quote(id)} in the resource store`, path: ['resource'], ids: [id] });
      const agDef = ctx.policy().accessGroups.get(to);
      const ag = agDef === undefined ? undefined : { tenant: agDef.tenant, types: agDef.resourceTypes === undefined ? undefined : new Set(agDef.resourceTypes) };
      const tenant = (own(stored, 'tenant') as Id | null | undefined) ?? 'default';
      if (ag === undefined) throw new InvalidInputError({ message: `access group ${quote(to)} does not exist`, path: ['to'], ids: [to] });
      if (ag.tenant !== tenant) throw new InvalidInputError({ message: `access group ${quote(to)} is in tenant ${quote(ag.tenant)}, the record in ${quote(tenant)}`, path: ['to'], ids: [to] });
      if (ag.types !== undefined && !ag.types.has(type)) throw new InvalidInputError({ message: `access group ${quote(to)} does not hold ${quote(type)} records`, path: ['to'], ids: [to] });
      const current = (own(stored, 'accessGroups') as readonly Id[] | null | undefined) ?? [];
      if (from !== undefined && !current.includes(from)) {
        throw new InvalidInputError({ message: `record ${quote(id)} is not in access group ${quote(from)}`, path: ['from'], ids: [from] });
      }
      const next: Resource = { ...stored, accessGroups: [...current.filter((x) => x !== from && x !== to), to] };
      await ctx.resources.put(next);
      return next;
    }
  }

  /** Whether the owner exists in the current snapshot. */
  function exists(owner: Owner): boolean {
    return isGroup(owner) ? ctx.policy().groups.has(owner.group) : ctx.policy().users.has(owner.user);
  }

  /**
   * Deletes a group and transfers its records, as one validated change: the deletion's recipe
   * itself requires the new owner to exist, so that at the moment the deletion lands (on the
   * snapshot it was computed on, or not at all) the records went to an owner that exists. The
   * records move first; when the deletion then cannot land, they move back, so that either both
   * happen or neither, and no record is ever left with a group that does not exist.
   */
  async function deleteGroup(group: unknown, options: DeleteGroupOptions | undefined): Promise<number> {
    const g = expectId(group, ['group'], 'group id');
    needGroup(g);
    const transferRaw = optionOf(options, 'transferTo', ['options']);
    const transferTo = transferRaw === undefined ? undefined : normalizeOwner(transferRaw, ['transferTo']);
    if (transferTo !== undefined) {
      if (isGroup(transferTo)) {
        if (transferTo.group === g) throw new InvalidInputError({ message: `cannot transfer group ${quote(g)}'s records to itself`, path: ['transferTo', 'group'], ids: [g] });
        needGroup(transferTo.group);
      } else needUser(transferTo.user);
    }
    const owned = await ctx.resources.ownedBy({ group: g });
    if (owned.length > 0 && transferTo === undefined) {
      throw new InvalidInputError({
        message: `group ${quote(g)} owns ${owned.length} record(s); pass { transferTo: { user } or { group } } to say who gets them`,
        path: ['transferTo'],
        ids: [g],
      });
    }
    const deletion = (): Op[] => deleteGroupOps(ctx.policy(), ctx.edges(), g, transferTo);
    // The policy change is validated before any record moves.
    const prepared = ctx.prepareOps(deletion());
    if (owned.length === 0 || transferTo === undefined) return prepared === undefined ? ctx.revision() : ctx.commit(prepared);
    // The records move one by one, each only while the group still owns it, and each is kept in
    // `moved`: a rollback gives back exactly these, never a record the new owner held already or
    // one another engine moved (a bulk transfer cannot say which records it moved).
    const from: Owner = { group: g };
    const moved: Resource[] = [];
    const transfer = async (): Promise<void> => {
      for (const r of await ctx.resources.ownedBy(from)) {
        const now = await ctx.resources.get(r.type, r.id);
        if (now === undefined || !sameOwner(now.owner, from)) continue;
        await ctx.resources.put({ ...now, owner: transferTo });
        moved.push(now);
      }
    };
    await transfer();
    try {
      // Another engine's transfer may have handed records back to the group meanwhile: the
      // deletion lands only once the group owns nothing.
      for (let round = 0; (await ctx.resources.ownedBy({ group: g })).length > 0; round++) {
        if (round >= 3) throw new InvalidInputError({ message: `group ${quote(g)} keeps receiving records while it is deleted; retry when the other transfers are done`, path: ['group'], ids: [g] });
        await transfer();
      }
      // Another change may have landed while the records moved: compute the deletion again on the
      // newest snapshot (which checks the new owner again), and once more after a conflict.
      for (let attempt = 0; ; attempt++) {
        const again = ctx.prepareOps(deletion());
        if (again === undefined) return ctx.revision();
        try {
          return await ctx.commit(again);
        } catch (e) {
          if (!(e instanceof ConflictError) || attempt >= 2) throw e;
          await ctx.sync();
        }
      }
    } catch (e) {
      await giveBack(g, transferTo, moved);
      throw e;
    }
  }

  /**
   * Undoes a transfer whose deletion did not land: the records this deletion moved, and only
   * those, go back to the group that stays (whether or not the new owner still exists). Records
   * the new owner held before are its own and never move: handing them to the group would give
   * its members access they never had.
   */
  async function giveBack(g: Id, to: Owner, moved: readonly Resource[]): Promise<void> {
    await ctx.sync().catch(() => undefined);
    for (const r of moved) {
      const now = await ctx.resources.get(r.type, r.id);
      if (now !== undefined && sameOwner(now.owner, to)) await ctx.resources.put({ ...now, owner: { group: g } });
    }
  }
}
