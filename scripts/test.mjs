// `npm test`: type-check, build dist/, run the whole vitest suite, and end with one plain line
// "N passed, N failed" (a failed type-check or build counts as one failure).
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';

const run = (cmd, args) => spawnSync(cmd, args, { stdio: 'inherit', shell: false }).status ?? 1;
const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx';
const report = '.tmp/vitest-results.json';

rmSync(report, { force: true });
for (const [what, args] of [
  ['type-check', ['tsc', '--noEmit']],
  ['type-check of the playground page', ['tsc', '--noEmit', '-p', 'src/play/tsconfig.json']],
  ['build', ['tsup']],
  ['schema generation', ['tsx', 'scripts/write-schemas.ts']],
]) {
  if (run(npx, args) !== 0) {
    console.error(`npm test: the ${what} failed`);
    console.log('0 passed, 1 failed');
    process.exit(1);
  }
}
const vitest = run(npx, ['vitest', 'run', ...process.argv.slice(2)]);
const counted = run(process.execPath, ['scripts/count-results.mjs', report]);
process.exit(vitest !== 0 || counted !== 0 ? 1 : 0);
