/*
 * `node:path` in the playground's browser bundle (see src/cli/play-bundle.ts): used by the CLI's
 * shared-file references, which the page never resolves (the server did).
 */
function noPaths(): never {
  throw new Error('the playground resolves no file references: the server did');
}

/** Throws: no file references in the browser. */
export function dirname(): never {
  return noPaths();
}

/** Throws: no file references in the browser. */
export function isAbsolute(): never {
  return noPaths();
}

/** Throws: no file references in the browser. */
export function resolve(): never {
  return noPaths();
}
