import { memoryResourceStore } from '../../src/index.js';

/** A store whose transfers take `ms` (default 10 ms), so that another change can land meanwhile. */
export function slowTransfers(mem: ReturnType<typeof memoryResourceStore>, ms = 10): ReturnType<typeof memoryResourceStore> {
  return {
    ...mem,
    transferOwnership: async (from, to) => {
      await new Promise((r) => setTimeout(r, ms));
      return mem.transferOwnership(from, to);
    },
  };
}
