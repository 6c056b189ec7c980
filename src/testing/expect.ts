/*
 * The few assertions the conformance suite makes, without a test runner: `expect(x).toBe(y)` and
 * friends with vitest's and Jest's meaning, throwing an `AssertionError` (from node:assert, which
 * every runner reports as a failure). So purview/testing imports no test framework, and runs
 * under vitest, Jest, Mocha or node:test alike.
 */
import { AssertionError } from 'node:assert';

function show(v: unknown): string {
  try {
    const s = JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? `${x}n` : x));
    return s === undefined ? String(v) : s.length > 500 ? `${s.slice(0, 497)}...` : s;
  } catch {
    return String(v);
  }
}

function fail(message: string, actual: unknown, expected: unknown, detail?: string): never {
  throw new AssertionError({ message: `${message}${detail === undefined ? '' : `: ${detail}`}`, actual, expected, operator: message });
}

/**
 * Structural equality as `toEqual` has it: primitives by `Object.is`, arrays element by element,
 * objects by their own enumerable keys whose values are not undefined, prototypes ignored (a
 * record read back from a store may be prototype-less).
 */
export function structurallyEqual(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => structurallyEqual(x, b[i]));
  const keys = (o: object): string[] => Object.keys(o).filter((k) => (o as Record<string, unknown>)[k] !== undefined);
  const ka = keys(a);
  const kb = keys(b);
  if (ka.length !== kb.length) return false;
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  return ka.every((k) => Object.prototype.hasOwnProperty.call(rb, k) && structurallyEqual(ra[k], rb[k]));
}

/** The matchers of one value. */
export interface Matchers {
  toBe(expected: unknown): void;
  toEqual(expected: unknown): void;
  toBeGreaterThan(n: number): void;
  toBeGreaterThanOrEqual(n: number): void;
  toBeInstanceOf(type: abstract new (...args: never[]) => unknown): void;
  toHaveLength(n: number): void;
  /** The matchers of a promise's rejection. */
  readonly rejects: {
    toBeInstanceOf(type: abstract new (...args: never[]) => unknown): Promise<void>;
    toThrow(): Promise<void>;
  };
}

/** Assertions on `actual`, with the matchers the suite uses. */
export function expect(actual: unknown): Matchers {
  const rejection = async (): Promise<unknown> => {
    try {
      await (actual as Promise<unknown>);
    } catch (e) {
      return e;
    }
    return fail('expected the promise to reject', actual, 'a rejection', 'it resolved');
  };
  return {
    toBe: (expected) => {
      if (!Object.is(actual, expected)) fail('expected toBe', actual, expected, `${show(actual)} is not ${show(expected)}`);
    },
    toEqual: (expected) => {
      if (!structurallyEqual(actual, expected)) fail('expected toEqual', actual, expected, `${show(actual)} does not equal ${show(expected)}`);
    },
    toBeGreaterThan: (n) => {
      if (!(typeof actual === 'number' && actual > n)) fail('expected toBeGreaterThan', actual, n, `${show(actual)} is not greater than ${n}`);
    },
    toBeGreaterThanOrEqual: (n) => {
      if (!(typeof actual === 'number' && actual >= n)) fail('expected toBeGreaterThanOrEqual', actual, n, `${show(actual)} is less than ${n}`);
    },
    toBeInstanceOf: (type) => {
      if (!(actual instanceof type)) fail('expected toBeInstanceOf', actual, type.name, `${show(actual)} is not a ${type.name}`);
    },
    toHaveLength: (n) => {
      const length = (actual as { length?: unknown } | null | undefined)?.length;
      if (length !== n) fail('expected toHaveLength', length, n, `length ${show(length)}, not ${n}`);
    },
    rejects: {
      toBeInstanceOf: async (type) => {
        const e = await rejection();
        if (!(e instanceof type)) fail('expected a rejection with', e, type.name, `${e instanceof Error ? `${e.name}: ${e.message}` : show(e)} is not a ${type.name}`);
      },
      toThrow: async () => {
        await rejection();
      },
    },
  };
}
