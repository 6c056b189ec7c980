/**
 * A capability: which action on which type a principal may use at all.
 * `type:action`, `type:*`, `*:action` or `*`. Resource type names never contain `:`,
 * so the first `:` separates the type from the action.
 */
export type Capability = string;

/** The five tiers, from the widest to the narrowest. */
export const TIERS = ['full', 'extended', 'standard', 'limited', 'minimum'] as const;

/** One of the five tiers. */
export type Tier = (typeof TIERS)[number];

/** The read-only twin of a tier: the read actions of its capabilities only. */
export type ReadOnlyTier = `${Tier}:readOnly`;

/**
 * How a principal names its access level: a tier, its read-only twin, the source product's
 * number (0-4 the tiers from full to minimum, 5-9 their twins), or a custom list (level 10).
 * @example
 * ```ts
 * const a: LevelRef = 'standard';
 * const b: LevelRef = 7; // standard:readOnly
 * const c: LevelRef = { custom: ['lead:read', 'contact:*'] };
 * ```
 */
export type LevelRef = Tier | ReadOnlyTier | 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9 | { readonly custom: Capability[] };

/**
 * The tiers, each given as the capabilities it adds to the tier below it.
 * `full` is `*` unless given.
 */
export interface AccessLevels {
  readonly minimum?: readonly Capability[];
  readonly limited?: readonly Capability[];
  readonly standard?: readonly Capability[];
  readonly extended?: readonly Capability[];
  readonly full?: readonly Capability[];
}
