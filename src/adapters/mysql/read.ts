import type { PoolConnection } from 'mysql2/promise';
import type { StoredPolicy } from '../../index.js';
import { POLICY_SELECTS, decodableRows, decodePolicy, selectSql, type PolicyRows, type PolicySelect, type Row } from '../sql/decode.js';

/*
 * Reading the MySQL tables back into a plain PolicyInput: the SELECTs of the shared decoder, in
 * one consistent snapshot (REPEATABLE READ, START TRANSACTION WITH CONSISTENT SNAPSHOT), each
 * value turned into what the decoder reads (VARBINARY bytes into text, JSON text into values,
 * TINYINT booleans into booleans), then decoded by ../sql/decode.ts.
 */

const q = (name: string): string => `\`${name}\``;

/** Reads the whole policy and its revision from database `d` (quoted, with its dot) in one snapshot. */
export async function readMysqlPolicy(c: PoolConnection, d: string, schemaName: string): Promise<StoredPolicy> {
  await c.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ');
  await c.query('START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY');
  const out: Partial<Record<keyof PolicyRows, Row[]>> = {};
  try {
    for (const [key, select] of Object.entries(POLICY_SELECTS) as [keyof PolicyRows, PolicySelect][]) {
      const [rows] = await c.query({ sql: selectSql(select, d.slice(0, -1), q), rowsAsArray: true });
      out[key] = decodableRows(select, rows as Row[], schemaName);
    }
    await c.query('COMMIT');
  } catch (e) {
    await c.query('ROLLBACK').catch(() => undefined);
    throw e;
  }
  return decodePolicy(out as PolicyRows, schemaName);
}
