// Writes the playground's page script (dist/play/app.js) that `purview play` serves from the
// package: src/play bundled for the browser with the library (immer included), minified. Part of
// `npm run build`, after tsup (which empties dist/). A checkout running src/cli bundles at start.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundlePlayground } from '../src/cli/play-bundle.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'dist', 'play');
mkdirSync(out, { recursive: true });
const script = bundlePlayground(join(root, 'src', 'play', 'main.ts'), { minify: true });
writeFileSync(join(out, 'app.js'), script);
console.log(`dist/play/app.js: ${(script.length / 1024).toFixed(0)} KiB`);
