import { enableMapSet, enablePatches, freeze, produceWithPatches as immerProduceWithPatches } from 'immer';

// The policy's shards are Maps and incremental maintenance reads immer's patches: both plugins
// are needed. They are enabled on the first change, not when the module loads, so that importing
// purview has no side effect (the package says `sideEffects: false`). Enabling a plugin only adds
// capabilities to immer; it changes nothing for its other users.
let enabled = false;
function plugins(): void {
  if (enabled) return;
  enableMapSet();
  enablePatches();
  enabled = true;
}

/** immer's `produceWithPatches`, with the plugins the policy needs. */
export const produceWithPatches: typeof immerProduceWithPatches = ((base: unknown, recipe: unknown) => {
  plugins();
  return (immerProduceWithPatches as (b: unknown, r: unknown) => unknown)(base, recipe);
}) as typeof immerProduceWithPatches;

export { freeze };
