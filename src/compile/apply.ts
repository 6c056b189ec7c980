import { capSetOf, capSetOfRef, intersect, type CapSet } from '../access/capabilities.js';
import type { LevelRef } from '../model/access-level.js';
import { DEFAULT_TENANT, type Id } from '../model/ids.js';
import { levelRank } from '../model/level.js';
import type { AccessGroup, Group, OrgDefault, Policy, Role, SharingRule, Tenant, User } from '../model/policy.js';
import { principalParts, type Principal } from '../model/principal.js';
import { sameData } from '../model/same-data.js';
import { bare } from '../model/shape.js';
import type { ValidationContext } from '../validate/context.js';
import { newClosureTables } from './closure.js';
import { Interner } from './interner.js';
import { groupFacts, homeLists, roleFacts, userFacts } from './facts.js';
import { freshFacts } from './fresh-facts.js';
import { memberWalk, type FactsView } from './members.js';
import { memberIds } from '../model/member-entry.js';
import { PVec } from './pvec.js';
import type {
  AccessGroupNode,
  ByPrincipal,
  Clock,
  Compiled,
  CompiledRule,
  Frame,
  GroupFacts,
  Interners,
  PrincipalRef,
  RoleFacts,
  TenantTable,
  TypeNode,
  UserFacts,
} from './snapshot.js';

/*
 * Making a snapshot from the one before and a validated change: only the touched entities get new
 * facts (and the entities their reverse edges pass through), the rest is shared. A fresh build is
 * the same step from an empty snapshot with every entity touched. The previous snapshot is never
 * written to, so a change that fails halfway leaves nothing to undo.
 */

/** What a change touched, by collection; `tenants` when the tenant forest changed. */
export interface Touched {
  readonly users: ReadonlySet<Id>;
  readonly roles: ReadonlySet<Id>;
  readonly groups: ReadonlySet<Id>;
  readonly sharingRules: ReadonlySet<Id>;
  readonly accessGroups: ReadonlySet<Id>;
  readonly tenants: boolean;
}

const DEFAULT_RANK: Readonly<Record<OrgDefault, number>> = { private: 0, publicRead: 1, publicReadWrite: 2, publicFull: 3 };

/** A closure-table size past which the next snapshot starts afresh (closures nobody holds are let go). */
function tableLimit(users: number): number {
  return Math.max(4096, 4 * users);
}

function internalError(what: string): never {
  throw new Error(`purview internal error: ${what}`);
}

/** Compiles the frame: resource types and their actions, tiers, the default level. */
export function buildFrame(policy: Policy, ctx: ValidationContext): Frame {
  const types = new Map<string, TypeNode>();
  for (const [name, def] of policy.resourceTypes) {
    const actions = ctx.table.byType.get(name) ?? new Map();
    // A controlled type has neither a default nor group owners: its records' access is their parent's.
    types.set(name, {
      def,
      actions,
      defaultRank: def.default === undefined ? 0 : DEFAULT_RANK[def.default],
      groupOwnerRank: def.groupOwnerLevel === undefined ? 0 : levelRank(def.groupOwnerLevel),
      controlledBy: def.controlledBy,
    });
  }
  return {
    table: ctx.table,
    levels: ctx.levels,
    defaultCaps:
      ctx.levels === undefined
        ? undefined
        : policy.defaultAccessLevel === undefined
          ? new Uint8Array(ctx.table.slots.length)
          : capSetOfRef(ctx.table, ctx.levels, policy.defaultAccessLevel, []),
    types,
  };
}

/** Fresh interners. */
export function newInterners(): Interners {
  return { users: new Interner(), roles: new Interner(), groups: new Interner(), tenants: new Interner(), rules: new Interner(), accessGroups: new Interner() };
}

function emptyIndex<T>(): ByPrincipal<T> {
  return { user: PVec.empty(), role: PVec.empty(), roleAndSubordinates: PVec.empty(), group: PVec.empty() };
}

/** An empty snapshot of a frame: the starting point of a build. */
function emptySnapshot(frame: Frame, ids: Interners, clock: Clock): Compiled {
  return {
    revision: 0,
    clock,
    frame,
    ids,
    users: PVec.empty(),
    roles: PVec.empty(),
    groups: PVec.empty(),
    tenants: { exists: new Uint8Array(0), tin: new Int32Array(0), tout: new Int32Array(0), parent: new Int32Array(0), ceiling: [] },
    defaultTenant: ids.tenants.intern(DEFAULT_TENANT),
    roleTin: new Int32Array(0),
    roleTout: new Int32Array(0),
    rules: PVec.empty(),
    accessGroups: PVec.empty(),
    rulesTo: emptyIndex(),
    rulesFrom: emptyIndex(),
    grantsTo: emptyIndex(),
    caches: { closures: newClosureTables() },
  };
}

/** Test-only counter (read by the tests from this internal module, not the public API): whole-policy compilations. */
export const compileStats = { builds: 0 };

/** Compiles a validated policy into a fresh snapshot. Linear in the size of the policy. */
export function buildSnapshot(policy: Policy, ctx: ValidationContext, revision: number, ids: Interners = newInterners(), clock: Clock = Date.now): Compiled {
  const all: Touched = {
    users: new Set(policy.users.keys()),
    roles: new Set(policy.roles.keys()),
    groups: new Set(policy.groups.keys()),
    sharingRules: new Set(policy.sharingRules.keys()),
    accessGroups: new Set(policy.accessGroups.keys()),
    tenants: true,
  };
  compileStats.builds++;
  return applyTouched(emptySnapshot(buildFrame(policy, ctx), ids, clock), policy, all, revision, true);
}

/** The tenant forest of a policy: existence, Euler tour, effective ceilings. O(tenants). */
function buildTenants(frame: Frame, ids: Interner, tenants: ReadonlyMap<Id, Tenant>): TenantTable {
  const all: Tenant[] = [...tenants.values()];
  if (!tenants.has(DEFAULT_TENANT)) all.push(bare({ id: DEFAULT_TENANT }));
  for (const t of all) ids.intern(t.id);
  const n = ids.size;
  const exists = new Uint8Array(n);
  const parent = new Int32Array(n).fill(-1);
  const children: number[][] = Array.from({ length: n }, () => []);
  const declared = new Map<number, Tenant>();
  for (const t of all) {
    const num = ids.numOf(t.id);
    exists[num] = 1;
    declared.set(num, t);
  }
  for (const t of all) {
    if (t.parent === undefined) continue;
    const num = ids.numOf(t.id);
    const p = ids.numOf(t.parent);
    if (p < 0 || exists[p] !== 1) internalError(`tenant ${t.parent} missing`);
    parent[num] = p;
    (children[p] as number[]).push(num);
  }
  const tin = new Int32Array(n).fill(-1);
  const tout = new Int32Array(n).fill(-1);
  const ceiling: (CapSet | undefined)[] = new Array<CapSet | undefined>(n).fill(undefined);
  let clock = 0;
  for (let root = 0; root < n; root++) {
    if (exists[root] !== 1 || parent[root] !== -1) continue;
    // Iterative tour, ceilings top-down as each tenant is entered.
    const stack: [number, number][] = [[root, 0]];
    enter(root);
    while (stack.length > 0) {
      const top = stack[stack.length - 1] as [number, number];
      const kids = children[top[0]] as number[];
      if (top[1] < kids.length) {
        const child = kids[top[1]++] as number;
        enter(child);
        stack.push([child, 0]);
      } else {
        tout[top[0]] = clock++;
        stack.pop();
      }
    }
  }
  function enter(num: number): void {
    tin[num] = clock++;
    const own = declared.get(num)?.ceiling;
    const ownSet = own === undefined ? undefined : capSetOf(frame.table, own, []);
    const p = parent[num] as number;
    const above = p < 0 ? undefined : ceiling[p];
    ceiling[num] = ownSet === undefined ? above : above === undefined ? ownSet : intersect(ownSet, above);
  }
  return { exists, tin, tout, parent, ceiling };
}

/** Numbers the role forest; iterative. */
function tourRoles(roles: PVec<RoleFacts>, size: number): { tin: Int32Array; tout: Int32Array } {
  const tin = new Int32Array(size).fill(-1);
  const tout = new Int32Array(size).fill(-1);
  let clock = 0;
  roles.forEach((r) => {
    if (r.parent >= 0) return;
    tin[r.num] = clock++;
    const stack: [RoleFacts, number][] = [[r, 0]];
    while (stack.length > 0) {
      const top = stack[stack.length - 1] as [RoleFacts, number];
      if (top[1] < top[0].children.length) {
        const child = roles.get(top[0].children[top[1]++] as number);
        if (child === undefined) continue;
        tin[child.num] = clock++;
        stack.push([child, 0]);
      } else {
        tout[top[0].num] = clock++;
        stack.pop();
      }
    }
  });
  return { tin, tout };
}

/**
 * The edits of one sorted list of numbers (a reverse edge) during a change, applied in one merge
 * at the end: a change that adds one user to a role of 100,000 users costs one pass over the list,
 * no copy into a set and no sort.
 */
class ListDelta {
  private readonly added = new Set<number>();
  private readonly removed = new Set<number>();
  add(x: number): void {
    this.removed.delete(x);
    this.added.add(x);
  }
  delete(x: number): void {
    this.added.delete(x);
    this.removed.add(x);
  }
  /**
   * `base` (ascending, no repeats) with the edits applied: `base` itself when they change nothing.
   * Reverse-edge lists are internal and never written after a snapshot is made; they are not
   * frozen, since copying a frozen array of 100,000 entries takes V8's slow path (3 ms, not 0.5).
   */
  applyTo(base: readonly number[]): readonly number[] {
    const edits = this.added.size + this.removed.size;
    if (edits === 0) return base;
    // A few edits of a long list: one copy, then a binary search and a move per edit.
    if (edits * 16 < base.length) {
      let out: number[] | undefined;
      for (const x of this.removed) {
        const at = indexIn(out ?? base, x);
        if (at < 0) continue;
        (out ??= [...base]).splice(at, 1);
      }
      for (const x of this.added) {
        const at = indexIn(out ?? base, x);
        if (at >= 0) continue;
        (out ??= [...base]).splice(-at - 1, 0, x);
      }
      return out === undefined ? base : out;
    }
    // Many edits: one merge pass.
    const add = [...this.added].sort((x, y) => x - y);
    const out: number[] = [];
    let changed = false;
    let i = 0;
    let j = 0;
    while (i < base.length || j < add.length) {
      const b = i < base.length ? (base[i] as number) : Infinity;
      const a = j < add.length ? (add[j] as number) : Infinity;
      if (b <= a) {
        if (this.removed.has(b)) changed = true;
        else out.push(b);
        i++;
        if (a === b) j++;
      } else {
        out.push(a);
        changed = true;
        j++;
      }
    }
    return changed ? out : base;
  }
}

/** The index of `x` in an ascending list, or `-(insertion point) - 1` when absent. */
function indexIn(list: readonly number[], x: number): number {
  let lo = 0;
  let hi = list.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const v = list[mid] as number;
    if (v === x) return mid;
    if (v < x) lo = mid + 1;
    else hi = mid - 1;
  }
  return -lo - 1;
}

/** The drafts of one change: each entity's new definition and the edits of its reverse edges, made at most once per change. */
interface UserDraft {
  def: User | undefined;
  inUsers: ListDelta | undefined;
}
interface RoleDraft {
  def: Role | undefined;
  children: ListDelta | undefined;
  users: ListDelta | undefined;
  inRoles: ListDelta | undefined;
  inSubtrees: ListDelta | undefined;
}
interface GroupDraft {
  def: Group | undefined;
  parents: ListDelta | undefined;
}

const NO_NUMS: readonly number[] = Object.freeze([]);
const NO_IDS: readonly Id[] = Object.freeze([]);

/** The principal of a definition, resolved to numbers (interning what it names). */
function refOf(ids: Interners, p: Principal): PrincipalRef {
  const parts = principalParts(p);
  if (parts === undefined) return internalError('principal');
  const id = parts.id as Id;
  switch (parts.kind) {
    case 'user':
      return { kind: 'user', num: ids.users.intern(id), id };
    case 'role':
      return { kind: 'role', num: ids.roles.intern(id) };
    case 'roleAndSubordinates':
      return { kind: 'roleAndSubordinates', num: ids.roles.intern(id) };
    case 'group':
      return { kind: 'group', num: ids.groups.intern(id) };
  }
}

/** Editors of a principal index: each touched list is a set while the change runs (O(1) per add or remove), sorted once at the end. */
class IndexEditor<T extends { readonly num: number }> {
  private readonly touched = new Map<PrincipalRef['kind'], Map<number, Set<T>>>();
  constructor(private readonly base: ByPrincipal<T>) {}
  private list(p: PrincipalRef): Set<T> {
    let byKind = this.touched.get(p.kind);
    if (byKind === undefined) this.touched.set(p.kind, (byKind = new Map()));
    let l = byKind.get(p.num);
    if (l === undefined) byKind.set(p.num, (l = new Set(this.base[p.kind].get(p.num))));
    return l;
  }
  add(p: PrincipalRef, x: T): void {
    this.list(p).add(x);
  }
  remove(p: PrincipalRef, x: T): void {
    this.list(p).delete(x);
  }
  build(): ByPrincipal<T> {
    if (this.touched.size === 0) return this.base;
    const out = { ...this.base };
    for (const [kind, byNum] of this.touched) {
      const ed = this.base[kind].edit();
      for (const [num, l] of byNum) ed.set(num, l.size === 0 ? undefined : Object.freeze([...l].sort((a, b) => a.num - b.num)));
      out[kind] = ed.build();
    }
    return out;
  }
}

/**
 * A snapshot of `next`, made from `prev` and what changed between them. `prev` is not modified.
 * `fresh` when `prev` is an empty snapshot (a build): there is no cache to invalidate, so the walks
 * that find the affected users are skipped.
 */
export function applyTouched(prev: Compiled, next: Policy, touched: Touched, revision: number, fresh = false): Compiled {
  const ids = prev.ids;
  const frame = prev.frame;
  const dropM = new Set<number>(); // users whose memberships (and grants) may change
  const dropG = new Set<number>(); // users whose grants alone may change
  let newGen = false; // a change that makes the interned closures stale
  let retour = false;

  const uEd = prev.users.edit();
  const rEd = prev.roles.edit();
  const gEd = prev.groups.edit();
  const oldView: FactsView = prev;
  const newView: FactsView = { users: uEd, roles: rEd, groups: gEd };
  const dropMember = (u: UserFacts): void => void dropM.add(u.num);
  const dropGrant = (u: UserFacts): void => void dropG.add(u.num);

  // Users who act in their own tenant only share one frozen list per tenant.
  const homeOnly = homeLists();
  const userDrafts = new Map<number, UserDraft>();
  const roleDrafts = new Map<number, RoleDraft>();
  const groupDrafts = new Map<number, GroupDraft>();
  const userDraft = (n: number): UserDraft => {
    let d = userDrafts.get(n);
    if (d === undefined) {
      const f = prev.users.get(n);
      userDrafts.set(n, (d = { def: f?.def, inUsers: undefined }));
    }
    return d;
  };
  const roleDraft = (n: number): RoleDraft => {
    let d = roleDrafts.get(n);
    if (d === undefined) {
      const f = prev.roles.get(n);
      roleDrafts.set(n, (d = { def: f?.def, children: undefined, users: undefined, inRoles: undefined, inSubtrees: undefined }));
    }
    return d;
  };
  const groupDraft = (n: number): GroupDraft => {
    let d = groupDrafts.get(n);
    if (d === undefined) {
      const f = prev.groups.get(n);
      groupDrafts.set(n, (d = { def: f?.def, parents: undefined }));
    }
    return d;
  };

  // Phase A, on the old snapshot: who may lose something.
  const movedRoles: number[] = [];
  if (!fresh) phaseA();
  function phaseA(): void {
    const oldWalk = memberWalk(oldView, dropMember);
    for (const id of touched.groups) {
      const n = ids.groups.intern(id);
      const old = prev.groups.get(n);
      const def = next.groups.get(id);
      if (old === undefined) {
        newGen = true;
        continue;
      }
      const wide = def === undefined || def.tenant !== old.def.tenant || !sameData(def.accessLevel, old.def.accessLevel);
      if (wide || !sameData(def.members.roles, old.def.members.roles) || !sameData(def.members.rolesAndSubordinates, old.def.members.rolesAndSubordinates) || !sameData(def.members.groups, old.def.members.groups)) newGen = true;
      if (wide) {
        oldWalk.group(n);
        continue;
      }
      // The members it loses: the old list minus the new one.
      const keepUsers = new Set(memberIds(def.members.users));
      for (const u of memberIds(old.def.members.users)) if (!keepUsers.has(u)) oldWalk.user(ids.users.intern(u));
      const keepRoles = new Set(memberIds(def.members.roles));
      for (const r of memberIds(old.def.members.roles)) if (!keepRoles.has(r)) oldWalk.role(ids.roles.intern(r));
      const keepSubtrees = new Set(memberIds(def.members.rolesAndSubordinates));
      for (const r of memberIds(old.def.members.rolesAndSubordinates)) if (!keepSubtrees.has(r)) oldWalk.subtree(ids.roles.intern(r));
      const keepGroups = new Set(memberIds(def.members.groups));
      for (const g of memberIds(old.def.members.groups)) if (!keepGroups.has(g)) oldWalk.group(ids.groups.intern(g));
    }
    for (const id of touched.roles) {
      const n = ids.roles.intern(id);
      const old = prev.roles.get(n);
      const def = next.roles.get(id);
      if (old === undefined) {
        newGen = true;
        continue;
      }
      if (def === undefined || def.parent !== old.def.parent) {
        newGen = true;
        // One walk for the whole change: nested moved roles share their subtrees.
        oldWalk.subtree(n);
        movedRoles.push(n);
      }
      // A level change reaches the role's users' capabilities.
      for (const u of old.users) dropM.add(u);
    }
    const oldRulesReach = memberWalk(oldView, dropGrant);
    for (const id of touched.sharingRules) {
      const old = prev.rules.get(ids.rules.intern(id));
      if (old !== undefined) oldRulesReach.principal(old.to);
    }
    for (const id of touched.accessGroups) {
      const old = prev.accessGroups.get(ids.accessGroups.intern(id));
      if (old !== undefined) for (const g of old.grants) oldRulesReach.principal(g.to);
    }

  }

  // Phase B: new facts. Tenants first (users point at them), then roles, users, groups.
  const tenants = touched.tenants ? buildTenants(frame, ids.tenants, next.tenants) : prev.tenants;
  // From scratch, facts are made in one pass; otherwise only the touched entities (and the
  // entities their reverse edges pass through) get new facts, from drafts.
  const { users, roles, groups } = fresh ? freshFacts(ids, frame, next) : changedFacts();
  if (fresh) retour = true;
  function changedFacts(): { users: PVec<UserFacts>; roles: PVec<RoleFacts>; groups: PVec<GroupFacts> } {
    for (const id of touched.roles) {
      const n = ids.roles.intern(id);
      const d = roleDraft(n);
      const def = next.roles.get(id);
      const oldParent = d.def?.parent;
      if (oldParent !== def?.parent) {
        retour = true;
        if (oldParent !== undefined) (roleDraft(ids.roles.intern(oldParent)).children ??= new ListDelta()).delete(n);
        if (def?.parent !== undefined) (roleDraft(ids.roles.intern(def.parent)).children ??= new ListDelta()).add(n);
      }
      if (d.def === undefined || def === undefined) retour = true;
      d.def = def;
    }
    for (const id of touched.users) {
      const n = ids.users.intern(id);
      const d = userDraft(n);
      const def = next.users.get(id);
      dropM.add(n);
      if (d.def?.role !== def?.role) {
        if (d.def?.role !== undefined) (roleDraft(ids.roles.intern(d.def.role)).users ??= new ListDelta()).delete(n);
        if (def?.role !== undefined) (roleDraft(ids.roles.intern(def.role)).users ??= new ListDelta()).add(n);
      }
      d.def = def;
    }
    for (const id of touched.groups) {
      const n = ids.groups.intern(id);
      const d = groupDraft(n);
      const def = next.groups.get(id);
      // Only the edges that differ: a member on both lists keeps its edge, so that adding one
      // member to a large group touches one member, not all of them.
      const before = d.def?.members;
      const after = def?.members;
      const edit = (kind: keyof Group['members'], set: (id: Id) => ListDelta): void => {
        const was = before === undefined ? NO_IDS : memberIds(before[kind]);
        const now = after === undefined ? NO_IDS : memberIds(after[kind]);
        if (was === now) return;
        if (was.length === 0) {
          for (const x of now) set(x).add(n);
          return;
        }
        const keep = new Set(now);
        for (const x of was) if (!keep.has(x)) set(x).delete(n);
        const had = new Set(was);
        for (const x of now) if (!had.has(x)) set(x).add(n);
      };
      edit('users', (u) => (userDraft(ids.users.intern(u)).inUsers ??= new ListDelta()));
      edit('roles', (r) => (roleDraft(ids.roles.intern(r)).inRoles ??= new ListDelta()));
      edit('rolesAndSubordinates', (r) => (roleDraft(ids.roles.intern(r)).inSubtrees ??= new ListDelta()));
      edit('groups', (g) => (groupDraft(ids.groups.intern(g)).parents ??= new ListDelta()));
      d.def = def;
    }
    // Facts from the drafts.
    for (const [n, d] of roleDrafts) {
      if (d.def === undefined) {
        rEd.set(n, undefined);
        continue;
      }
      const def = d.def;
      const before = prev.roles.get(n);
      const edited = (delta: ListDelta | undefined, base: readonly number[] | undefined): readonly number[] => (delta === undefined ? (base ?? NO_NUMS) : delta.applyTo(base ?? NO_NUMS));
      const edges = { children: edited(d.children, before?.children), users: edited(d.users, before?.users), inRoles: edited(d.inRoles, before?.inRoles), inSubtrees: edited(d.inSubtrees, before?.inSubtrees) };
      rEd.set(n, before?.def === def ? roleFacts(ids, frame, n, def, edges, before.level) : roleFacts(ids, frame, n, def, edges));
    }
    for (const [n, d] of userDrafts) {
      const def = d.def;
      if (def === undefined) {
        uEd.set(n, undefined);
        continue;
      }
      const before = prev.users.get(n);
      const was = before?.inUsers ?? NO_NUMS;
      const inUsers = d.inUsers === undefined ? was : d.inUsers.applyTo(was);
      if (!fresh) {
        // applyTo returns the same list when the edits changed nothing.
        if (before !== undefined && before.def === def && inUsers === was) continue;
        if (before === undefined || inUsers !== was) dropM.add(n);
      }
      uEd.set(n, userFacts(ids, frame, n, def, inUsers, homeOnly));

    }
    for (const [n, d] of groupDrafts) {
      const def = d.def;
      if (def === undefined) {
        gEd.set(n, undefined);
        continue;
      }
      const before = prev.groups.get(n);
      const parents = d.parents === undefined ? (before?.parents ?? NO_NUMS) : d.parents.applyTo(before?.parents ?? NO_NUMS);
      // A group drafted only for its reverse edges (another group nests it) keeps its member numbers.
      if (before !== undefined && before.def === def) {
        gEd.set(n, Object.freeze({ ...before, parents }));
        continue;
      }
      gEd.set(n, groupFacts(ids, frame, n, def, parents));
    }
    return {
      users: userDrafts.size === 0 ? prev.users : uEd.build(),
      roles: roleDrafts.size === 0 ? prev.roles : rEd.build(),
      groups: groupDrafts.size === 0 ? prev.groups : gEd.build(),
    };
  }
  const view: FactsView = { users, roles, groups };
  const tour = retour ? tourRoles(roles, ids.roles.size) : { tin: prev.roleTin, tout: prev.roleTout };

  // Phase C, on the new facts: who may gain something.
  if (!fresh) phaseC();
  function phaseC(): void {
    const newWalk = memberWalk(view, dropMember);
    for (const id of touched.groups) {
      const n = ids.groups.intern(id);
      const now = groups.get(n);
      if (now === undefined) continue;
      const old = prev.groups.get(n);
      if (old === undefined || old.def.tenant !== now.def.tenant || !sameData(old.def.accessLevel, now.def.accessLevel)) {
        newWalk.group(n);
        continue;
      }
      const had = (list: readonly Id[]): Set<Id> => new Set(list);
      const hadUsers = had(memberIds(old.def.members.users));
      for (const u of memberIds(now.def.members.users)) if (!hadUsers.has(u)) newWalk.user(ids.users.intern(u));
      const hadRoles = had(memberIds(old.def.members.roles));
      for (const r of memberIds(now.def.members.roles)) if (!hadRoles.has(r)) newWalk.role(ids.roles.intern(r));
      const hadSubtrees = had(memberIds(old.def.members.rolesAndSubordinates));
      for (const r of memberIds(now.def.members.rolesAndSubordinates)) if (!hadSubtrees.has(r)) newWalk.subtree(ids.roles.intern(r));
      const hadGroups = had(memberIds(old.def.members.groups));
      for (const g of memberIds(now.def.members.groups)) if (!hadGroups.has(g)) newWalk.group(ids.groups.intern(g));
    }
    for (const n of movedRoles) newWalk.subtree(n);
  }

  // Sharing rules and access groups, with their principal indexes.
  const rulesEd = prev.rules.edit();
  const rulesTo = new IndexEditor(prev.rulesTo);
  const rulesFrom = new IndexEditor(prev.rulesFrom);
  const newReach = memberWalk(view, dropGrant);
  for (const id of touched.sharingRules) {
    const n = ids.rules.intern(id);
    const old = prev.rules.get(n);
    if (old !== undefined) {
      rulesTo.remove(old.to, old);
      rulesFrom.remove(old.from, old);
    }
    const def = next.sharingRules.get(id);
    if (def === undefined) {
      rulesEd.set(n, undefined);
      continue;
    }
    const rule = compileRule(ids, n, def);
    rulesEd.set(n, rule);
    rulesTo.add(rule.to, rule);
    rulesFrom.add(rule.from, rule);
    if (!fresh) newReach.principal(rule.to);
  }
  const agEd = prev.accessGroups.edit();
  const grantsTo = new IndexEditor(prev.grantsTo);
  for (const id of touched.accessGroups) {
    const n = ids.accessGroups.intern(id);
    const old = prev.accessGroups.get(n);
    if (old !== undefined) for (const g of old.grants) grantsTo.remove(g.to, old);
    const def = next.accessGroups.get(id);
    if (def === undefined) {
      agEd.set(n, undefined);
      continue;
    }
    const ag = compileAccessGroup(ids, n, def);
    agEd.set(n, ag);
    for (const g of ag.grants) {
      grantsTo.add(g.to, ag);
      if (!fresh) newReach.principal(g.to);
    }
  }

  // The caches: inherited minus exactly the users the change may have changed.
  const old = prev.caches;
  const closures = newGen || old.closures.size > tableLimit(ids.users.size) ? newClosureTables() : old.closures;
  // Users whose caches may be stale get a copy of their facts with the caches empty (memberships
  // kept where only grants may change), whether or not anything is cached yet: the old snapshot
  // may still fill the object it shares, and that must never reach this one.
  let finalUsers = users;
  if (dropM.size > 0 || dropG.size > 0) {
    const ed = users.edit();
    const refresh = (n: number, keepMembership: boolean): void => {
      const f = users.get(n);
      if (f === undefined || f !== prev.users.get(n)) return; // gone, or new facts already
      ed.set(n, { ...f, membership: keepMembership ? f.membership : undefined, grants: undefined });
    };
    for (const n of dropM) refresh(n, false);
    for (const n of dropG) if (!dropM.has(n)) refresh(n, true);
    finalUsers = ed.build();
  }
  return {
    revision,
    clock: prev.clock,
    frame,
    ids,
    users: finalUsers,
    roles,
    groups,
    tenants,
    defaultTenant: prev.defaultTenant,
    roleTin: tour.tin,
    roleTout: tour.tout,
    rules: touched.sharingRules.size === 0 ? prev.rules : rulesEd.build(),
    accessGroups: touched.accessGroups.size === 0 ? prev.accessGroups : agEd.build(),
    rulesTo: rulesTo.build(),
    rulesFrom: rulesFrom.build(),
    grantsTo: grantsTo.build(),
    caches: { closures },
  };
}

/** Compiles a sharing rule. */
function compileRule(ids: Interners, num: number, def: SharingRule): CompiledRule {
  return Object.freeze({ num, def, tenant: def.tenant, type: def.resourceType, from: refOf(ids, def.from), to: refOf(ids, def.to), rank: levelRank(def.level) });
}

/** Compiles an access group. */
function compileAccessGroup(ids: Interners, num: number, def: AccessGroup): AccessGroupNode {
  return Object.freeze({
    num,
    id: def.id,
    def,
    tenant: def.tenant,
    types: def.resourceTypes === undefined ? undefined : new Set(def.resourceTypes),
    segment: def.segment,
    grants: def.grants.map((g) => (g.until === undefined ? { to: refOf(ids, g.to), rank: levelRank(g.level) } : { to: refOf(ids, g.to), rank: levelRank(g.level), until: g.until })),
  });
}

/** The same snapshot at another revision (a replayed change that changed nothing). */
export function atRevision(c: Compiled, revision: number): Compiled {
  return { ...c, revision };
}


