import type { ClientBase } from 'pg';
import type { StoredPolicy } from '../../index.js';
import { POLICY_SELECTS, decodePolicy, selectSql, type PolicyRows, type Row } from '../sql/decode.js';

/*
 * Reading the normalized tables back into a plain PolicyInput: one SELECT per table, all in one
 * REPEATABLE READ snapshot (so the revision matches the rows), rows as arrays, decoded by the
 * shared ../sql/decode.ts.
 */

/** Reads the whole policy and its revision from schema `s` (quoted) in one snapshot. */
export async function readPolicy(client: ClientBase, s: string, schemaName: string): Promise<StoredPolicy> {
  const rows = async (text: string): Promise<Row[]> => (await client.query<Row>({ text, rowMode: 'array' })).rows;

  await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
  let read: PolicyRows;
  try {
    const out: Partial<Record<keyof PolicyRows, Row[]>> = {};
    for (const [key, select] of Object.entries(POLICY_SELECTS) as [keyof PolicyRows, (typeof POLICY_SELECTS)[keyof PolicyRows]][]) {
      out[key] = await rows(selectSql(select, s));
    }
    await client.query('COMMIT');
    read = out as PolicyRows;
  } catch (e) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw e;
  }
  return decodePolicy(read, schemaName);
}
