/*
 * Text that came from data (ids, actions, types, keys) written into one line of output: messages,
 * explanations, reports. Ids are arbitrary strings: nothing an id holds may break a line, forge
 * another, or change what the reader sees. The lowest layer: errors, decisions, the CLI and the
 * renderers all quote through it.
 */

/**
 * Characters that would be invisible, break a line or reorder text: C0 and C1 controls, DEL, line
 * and paragraph separators, zero-width characters, bidirectional controls, the byte order mark,
 * and lone surrogates (which cannot be written as UTF-8).
 */
export const INVISIBLE =
  /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u2069\ufeff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

export function hex4(ch: string): string {
  return `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`;
}

/**
 * An id as a person should see it: every invisible or line-breaking character written as
 * `\uXXXX`, everything else as is.
 * @example
 * ```ts
 * displayText('a\nb'); // 'a\\u000ab'
 * ```
 */
export function displayText(s: string): string {
  return s.replace(INVISIBLE, hex4);
}

/**
 * A name that came from data (an id, an action, a type, a key), quoted for one line of text: JSON
 * quoting, with every invisible, line-breaking or reordering character written as `\uXXXX` too,
 * so that no name can end a line, forge another, or change what the reader sees.
 * @example
 * ```ts
 * quoteText('view\nALLOW'); // '"view\\nALLOW"'
 * ```
 */
export function quoteText(s: string): string {
  return JSON.stringify(s).replace(INVISIBLE, hex4);
}

/** Names printed as they are: short, and made only of letters, digits and `_ . : @ / -`. */
const PLAIN_NAME = /^[A-Za-z0-9_][\w.:@/-]{0,63}$/;

/**
 * A name that came from data and reads as a word (an action, a resource type, a level): printed as
 * it is when it is plain (letters, digits and `_ . : @ / -`, at most 64 characters), else quoted
 * with {@link quoteText}. So `edit` stays `edit`, and `view\nALLOW` becomes `"view\\nALLOW"`.
 */
export function nameText(s: string): string {
  return PLAIN_NAME.test(s) ? s : quoteText(s);
}

/**
 * JSON text of plain data, as `JSON.stringify(value, null, indent)` writes it, with invisible,
 * line-separating and reordering characters inside strings written as `\uXXXX` (still valid JSON,
 * and the same value when parsed).
 */
export function jsonText(value: unknown, indent = 2): string {
  // JSON.stringify escapes C0 controls and lone surrogates inside strings (the line breaks it
  // writes are its own layout) but leaves the others of INVISIBLE as they are.
  return JSON.stringify(value, null, indent).replace(JSON_RAW, hex4);
}

const JSON_RAW = /[\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/g;

