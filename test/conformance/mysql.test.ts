import { describe, it } from 'vitest';
// The MariaDB/MySQL server: test/support/mariadb.ts (127.0.0.1:3306 or PURVIEW_MYSQL_URL; the
// machine's mariadbd is started when nothing answers). Each test gets a database of its own.
import { mysqlRepository } from '../../src/adapters/mysql/index.js';
import { describeRepositoryConformance } from '../../src/testing/index.js';
import { freshDatabase } from '../support/mariadb.js';

describeRepositoryConformance('mysqlRepository', async (initial) => {
  const db = await freshDatabase('purview_conf');
  const repository = mysqlRepository({ pool: db.pool, initialPolicy: initial, pollIntervalMs: 25 });
  await repository.migrate();
  return {
    repository,
    cleanup: async () => {
      await repository.close();
      await db.drop();
    },
  };
}, { describe, it });
