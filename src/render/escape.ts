/*
 * Escaping ids for the text formats the renderers write. Ids are arbitrary strings of up to 256
 * characters: quotes, brackets, `#`, backslashes, line breaks, bidirectional overrides. Nothing an
 * id holds may end a label, a comment or a statement early, or change what the reader sees.
 */

import { INVISIBLE, displayText, hex4, quoteText } from '../text/one-line.js';

export { displayText, jsonText, nameText, quoteText } from '../text/one-line.js';

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
