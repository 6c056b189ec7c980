/*
 * Escaping ids for the text formats the renderers write. Ids are arbitrary strings (SPEC section
 * 2): quotes, brackets, `#`, backslashes, line breaks, bidirectional overrides. Nothing an id
 * holds may end a label, a comment or a statement early, or change what the reader sees.
 */

/**
 * Characters that would be invisible, break a line or reorder text: C0 and C1 controls, DEL, line
 * and paragraph separators, zero-width characters, bidirectional controls, the byte order mark,
 * and lone surrogates (which cannot be written as UTF-8).
 */
const INVISIBLE =
  /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u2069\ufeff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

function hex4(ch: string): string {
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

/** An id quoted for a one-line comment: {@link quoteText}. */
export function commentText(s: string): string {
  return quoteText(s);
}

/** Characters a Mermaid label keeps as they are: letters and digits of any script, space and a few marks. */
const MERMAID_PLAIN = /^[\p{L}\p{N} _.,/+@()-]$/u;

/**
 * Text for inside a quoted Mermaid label (`n0["..."]`). Every character outside letters, digits,
 * space and `_ . , / + @ ( ) -` becomes a numeric entity code (`#34;` for `"`), which Mermaid decodes
 * when it draws the label; so no id can close the quotes, open markup, start a Markdown string,
 * or form one of Mermaid's own entity codes.
 * @example
 * ```ts
 * mermaidText('a "b" [c]'); // 'a #34;b#34; #91;c#93;'
 * ```
 */
export function mermaidText(s: string): string {
  let out = '';
  for (const ch of displayText(s)) out += MERMAID_PLAIN.test(ch) ? ch : `#${ch.codePointAt(0) ?? 0};`;
  return out;
}

/**
 * A DOT quoted-string body for a node or cluster name. Backslashes are doubled and quotes escaped;
 * invisible characters become `\uXXXX` with a single backslash, which no escaped id can produce,
 * so different ids always give different names.
 * @example
 * ```ts
 * dotName('a"b\\'); // 'a\\"b\\\\'
 * ```
 */
export function dotName(s: string): string {
  return s.replace(/[\\"]/g, (c) => `\\${c}`).replace(INVISIBLE, hex4);
}

/**
 * A DOT quoted-string body for a label (an escString): backslashes doubled, so that Graphviz shows
 * them rather than reading `\n`, `\N` or `\G`; quotes escaped; invisible characters shown as
 * `\uXXXX`. Join lines with `\n` after escaping each.
 */
export function dotLabel(s: string): string {
  return displayText(s).replace(/[\\"]/g, (c) => `\\${c}`);
}
