import type { PoolConnection } from 'mysql2/promise';
import type { StoredPolicy } from '../../index.js';
import { POLICY_SELECTS, decodableRows, decodePolicy, selectSql, type PolicyRows, type PolicySelect, type Row } from '../sql/decode.js';
import { runScopedRead, type ScopedDialect, type ScopedRead } from '../sql/scoped-read.js';

/*
 * Reading the MySQL tables back into a plain PolicyInput: the SELECTs of the shared decoder, in
 * one consistent snapshot (REPEATABLE READ, START TRANSACTION WITH CONSISTENT SNAPSHOT), each
 * value turned into what the decoder reads (VARBINARY bytes into text, JSON text into values,
 * TINYINT booleans into booleans), then decoded by ../sql/decode.ts; or only a tenant subset's
 * part of them (../sql/scoped-read.ts), in one such snapshot too.
 */

const q = (name: string): string => `\`${name}\``;

/** Runs `fn` in one consistent, read-only snapshot. */
async function inSnapshot<T>(c: PoolConnection, fn: () => Promise<T>): Promise<T> {
  await c.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ');
  await c.query('START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY');
  try {
    const result = await fn();
    await c.query('COMMIT');
    return result;
  } catch (e) {
    await c.query('ROLLBACK').catch(() => undefined);
    throw e;
  }
}

/** Reads the whole policy and its revision from database `d` (quoted, with its dot) in one snapshot. */
export async function readMysqlPolicy(c: PoolConnection, d: string, schemaName: string): Promise<StoredPolicy> {
  const out = await inSnapshot(c, async () => {
    const read: Partial<Record<keyof PolicyRows, Row[]>> = {};
    for (const [key, select] of Object.entries(POLICY_SELECTS) as [keyof PolicyRows, PolicySelect][]) {
      const [rows] = await c.query({ sql: selectSql(select, d.slice(0, -1), q), rowsAsArray: true });
      read[key] = decodableRows(select, rows as Row[], schemaName);
    }
    return read as PolicyRows;
  });
  return decodePolicy(out, schemaName);
}

/**
 * The MySQL dialect of scoped reads in database `d` (quoted, with its dot): each set of ids is an
 * `IN (?)` list that mysql2 expands, every value escaped by the driver (an empty set is `FALSE`).
 */
export function mysqlScopedDialect(d: string): ScopedDialect {
  return {
    s: d.slice(0, -1),
    q,
    inSet: (column, values, params) => {
      if (values.size === 0) return 'FALSE';
      params.push([...values]);
      return `${column} IN (?)`;
    },
  };
}

/**
 * Runs a scoped read (`scopedRead(tenants, mysqlScopedDialect(d), name)`) in one snapshot: the
 * part of the policy an engine serving those tenants holds, and its revision.
 */
export function readMysqlScopedPolicy(c: PoolConnection, read: ScopedRead, schemaName: string): Promise<StoredPolicy> {
  return inSnapshot(c, () =>
    runScopedRead(read, async ({ select, sql, params }) => {
      const [rows] = await c.query({ sql, values: [...params], rowsAsArray: true });
      return decodableRows(select, rows as Row[], schemaName);
    }),
  );
}
