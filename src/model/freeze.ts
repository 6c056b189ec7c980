import { freeze } from 'immer';
import { isIdMap } from './id-map.js';

/**
 * Deep-freezes a policy, Maps and their values included (immer's own deep freeze stops at Map
 * values). Iterative, so deep structures cannot overflow the stack. Returns its argument.
 */
export function deepFreeze<T>(root: T): T {
  const stack: unknown[] = [root];
  const seen = new Set<unknown>();
  while (stack.length > 0) {
    const v = stack.pop();
    if (typeof v !== 'object' || v === null || seen.has(v)) continue;
    seen.add(v);
    if (v instanceof Map) {
      freeze(v); // makes set/delete/clear throw
      for (const x of v.values()) stack.push(x);
    } else if (isIdMap(v)) {
      Object.freeze(v);
      stack.push(v.shards);
    } else if (!ArrayBuffer.isView(v)) {
      Object.freeze(v);
      for (const x of Object.values(v)) stack.push(x);
    }
  }
  return root;
}
