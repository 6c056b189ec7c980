import type { Id } from '../model/ids.js';
import type {
  AccessGroupInput,
  GroupInput,
  PolicyInput,
  RoleInput,
  SharingRuleInput,
  UserInput,
} from '../model/policy-input.js';

/** One entity written or deleted by a change. Plain JSON, so repositories can store it. */
export type EntityOp =
  | { readonly op: 'put'; readonly collection: 'users'; readonly entity: UserInput }
  | { readonly op: 'put'; readonly collection: 'roles'; readonly entity: RoleInput }
  | { readonly op: 'put'; readonly collection: 'groups'; readonly entity: GroupInput }
  | { readonly op: 'put'; readonly collection: 'sharingRules'; readonly entity: SharingRuleInput }
  | { readonly op: 'put'; readonly collection: 'accessGroups'; readonly entity: AccessGroupInput }
  | { readonly op: 'delete'; readonly collection: 'users' | 'roles' | 'groups' | 'sharingRules' | 'accessGroups'; readonly id: Id };

/**
 * A landed change as the change log keeps it: the entities it wrote and deleted, or, for changes
 * to tenants, resource types or access levels, the whole new policy. Replaying the records from a
 * revision on reproduces every later snapshot exactly.
 */
export type ChangeRecord =
  | { readonly revision: number; readonly ops: readonly EntityOp[] }
  | { readonly revision: number; readonly replace: PolicyInput };
