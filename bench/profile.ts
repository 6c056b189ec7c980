/*
 * CPU-profiles one section of the benchmark and prints where the time goes.
 *
 *   npx tsx bench/profile.ts --size large --section can        # every can() call of the section
 *   npx tsx bench/profile.ts --size large --section changes    # single changes (the timed commands)
 *   npx tsx bench/profile.ts --size large --section build      # createEngine from a plain policy
 *   npx tsx bench/profile.ts --size large --section queries    # whoCan
 *
 * The benchmark is bundled with esbuild (not minified, with a source map) so that the profile's
 * positions map back to src/ lines; then it runs under `node --cpu-prof` with only that section,
 * and bench/profile-summary.ts summarizes the calls under the section's focus function (FOCUS).
 * Profiles and the bundle go to .tmp/bench/ (ignored by git); the summary is printed and saved as
 * summary.md next to the profile.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { summarize } from './profile-summary.js';

const FOCUS: Readonly<Record<string, string>> = {
  build: 'createEngine',
  can: 'runQueries',
  changes: 'timedAsync',
  queries: 'whoCan',
  peers: 'nsPerOpBatches',
};

let size = 'large';
let section = 'can';
let top = 30;
let interval = 50;
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  const a = argv[i];
  if (a === '--size') size = argv[++i] ?? size;
  else if (a === '--section') section = argv[++i] ?? section;
  else if (a === '--top') top = Number(argv[++i]);
  else if (a === '--interval') interval = Number(argv[++i]);
  else throw new Error(`unknown option ${String(a)}`);
}
const focus = FOCUS[section];
if (focus === undefined) throw new Error(`--section ${Object.keys(FOCUS).join('|')}`);

const dir = join('.tmp', 'bench');
const profDir = join(dir, `prof-${size}-${section}`);
mkdirSync(dir, { recursive: true });
rmSync(profDir, { recursive: true, force: true });
const bundle = join(dir, 'run.mjs');
execFileSync(
  'npx',
  ['esbuild', 'bench/run.ts', '--bundle', '--platform=node', '--format=esm', '--target=node20', '--sourcemap', `--outfile=${bundle}`, '--external:casbin', '--external:@cedar-policy/cedar-wasm', '--log-level=warning'],
  { stdio: 'inherit' },
);
const only = section === 'build' ? 'build' : section;
const report = execFileSync(
  process.execPath,
  ['--cpu-prof', `--cpu-prof-interval=${interval}`, `--cpu-prof-dir=${profDir}`, '--expose-gc', bundle, '--size', size, '--only', only, '--peers', section === 'peers' ? 'all' : 'none'],
  { stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 64 * 1024 * 1024 },
).toString();
const files = readdirSync(profDir).filter((f) => f.endsWith('.cpuprofile'));
const summary = files.map((f) => summarize(join(profDir, f), focus, top)).join('\n\n');
writeFileSync(join(profDir, 'summary.md'), summary + '\n');
process.stdout.write(`${report}\n${summary}\n`);
