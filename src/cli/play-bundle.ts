import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/*
 * The playground's page script: src/play/main.ts and the library under it (immer included)
 * bundled for the browser into one ES module, with esbuild (tsup's own bundler). The package
 * ships the result prebuilt (dist/play/app.js, written by scripts/build-play.ts); a checkout
 * running the CLI from src/ bundles at start.
 */

interface EsbuildLike {
  buildSync(options: Record<string, unknown>): { outputFiles?: { text: string }[] };
}

/**
 * Bundles the page at `entry` (src/play/main.ts) into one browser script. The CLI's loaders that
 * the page reuses import `node:fs` and `node:path` for reading files, which the page never does:
 * those two are replaced by shims that throw.
 */
export function bundlePlayground(entry: string, options: { readonly minify?: boolean } = {}): string {
  const esbuild = createRequire(import.meta.url)('esbuild') as EsbuildLike;
  const shims = join(dirname(entry), 'shims');
  const out = esbuild.buildSync({
    entryPoints: [entry],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: options.minify ?? false,
    legalComments: 'none',
    define: { 'process.env.NODE_ENV': '"production"' },
    alias: { 'node:fs': join(shims, 'node-fs.ts'), 'node:path': join(shims, 'node-path.ts') },
    logLevel: 'silent',
  });
  const text = out.outputFiles?.[0]?.text;
  if (text === undefined) throw new Error('esbuild wrote no output for the playground');
  return text;
}
