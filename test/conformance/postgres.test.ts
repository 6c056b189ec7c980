import { afterAll, beforeAll, describe, it } from 'vitest';
import type pg from 'pg';
import { postgresRepository } from '../../src/adapters/postgres/index.js';
import { describeRepositoryConformance } from '../../src/testing/index.js';
import { dropSchema, schemaName, testDatabase, testPool, type TestDatabase } from '../support/postgres.js';

let db: TestDatabase;
let pool: pg.Pool;
const prefix = schemaName('purview_conf');

beforeAll(async () => {
  db = await testDatabase();
  pool = testPool(db.url, 20);
});

afterAll(async () => {
  // Each test dropped its own schema; this catches any a failed test left behind.
  const left = await pool.query<{ nspname: string }>('SELECT nspname FROM pg_namespace WHERE nspname LIKE $1', [`${prefix}%`]);
  for (const { nspname } of left.rows) await dropSchema(pool, nspname);
  await pool.end();
  await db.stop();
});

let n = 0;
describeRepositoryConformance('postgresRepository', async (initial) => {
  const schema = `${prefix}_${n++}`;
  const repository = postgresRepository({ pool, schema, initialPolicy: initial });
  await repository.migrate();
  return {
    repository,
    cleanup: async () => {
      await repository.close();
      await dropSchema(pool, schema);
    },
  };
}, { describe, it });
