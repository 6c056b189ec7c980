import type { ErrorPath } from '../errors/errors.js';
import { describe, fail } from './shape.js';

/**
 * An instant: an RFC 3339 date-time string, `YYYY-MM-DDTHH:MM:SS`, an optional fraction of up to
 * three digits, then `Z` or an offset `+HH:MM` / `-HH:MM` (`2026-12-31T17:00:00Z`). Instants
 * compare as points in time, whatever their offsets.
 */
export type Instant = string;

const FORM = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,3}))?(?:(Z)|([+-])(\d{2}):(\d{2}))$/;

/**
 * The form of an instant as a regular expression source with the ranges of each part (months
 * 01-12, days 01-31, hours 00-23, minutes and seconds 00-59): what the JSON Schema of policy
 * files checks. Every instant matches it; the few strings it lets through that are no instant
 * (February 30th) are refused when the policy loads.
 */
export const INSTANT_PATTERN = '^\\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\\d|3[01])T([01]\\d|2[0-3]):[0-5]\\d:[0-5]\\d(\\.\\d{1,3})?(Z|[+-]([01]\\d|2[0-3]):[0-5]\\d)$';

const DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function daysIn(year: number, month: number): number {
  if (month === 2 && (year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0))) return 29;
  return DAYS[month - 1] as number;
}

/**
 * The epoch milliseconds of an instant string, or undefined when it is not one: the form above,
 * naming a real date and time (no February 30th, no hour 24, no second 60, offsets within a day).
 */
export function instantMillis(text: string): number | undefined {
  const m = FORM.exec(text);
  if (m === null) return undefined;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  const hour = Number(m[4]);
  const minute = Number(m[5]);
  const second = Number(m[6]);
  if (month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return undefined;
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  const fraction = m[7] === undefined ? 0 : Number(m[7].padEnd(3, '0'));
  let offset = 0;
  if (m[8] === undefined) {
    const oh = Number(m[10]);
    const om = Number(m[11]);
    if (oh > 23 || om > 59) return undefined;
    offset = (m[9] === '-' ? -1 : 1) * (oh * 60 + om) * 60_000;
  }
  return daysFromCivil(year, month, day) * 86_400_000 + ((hour * 60 + minute) * 60 + second) * 1000 + fraction - offset;
}

/**
 * Days since 1970-01-01 of a proleptic Gregorian date, by arithmetic alone (no Date object, and
 * none of `Date.UTC`'s reading of years 0-99 as 1900-1999): the civil-from-days inverse of
 * H. Hinnant's "chrono-compatible low-level date algorithms".
 */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

/** `value` as an instant string, or an `InvalidInputError` at `path` that says what an instant is. */
export function expectInstant(value: unknown, path: ErrorPath, what = 'an instant'): Instant {
  if (typeof value !== 'string' || instantMillis(value) === undefined) {
    fail(path, `expected ${what}: an RFC 3339 date-time such as "2026-12-31T17:00:00Z" (a real date and time; an optional fraction of up to 3 digits; Z or an offset like +02:00), got ${describe(value)}`);
  }
  return value;
}

/** The epoch milliseconds of an instant already checked (see {@link expectInstant}). */
export function millisOf(instant: Instant): number {
  const ms = instantMillis(instant);
  if (ms === undefined) throw new Error(`purview internal error: ${JSON.stringify(instant)} is not an instant`);
  return ms;
}

/** An instant as the UTC string of its epoch milliseconds (`2026-12-31T17:00:00.000Z`). */
export function formatInstant(ms: number): Instant {
  return new Date(ms).toISOString();
}

/** `since` and `until` of a time-bound entry, as epoch milliseconds (open bounds infinite). */
export interface Bounds {
  readonly since: number;
  readonly until: number;
}

/** Whether an entry with these bounds is in effect at `t`: `since <= t < until`. */
export function inEffect(b: Bounds, t: number): boolean {
  return b.since <= t && t < b.until;
}
