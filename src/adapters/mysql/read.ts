import type { PoolConnection } from 'mysql2/promise';
import { InvalidInputError, type StoredPolicy } from '../../index.js';
import { POLICY_SELECTS, decodePolicy, selectSql, type PolicyRows, type PolicySelect, type Row } from '../sql/decode.js';
import { TABLES, type ColumnType } from '../sql/rows.js';

/*
 * Reading the MySQL tables back into a plain PolicyInput: the SELECTs of the shared decoder, in
 * one consistent snapshot (REPEATABLE READ, START TRANSACTION WITH CONSISTENT SNAPSHOT), each
 * value turned into what the decoder reads (VARBINARY bytes into text, JSON text into values,
 * TINYINT booleans into booleans), then decoded by ../sql/decode.ts.
 */

/** Per table, the type of each column (as the writes know them). */
const COLUMN_TYPES = new Map<string, ReadonlyMap<string, ColumnType>>([
  ['policy_state', new Map<string, ColumnType>([['revision', 'integer'], ['access_levels', 'jsonb'], ['default_access_level', 'jsonb']])],
  ...Object.values(TABLES).map((spec) => [spec.table, new Map<string, ColumnType>(spec.columns.map(([n, t]) => [n, t]))] as const),
]);

const q = (name: string): string => `\`${name}\``;

/** One column value as the decoder reads it; JSON that does not parse is an error naming the row. */
function convert(value: unknown, type: ColumnType | undefined, table: string, column: string, row: Row, schemaName: string): unknown {
  if (value === null || value === undefined) return null;
  let v = Buffer.isBuffer(value) ? value.toString('utf8') : value;
  if (type === 'boolean' && (v === 0 || v === 1)) return v === 1;
  if ((type === 'jsonb' || type === 'textlist') && typeof v === 'string') {
    try {
      v = JSON.parse(v);
    } catch {
      const first = row[0];
      const key = Buffer.isBuffer(first) ? first.toString('utf8') : first;
      throw new InvalidInputError({
        message: `table ${schemaName}.${table}, row ${JSON.stringify(key) ?? String(key)}: column ${column} is not JSON`,
        path: [table, String(key)],
      });
    }
  }
  return v;
}

/** Reads the whole policy and its revision from database `d` (quoted, with its dot) in one snapshot. */
export async function readMysqlPolicy(c: PoolConnection, d: string, schemaName: string): Promise<StoredPolicy> {
  await c.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ');
  await c.query('START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY');
  const out: Partial<Record<keyof PolicyRows, Row[]>> = {};
  try {
    for (const [key, select] of Object.entries(POLICY_SELECTS) as [keyof PolicyRows, PolicySelect][]) {
      const [rows] = await c.query({ sql: selectSql(select, d.slice(0, -1), q), rowsAsArray: true });
      const types = COLUMN_TYPES.get(select.table);
      out[key] = (rows as Row[]).map((row) => row.map((v, i) => convert(v, types?.get(select.columns[i] as string), select.table, select.columns[i] as string, row, schemaName)));
    }
    await c.query('COMMIT');
  } catch (e) {
    await c.query('ROLLBACK').catch(() => undefined);
    throw e;
  }
  return decodePolicy(out as PolicyRows, schemaName);
}
