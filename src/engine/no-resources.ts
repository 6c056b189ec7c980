import { InvalidInputError } from '../errors/errors.js';
import type { ResourceStore } from '../ports/resource-store.js';

/**
 * The resource store of an engine created without one: it holds no record, so deleting a group
 * transfers nothing and moving a record finds none. Nothing is ever written to it (there is no
 * record to write back); a write would be a bug, refused with a typed error.
 */
export function noResources(): ResourceStore {
  return {
    ownedBy: () => Promise.resolve([]),
    get: () => Promise.resolve(undefined),
    put: () => Promise.reject(new InvalidInputError({ message: 'this engine was created without a resource store: pass createEngine({ resources }) to keep records', path: ['resources'] })),
  };
}
