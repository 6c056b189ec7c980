import { levelRank } from '../model/level.js';
import type { ResourceType } from '../model/policy.js';

/** One declared action of one resource type, numbered densely across all types. */
export interface ActionSlot {
  /** Dense index of this (type, action) pair, used by capability bitmaps. */
  readonly index: number;
  readonly type: string;
  readonly action: string;
  /** Rank of the record-level access the action needs. */
  readonly required: number;
  /** Whether read-only access levels keep this action. */
  readonly read: boolean;
}

/** Every (type, action) pair of a policy, numbered: capability sets are bitmaps over it. */
export interface ActionTable {
  readonly byType: ReadonlyMap<string, ReadonlyMap<string, ActionSlot>>;
  readonly slots: readonly ActionSlot[];
}

/**
 * Numbers the actions of the resource types. An action is a read action when the type lists it in
 * `readActions`, or, when the type lists none, when it needs exactly `read`.
 */
export function buildActionTable(types: ReadonlyMap<string, ResourceType>): ActionTable {
  const byType = new Map<string, Map<string, ActionSlot>>();
  const slots: ActionSlot[] = [];
  for (const [name, t] of types) {
    const actions = new Map<string, ActionSlot>();
    for (const [action, level] of t.actions) {
      const slot: ActionSlot = {
        index: slots.length,
        type: name,
        action,
        required: levelRank(level),
        read: t.readActions === undefined ? level === 'read' : t.readActions.includes(action),
      };
      slots.push(slot);
      actions.set(action, slot);
    }
    byType.set(name, actions);
  }
  return { byType, slots };
}
