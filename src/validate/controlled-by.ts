import { quote, type ErrorPath } from '../errors/errors.js';
import { MAX_PARENT_CHAIN } from '../model/parent-chain.js';
import type { Policy } from '../model/policy.js';
import { fail } from '../model/shape.js';

/*
 * Parent-controlled types (master-detail): each `controlledBy` names a declared type, the chain of
 * `controlledBy` links never loops and has at most MAX_PARENT_CHAIN links. That a controlled type
 * declares no default, hierarchy or groupOwnerLevel is checked when it is normalized (only then is
 * "declared" distinguishable from "defaulted"); that no sharing rule or access group names one is
 * checked with those (entities.ts, through `isControlled`).
 */

/** Whether a resource type of the policy is controlled by another (a record of it has a parent). */
export function isControlled(policy: Policy, type: string): boolean {
  return policy.resourceTypes.get(type)?.controlledBy !== undefined;
}

/** Checks every `controlledBy` of the policy: a declared type, no loop, a bounded chain. Linear in the number of types. */
export function checkControlledTypes(policy: Policy): void {
  const types = policy.resourceTypes;
  for (const [name, t] of types) {
    if (t.controlledBy === undefined) continue;
    if (!types.has(t.controlledBy)) {
      fail(['resourceTypes', name, 'controlledBy'], `resource type ${quote(t.controlledBy)} is not declared in resourceTypes; controlledBy names the type of the records that control ${quote(name)}'s`, [t.controlledBy]);
    }
  }
  // Each chain walked once: a type whose chain is known to end well is not walked again.
  const depthOf = new Map<string, number>();
  for (const name of types.keys()) {
    const chain: string[] = [];
    const onChain = new Map<string, number>();
    let at: string | undefined = name;
    let base = 0;
    while (at !== undefined) {
      const known = depthOf.get(at);
      if (known !== undefined) {
        base = known;
        break;
      }
      const seenAt = onChain.get(at);
      if (seenAt !== undefined) {
        const loop = [...chain.slice(seenAt), at];
        const path: ErrorPath = ['resourceTypes', at, 'controlledBy'];
        fail(path, `resource types control each other in a loop (${loop.map(quote).join(' controlled by ')}); a chain of controlledBy must end at a type with record access of its own`, loop);
      }
      onChain.set(at, chain.length);
      chain.push(at);
      at = types.get(at)?.controlledBy;
    }
    // chain[i] is controlled through chain.length - 1 - i links down to the one that was known.
    for (let i = chain.length - 1; i >= 0; i--) {
      const t = chain[i] as string;
      const depth = base + (types.get(t)?.controlledBy === undefined ? 0 : 1);
      base = depth;
      if (depth > MAX_PARENT_CHAIN) {
        fail(['resourceTypes', t, 'controlledBy'], `resource type ${quote(t)} is controlled through ${depth} levels of parents; at most ${MAX_PARENT_CHAIN} are allowed`, [t]);
      }
      depthOf.set(t, depth);
    }
  }
}
