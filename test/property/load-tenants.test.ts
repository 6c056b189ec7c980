/*
 * loadTenants of the SQL adapters against scopePolicy of their load, on random multi-tenant
 * policies (test/arbitraries/multi-tenant.ts: tenant trees several levels deep with odd ids, users
 * acting in further tenants, groups, rules and access groups in every tenant): each policy is
 * stored as a whole-policy record, then random tenant subsets are loaded and compared with
 * expectScopedLoads (src/testing), and again after a few random changes to the tenant structure
 * written through an engine. PostgreSQL, SQLite and MariaDB, one repository each.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { openEngine, type PolicyInput, type PolicyRepository } from '../../src/index.js';
import { expectScopedLoads } from '../../src/testing/index.js';
import { sqliteRepository } from '../../src/adapters/sqlite/index.js';
import { mysqlRepository } from '../../src/adapters/mysql/index.js';
import { multiTenantArb, recipeOf, tenantChangeArb, type TenantChange } from '../arbitraries/multi-tenant.js';
import { runParams } from '../arbitraries/settings.js';
import { usePostgres } from '../support/pg-context.js';
import { freshDatabase, type FreshDatabase } from '../support/mariadb.js';

vi.setConfig({ testTimeout: 600_000 });

const pg = usePostgres('purview_scoped');

/** Tenant subsets of a policy from bit masks: each mask picks some of its tenants (the implicit default too), at least one. */
function subsets(policy: PolicyInput, masks: readonly number[]): string[][] {
  const all = ['default', ...(policy.tenants ?? []).map((t) => t.id).filter((t) => t !== 'default')];
  return masks.map((m) => {
    const picked = all.filter((_, i) => ((m >> i) & 1) === 1);
    return picked.length > 0 ? picked : [all[m % all.length] as string];
  });
}

let tally = { cases: 0, changed: 0 };

/** Stores `policy` as a whole-policy record, compares, applies `changes` through an engine, compares again. */
async function scopedCase(repository: PolicyRepository, policy: PolicyInput, masks: readonly number[], changes: readonly TenantChange[]): Promise<void> {
  const { revision } = await repository.load();
  await repository.append({ revision: revision + 1, replace: policy }, revision);
  await expectScopedLoads(repository, subsets(policy, masks));
  const writer = await openEngine({ repository, pollIntervalMs: 0 });
  try {
    for (const ch of changes) {
      // A change the core refuses (a dangling reference, a member out of its tenant) is skipped.
      if (await writer.update(recipeOf(ch, writer as never).recipe).then(() => true, () => false)) tally.changed++;
    }
  } finally {
    await writer.close();
  }
  await expectScopedLoads(repository, subsets((await repository.load()).policy, masks));
  tally.cases++;
}

const property = (repository: () => PolicyRepository, runs: number): Promise<void> =>
  fc.assert(
    fc.asyncProperty(
      multiTenantArb(),
      fc.array(fc.nat({ max: 1 << 12 }), { minLength: 3, maxLength: 3 }),
      fc.array(tenantChangeArb, { minLength: 1, maxLength: 4 }),
      async (s, masks, changes) => scopedCase(repository(), s.policy, masks, changes),
    ),
    runParams(runs),
  );

describe('loadTenants equals scopePolicy of load on random multi-tenant policies', () => {
  let dir: string | undefined;
  let mariadb: FreshDatabase | undefined;
  const closers: (() => Promise<void>)[] = [];

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'purview-scoped-'));
  });
  afterAll(async () => {
    for (const c of closers.reverse()) await c().catch(() => undefined);
    await mariadb?.drop();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  it('PostgreSQL', async () => {
    tally = { cases: 0, changed: 0 };
    const repository = pg.repository({ schema: pg.schema() });
    await repository.migrate();
    await property(() => repository, 60);
    expect(tally.changed).toBeGreaterThan(0);
  });

  it('SQLite', async () => {
    tally = { cases: 0, changed: 0 };
    const repository = sqliteRepository({ path: join(dir as string, 'policy.db'), pollIntervalMs: 20 });
    closers.push(() => repository.close());
    await repository.migrate();
    await property(() => repository, 40);
    expect(tally.changed).toBeGreaterThan(0);
  });

  it('MariaDB', async () => {
    tally = { cases: 0, changed: 0 };
    mariadb = await freshDatabase('purview_scoped');
    const repository = mysqlRepository({ pool: mariadb.pool, pollIntervalMs: 25 });
    closers.push(() => repository.close());
    await repository.migrate();
    await property(() => repository, 25);
    expect(tally.changed).toBeGreaterThan(0);
  });
});
