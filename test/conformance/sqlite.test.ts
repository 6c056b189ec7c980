import { describe, it } from 'vitest';
// SQLite: a fresh file per test under the OS temp dir (better-sqlite3, no server), removed after.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sqliteRepository } from '../../src/adapters/sqlite/index.js';
import { describeRepositoryConformance } from '../../src/testing/index.js';

describeRepositoryConformance('sqliteRepository', async (initial) => {
  const dir = mkdtempSync(join(tmpdir(), 'purview-sqlite-conf-'));
  const repository = sqliteRepository({ path: join(dir, 'policy.db'), initialPolicy: initial, pollIntervalMs: 20 });
  await repository.migrate();
  return {
    repository,
    cleanup: async () => {
      await repository.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}, { describe, it });
