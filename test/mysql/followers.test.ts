// The MariaDB/MySQL server: test/support/mariadb.ts (127.0.0.1:3306 or PURVIEW_MYSQL_URL; the
// machine's mariadbd is started when nothing answers). Each test gets a database of its own.
import { describe, expect, it } from 'vitest';
import { mysqlRepository } from '../../src/adapters/mysql/index.js';
import { InvalidInputError, openEngine } from '../../src/index.js';
import { smallPolicy } from '../../src/testing/fixtures.js';
import { useMariadb } from '../support/mariadb.js';
import { policyHash, reaches } from '../support/pg-context.js';

const my = useMariadb('purview_follow');

describe('followers poll the MySQL change log', () => {
  it('a follower hears a change within about one pollIntervalMs, and nothing when nothing changes', async () => {
    const db = await my.fresh();
    const pollIntervalMs = 200;
    const writer = await openEngine({ repository: mysqlRepository({ pool: db.pool, initialPolicy: smallPolicy(), pollIntervalMs }), pollIntervalMs: 0 });
    const repository = mysqlRepository({ pool: db.pool, pollIntervalMs });
    const heard: number[] = [];
    const unsubscribe = await repository.subscribe((r) => heard.push(r));
    await new Promise((r) => setTimeout(r, pollIntervalMs * 3));
    expect(heard).toEqual([]);
    const follower = await openEngine({ repository: mysqlRepository({ pool: db.pool, pollIntervalMs }), pollIntervalMs: 0 });
    const latencies: number[] = [];
    for (const u of ['u1', 'u2', 'u3']) {
      const rev = await writer.addMember('team', { user: u });
      const t0 = Date.now();
      await reaches(follower, rev, 5_000);
      latencies.push(Date.now() - t0);
    }
    expect(Math.max(...latencies)).toBeLessThan(pollIntervalMs + 1_000);
    expect(heard.at(-1)).toBe(writer.revision);
    expect(policyHash(follower.policy)).toBe(policyHash(writer.policy));
    await unsubscribe();
    const count = heard.length;
    await writer.removeMember('team', { user: 'u1' });
    await new Promise((r) => setTimeout(r, pollIntervalMs * 2));
    expect(heard.length).toBe(count);
    await Promise.all([writer.close(), follower.close(), repository.close()]);
  });

  it('pollIntervalMs must be a positive number', () => {
    for (const pollIntervalMs of [0, -1, Number.NaN, Infinity]) {
      expect(() => mysqlRepository({ pool: {} as never, pollIntervalMs })).toThrow(InvalidInputError);
    }
  });
});
