import type { Id } from '../model/ids.js';
import {
  normalizeAccessGroup,
  normalizeGroup,
  normalizeRole,
  normalizeSharingRule,
  normalizeTenant,
  normalizeUser,
} from '../model/normalize.js';
import type { Policy } from '../model/policy.js';
import type { ErrorPath } from '../errors/errors.js';
import type { IdMap } from '../model/id-map.js';
import { produce } from './immer.js';
import { fail } from '../model/shape.js';
import type { ChangeSet, EntityCollection } from './change-set.js';

const NORMALIZE: Readonly<Record<EntityCollection, (v: unknown, p: ErrorPath) => { id: Id }>> = {
  users: normalizeUser,
  roles: normalizeRole,
  groups: normalizeGroup,
  sharingRules: normalizeSharingRule,
  accessGroups: normalizeAccessGroup,
};

/**
 * Checks the shape of every entity a recipe touched and fills in its defaults, so that a recipe may
 * add `{ id: 'u9' }` and get a complete user; the snapshot holds the normalized copy of each, never
 * the object the recipe wrote. Throws `InvalidInputError` on a malformed entity.
 */
export function normalizeChanged(policy: Policy, changes: ChangeSet): Policy {
  return produce(policy, (draft) => {
    const noUndefined = (map: { has(id: Id): boolean; get(id: Id): unknown }, collection: string, id: Id): void => {
      if (map.has(id) && map.get(id) === undefined) {
        fail([collection, id], `is set to undefined; remove an entry with ${collection}.delete(id)`, [id]);
      }
    };
    for (const id of changes.frame.tenants) {
      noUndefined(draft.tenants, 'tenants', id);
      const value = draft.tenants.get(id);
      if (value === undefined) continue;
      draft.tenants.set(id, normalizeTenant(value, ['tenants', id]) as never);
    }
    for (const [collection, ids] of changes.ids) {
      const map = draft[collection] as unknown as IdMap<{ id: Id }>;
      for (const id of ids) {
        noUndefined(map, collection, id);
        const value = map.get(id);
        if (value === undefined) continue;
        // The normalized copy is what is stored, always: it is plain data read once from what the
        // recipe wrote, so that a getter, an accessor or a class instance never reaches a snapshot
        // and the stored value is exactly the validated one.
        map.set(id, NORMALIZE[collection](value, [collection, id]));
      }
    }
  });
}
