import type { AttributeValue } from './resource.js';

/** One test on a resource attribute. `contains` is for array attributes. */
export type Condition =
  | { readonly attribute: string; readonly equals: AttributeValue }
  | { readonly attribute: string; readonly in: readonly (string | number | boolean)[] }
  | { readonly attribute: string; readonly contains: string };

/** A segment matches a resource when every condition holds; an empty `all` matches every resource. */
export interface Segment {
  /**
   * The conditions, all of which must hold.
   * @example
   * ```ts
   * [{ attribute: 'category', equals: 'b2b' }, { attribute: 'tags', contains: 'vip' }]
   * ```
   */
  readonly all: readonly Condition[];
}
