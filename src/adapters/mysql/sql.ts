import { InvalidInputError } from '../../index.js';

/** The longest identifier MySQL and MariaDB keep for a database. */
export const MAX_MYSQL_IDENTIFIER_CHARS = 64;

/**
 * Quotes an identifier (a database name) for SQL text with backticks. Values never go through
 * here: the driver escapes them. Identifiers are checked (non-empty, at most 64 characters, no
 * NUL, no trailing space, which MySQL refuses) and their backticks doubled.
 */
export function quoteMysqlIdent(name: string, what: string): string {
  checkMysqlIdentifier(name, what);
  return `\`${name.replace(/`/g, '``')}\``;
}

/** Throws `InvalidInputError` unless `name` is usable as a MySQL database name. */
export function checkMysqlIdentifier(name: unknown, what: string): asserts name is string {
  if (typeof name !== 'string' || name.length === 0) {
    throw new InvalidInputError({ message: `${what} must be a non-empty string, got ${JSON.stringify(name)}`, path: [what] });
  }
  if (name.includes('\u0000') || /\s$/.test(name)) throw new InvalidInputError({ message: `${what} must not contain NUL characters or end in a space`, path: [what] });
  if ([...name].length > MAX_MYSQL_IDENTIFIER_CHARS) {
    throw new InvalidInputError({ message: `${what} ${JSON.stringify(name)} is longer than MySQL's ${MAX_MYSQL_IDENTIFIER_CHARS}-character identifier limit`, path: [what] });
  }
}
