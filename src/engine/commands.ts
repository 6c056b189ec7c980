import { InvalidInputError, quote } from '../errors/errors.js';
import type { Id } from '../model/ids.js';
import { normalizePrincipal } from '../model/normalize.js';
import type { Group, Policy, UserStatus } from '../model/policy.js';
import { principalParts, type Principal } from '../model/principal.js';
import type { Owner, Resource } from '../model/resource.js';
import { bare, expectId, expectObject, expectOneOf, fail, own } from '../model/shape.js';
import type { Index } from '../index/nodes.js';
import type { ResourceStore } from '../ports/resource-store.js';
import type { PreparedChange } from './core.js';
import type { DeleteGroupOptions, Engine, Recipe } from './types.js';

/** What the commands need from the engine. */
export interface CommandContext {
  prepare(recipe: Recipe): PreparedChange | undefined;
  /** Lands a prepared change (installs it, or appends it to a repository and then installs it). */
  commit(prepared: PreparedChange): Promise<number>;
  index(): Index;
  policy(): Policy;
  readonly resources: ResourceStore;
}

type Commands = Pick<Engine, 'addMember' | 'removeMember' | 'setRole' | 'setStatus' | 'deleteGroup' | 'deleteRole' | 'moveResource'>;

const LIST: Readonly<Record<string, keyof Group['members']>> = {
  user: 'users',
  role: 'roles',
  roleAndSubordinates: 'rolesAndSubordinates',
  group: 'groups',
};

function mentions(p: Principal, kind: 'role' | 'group', id: Id): boolean {
  const parts = principalParts(p);
  if (parts === undefined || parts.id !== id) return false;
  return kind === 'role' ? parts.kind === 'role' || parts.kind === 'roleAndSubordinates' : parts.kind === 'group';
}

function normalizeOwner(value: unknown, path: (string | number)[]): Owner {
  const p = normalizePrincipal(value, path);
  if ('user' in p) return bare({ user: p.user });
  if ('group' in p) return bare({ group: p.group });
  return fail(path, 'an owner is { user } or { group }');
}

/** A field of a command's argument object: own properties only; the object itself absent or plain. */
function optionOf(obj: unknown, key: string, path: (string | number)[]): unknown {
  return obj === undefined ? undefined : own(expectObject(obj, path), key);
}

/** The typed commands, each a recipe run through the engine's validated change path. */
export function commandsOf(ctx: CommandContext): Commands {
  const run = async (recipe: Recipe): Promise<number> => {
    const prepared = ctx.prepare(recipe);
    return prepared === undefined ? ctx.index().revision : ctx.commit(prepared);
  };
  const needGroup = (id: Id): void => {
    if (!ctx.policy().groups.has(id)) throw new InvalidInputError(`group ${quote(id)} does not exist`, ['group'], [id]);
  };
  const needUser = (id: Id): void => {
    if (!ctx.policy().users.has(id)) throw new InvalidInputError(`user ${quote(id)} does not exist`, ['user'], [id]);
  };
  const member = (group: unknown, m: unknown): { group: Id; list: keyof Group['members']; id: Id } => {
    const g = expectId(group, ['group'], 'group id');
    const p = normalizePrincipal(m, ['member']);
    const parts = principalParts(p);
    needGroup(g);
    return { group: g, list: LIST[parts?.kind ?? 'user'] ?? 'users', id: parts?.id as Id };
  };

  return {
    addMember: async (group, m) => {
      const { group: g, list, id } = member(group, m);
      return run((d) => {
        const members = d.groups.get(g)?.members[list];
        if (members !== undefined && !members.includes(id)) members.push(id);
      });
    },
    removeMember: async (group, m) => {
      const { group: g, list, id } = member(group, m);
      return run((d) => {
        const members = d.groups.get(g)?.members[list];
        const at = members?.indexOf(id) ?? -1;
        if (members !== undefined && at >= 0) members.splice(at, 1);
      });
    },
    setRole: async (user, role) => {
      const u = expectId(user, ['user'], 'user id');
      const r = role === undefined ? undefined : expectId(role, ['role'], 'role id');
      needUser(u);
      return run((d) => {
        const draft = d.users.get(u);
        if (draft === undefined || draft.role === r) return;
        if (r === undefined) delete draft.role;
        else draft.role = r;
      });
    },
    setStatus: async (user, status: UserStatus) => {
      const u = expectId(user, ['user'], 'user id');
      const s = expectOneOf(status, ['active', 'inactive'], ['status']);
      needUser(u);
      return run((d) => {
        const draft = d.users.get(u);
        if (draft !== undefined && draft.status !== s) draft.status = s;
      });
    },
    deleteGroup: async (group, options?: DeleteGroupOptions) => {
      const g = expectId(group, ['group'], 'group id');
      needGroup(g);
      const transferRaw = optionOf(options, 'transferTo', ['options']);
      const transferTo = transferRaw === undefined ? undefined : normalizeOwner(transferRaw, ['transferTo']);
      if (transferTo !== undefined) {
        if ('group' in transferTo) {
          if (transferTo.group === g) throw new InvalidInputError(`cannot transfer group ${quote(g)}'s records to itself`, ['transferTo', 'group'], [g]);
          needGroup(transferTo.group);
        } else needUser(transferTo.user);
      }
      const owned = await ctx.resources.ownedBy({ group: g });
      if (owned.length > 0 && transferTo === undefined) {
        throw new InvalidInputError(
          `group ${quote(g)} owns ${owned.length} record(s); pass { transferTo: { user } or { group } } to say who gets them`,
          ['transferTo'],
          [g],
        );
      }
      const parentsOf = (id: Id): Id[] => [...(ctx.index().groups.get(id)?.parents ?? [])].map((p) => p.id);
      const recipe: Recipe = (d) => {
        for (const p of [...(d.groups.get(g) === undefined ? [] : parentsOf(g))]) {
          const list = d.groups.get(p)?.members.groups;
          const at = list?.indexOf(g) ?? -1;
          if (list !== undefined && at >= 0) list.splice(at, 1);
        }
        for (const r of [...d.sharingRules.values()]) if (mentions(r.from, 'group', g) || mentions(r.to, 'group', g)) d.sharingRules.delete(r.id);
        for (const a of d.accessGroups.values()) {
          if (a.grants.some((x) => mentions(x.to, 'group', g))) a.grants = a.grants.filter((x) => !mentions(x.to, 'group', g));
        }
        d.groups.delete(g);
      };
      // The policy change is validated before any record moves, and records move before it lands.
      let prepared = ctx.prepare(recipe);
      if (owned.length === 0 || transferTo === undefined) return prepared === undefined ? ctx.index().revision : ctx.commit(prepared);
      await ctx.resources.transferOwnership({ group: g }, transferTo);
      try {
        // Another change may have landed while the records moved: check the new owner again and
        // compute the deletion again on the newest snapshot.
        if ('group' in transferTo) needGroup(transferTo.group);
        else needUser(transferTo.user);
        if (prepared !== undefined && prepared.base !== ctx.index().revision) prepared = ctx.prepare(recipe);
        return prepared === undefined ? ctx.index().revision : await ctx.commit(prepared);
      } catch (e) {
        // The group stays: give its records back, so that nothing is owned by someone it was not.
        for (const r of owned) await ctx.resources.put(r);
        throw e;
      }
    },
    deleteRole: async (role, options) => {
      const r = expectId(role, ['role'], 'role id');
      const to = expectId(optionOf(options, 'reassignTo', ['options']), ['reassignTo'], 'role id to reassign to');
      const node = ctx.index().roles.get(r);
      if (node === undefined) throw new InvalidInputError(`role ${quote(r)} does not exist`, ['role'], [r]);
      const target = ctx.index().roles.get(to);
      if (target === undefined) throw new InvalidInputError(`role ${quote(to)} to reassign to does not exist`, ['reassignTo'], [to]);
      if (to === r) throw new InvalidInputError(`cannot reassign role ${quote(r)}'s users to itself`, ['reassignTo'], [r]);
      const users = [...node.users].map((u) => u.id);
      const children = [...node.children].map((c) => c.id);
      const groups = new Set([...node.inRoles, ...node.inSubtrees].map((g) => g.id));
      return run((d) => {
        for (const u of users) {
          const draft = d.users.get(u);
          if (draft !== undefined) draft.role = to;
        }
        for (const c of children) {
          const draft = d.roles.get(c);
          if (draft !== undefined) draft.parent = to;
        }
        for (const g of groups) {
          const m = d.groups.get(g)?.members;
          if (m === undefined) continue;
          m.roles = m.roles.filter((x) => x !== r);
          m.rolesAndSubordinates = m.rolesAndSubordinates.filter((x) => x !== r);
        }
        for (const rule of [...d.sharingRules.values()]) if (mentions(rule.from, 'role', r) || mentions(rule.to, 'role', r)) d.sharingRules.delete(rule.id);
        for (const a of d.accessGroups.values()) {
          if (a.grants.some((x) => mentions(x.to, 'role', r))) a.grants = a.grants.filter((x) => !mentions(x.to, 'role', r));
        }
        d.roles.delete(r);
      });
    },
    moveResource: async (ref, move) => {
      const type = expectId(optionOf(ref, 'type', ['resource']), ['resource', 'type'], 'resource type');
      const id = expectId(optionOf(ref, 'id', ['resource']), ['resource', 'id'], 'resource id');
      const toRaw = optionOf(move, 'to', ['move']);
      const fromRaw = optionOf(move, 'from', ['move']);
      const to = expectId(toRaw, ['to'], 'access group id');
      const from = fromRaw === undefined ? undefined : expectId(fromRaw, ['from'], 'access group id');
      const stored = await ctx.resources.get(type, id);
      if (stored === undefined) throw new InvalidInputError(`no ${quote(type)} record ${quote(id)} in the resource store`, ['resource'], [id]);
      const ag = ctx.index().accessGroups.get(to);
      const tenant = (own(stored, 'tenant') as Id | null | undefined) ?? 'default';
      if (ag === undefined) throw new InvalidInputError(`access group ${quote(to)} does not exist`, ['to'], [to]);
      if (ag.tenant !== tenant) throw new InvalidInputError(`access group ${quote(to)} is in tenant ${quote(ag.tenant)}, the record in ${quote(tenant)}`, ['to'], [to]);
      if (ag.types !== undefined && !ag.types.has(type)) throw new InvalidInputError(`access group ${quote(to)} does not hold ${quote(type)} records`, ['to'], [to]);
      const current = (own(stored, 'accessGroups') as readonly Id[] | null | undefined) ?? [];
      if (from !== undefined && !current.includes(from)) {
        throw new InvalidInputError(`record ${quote(id)} is not in access group ${quote(from)}`, ['from'], [from]);
      }
      const next: Resource = { ...stored, accessGroups: [...current.filter((x) => x !== from && x !== to), to] };
      await ctx.resources.put(next);
      return next;
    },
  };
}
