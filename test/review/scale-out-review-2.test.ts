/*
 * Second adversarial review of scale-out by tenant: PolicyRepository.loadTenants of the SQL
 * adapters (src/adapters/sql/scoped-read.ts) and tenant-scoped engines (openEngine({ tenants })).
 * Each `it` is one finding, fixed, and asserts the correct behaviour:
 * a scoped answer must equal a full engine's answer on the same repository (or be an
 * OutOfScopeError), and loadTenants must return scopePolicy(load().policy, tenants).policy.
 */
import { describe, expect, it, vi } from 'vitest';
import { createEngine, RepositoryError, memoryRepository, openEngine, OutOfScopeError, scopePolicy, toPolicyInput, type PolicyInput, type PolicyRepository } from '../../src/index.js';
import { mysqlRepository } from '../../src/adapters/mysql/index.js';
import { usePostgres } from '../support/pg-context.js';
import { useMariadb } from '../support/mariadb.js';
import { CLIENTS } from '../support/clients-policy.js';
import { outcome, useScopedPairs } from '../support/scoped-pair.js';

vi.setConfig({ testTimeout: 120_000 });
const pg = usePostgres('purview_review2');
const maria = useMariadb('purview_review2');

// The shared clients, with a spare tenant, leads readable by all, and no initech group.
const policy: PolicyInput = {
  ...CLIENTS,
  tenants: [...(CLIENTS.tenants ?? []), { id: 'spare' }],
  resourceTypes: { lead: { actions: { view: 'read', edit: 'readWrite' }, default: 'publicRead' } },
  groups: (CLIENTS.groups ?? []).filter((g) => g.id !== 'initech-all'),
};

const pair = useScopedPairs();
/** A scoped outcome is right when it is the full engine's, or a refusal. */
function expectAgrees(scoped: unknown, full: unknown, what: string): void {
  if (scoped !== 'refused') expect(scoped, what).toEqual(full);
}

const normalized = (p: PolicyInput): PolicyInput => toPolicyInput(createEngine({ policy: p }).policy);

describe('scale-out review 2', () => {
  it('a served tenant deleted and created again under an unheld tenant stays served without its ancestors: whoCan leaves out the users above it', async () => {
    const { full, scoped } = await pair(policy, ['acme', 'spare']);
    await full.update((d) => {
      d.tenants.delete('spare');
    });
    await scoped.waitFor(full.revision);
    await full.update((d) => {
      d.tenants.set('spare', { id: 'spare', parent: 'initech' });
    });
    await scoped.waitFor(full.revision);
    const lead = { type: 'lead', id: 's1', tenant: 'spare', owner: { user: 'ivy' } };
    expect(full.whoCan('view', lead), 'ivy (initech) acts in spare, now below initech').toEqual(['ivy']);
    // A scoped engine opened now on the same tenants holds initech's users (initech is above spare).
    const fresh = await openEngine({ repository: memoryRepository(toPolicyInput(full.policy)), tenants: ['acme', 'spare'], pollIntervalMs: 0 });
    try {
      expect(fresh.whoCan('view', lead)).toEqual(['ivy']);
    } finally {
      await fresh.close();
    }
    expectAgrees(outcome(() => scoped.whoCan('view', lead)), { answer: ['ivy'] }, 'the following engine serves spare, so its whoCan must be complete (or refused)');
  });

  it("an owner object with a non-enumerable extra property: the settled copy makes it enumerable and the scoped engine refuses with InvalidInputError what the full engine answers", async () => {
    const { full, scoped } = await pair(policy, ['acme']);
    const owner: { user: string } = { user: 'ann' };
    Object.defineProperty(owner, 'loadedAt', { value: 123, enumerable: false });
    const lead = { type: 'lead', id: 'l1', tenant: 'acme', owner };
    expect(full.can('ann', 'edit', lead), 'the full engine reads own enumerable keys of the owner only').toBe(true);
    expectAgrees(outcome(() => scoped.can('ann', 'edit', lead)), { answer: true }, 'the same object must get the same answer');
    expectAgrees(outcome(() => scoped.whoCan('edit', lead)), outcome(() => full.whoCan('edit', lead)), 'whoCan');
    expectAgrees(outcome(() => scoped.effectiveOwners(lead)), outcome(() => full.effectiveOwners(lead)), 'effectiveOwners');
  });

  it('a record with an own accessor no decision reads (a lazy field): the settled copy calls it, so the scoped engine throws (or runs its side effects) where the full engine answers', async () => {
    const { full, scoped } = await pair(policy, ['acme']);
    let calls = 0;
    const lead: Record<string, unknown> = { type: 'lead', id: 'l1', tenant: 'acme', owner: { user: 'ann' } };
    Object.defineProperty(lead, 'history', {
      enumerable: true,
      get: () => {
        calls++;
        throw new Error('history is not loaded');
      },
    });
    expect(full.can('ann', 'edit', lead as never), 'the full engine never reads history').toBe(true);
    expect(calls).toBe(0);
    expectAgrees(outcome(() => scoped.can('ann', 'edit', lead as never)), { answer: true }, 'the scoped engine must not read fields the decision does not read');
    expect(calls, 'no getter the decision does not need is run').toBe(0);
  });

  it("MariaDB: loadTenants of a few thousand tenants with long ids exceeds max_allowed_packet (the sets travel in the query text): a RepositoryError saying what to do, never an untyped driver error", async () => {
    const db = await maria.fresh();
    const repository = mysqlRepository({ pool: db.pool });
    try {
      await repository.migrate();
      // 6,000 tenants with ids of 256 characters (770 bytes of UTF-8): 4.6 MB of ids, under the 16 MB packet.
      const id = (i: number): string => `${String(i).padStart(6, '0')}${'\u0800'.repeat(250)}`;
      const n = 6000;
      const p: PolicyInput = {
        tenants: Array.from({ length: n }, (_, i) => ({ id: id(i) })),
        resourceTypes: { lead: { actions: { view: 'read' } } },
        users: Array.from({ length: n }, (_, i) => ({ id: `u${i}`, tenant: id(i) })),
      };
      await repository.append({ revision: 1, replace: p }, 0);
      const loaded = await repository.load();
      const all = Array.from({ length: n }, (_, i) => id(i));
      const part = await repository.loadTenants(all).then(
        (v) => v,
        (e: unknown) => e,
      );
      // Either it fits this server's packet (then it is the whole policy), or a typed error names the setting.
      if (part instanceof Error) {
        expect(part).toBeInstanceOf(RepositoryError);
        expect(part.message).toContain('max_allowed_packet');
      } else expect((part as { policy: PolicyInput }).policy.users?.length).toBe(loaded.policy.users?.length);
    } finally {
      await repository.close();
    }
  });

  it("loadTenants with missing: 'skip' sends the undeclared ids to the database: an unpaired surrogate is encoded as U+FFFD and reads tenant '\\ufffd''s users and groups (PostgreSQL, MariaDB); a NUL fails PostgreSQL with an untyped driver error", async () => {
    const p: PolicyInput = {
      tenants: [{ id: 'acme' }, { id: '\ufffd' }],
      resourceTypes: { lead: { actions: { view: 'read' } } },
      roles: [{ id: 'r', tenant: '\ufffd' }],
      users: [
        { id: 'ann', tenant: 'acme' },
        { id: 'rep', tenant: '\ufffd', role: 'r' },
      ],
      groups: [{ id: 'g', tenant: '\ufffd', members: { users: ['rep'] } }],
    };
    const want = normalized(scopePolicy(p, ['acme']).policy);
    expect(want.users?.map((u) => u.id), 'skip serves nothing: the part of acme alone').toEqual(['ann']);
    const db = await maria.fresh();
    const mariadb = mysqlRepository({ pool: db.pool });
    const postgres = pg.repository({ schema: pg.schema() });
    const got: Record<string, unknown> = {};
    try {
      for (const [name, repository] of [['PostgreSQL', postgres], ['MariaDB', mariadb]] as [string, PolicyRepository & { migrate(): Promise<void> }][]) {
        await repository.migrate();
        await repository.append({ revision: 1, replace: p }, 0);
        for (const extra of ['\ud800', 'x\u0000']) {
          got[`${name} ${JSON.stringify(extra)}`] = await (repository.loadTenants as NonNullable<PolicyRepository['loadTenants']>)(['acme', extra], { missing: 'skip' }).then(
            (s) => normalized(s.policy),
            (e: unknown) => (e instanceof Error ? `${e.name}: ${e.message}` : String(e)),
          );
        }
      }
    } finally {
      await mariadb.close();
    }
    expect(got).toEqual({
      'PostgreSQL "\\ud800"': want,
      'PostgreSQL "x\\u0000"': want,
      'MariaDB "\\ud800"': want,
      'MariaDB "x\\u0000"': want,
    });
  });
});
