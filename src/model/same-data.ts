/*
 * The one structural equality of the code base. Change detection (which entities a change
 * touched, whether a nesting or a tenant list moved, whether a level changed) compares with it and
 * never with joined strings: ids may hold any character, so `['a\0b']` and `['a', 'b']` must
 * differ, and no separator is safe.
 */

const hasOwn = (o: object, k: PropertyKey): boolean => Object.prototype.hasOwnProperty.call(o, k);

type Kind = 'array' | 'plain' | 'map' | 'set' | 'date' | 'other';

function kindOf(o: object): Kind {
  if (Array.isArray(o)) return 'array';
  if (o instanceof Map) return 'map';
  if (o instanceof Set) return 'set';
  if (o instanceof Date) return 'date';
  const proto: unknown = Object.getPrototypeOf(o);
  return proto === Object.prototype || proto === null ? 'plain' : 'other';
}

/**
 * The value of an own enumerable data property, or `NOT_DATA` when `k` is not one (missing,
 * inherited, or an accessor: a getter is never run, and an accessor never equals anything).
 */
const NOT_DATA: unique symbol = Symbol('not data');
function ownValue(o: object, k: string): unknown {
  const d = Object.getOwnPropertyDescriptor(o, k);
  if (d === undefined || d.enumerable !== true || !hasOwn(d, 'value')) return NOT_DATA;
  return d.value as unknown;
}

/**
 * Structural equality of plain data: primitives (`NaN` equals `NaN`, `0` equals `-0`), arrays
 * (element by element, a hole differs from `undefined`), plain objects (the same set of own
 * enumerable keys, key order aside, equal values; inherited properties are never read), Maps and
 * Sets (the same keys or elements, Map values compared structurally) and Dates (the same time).
 * Values of different kinds never compare equal (an array is not an object with keys `0`, `1`),
 * nor do accessors or any other object unless they are the same object.
 *
 * Iterative with an explicit stack, so deeply nested data cannot overflow the call stack; a pair
 * of objects already being compared counts as equal, so cyclic data terminates.
 */
export function sameData(a: unknown, b: unknown): boolean {
  const stack: [unknown, unknown][] = [[a, b]];
  const seen = new Map<object, Set<object>>();
  while (stack.length > 0) {
    const [x, y] = stack.pop() as [unknown, unknown];
    if (x === y) continue;
    if (typeof x !== 'object' || typeof y !== 'object' || x === null || y === null) {
      // Primitives (and functions, which are equal only when identical): SameValueZero.
      if (typeof x === 'number' && typeof y === 'number' && Number.isNaN(x) && Number.isNaN(y)) continue;
      return false;
    }
    let pairs = seen.get(x);
    if (pairs?.has(y) === true) continue;
    if (pairs === undefined) seen.set(x, (pairs = new Set()));
    pairs.add(y);
    const kind = kindOf(x);
    if (kind !== kindOf(y)) return false;
    switch (kind) {
      case 'other':
        return false;
      case 'date':
        if (!Object.is((x as Date).getTime(), (y as Date).getTime())) return false;
        continue;
      case 'set': {
        const sx = x as ReadonlySet<unknown>;
        const sy = y as ReadonlySet<unknown>;
        if (sx.size !== sy.size) return false;
        for (const v of sx) if (!sy.has(v)) return false;
        continue;
      }
      case 'map': {
        const mx = x as ReadonlyMap<unknown, unknown>;
        const my = y as ReadonlyMap<unknown, unknown>;
        if (mx.size !== my.size) return false;
        for (const [k, v] of mx) {
          if (!my.has(k)) return false;
          stack.push([v, my.get(k)]);
        }
        continue;
      }
      case 'array': {
        const ax = x as readonly unknown[];
        const ay = y as readonly unknown[];
        if (ax.length !== ay.length) return false;
        break;
      }
      case 'plain':
        break;
    }
    // Arrays and plain objects: the same own enumerable keys, each a data property on both sides.
    const kx = Object.keys(x);
    if (kx.length !== Object.keys(y).length) return false;
    for (const k of kx) {
      const vx = ownValue(x, k);
      const vy = ownValue(y, k);
      if (vx === NOT_DATA || vy === NOT_DATA) return false;
      if (vx !== vy) stack.push([vx, vy]);
    }
  }
  return true;
}
