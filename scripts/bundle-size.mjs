// The size of what an application's bundler ships for `import { ... } from 'purview'`: the built
// core entry (dist/index.js and the chunks it imports) bundled and minified by esbuild for the
// browser, then gzipped (node:zlib, level 9), once with immer (a dependency, which an app ships
// too) and once with immer left external; CASL's core (@casl/ability, with its dependencies)
// measured the same way for comparison. `npm run size` prints the figures; test/packaging/size.test.ts
// holds them to a budget. Needs dist/ (`npx tsup`).
import { build } from 'esbuild';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../', import.meta.url));

/**
 * Bundles `entry` (a module specifier resolved from the package root, every export kept) and
 * returns its minified and gzipped sizes in bytes.
 * @param {string} entry
 * @param {{ external?: string[] }} [options]
 */
export async function bundleSize(entry, options = {}) {
  const result = await build({
    stdin: { contents: `export * from ${JSON.stringify(entry)};`, resolveDir: root, loader: 'js' },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    logLevel: 'silent',
    external: options.external ?? [],
  });
  const [file] = result.outputFiles;
  if (file === undefined) throw new Error(`esbuild wrote nothing for ${entry}`);
  return { minified: file.contents.byteLength, gzipped: gzipSync(file.contents, { level: 9 }).byteLength };
}

/** The figures docs/performance.md quotes ("Size"). */
export async function measureAll() {
  return {
    purview: await bundleSize('./dist/index.js'),
    purviewWithoutImmer: await bundleSize('./dist/index.js', { external: ['immer'] }),
    immer: await bundleSize('immer'),
    casl: await bundleSize('@casl/ability'),
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const kb = (n) => `${(n / 1024).toFixed(1)} KiB`;
  for (const [name, { minified, gzipped }] of Object.entries(await measureAll())) {
    console.log(`${name.padEnd(22)} minified ${kb(minified).padStart(10)}   gzipped ${kb(gzipped).padStart(9)}`);
  }
}
