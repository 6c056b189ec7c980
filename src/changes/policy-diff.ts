import type { Id } from '../model/ids.js';
import type { IdMap } from '../model/id-map.js';
import type { Policy } from '../model/policy.js';
import { sameData } from '../model/same-data.js';
import { ENTITY_COLLECTIONS, type ChangeSet, type EntityCollection, type FrameChanges } from './change-set.js';

/*
 * The change that turns one policy into another, entity by entity: every entity added, removed or
 * different (structurally, with the one equality function), per collection. What a new policy
 * version changes when it is applied over the current one.
 */

function differing<T>(before: IdMap<T>, after: IdMap<T>, out: Set<Id>): void {
  for (const [id, e] of after) if (!sameData(before.get(id), e)) out.add(id);
  for (const id of before.keys()) if (!after.has(id)) out.add(id);
}

/** The change set from `before` to `after`; empty (no ids, no frame change) when they are equal. */
export function policyDiff(before: Policy, after: Policy): ChangeSet {
  const ids = new Map<EntityCollection, Set<Id>>();
  for (const c of ENTITY_COLLECTIONS) {
    const set = new Set<Id>();
    differing(before[c] as IdMap<unknown>, after[c] as IdMap<unknown>, set);
    if (set.size > 0) ids.set(c, set);
  }
  const frame: FrameChanges = { tenants: new Set(), resourceTypes: new Set(), accessLevels: false, defaultAccessLevel: false };
  differing(before.tenants, after.tenants, frame.tenants);
  for (const [name, t] of after.resourceTypes) if (!sameData(before.resourceTypes.get(name), t)) frame.resourceTypes.add(name);
  for (const name of before.resourceTypes.keys()) if (!after.resourceTypes.has(name)) frame.resourceTypes.add(name);
  frame.accessLevels = !sameData(before.accessLevels, after.accessLevels);
  frame.defaultAccessLevel = !sameData(before.defaultAccessLevel, after.defaultAccessLevel);
  const full = frame.resourceTypes.size > 0 || frame.accessLevels || frame.defaultAccessLevel;
  return { full, opaque: false, ids, frame };
}

/** Whether a change set changes nothing. */
export function isEmptyChange(c: ChangeSet): boolean {
  return c.ids.size === 0 && c.frame.tenants.size === 0 && c.frame.resourceTypes.size === 0 && !c.frame.accessLevels && !c.frame.defaultAccessLevel;
}
