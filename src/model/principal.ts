import type { Id } from './ids.js';

/** A role, a role with every role below it, or a group: the principals a sharing rule names. */
export type RulePrincipal = { readonly role: Id } | { readonly roleAndSubordinates: Id } | { readonly group: Id };

/**
 * A set of users: one user, the users with a role, the users whose role is in a role's subtree,
 * or the (expanded) members of a group.
 * @example
 * ```ts
 * const p: Principal = { roleAndSubordinates: 'sales-manager' };
 * ```
 */
export type Principal = { readonly user: Id } | RulePrincipal;

/** The kind of a {@link Principal}. */
export type PrincipalKind = 'user' | 'role' | 'roleAndSubordinates' | 'group';

/** The kind and id of a principal, or `undefined` when `value` is not exactly one of the four shapes. */
export function principalParts(value: unknown): { kind: PrincipalKind; id: unknown } | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const keys = Object.keys(value);
  if (keys.length !== 1) return undefined;
  const kind = keys[0];
  if (kind !== 'user' && kind !== 'role' && kind !== 'roleAndSubordinates' && kind !== 'group') return undefined;
  return { kind, id: (value as Record<string, unknown>)[kind] };
}
