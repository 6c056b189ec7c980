/*
 * Loading the benchmark workload from PostgreSQL. The medium size (10,000 users, 2,000 groups)
 * runs with every `npm test`; the large one (100,000 users, 20,000 groups) when
 * PURVIEW_PG_LARGE=1, printing the figures recorded in docs/performance.md.
 */
import { describe, expect, it } from 'vitest';
import { generateWorkload, type SizeName } from '../../bench/workload.js';
import { createEngine, openEngine } from '../../src/index.js';
import { policyHash, usePostgres } from '../support/pg-context.js';

const pg = usePostgres('purview_scale');

const ms = (t0: bigint): number => Number(process.hrtime.bigint() - t0) / 1e6;

async function measure(size: SizeName, runs: number): Promise<void> {
  const workload = generateWorkload(size);
  const schema = pg.schema();
  let t0 = process.hrtime.bigint();
  const repository = pg.repository({ schema, pool: pg.pool(`scale-${size}`, 4), initialPolicy: workload.policy });
  const validateMs = ms(t0);
  t0 = process.hrtime.bigint();
  await repository.migrate();
  const seedMs = ms(t0);
  const loads: number[] = [];
  const opens: number[] = [];
  let hash = '';
  for (let i = 0; i < runs; i++) {
    t0 = process.hrtime.bigint();
    const stored = await repository.load();
    loads.push(ms(t0));
    expect(stored.policy.users).toHaveLength(workload.params.users);
    t0 = process.hrtime.bigint();
    const engine = await openEngine({ repository, pollIntervalMs: 0 });
    opens.push(ms(t0));
    hash = policyHash(engine.policy);
    await engine.close();
  }
  expect(hash).toBe(policyHash(createEngine({ policy: workload.policy }).policy));
  const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
  const summary = {
    size,
    server: pg.source,
    users: workload.params.users,
    groups: workload.params.groups,
    memberRows: workload.policy.groups?.reduce((n, g) => n + Object.values(g.members ?? {}).reduce((k, l) => k + (l?.length ?? 0), 0), 0),
    validateInitialMs: Math.round(validateMs),
    seedMs: Math.round(seedMs),
    loadMs: loads.map(Math.round),
    openEngineMs: opens.map(Math.round),
    medianLoadMs: Math.round(median(loads)),
    medianOpenEngineMs: Math.round(median(opens)),
  };
  console.log(`postgres load figures: ${JSON.stringify(summary)}`);
  expect(median(opens)).toBeLessThan(size === 'large' ? 20_000 : 10_000);
}

describe('loading the benchmark workload from PostgreSQL', () => {
  it('medium: 10,000 users and 2,000 groups load and build exactly', async () => {
    await measure('medium', 2);
  });

  it.runIf(process.env.PURVIEW_PG_LARGE === '1')('large: 100,000 users and 20,000 groups', async () => {
    await measure('large', 3);
  });
});
