import type { ClientBase } from 'pg';
import type { StoredPolicy } from '../../index.js';
import { POLICY_SELECTS, decodePolicy, selectSql, type PolicyRows, type Row } from '../sql/decode.js';
import { runScopedRead, type ScopedDialect, type ScopedRead } from '../sql/scoped-read.js';

/*
 * Reading the normalized tables back into a plain PolicyInput: one SELECT per table, all in one
 * REPEATABLE READ snapshot (so the revision matches the rows), rows as arrays, decoded by the
 * shared ../sql/decode.ts; or only a tenant subset's part of them (../sql/scoped-read.ts), in one
 * such snapshot too.
 */

/** Runs `fn` in one REPEATABLE READ, READ ONLY transaction: every SELECT sees one snapshot. */
async function inSnapshot<T>(client: ClientBase, fn: () => Promise<T>): Promise<T> {
  await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
  try {
    const result = await fn();
    await client.query('COMMIT');
    return result;
  } catch (e) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw e;
  }
}

/** Reads the whole policy and its revision from schema `s` (quoted) in one snapshot. */
export async function readPolicy(client: ClientBase, s: string, schemaName: string): Promise<StoredPolicy> {
  const rows = async (text: string): Promise<Row[]> => (await client.query<Row>({ text, rowMode: 'array' })).rows;
  const read = await inSnapshot(client, async () => {
    const out: Partial<Record<keyof PolicyRows, Row[]>> = {};
    for (const [key, select] of Object.entries(POLICY_SELECTS) as [keyof PolicyRows, (typeof POLICY_SELECTS)[keyof PolicyRows]][]) {
      out[key] = await rows(selectSql(select, s, undefined));
    }
    return out as PolicyRows;
  });
  return decodePolicy(read, schemaName);
}

/** The PostgreSQL dialect of scoped reads in schema `s` (quoted): each set of ids is one `text[]` parameter. */
export function postgresScopedDialect(s: string): ScopedDialect {
  return {
    s,
    q: (name) => name,
    inSet: (column, values, params) => {
      params.push([...values]);
      return `${column} = ANY($${params.length}::text[])`;
    },
  };
}

/**
 * Runs a scoped read (`scopedRead(tenants, postgresScopedDialect(s), schema)`) in one snapshot:
 * the part of the policy an engine serving those tenants holds, and its revision.
 */
export function readScopedPolicy(client: ClientBase, read: ScopedRead): Promise<StoredPolicy> {
  return inSnapshot(client, () =>
    runScopedRead(read, async ({ sql, params }) => (await client.query<Row>({ text: sql, values: [...params], rowMode: 'array' })).rows),
  );
}
