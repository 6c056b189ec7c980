import type { SqlFragment } from './to-sql.js';

/** A piece of a compiled condition: SQL text, or one parameter's value (to be bound by the query builder). */
export type SqlChunk = { readonly text: string } | { readonly value: unknown };

/**
 * Splits a fragment of {@link toSql} (compiled with `firstParam` 1) into SQL text and parameter
 * values in order, so that a query builder binds each value itself. A `$n` inside a quoted
 * identifier (`"a$1"`) or a string literal is text, never a placeholder. A placeholder used twice
 * (a tenant named by several clauses) becomes two bound values.
 */
export function sqlChunks(fragment: SqlFragment): SqlChunk[] {
  const out: SqlChunk[] = [];
  const used = new Set<number>();
  const token = /"(?:[^"]|"")*"|'(?:[^']|'')*'|\$(\d+)/g;
  let from = 0;
  for (let m = token.exec(fragment.sql); m !== null; m = token.exec(fragment.sql)) {
    const n = m[1];
    if (n === undefined) continue;
    const k = Number(n) - 1;
    if (!(k >= 0 && k < fragment.params.length)) throw new Error(`purview internal error: placeholder $${n} of ${fragment.params.length} parameters`);
    if (m.index > from) out.push({ text: fragment.sql.slice(from, m.index) });
    out.push({ value: fragment.params[k] });
    used.add(k);
    from = m.index + m[0].length;
  }
  if (from < fragment.sql.length) out.push({ text: fragment.sql.slice(from) });
  if (used.size !== fragment.params.length) throw new Error('purview internal error: a parameter of the condition has no placeholder');
  return out;
}
