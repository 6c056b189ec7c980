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
  /** The tenant the record lives in; `default` when omitted. */
  readonly tenant?: Id;
  /** Who owns the record: `{ user }` or `{ group }`. */
  readonly owner: Owner;
  /** Access groups the record was put into by hand, at import or on a form. */
  readonly accessGroups?: readonly Id[];
  /** Values that access-group segments match on. */
  readonly attributes?: Readonly<Record<string, AttributeValue>>;
}
