/*
 * Regression of issue 10, item 11 (a): a hand-edited or foreign change_log row must not wedge a
 * running engine. A follower that meets a record it cannot apply reports a typed error through
 * onError and recovers from the stored policy (the tables), so that its writes work again; before,
 * it stayed behind for good and every write failed with ConflictError while a fresh engine opened
 * fine.
 */
import { describe, expect, it } from 'vitest';
import { openEngine, PurviewError, type SharedEngine } from '../../src/index.js';
import { smallPolicy } from '../../src/testing/fixtures.js';
import { ident, policyHash, usePostgres } from '../support/pg-context.js';

const pg = usePostgres('purview_badlog');

const BAD_RECORDS: readonly [string, string][] = [
  ['a put of an invalid entity', JSON.stringify({ ops: [{ op: 'put', collection: 'users', entity: { id: '' } }] })],
  ['a put that breaks a reference', JSON.stringify({ ops: [{ op: 'delete', collection: 'roles', id: 'boss' }] })],
  ['an unknown op', JSON.stringify({ ops: [{ op: 'explode', collection: 'nowhere' }] })],
  ['a record with neither ops nor replace', JSON.stringify({ hello: 'world' })],
  ['a JSON array', '[]'],
  ['a replace with an invalid policy', JSON.stringify({ replace: { groups: [{ id: 'g', members: { groups: ['g'] } }] } })],
];

describe('a change_log row that cannot be applied', () => {
  for (const [what, bad] of BAD_RECORDS) {
    it(`${what}: the follower reports a typed error, reloads, and writes again`, async () => {
      const schema = pg.schema();
      // The writer's repository does not notify, so that the row can be edited before the follower reads it.
      const writerRepo = pg.repository({ schema, pool: pg.pool('writer', 2), initialPolicy: smallPolicy(), notify: false });
      const writer = await openEngine({ repository: writerRepo, pollIntervalMs: 0 });
      const errors: unknown[] = [];
      const follower = await openEngine({
        repository: pg.repository({ schema, pool: pg.pool('follower', 2) }),
        pollIntervalMs: 0,
        onError: (e) => void errors.push(e),
      });
      let followers: SharedEngine[] = [follower];
      try {
        const rev = await writer.addMember('sales', { user: 'u2' });
        expect(rev).toBe(1);
        await pg.admin.query(`UPDATE ${ident(schema)}.change_log SET record = $1::json WHERE revision = 1`, [bad]);
        await follower.refresh();
        expect(errors.length).toBeGreaterThan(0);
        expect(errors.every((e) => e instanceof PurviewError)).toBe(true);
        expect(follower.revision).toBe(1);
        expect(policyHash(follower.policy)).toBe(policyHash(writer.policy));
        // Writes work again, from the follower and then from the writer.
        const rev2 = await follower.addMember('team', { user: 'u3' });
        expect(rev2).toBe(2);
        await writer.refresh();
        expect(writer.revision).toBe(2);
        expect(await writer.removeMember('sales', { user: 'u2' })).toBe(3);
        await follower.refresh();
        expect(policyHash(follower.policy)).toBe(policyHash(writer.policy));
        const fresh = await openEngine({ repository: pg.repository({ schema, pool: pg.pool('fresh', 2) }), pollIntervalMs: 0 });
        followers = [...followers, fresh];
        expect(policyHash(fresh.policy)).toBe(policyHash(writer.policy));
      } finally {
        await writer.close();
        for (const f of followers) await f.close();
      }
    });
  }
});
