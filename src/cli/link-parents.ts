import { InvalidInputError, quote } from '../errors/errors.js';
import type { Resource } from '../model/resource.js';

/*
 * Resources in a test file name their parent by id (`parent: a1`, the id of another resource in
 * the file); the engine takes the parent record itself. Linking builds each record with its chain
 * of parents, iteratively: an id that is not in the file, or parents that loop, is an
 * InvalidInputError (which a file's `expectError` may name).
 */

/** A field of a resource as the file gave it: own properties only. */
function parentIdOf(r: Resource): unknown {
  return Object.hasOwn(r, 'parent') ? (r as { parent?: unknown }).parent : undefined;
}

/** The file's resources with every `parent` id replaced by the parent resource (itself linked), in the same order. */
export function linkParents(resources: ReadonlyMap<string, Resource>): Map<string, Resource> {
  const linked = new Map<string, Resource>();
  for (const id of resources.keys()) {
    if (linked.has(id)) continue;
    // The chain from this resource up to one that is linked already or has no parent.
    const chain: string[] = [];
    const onChain = new Set<string>();
    let at: string | undefined = id;
    while (at !== undefined && !linked.has(at)) {
      if (onChain.has(at)) {
        const loop = [...chain.slice(chain.indexOf(at)), at];
        throw new InvalidInputError({ message: `resources.${at}.parent: resources are each other's parents in a loop (${loop.map(quote).join(' → ')})`, path: ['resources', at, 'parent'], ids: loop });
      }
      onChain.add(at);
      chain.push(at);
      const r = resources.get(at) as Resource;
      const p = parentIdOf(r);
      if (p === undefined || p === null) break;
      if (typeof p !== 'string' || !resources.has(p)) {
        throw new InvalidInputError({ message: `resources.${at}.parent: no resource with id ${typeof p === 'string' ? quote(p) : String(p)} in the file; parent is the id of another resource in resources`, path: ['resources', at, 'parent'], ids: typeof p === 'string' ? [p] : [] });
      }
      at = p;
    }
    for (let i = chain.length - 1; i >= 0; i--) {
      const cid = chain[i] as string;
      const r = resources.get(cid) as Resource;
      const p = parentIdOf(r);
      linked.set(cid, typeof p === 'string' ? { ...r, parent: linked.get(p) as Resource } : r);
    }
  }
  // In the file's order.
  return new Map([...resources.keys()].map((k) => [k, linked.get(k) as Resource]));
}
