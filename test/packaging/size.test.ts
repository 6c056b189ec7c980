/*
 * The size budget of the core entry: dist/index.js with the chunks it imports, bundled and
 * minified by esbuild for the browser and gzipped (scripts/bundle-size.mjs, the figures in
 * docs/performance.md "Size"), with immer and without. Needs dist/, which `npm test` builds before
 * vitest runs. Raise a budget only on purpose, and update docs/performance.md with it.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs script without type declarations
import { bundleSize } from '../../scripts/bundle-size.mjs';

type Size = { minified: number; gzipped: number };
const measure = bundleSize as (entry: string, options?: { external?: string[] }) => Promise<Size>;

const root = fileURLToPath(new URL('../../', import.meta.url));
const built = existsSync(`${root}dist/index.js`);
const KiB = 1024;

/** Budgets, gzipped bytes: about 10% over the figures of docs/performance.md. */
const BUDGET = { withImmer: 60 * KiB, withoutImmer: 56 * KiB };

describe.runIf(built)('the core bundle', () => {
  it('fits the budget with immer bundled', async () => {
    const size = await measure('./dist/index.js');
    expect(size.gzipped).toBeLessThan(size.minified);
    expect(size.gzipped).toBeLessThanOrEqual(BUDGET.withImmer);
  });

  it('fits the budget with immer external, and then contains no immer', async () => {
    const [withImmer, without, immer] = await Promise.all([
      measure('./dist/index.js'),
      measure('./dist/index.js', { external: ['immer'] }),
      measure('immer'),
    ]);
    expect(without.gzipped).toBeLessThanOrEqual(BUDGET.withoutImmer);
    // immer external really leaves it out: the difference is most of immer's own size.
    expect(withImmer.minified - without.minified).toBeGreaterThan(immer.minified / 2);
  });
});
