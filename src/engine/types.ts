import type { EntityCommands } from './entity-commands.js';
import type { Instant } from '../model/instant.js';
import type { Decision, MembershipPath } from '../decide/decision.js';
import type { AccessFilter } from '../decide/access-filter.js';
import type { PermittedFields } from '../decide/permitted-fields.js';
import type { Id } from '../model/ids.js';
import type { Policy, PolicyDraft, TimeBounds, UserStatus } from '../model/policy.js';
import type { PolicyInput } from '../model/policy-input.js';
import type { Principal } from '../model/principal.js';
import type { Owner, Resource } from '../model/resource.js';

/** Options of a query. */
export interface QueryOptions {
  /** Refuse to answer (throw `StaleSnapshotError`) unless the engine is at least at this revision. */
  readonly atLeast?: number;
  /**
   * Answer at this instant (an RFC 3339 date-time such as `2026-12-31T17:00:00Z`) instead of the
   * engine clock's: time-bound entries count as they do then. A malformed instant is an `InvalidInputError`.
   */
  readonly asOf?: Instant;
}

export type { GroupMembership } from '../model/path.js';
import type { GroupMembership } from '../model/path.js';

/**
 * The read side of the engine: every query, answered from one immutable snapshot of the policy.
 * An engine answers from its newest snapshot; `engine.snapshot()` pins one.
 */
export interface Queries {
  /** The revision of the snapshot these queries answer from. */
  readonly revision: number;
  /** The snapshot's policy (immutable). */
  readonly policy: Policy;
  /**
   * May `user` do `action` on `resource`? The full decision with every reason and its path.
   * Throws `InvalidInputError` for an undeclared type or action or a malformed argument; an
   * unknown user or owner is a deny.
   * @example
   * ```ts
   * const d = engine.check('u1', 'edit', { type: 'lead', id: 'l1', owner: { group: 'sales' } });
   * ```
   */
  check(user: Id, action: string, resource: Resource, options?: QueryOptions): Decision;
  /**
   * The same verdict as `check(...).allowed`, on the fast path (no reasons, no allocation).
   * @example
   * ```ts
   * if (!engine.can(req.user, 'edit', lead)) return forbidden();
   * ```
   */
  can(user: Id, action: string, resource: Resource, options?: QueryOptions): boolean;
  /**
   * The decision as readable text (`format: 'text'`, the default) or as JSON.
   * @example
   * ```ts
   * console.log(engine.explain('u1', 'edit', lead));
   * ```
   */
  explain(user: Id, action: string, resource: Resource, options?: QueryOptions & { readonly format?: 'text' | 'json' }): string;
  /**
   * Every group the user is a member of, at any depth, sorted; with `{ paths: true }`, each with
   * a shortest membership path, counted in steps of the whole path (the user's step and any role
   * steps included). The answer is linear in the number of groups: each `path` is a frozen array
   * built on first read and kept. An unknown user has none.
   * @example
   * ```ts
   * engine.groupsOf('u1'); // ['sales', 'team-a']
   * ```
   */
  groupsOf(user: Id, options?: QueryOptions & { readonly paths?: false }): Id[];
  groupsOf(user: Id, options: QueryOptions & { readonly paths: true }): GroupMembership[];
  /**
   * Every user who is a member of the group, expanded through roles, subordinates and nested
   * groups (inactive users included: they keep their memberships), sorted.
   * @example
   * ```ts
   * engine.membersOf('sales'); // ['u1', 'u2', 'u3']
   * ```
   */
  membersOf(group: Id, options?: QueryOptions): Id[];
  /**
   * The owner user of the resource, or every member of its owner group, sorted. Unknown owners
   * have none.
   * @example
   * ```ts
   * engine.effectiveOwners({ type: 'lead', id: 'l1', owner: { group: 'sales' } });
   * ```
   */
  effectiveOwners(resource: Resource, options?: QueryOptions): Id[];
  /**
   * Every active user that `check` allows to do `action` on `resource`, sorted.
   * @example
   * ```ts
   * engine.whoCan('edit', lead); // ['u1', 'u2']
   * ```
   */
  whoCan(action: string, resource: Resource, options?: QueryOptions): Id[];
  /**
   * Which records of `type` the user may `action`, as an {@link AccessFilter}: the owners, owner
   * groups, access groups, segments and defaults through which it reaches them. Compile it with
   * `toPredicate` (in memory) or `toSql` (`purview/postgres`).
   * @example
   * ```ts
   * const f = engine.filter('u1', 'view', 'lead');
   * const { sql, params } = toSql(f, { ownerUser: 'owner_user_id', ownerGroup: 'owner_group_id', shares: false });
   * ```
   */
  filter(user: Id, action: string, type: string, options?: QueryOptions): AccessFilter;
  /**
   * Which fields of `resource` the user may read and write: the fields its type declares
   * (`fields: { salary: { read: 'viewSalary' } }`) whose `read` or `write` action `check` allows,
   * each distinct action decided once. `hidden` lists the declared fields it may not read; pass
   * the answer to `keepReadable(row, permitted)` to drop them from a row.
   * @example
   * ```ts
   * engine.permittedFields('u1', lead); // { read: ['email'], write: [], hidden: ['salary'] }
   * ```
   */
  permittedFields(user: Id, resource: Resource, options?: QueryOptions): PermittedFields;
  /**
   * The queries of one user on this snapshot (the engine's: its current one), for a request
   * handler that makes several checks: `can`, `check`, `explain`, `filter`, `groups` and `permittedFields` without
   * the user argument, all from one snapshot. An unknown user's view denies everything.
   * @example
   * ```ts
   * const me = engine.for('u1');
   * me.can('edit', lead); // the same as engine.can('u1', 'edit', lead), on a pinned snapshot
   * ```
   */
  for(user: Id): UserQueries;
}

export type { Recipe } from '../model/policy.js';
import type { Recipe } from '../model/policy.js';

/** Options of `deleteGroup`. */
export interface DeleteGroupOptions {
  /** Who gets the records the group owns; required when it owns any. */
  readonly transferTo?: Owner;
}

/**
 * What every engine has, in memory ({@link Engine}) or shared (`SharedEngine`): queries on its
 * newest snapshot, and changes that each produce a new snapshot. Every change is validated as a
 * whole before it lands; a rejected change throws a typed error and leaves the engine exactly as
 * it was. Every change here is asynchronous, so that a shared engine can write it to its
 * repository first.
 */
export interface EngineBase extends Queries, EntityCommands {
  /** Pins the current snapshot: its queries keep answering from it, whatever changes later. */
  snapshot(): Queries;
  /**
   * Applies an immer recipe to the policy. Resolves to the new revision (the same revision when
   * the recipe changed nothing).
   * @example
   * ```ts
   * const rev = await engine.update((d) => { d.users.get('u1')!.status = 'inactive'; });
   * ```
   */
  update(recipe: Recipe): Promise<number>;
  /**
   * Applies a new version of the whole policy (a policy file, say): computes the entities it adds,
   * removes and changes against the current policy, validates them as one change and lands them as
   * one revision, described entity by entity in the change log. Applying the same policy again
   * changes nothing and keeps the revision. A rejected version changes nothing.
   * @example
   * ```ts
   * const revision = await engine.replace(parse(readFileSync('crm.policy.yaml', 'utf8')));
   * ```
   */
  replace(policy: PolicyInput | Policy): Promise<number>;
  /**
   * Adds a member to a group (a no-op when the same entry is there already). With `since` and
   * `until`, the entry is in effect only between those instants: the member stops counting at
   * `until` with no further change.
   * @example
   * ```ts
   * await engine.addMember('sales', { group: 'team-c' });
   * await engine.addMember('support', { user: 'contractor' }, { until: '2026-12-31T17:00:00Z' });
   * ```
   */
  addMember(group: Id, member: Principal, options?: TimeBounds): Promise<number>;
  /** Removes a member from a group, every entry naming it (a no-op when it is not one). */
  removeMember(group: Id, member: Principal): Promise<number>;
  /** Sets a user's role, or removes it with `undefined`. */
  setRole(user: Id, role: Id | undefined): Promise<number>;
  /** Activates or deactivates a user; an inactive user keeps its memberships. */
  setStatus(user: Id, status: UserStatus): Promise<number>;
  /**
   * Deletes a group: removes it from other groups, deletes the sharing rules that name it, removes
   * the grants that name it, and transfers the records it owns to `transferTo`. Fails when it owns
   * records and no `transferTo` is given.
   */
  deleteGroup(group: Id, options?: DeleteGroupOptions): Promise<number>;
  /**
   * Deletes a role: its users and child roles move to `reassignTo`; groups stop listing it; sharing
   * rules and grants that name it are deleted. `reassignTo` may be one of its direct children,
   * which then takes its place (the deleted role's parent becomes its parent); a role further
   * below it is refused.
   */
  deleteRole(role: Id, options: { readonly reassignTo: Id }): Promise<number>;
  /**
   * Moves a record from one access group to another (the vault's "move a credential between
   * groups"). Both must exist in the record's tenant and apply to its type. Resolves to the record
   * as stored.
   */
  moveResource(resource: { readonly type: string; readonly id: Id }, move: { readonly from?: Id; readonly to: Id }): Promise<Resource>;
  /** Calls `listener` with each new revision after it lands; returns a function that unsubscribes. */
  subscribe(listener: (revision: number) => void): () => void;
}

/**
 * The in-memory engine of `createEngine`: an {@link EngineBase} that can also change its policy
 * synchronously. (A shared engine has no `updateSync`: its changes must reach the repository
 * first.)
 */
export interface Engine extends EngineBase {
  /**
   * {@link EngineBase.update}, synchronously: returns the new revision, or throws the typed error
   * of a rejected change.
   * @example
   * ```ts
   * const rev = engine.updateSync((d) => { d.users.get('u1')!.status = 'inactive'; });
   * ```
   */
  updateSync(recipe: Recipe): number;
}

/**
 * The queries of one user on one snapshot: what a request handler needs once it knows who is
 * asking (the shape CASL users know from `defineAbilityFor(user)`). Every answer comes from the
 * snapshot the view was made on, so one request sees one consistent policy however many checks it
 * makes and whatever changes land meanwhile.
 * @example
 * ```ts
 * const me = engine.for(req.user.id);
 * if (!me.can('edit', lead)) return forbidden(me.check('edit', lead).denial);
 * const leads = await db.select().where(toSql(me.filter('view', 'lead'), mapping));
 * ```
 */
export interface UserQueries {
  /** The user these queries answer for. */
  readonly user: Id;
  /** The revision of the snapshot they answer from. */
  readonly revision: number;
  /** {@link Queries.can} for this user. */
  can(action: string, resource: Resource, options?: QueryOptions): boolean;
  /** {@link Queries.check} for this user. */
  check(action: string, resource: Resource, options?: QueryOptions): Decision;
  /** {@link Queries.explain} for this user. */
  explain(action: string, resource: Resource, options?: QueryOptions & { readonly format?: 'text' | 'json' }): string;
  /** {@link Queries.filter} for this user. */
  filter(action: string, type: string, options?: QueryOptions): AccessFilter;
  /** {@link Queries.groupsOf} for this user. */
  groups(options?: QueryOptions & { readonly paths?: false }): Id[];
  groups(options: QueryOptions & { readonly paths: true }): GroupMembership[];
  /** {@link Queries.permittedFields} for this user. */
  permittedFields(resource: Resource, options?: QueryOptions): PermittedFields;
}
