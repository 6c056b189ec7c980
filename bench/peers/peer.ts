import type { Resource } from '../../src/model/resource.js';

/** An authorization engine under comparison, built from the same data as purview. */
export interface Peer {
  readonly name: string;
  /** What the adapter does per call beyond the engine's own call, and what it cannot express. */
  readonly notes: readonly string[];
  /** Prepares whatever per-principal data the adapter caches (untimed), e.g. Cedar entity slices. */
  prepare?(users: Iterable<string>): void;
  /** The verdict for one request. */
  can(user: string, action: string, resource: Resource): boolean;
}
