import type Database from 'better-sqlite3';
import type { StoredPolicy } from '../../index.js';
import { POLICY_SELECTS, decodableRows, selectSql, type PolicyRows, type PolicySelect, type Row } from '../sql/decode.js';
import { runScopedReadSync, type ScopedDialect, type ScopedRead } from '../sql/scoped-read.js';

/*
 * Reading the SQLite tables back into a plain PolicyInput: the SELECTs of the shared decoder, each
 * value turned into what the decoder reads (JSON text into values, 0 and 1 into booleans), then
 * decoded by ../sql/decode.ts; or only a tenant subset's part of them (../sql/scoped-read.ts). The
 * caller runs either inside one read transaction, so that every SELECT sees one snapshot.
 */

/** Quotes a table or column name. */
export const q = (name: string): string => `"${name}"`;

/** The rows of the whole policy, read on `d` (the caller holds the read transaction), for `decodePolicy`. */
export function readSqliteRows(d: Database.Database, path: string): PolicyRows {
  const out: Partial<Record<keyof PolicyRows, Row[]>> = {};
  for (const [key, select] of Object.entries(POLICY_SELECTS) as [keyof PolicyRows, PolicySelect][]) {
    out[key] = decodableRows(select, d.prepare(selectSql(select, 'main', q)).raw(true).all() as Row[], path);
  }
  return out as PolicyRows;
}

/** The SQLite dialect of scoped reads: each set of ids is one JSON text parameter, read with `json_each`. */
export const sqliteScopedDialect: ScopedDialect = {
  s: 'main',
  q,
  inSet: (column, values, params) => {
    params.push(JSON.stringify([...values]));
    return `${column} IN (SELECT value FROM json_each(?))`;
  },
};

/**
 * Runs a scoped read (`scopedRead(tenants, sqliteScopedDialect, path)`) on `d`; the caller holds
 * the read transaction. The part of the policy an engine serving those tenants holds, and its revision.
 */
export function readSqliteScopedPolicy(d: Database.Database, read: ScopedRead, path: string): StoredPolicy {
  return runScopedReadSync(read, ({ select, sql, params }) => decodableRows(select, d.prepare(sql).raw(true).all(...params) as Row[], path));
}
