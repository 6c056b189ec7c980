import type { Engine } from '../engine/types.js';
import { compareIds, type Id } from '../model/ids.js';
import type { Instant } from '../model/instant.js';
import type { Policy } from '../model/policy.js';

/** One side of a diff: the policy, an engine on it, and the instant every query is answered at. */
export interface Side {
  readonly policy: Policy;
  readonly engine: Engine;
  readonly at: { readonly asOf: Instant };
}

/** Sorted by code units: ids are arbitrary strings, and the order must not depend on a locale. */
export function sortIds(ids: Iterable<Id>): Id[] {
  return [...ids].sort(compareIds);
}

/** The ids of two collections, each once, sorted. */
export function unionKeys(a: ReadonlyMap<Id, unknown>, b: ReadonlyMap<Id, unknown>): Id[] {
  return sortIds(new Set([...a.keys(), ...b.keys()]));
}
