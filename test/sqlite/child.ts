/*
 * A second process on the same SQLite file, for test/sqlite/processes.test.ts (run with
 * `node --import tsx`). Modes:
 *   follow PATH   opens an engine, prints `{"revision":n,"hash":"..."}` on every revision it reaches; ends on stdin's end;
 *   write PATH N  appends changes of N users each, forever, printing each revision it stored (killed by the test).
 */
import { createHash } from 'node:crypto';
import { openEngine, toPolicyInput } from '../../src/index.js';
import { sqliteRepository } from '../../src/adapters/sqlite/index.js';

const [mode, path, size] = process.argv.slice(2);
const hash = (p: Parameters<typeof toPolicyInput>[0]): string => createHash('sha256').update(JSON.stringify(toPolicyInput(p))).digest('hex');

if (mode === 'follow' && path !== undefined) {
  const repository = sqliteRepository({ path, pollIntervalMs: 20 });
  const engine = await openEngine({ repository, pollIntervalMs: 0 });
  const report = (): void => {
    process.stdout.write(`${JSON.stringify({ revision: engine.revision, hash: hash(engine.policy) })}\n`);
  };
  report();
  engine.subscribe(report);
  process.stdin.resume();
  process.stdin.on('end', () => {
    void engine.close().then(() => repository.close());
  });
} else if (mode === 'write' && path !== undefined) {
  const repository = sqliteRepository({ path });
  const n = Number(size ?? 2000);
  for (let round = 0; ; round++) {
    const expected = await repository.revision();
    const users = Array.from({ length: n }, (_, i) => ({ id: `p${process.pid}-${round}-${i}`, tenant: 'default', status: 'active' as const, tenants: [] }));
    await repository.append({ revision: expected + 1, ops: users.map((entity) => ({ op: 'put' as const, collection: 'users' as const, entity })) }, expected);
    process.stdout.write(`${expected + 1}\n`);
  }
}
