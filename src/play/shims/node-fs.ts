/*
 * `node:fs` in the playground's browser bundle (see src/cli/play-bundle.ts): the CLI's loaders
 * the page reuses import it for reading files from disk, which the page never does.
 */
function noFiles(): never {
  throw new Error('the playground reads no files: its policy comes from the page');
}

/** Throws: there are no files in the browser. */
export function readFileSync(): never {
  return noFiles();
}

/** Throws: there are no files in the browser. */
export function statSync(): never {
  return noFiles();
}
