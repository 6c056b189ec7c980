/*
 * Time for the property suites: a few instants (written with different offsets and fractions,
 * so that comparison as points in time matters), a way to make some entries of a generated policy
 * time-bound, and the instants worth asking at (each bound exactly, a millisecond either side,
 * and far from every bound).
 */
import fc from 'fast-check';
import type { PolicyInput } from '../../src/model/policy-input.js';
import { Choices } from './choices.js';

/** The bounds entries draw from, as written; ascending as points in time. */
export const INSTANTS: readonly string[] = [
  '2026-01-01T00:00:00Z',
  '2026-03-01T01:30:00+01:30', // 2026-03-01T00:00:00Z
  '2026-03-01T00:00:00.001Z',
  '2026-05-31T20:00:00-04:00', // 2026-06-01T00:00:00Z
  '2026-12-31T17:00:00.5Z',
];

const MS = INSTANTS.map((s) => Date.parse(s));

/** Instants to ask at: each bound, a millisecond before and after, before them all and after them all. */
export const QUERY_TIMES: readonly number[] = [...new Set([Date.parse('2025-01-01T00:00:00Z'), ...MS.flatMap((t) => [t - 1, t, t + 1]), Date.parse('2030-01-01T00:00:00Z')])].sort((a, b) => a - b);

/** An instant as an `asOf` string (UTC, milliseconds). */
export const iso = (t: number): string => new Date(t).toISOString();

type Bounds = { since?: string; until?: string };

/** Bounds with `since < until` when both are given (a bound or two from INSTANTS). */
function bounds(c: Choices): Bounds {
  const k = c.int(4);
  const a = c.int(INSTANTS.length);
  const b = c.int(INSTANTS.length);
  const [lo, hi] = a < b ? [a, b] : [b, a];
  if (k === 0) return { since: INSTANTS[a] as string };
  if (k === 1) return { until: INSTANTS[a] as string };
  if (lo === hi) return { since: INSTANTS[lo] as string };
  return { since: INSTANTS[lo] as string, until: INSTANTS[hi] as string };
}

type Entry = string | ({ id: string } & Bounds);

function retimeList(c: Choices, list: readonly Entry[] | undefined, oneIn: number): Entry[] | undefined {
  if (list === undefined) return undefined;
  const out: Entry[] = [];
  for (const e of list) {
    if (typeof e !== 'string' || !c.chance(oneIn)) {
      out.push(e);
      continue;
    }
    out.push({ id: e, ...bounds(c) });
    // Sometimes a second entry for the same id, so that "a member while any is in effect" is tried.
    if (c.chance(3)) {
      const more = { id: e, ...bounds(c) };
      if (!out.some((x) => typeof x !== 'string' && x.id === more.id && x.since === more.since && x.until === more.until)) out.push(more);
    }
  }
  return out;
}

/** `policy` with about one member entry, rule and grant in `oneIn` made time-bound. */
export function retime(c: Choices, policy: PolicyInput, oneIn = 3): PolicyInput {
  return {
    ...policy,
    ...(policy.groups === undefined
      ? {}
      : {
          groups: policy.groups.map((g) => {
            const m = g.members;
            if (m === undefined) return g;
            const members: Record<string, Entry[]> = {};
            for (const key of ['users', 'roles', 'rolesAndSubordinates', 'groups'] as const) {
              const l = retimeList(c, m[key] as readonly Entry[] | undefined, oneIn);
              if (l !== undefined) members[key] = l;
            }
            return { ...g, members };
          }),
        }),
    ...(policy.sharingRules === undefined ? {} : { sharingRules: policy.sharingRules.map((r) => (c.chance(oneIn) ? { ...r, ...bounds(c) } : r)) }),
    ...(policy.accessGroups === undefined
      ? {}
      : { accessGroups: policy.accessGroups.map((a) => (a.grants === undefined ? a : { ...a, grants: a.grants.map((g) => (c.chance(oneIn) ? { ...g, ...bounds(c) } : g)) })) }),
  };
}

/** A stream of choices for {@link retime}. */
export const timeChoicesArb = (): fc.Arbitrary<Choices> => fc.array(fc.nat(), { minLength: 200, maxLength: 200 }).map((s) => new Choices(s));
