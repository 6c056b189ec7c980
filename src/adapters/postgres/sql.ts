import { InvalidInputError } from '../../index.js';

/** The longest identifier PostgreSQL keeps (NAMEDATALEN - 1 bytes). */
export const MAX_IDENTIFIER_BYTES = 63;

/**
 * Quotes an identifier (a schema or channel name) for SQL text. Values never go through here:
 * they are always bound as parameters. Identifiers cannot be parameters, so they are checked
 * (non-empty, at most 63 bytes, no NUL) and double-quoted.
 */
export function quoteIdent(name: string, what: string): string {
  checkIdentifier(name, what);
  return `"${name.replace(/"/g, '""')}"`;
}

/** Throws `InvalidInputError` unless `name` is usable as a PostgreSQL identifier without truncation. */
export function checkIdentifier(name: unknown, what: string): asserts name is string {
  if (typeof name !== 'string' || name.length === 0) {
    throw new InvalidInputError({ message: `${what} must be a non-empty string, got ${JSON.stringify(name)}`, path: [what] });
  }
  if (name.includes('\u0000')) throw new InvalidInputError({ message: `${what} must not contain NUL characters`, path: [what] });
  if (new TextEncoder().encode(name).length > MAX_IDENTIFIER_BYTES) {
    throw new InvalidInputError({ message: `${what} ${JSON.stringify(name)} is longer than PostgreSQL's ${MAX_IDENTIFIER_BYTES}-byte identifier limit`, path: [what] }
    );
  }
}
