import type { Id } from './ids.js';

/** Who owns a record: one user, or a group whose members all count as owners. */
export type Owner = { readonly user: Id } | { readonly group: Id };

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
  /** Values that access-group segments match on. */
  readonly attributes?: Readonly<Record<string, AttributeValue>>;
}
