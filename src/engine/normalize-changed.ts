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
import { current, isDraft } from 'immer';
import { produce } from './immer.js';
import { sameData } from '../model/same-data.js';
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
 * add `{ id: 'u9' }` and get a complete user. Throws `InvalidInputError` on a malformed entity.
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
      const normal = normalizeTenant(value, ['tenants', id]);
      if (!sameData(normal, isDraft(value) ? current(value) : value)) draft.tenants.set(id, normal as never);
    }
    for (const [collection, ids] of changes.ids) {
      const map = draft[collection] as unknown as IdMap<{ id: Id }>;
      for (const id of ids) {
        noUndefined(map, collection, id);
        const value = map.get(id);
        if (value === undefined) continue;
        const normal = NORMALIZE[collection](value, [collection, id]);
        // Write only what normalization changed, so that a change that is already normal copies nothing more.
        if (!sameData(normal, isDraft(value) ? current(value) : value)) map.set(id, normal);
      }
    }
  });
}
