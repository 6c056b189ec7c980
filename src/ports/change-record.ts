import type { Id } from '../model/ids.js';
import type { AccessLevels, LevelRef } from '../model/access-level.js';
import type {
  AccessGroupInput,
  ResourceTypeInput,
  TenantInput,
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
  | { readonly op: 'put'; readonly collection: 'tenants'; readonly entity: TenantInput }
  | { readonly op: 'put'; readonly collection: 'resourceTypes'; readonly entity: ResourceTypeInput & { readonly name: string } }
  | {
      readonly op: 'delete';
      readonly collection: 'users' | 'roles' | 'groups' | 'sharingRules' | 'accessGroups' | 'tenants' | 'resourceTypes';
      /** The entity's id (a resource type's name). */
      readonly id: Id;
    }
  | { readonly op: 'set'; readonly field: 'accessLevels'; readonly value: AccessLevels | null }
  | { readonly op: 'set'; readonly field: 'defaultAccessLevel'; readonly value: LevelRef | null };

/**
 * A landed change as the change log keeps it: the entities it wrote and deleted (tenants and
 * resource types included) and the access levels it set, or, for a recipe that replaced a whole
 * collection, the whole new policy. Replaying the records from a revision on reproduces every
 * later snapshot exactly.
 */
export type ChangeRecord =
  | { readonly revision: number; readonly ops: readonly EntityOp[] }
  | { readonly revision: number; readonly replace: PolicyInput };
