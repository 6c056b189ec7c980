import { enableMapSet, enablePatches, freeze, produce, produceWithPatches } from 'immer';

// The policy's shards are Maps and incremental maintenance reads immer's patches: both plugins
// are needed. Enabling a plugin only adds capabilities to immer; it changes nothing for other users.
enableMapSet();
enablePatches();

export { freeze, produce, produceWithPatches };
