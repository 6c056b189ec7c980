/*
 * What `purview diff` and `accessDiff` cost on a real-sized policy (issue 13), beside the naive
 * diff of the same change measured in the same run: two engines, every user x every record x every
 * action checked on both. The naive diff of the medium workload is 3,000,000,000 checks a side, so
 * it is measured on the first SAMPLE records (every user, every action, both engines) and scaled
 * to all records (it is linear in them by construction); the sample's changes are also checked to
 * be exactly the changes accessDiff reports on those records.
 *
 *   npx tsx bench/diff.ts [--size small|medium|large] [--seed N] [--sample N]
 *
 * Needs dist/ (npm run build) for the CLI figures. Prints a Markdown table; run it on a quiet
 * machine (no tests running).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { accessDiff, createEngine, type GroupInput, type PolicyInput, type Resource } from '../src/index.js';
import { timed } from './measure.js';
import { ACTIONS, generateWorkload, type SizeName } from './workload.js';

const args = process.argv.slice(2);
const opt = (name: string, def: string): string => {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] !== undefined ? (args[i + 1] as string) : def;
};
const size = opt('--size', 'medium') as SizeName;
const seed = Number(opt('--seed', '42'));
const SAMPLE = Number(opt('--sample', '500'));

const log = (m: string): void => void process.stderr.write(`[bench diff ${size}] ${m}\n`);

interface Change {
  readonly name: string;
  readonly after: PolicyInput;
}

/** The policy with `edit` applied to a copy of group `g`. */
function editGroup(policy: PolicyInput, g: number, edit: (group: GroupInput) => GroupInput): PolicyInput {
  const groups = [...(policy.groups ?? [])];
  groups[g] = edit(groups[g] as GroupInput);
  return { ...policy, groups };
}

function changes(policy: PolicyInput, w: ReturnType<typeof generateWorkload>): Change[] {
  // A mid-level group with nested groups and direct users, so that the change reaches people.
  const g = w.groupIds.findIndex((_, i) => (w.groupLevel[i] as number) === 2 && (w.groupChildren[i]?.length ?? 0) > 0 && (w.groupUsers[i]?.length ?? 0) > 0);
  const newcomer = w.userIds.find((u, i) => !(w.groupUsers[g] ?? []).includes(i) && u !== undefined) as string;
  const nested = w.groupIds[(w.groupChildren[g] as number[])[0] as number] as string;
  const out: Change[] = [
    { name: `one user joins a level-2 group (${w.groupIds[g]})`, after: editGroup(policy, g, (x) => ({ ...x, members: { ...x.members, users: [...(x.members?.users ?? []), newcomer] } })) },
    { name: `a nested group leaves it (${nested})`, after: editGroup(policy, g, (x) => ({ ...x, members: { ...x.members, groups: (x.members?.groups ?? []).filter((m) => m !== nested) } })) },
  ];
  const rules = policy.sharingRules ?? [];
  if (rules.length > 0) out.push({ name: `a sharing rule is removed (${rules[0]?.id})`, after: { ...policy, sharingRules: rules.slice(1) } });
  return out;
}

/** The naive diff on `records`: two engines, every user x record x action on both. Returns the flips as keys and the time of the checks. */
function naive(before: PolicyInput, after: PolicyInput, users: readonly string[], records: readonly Resource[]): { buildMs: number; checkMs: number; flips: Set<string>; checks: number } {
  const b = timed(() => [createEngine({ policy: before }), createEngine({ policy: after })] as const);
  const [e1, e2] = b.value;
  const flips = new Set<string>();
  let checks = 0;
  const c = timed(() => {
    for (const r of records) {
      for (const u of users) {
        for (const a of ACTIONS) {
          checks++;
          if (e1.can(u, a, r) !== e2.can(u, a, r)) flips.add(JSON.stringify([u, a, r.id]));
        }
      }
    }
  });
  return { buildMs: b.ms, checkMs: c.ms, flips, checks };
}

function fmt(ms: number): string {
  if (ms >= 60_000) return `${(ms / 60_000).toFixed(1)} min`;
  if (ms >= 1000) return `${(ms / 1000).toFixed(2)} s`;
  return `${ms.toFixed(0)} ms`;
}

function main(): void {
  log(`generating workload (seed ${seed})`);
  const w = generateWorkload(size, seed);
  const policy = w.policy;
  const records = w.records;
  const sample = records.slice(0, SAMPLE);
  const bin = join(process.cwd(), 'dist', 'cli', 'main.js');
  const dir = mkdtempSync(join(tmpdir(), 'purview-bench-diff-'));
  const rows: string[][] = [];
  try {
    writeFileSync(join(dir, 'old.json'), JSON.stringify(policy));
    writeFileSync(join(dir, 'records.json'), JSON.stringify(records));
    for (const ch of changes(policy, w)) {
      log(ch.name);
      const lib = timed(() => accessDiff(policy, ch.after, records, { limit: 1e12 }));
      const d = lib.value;
      const nv = naive(policy, ch.after, w.userIds, sample);
      const sampleIds = new Set(sample.map((r) => r.id));
      const fromLib = new Set(d.changes.filter((c) => sampleIds.has(c.resource)).map((c) => JSON.stringify([c.user, c.action, c.resource])));
      const agree = fromLib.size === nv.flips.size && [...nv.flips].every((k) => fromLib.has(k));
      const naiveAllMs = nv.buildMs + (nv.checkMs * records.length) / sample.length;
      let cliMs = Number.NaN;
      if (existsSync(bin)) {
        writeFileSync(join(dir, 'new.json'), JSON.stringify(ch.after));
        const t0 = performance.now();
        execFileSync(process.execPath, [bin, 'diff', join(dir, 'old.json'), join(dir, 'new.json'), '--resources', join(dir, 'records.json'), '--format', 'json', '--limit', '1000000000000'], { maxBuffer: 1 << 30, stdio: ['ignore', 'ignore', 'inherit'] });
        cliMs = performance.now() - t0;
      }
      rows.push([
        ch.name,
        String(d.summary.changed),
        d.summary.compared.toLocaleString('en-US'),
        fmt(lib.ms),
        Number.isNaN(cliMs) ? 'n/a (no dist/)' : fmt(cliMs),
        `${fmt(naiveAllMs)} (${sample.length} records measured: ${fmt(nv.checkMs)} + builds ${fmt(nv.buildMs)})`,
        `${(naiveAllMs / lib.ms).toFixed(0)}x`,
        agree ? 'yes' : `NO (${fromLib.size} vs ${nv.flips.size})`,
      ]);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const head = ['change', 'flips', 'decisions compared', 'accessDiff', 'purview diff (CLI, files)', 'naive (2 engines, every user x record x action)', 'naive / accessDiff', 'same flips on the sample'];
  console.log(`${size} workload: ${w.userIds.length.toLocaleString('en-US')} users, ${records.length.toLocaleString('en-US')} records, ${ACTIONS.length} actions; node ${process.version}\n`);
  console.log(`| ${head.join(' | ')} |\n| ${head.map(() => '---').join(' | ')} |`);
  for (const r of rows) console.log(`| ${r.join(' | ')} |`);
}

main();
