import { membersOfGroup, usersInSubtree } from '../graph/membership.js';
import type { Id } from '../model/ids.js';
import { sameData } from '../model/same-data.js';
import type { Group, Policy } from '../model/policy.js';
import type { ChangeSet, EntityCollection } from '../engine/change-set.js';
import {
  compileAccessGroup,
  compileRule,
  linkGroup,
  linkRole,
  linkUser,
  newGroupNode,
  newRoleNode,
  newUserNode,
  relinkTenants,
  retourRoles,
  unlinkGroup,
  unlinkRole,
  unlinkUser,
} from './link.js';
import type { GroupNode, Index, UserNode } from './nodes.js';
import { dropClosure, unholdClosure } from './profile.js';

type MemberKind = keyof Group['members'];
const MEMBER_KINDS: readonly MemberKind[] = ['users', 'roles', 'rolesAndSubordinates', 'groups'];
const NONE: ReadonlySet<Id> = new Set();

/**
 * Applies a validated change to the index in place, touching only what it affects: the changed
 * entities' links, and the profiles of exactly the users whose memberships, capabilities or grants
 * may differ. Sharing-rule and access-group changes bump an epoch instead: each profile recompiles
 * its grants on next use (O(rules + grants), no membership work).
 */
export function applyChange(ix: Index, next: Policy, changes: ChangeSet, revision: number): void {
  const ids = (c: EntityCollection): ReadonlySet<Id> => changes.ids.get(c) ?? NONE;
  const drop = new Set<UserNode>();
  const dropUser = (u: UserNode | undefined): void => {
    if (u !== undefined) drop.add(u);
  };
  // A user whose memberships (or its groups' levels) may change: its shared closure goes too.
  const dropMember = (u: UserNode | undefined): void => {
    if (u === undefined) return;
    drop.add(u);
    dropClosure(ix, u);
  };
  const dropEntry = (kind: MemberKind, id: Id): void => {
    if (kind === 'users') dropMember(ix.users.get(id));
    else if (kind === 'roles') ix.roles.get(id)?.users.forEach(dropMember);
    else if (kind === 'rolesAndSubordinates') {
      const r = ix.roles.get(id);
      if (r !== undefined) usersInSubtree(r, dropMember);
    } else {
      const g = ix.groups.get(id);
      if (g !== undefined) membersOfGroup(ix, g).forEach(dropMember);
    }
  };
  /** Drops the users a group gains or loses between `from` and `to` (all of its members when `all`). */
  const dropDiff = (node: GroupNode, from: Group, to: Group | undefined, all: boolean): void => {
    if (all) {
      membersOfGroup(ix, node).forEach(dropMember);
      return;
    }
    for (const kind of MEMBER_KINDS) {
      const keep = new Set(to?.members[kind] ?? []);
      for (const id of from.members[kind]) if (!keep.has(id)) dropEntry(kind, id);
    }
  };
  let nest = false;
  let retour = false;

  // Phase A, on the old state: who loses something, then unlink the old versions.
  const changedGroups: { node: GroupNode | undefined; def: Group | undefined; old: Group | undefined; wide: boolean }[] = [];
  for (const id of ids('groups')) {
    const node = ix.groups.get(id);
    const def = next.groups.get(id);
    const wide = node === undefined || def === undefined || def.tenant !== node.def.tenant || !sameData(def.accessLevel, node.def.accessLevel);
    changedGroups.push({ node, def, old: node?.def, wide });
    if (node === undefined) continue;
    dropDiff(node, node.def, def, wide);
    if (def === undefined || !sameData(def.members.groups, node.def.members.groups)) nest = true;
    unlinkGroup(ix, node);
  }
  const movedRoles: Id[] = [];
  for (const id of ids('roles')) {
    const node = ix.roles.get(id);
    const def = next.roles.get(id);
    if (node === undefined) continue;
    if (def === undefined || def.parent !== node.parent?.id) {
      usersInSubtree(node, dropMember);
      movedRoles.push(id);
    }
    node.users.forEach(dropUser);
  }
  for (const id of ids('users')) {
    const node = ix.users.get(id);
    if (node !== undefined) {
      dropUser(node);
      unholdClosure(ix, node);
      unlinkUser(node);
    }
  }

  // Phase B: tenants first (everything else points at them), then roles, users, groups.
  if (changes.frame.tenants.size > 0) relinkTenants(ix, next.tenants);
  for (const id of ids('roles')) {
    const def = next.roles.get(id);
    const node = ix.roles.get(id);
    if (def === undefined) {
      if (node !== undefined) {
        unlinkRole(node);
        node.children.forEach((c) => (c.parent = undefined));
        ix.roles.delete(id);
      }
      retour = true;
    } else if (node === undefined) {
      ix.roles.set(id, newRoleNode(id, def.tenant));
      retour = true;
    }
  }
  for (const id of ids('roles')) {
    const def = next.roles.get(id);
    const node = ix.roles.get(id);
    if (def === undefined || node === undefined) continue;
    if (def.parent !== node.parent?.id) retour = true;
    unlinkRole(node);
    linkRole(ix, node, def);
  }
  if (retour) retourRoles(ix);
  for (const id of ids('users')) {
    const def = next.users.get(id);
    if (def === undefined) {
      ix.users.delete(id);
      continue;
    }
    let node = ix.users.get(id);
    if (node === undefined) ix.users.set(id, (node = newUserNode(ix, def)));
    linkUser(ix, node, def);
    dropUser(node);
  }
  for (const c of changedGroups) {
    if (c.def === undefined && c.node !== undefined) ix.groups.delete(c.node.id);
    if (c.def !== undefined && c.node === undefined) {
      const node = newGroupNode(c.def);
      ix.groups.set(c.def.id, node);
      c.node = node;
      if (c.def.members.groups.length > 0) nest = true;
    }
  }
  for (const c of changedGroups) if (c.def !== undefined && c.node !== undefined) linkGroup(ix, c.node, c.def);

  // Phase C, on the new state: who gains something.
  if (nest) ix.nestEpoch++;
  for (const c of changedGroups) {
    if (c.def === undefined || c.node === undefined) continue;
    // The members it gains: the new list minus the old one (all of them when it is new or its level changed).
    dropDiff(c.node, c.def, c.old, c.wide || c.old === undefined);
  }
  for (const id of movedRoles) {
    const node = ix.roles.get(id);
    if (node !== undefined) usersInSubtree(node, dropMember);
  }
  let grants = false;
  for (const id of ids('sharingRules')) {
    const def = next.sharingRules.get(id);
    if (def === undefined) ix.rules.delete(id);
    else ix.rules.set(id, compileRule(ix, def));
    grants = true;
  }
  for (const id of ids('accessGroups')) {
    const def = next.accessGroups.get(id);
    if (def === undefined) ix.accessGroups.delete(id);
    else ix.accessGroups.set(id, compileAccessGroup(ix, def));
    grants = true;
  }
  if (grants) ix.grantEpoch++;
  for (const u of drop) u.profile = undefined;
  ix.revision = revision;
}
