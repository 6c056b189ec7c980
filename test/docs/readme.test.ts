/*
 * The README's TypeScript examples that import only `purview` run as written (against src/, the
 * same code as the package), and their `// true` / `// false` comments hold: a user's first
 * contact with the library must not be an example that does not work. No server.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import * as purview from '../../src/index.js';

const README = readFileSync(fileURLToPath(new URL('../../README.md', import.meta.url)), 'utf8');

/** The ```ts blocks whose imports are all from 'purview'. */
const blocks = [...README.matchAll(/```ts\n([\s\S]*?)```/g)]
  .map((m) => m[1] as string)
  .filter((code) => {
    const imports = [...code.matchAll(/^import .* from '([^']+)';$/gm)].map((m) => m[1]);
    return imports.length > 0 && imports.every((i) => i === 'purview');
  });

/**
 * The block as a function body: its imports become reads of the library, and every line whose
 * comment starts with `true` or `false` asserts its expression's value.
 */
function runnable(code: string): string {
  const lines = code.split('\n').flatMap((line) => {
    const imp = /^import \{ ([^}]+) \} from 'purview';$/.exec(line);
    if (imp !== null) return [`const { ${(imp[1] as string).replace(/\btype \w+,?/g, '')} } = lib;`];
    const claim = /^(.*?);\s*\/\/\s*(true|false)\b/.exec(line);
    if (claim !== null && !/^\s*(const|let|await)\b/.test(claim[1] as string)) return [`check(${claim[1]}, ${claim[2]}, ${JSON.stringify(line.trim())});`];
    return [line];
  });
  return lines.join('\n');
}

let checked = 0;

describe('the README examples', () => {
  it('there are examples to run', () => expect(blocks.length).toBeGreaterThanOrEqual(3));
  afterAll(() => expect(checked, 'true/false claims checked').toBeGreaterThanOrEqual(6));
  blocks.forEach((code, i) => {
    it(`example ${i + 1} runs and its true/false comments hold`, async () => {
      const claims: string[] = [];
      const check = (got: unknown, want: boolean, line: string): void => {
        claims.push(line);
        checked++;
        expect(got, line).toBe(want);
      };
      const log = console.log;
      console.log = () => undefined;
      try {
        const AsyncFunction = Object.getPrototypeOf(async () => undefined).constructor as new (...args: string[]) => (...a: unknown[]) => Promise<void>;
        await new AsyncFunction('lib', 'check', runnable(code))(purview, check);
      } finally {
        console.log = log;
      }
    });
  });
});
