import { memoryResourceStore } from '../../src/index.js';

/**
 * A store whose writes take `ms` (default 10 ms): each `put` waits
 * before it writes, so that another change can land while a command moves records.
 */
export function slowTransfers(mem: ReturnType<typeof memoryResourceStore>, ms = 10): ReturnType<typeof memoryResourceStore> {
  const pause = (): Promise<void> => new Promise((r) => setTimeout(r, ms));
  return {
    ...mem,
    put: async (resource) => {
      await pause();
      return mem.put(resource);
    },
  };
}
