/*
 * Review findings on purview/testing (src/testing/index.ts): the conformance cases run by hand
 * (repositoryConformanceCases) over the in-memory repository, so no server.
 */
import { AssertionError } from 'node:assert';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { InvalidInputError, memoryRepository, type PolicyInput } from '../../src/index.js';
import { describeRepositoryConformance, repositoryConformanceCases } from '../../src/testing/index.js';

describe('repositoryConformanceCases', () => {
  it('a repository whose making outlasts the case timeout is still cleaned up', async () => {
    let made = 0;
    let cleaned = 0;
    const cases = repositoryConformanceCases(
      async (initial: PolicyInput) => {
        // A slow adapter (a database that takes long to create a schema): slower than testTimeoutMs.
        await sleep(150);
        made++;
        return { repository: memoryRepository(initial), cleanup: async () => void cleaned++ };
      },
      { testTimeoutMs: 50 },
    );
    const first = cases[0];
    if (first === undefined) throw new Error('no cases');
    await expect(first.run()).rejects.toThrow(/longer than 50 ms/);
    await sleep(300);
    expect(made).toBe(1);
    // The case ended (timed out) before the repository existed: its cleanup never runs, and a real
    // adapter's pool or server stays open (the test process does not exit).
    expect(cleaned).toBe(made);
  });

  it("a failing case reports its own failure, not its cleanup's error", async () => {
    const cases = repositoryConformanceCases(async (initial: PolicyInput) => {
      const inner = memoryRepository(initial);
      // A non-conforming adapter: load() answers a revision that is not an integer.
      const repository = { ...inner, load: async () => ({ ...(await inner.load()), revision: 0.5 }) };
      return {
        repository,
        cleanup: async () => {
          throw new Error('cleanup failed');
        },
      };
    });
    const first = cases[0];
    if (first === undefined) throw new Error('no cases');
    const error = await first.run().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(AssertionError);
  });
});

describe('describeRepositoryConformance', () => {
  const make = async (initial: PolicyInput) => ({ repository: memoryRepository(initial), cleanup: async () => undefined });
  // The signature before today was (name, makeRepository, options?): a caller upgrading without
  // passing the runner gets a TypeError from inside purview, not a typed error saying what to pass.
  it('called without a runner (the signature before today) is an InvalidInputError saying to pass { describe, it }', () => {
    const call = (): void => (describeRepositoryConformance as (n: string, m: typeof make, o?: object) => void)('memory', make);
    expect(call).toThrow(InvalidInputError);
  });
  it('called with options but no runner is an InvalidInputError', () => {
    const call = (): void => (describeRepositoryConformance as (n: string, m: typeof make, o?: object) => void)('memory', make, { timeoutMs: 5_000 });
    expect(call).toThrow(InvalidInputError);
  });
});
