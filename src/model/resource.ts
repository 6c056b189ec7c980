import type { Id } from './ids.js';
import type { Instant } from './instant.js';
import type { Principal } from './principal.js';

/** Who owns a record: one user, or a group whose members all count as owners. */
export type Owner = { readonly user: Id } | { readonly group: Id };

/** The level a record share gives (a share never gives `none`). */
export type ShareLevel = 'read' | 'readWrite' | 'full';

/**
 * A record share (manual sharing): the record shared with one principal at a level, in effect
 * from `since` (inclusive) to `until` (exclusive), each bound open when missing. The principal is
 * resolved in the record's own tenant: a role or group of another tenant, a user who may not act in
 * it, or an unknown id counts for nothing.
 * @example
 * ```ts
 * const share: Share = { to: { user: 'bob' }, level: 'readWrite', until: '2026-12-31T17:00:00Z' };
 * ```
 */
export interface Share {
  /** Who the record is shared with: `{ user }`, `{ role }`, `{ roleAndSubordinates }` or `{ group }`. */
  readonly to: Principal;
  /** The level the share gives: `read`, `readWrite` or `full`. */
  readonly level: ShareLevel;
  /** The instant the share starts counting (inclusive); open when missing. */
  readonly since?: Instant;
  /** The instant the share stops counting (exclusive); open when missing. Must be after `since`. */
  readonly until?: Instant;
}

/** A resource attribute value, as segments compare it. */
export type AttributeValue = string | number | boolean | readonly string[];

/**
 * A record of the application's, as the engine needs to see it.
 * @example
 * ```ts
 * const lead: Resource = { type: 'lead', id: 'l1', owner: { group: 'sales' }, attributes: { region: 'EU' } };
 * ```
 */
export interface Resource {
  /** A resource type declared in the policy's `resourceTypes`. */
  readonly type: string;
  /** The record's id, unique within its type. */
  readonly id: Id;
  /** The tenant the record lives in; `default` when omitted (for a controlled record, its parent's tenant). */
  readonly tenant?: Id;
  /** Who owns the record: `{ user }` or `{ group }`. A record of a controlled type has none (its parent's counts). */
  readonly owner?: Owner;
  /** Access groups the record was put into by hand, at import or on a form; never on a record of a controlled type. */
  readonly accessGroups?: readonly Id[];
  /**
   * The record that controls this one, for a record of a type with `controlledBy` (and only
   * then): a resource of that type, which may itself have a parent. The record's access is
   * decided on it (see docs/parent-controlled-types.md).
   * @example
   * ```ts
   * const contact: Resource = { type: 'contact', id: 'c1', parent: { type: 'account', id: 'a1', owner: { user: 'u1' } } };
   * ```
   */
  readonly parent?: Resource;
  /** Record shares (manual sharing): each gives its principal a level while in effect. `null` reads as none. */
  readonly shares?: readonly Share[];
  /** Values that access-group segments match on. */
  readonly attributes?: Readonly<Record<string, AttributeValue>>;
}
