import { memoryRepository, openEngine } from '../src/index.js';
import { generateWorkload, candidate, Rng } from './workload.js';
const w = generateWorkload('small');
const repo = memoryRepository(w.policy);
const full = await openEngine({ repository: repo, pollIntervalMs: 0 });
const scoped = await openEngine({ repository: repo, pollIntervalMs: 0, tenants: ['default'] });
const rng = new Rng(7);
const qs = Array.from({ length: 20000 }, () => candidate(w, rng));
for (const e of [full, scoped, full, scoped, full, scoped]) {
  let n = 0;
  const t0 = performance.now();
  for (let k = 0; k < 50; k++) for (const q of qs) if (e.can(q.user, q.action, q.resource)) n++;
  const ns = ((performance.now() - t0) * 1e6) / (50 * qs.length);
  console.log(e === full ? 'full  ' : 'scoped', ns.toFixed(0), 'ns/can', n);
}
await full.close(); await scoped.close();
