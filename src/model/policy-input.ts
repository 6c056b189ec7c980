import type { AccessLevels, Capability, LevelRef } from './access-level.js';
import type { Id } from './ids.js';
import type { Level } from './level.js';
import type { OrgDefault, UserStatus } from './policy.js';
import type { Principal, RulePrincipal } from './principal.js';
import type { Segment } from './segment.js';

/** A tenant as written in a policy file. */
export interface TenantInput {
  readonly id: Id;
  readonly parent?: Id;
  readonly ceiling?: readonly Capability[];
}

/** A role as written in a policy file; `tenant` defaults to `default`. */
export interface RoleInput {
  readonly id: Id;
  readonly tenant?: Id;
  readonly parent?: Id;
  readonly accessLevel?: LevelRef;
}

/** A user as written in a policy file; `status` defaults to `active`. */
export interface UserInput {
  readonly id: Id;
  readonly tenant?: Id;
  readonly status?: UserStatus;
  readonly role?: Id;
  readonly accessLevel?: LevelRef;
  readonly tenants?: readonly Id[];
}

/** A group as written in a policy file; every member list is optional. */
export interface GroupInput {
  readonly id: Id;
  readonly tenant?: Id;
  readonly name?: string;
  readonly description?: string;
  readonly members?: {
    readonly users?: readonly Id[];
    readonly roles?: readonly Id[];
    readonly rolesAndSubordinates?: readonly Id[];
    readonly groups?: readonly Id[];
  };
  readonly accessLevel?: LevelRef;
}

/** A resource type as written in a policy file, keyed by its name in `resourceTypes`. */
export interface ResourceTypeInput {
  readonly actions: Readonly<Record<string, Level>>;
  readonly readActions?: readonly string[];
  readonly default?: OrgDefault;
  readonly hierarchy?: boolean;
  readonly groupOwnerLevel?: Level;
}

/** A sharing rule as written in a policy file. */
export interface SharingRuleInput {
  readonly id: Id;
  readonly tenant?: Id;
  readonly resourceType: string;
  readonly from: RulePrincipal;
  readonly to: RulePrincipal;
  readonly level: 'read' | 'readWrite';
}

/** An access group as written in a policy file. */
export interface AccessGroupInput {
  readonly id: Id;
  readonly tenant?: Id;
  readonly resourceTypes?: readonly string[];
  readonly segment?: Segment;
  readonly grants?: readonly { readonly to: Principal; readonly level: Level }[];
}

/**
 * A policy as plain data (JSON or YAML): the form `createEngine` accepts and `toPolicyInput`
 * returns. Every list is optional except `resourceTypes`.
 * @example
 * ```ts
 * const policy: PolicyInput = {
 *   resourceTypes: { lead: { actions: { view: 'read', edit: 'readWrite', delete: 'full' } } },
 *   roles: [{ id: 'ceo' }, { id: 'sales', parent: 'ceo' }],
 *   users: [{ id: 'ann', role: 'ceo' }, { id: 'bob', role: 'sales' }],
 *   groups: [{ id: 'team-a', members: { users: ['bob'] } }],
 * };
 * ```
 */
export interface PolicyInput {
  readonly tenants?: readonly TenantInput[];
  readonly roles?: readonly RoleInput[];
  readonly users?: readonly UserInput[];
  readonly groups?: readonly GroupInput[];
  readonly resourceTypes: Readonly<Record<string, ResourceTypeInput>>;
  readonly sharingRules?: readonly SharingRuleInput[];
  readonly accessGroups?: readonly AccessGroupInput[];
  readonly accessLevels?: AccessLevels;
  readonly defaultAccessLevel?: LevelRef;
}
