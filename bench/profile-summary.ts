/*
 * Summarizes a V8 CPU profile (from `node --cpu-prof`): where the time goes, by function and by
 * source line, within the calls of a focus function (for example the timed `can()` batches).
 * Positions in a bundle (see bench/profile.ts) are mapped back to the sources through its source
 * map, so that the tables name src/ files and lines.
 *
 *   npx tsx bench/profile-summary.ts .tmp/bench/prof-can/CPU.*.cpuprofile --focus nsPerOpBatches --top 25
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
  positionTicks?: { line: number; ticks: number }[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

/* ------------------------------------------------------------------------------------------ */
/* Source maps (version 3, VLQ mappings)                                                        */

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** Per generated line: segments [generatedColumn, sourceIndex, sourceLine, sourceColumn]. */
type Mapped = { sources: string[]; lines: number[][][] };

function decodeMap(file: string): Mapped | undefined {
  const mapFile = `${file}.map`;
  if (!existsSync(mapFile)) return undefined;
  const raw = JSON.parse(readFileSync(mapFile, 'utf8')) as { sources: string[]; mappings: string; sourceRoot?: string };
  const base = dirname(mapFile);
  const sources = raw.sources.map((s) => relative(process.cwd(), resolve(base, raw.sourceRoot ?? '', s)));
  const lines: number[][][] = [];
  let src = 0;
  let srcLine = 0;
  let srcCol = 0;
  for (const line of raw.mappings.split(';')) {
    const segs: number[][] = [];
    let col = 0;
    for (const seg of line.split(',')) {
      if (seg === '') continue;
      const vals: number[] = [];
      let shift = 0;
      let value = 0;
      for (const ch of seg) {
        const digit = B64.indexOf(ch);
        value += (digit & 31) << shift;
        if ((digit & 32) !== 0) shift += 5;
        else {
          vals.push(value & 1 ? -(value >>> 1) : value >>> 1);
          value = 0;
          shift = 0;
        }
      }
      col += vals[0] ?? 0;
      if (vals.length >= 4) {
        src += vals[1] as number;
        srcLine += vals[2] as number;
        srcCol += vals[3] as number;
        segs.push([col, src, srcLine, srcCol]);
      }
    }
    lines.push(segs);
  }
  return { sources, lines };
}

const maps = new Map<string, Mapped | undefined>();

/** `file:line` in the sources for a 0-based position in a generated file. */
function original(url: string, line: number, column: number): string | undefined {
  if (!url.startsWith('file://')) return undefined;
  const file = fileURLToPath(url);
  if (!maps.has(file)) maps.set(file, decodeMap(file));
  const m = maps.get(file);
  if (m === undefined) return undefined;
  const segs = m.lines[line];
  if (segs === undefined || segs.length === 0) return undefined;
  let best = segs[0] as number[];
  for (const s of segs) if ((s[0] as number) <= column) best = s;
  return `${m.sources[best[1] as number]}:${(best[2] as number) + 1}`;
}

function where(cf: CallFrame): string {
  if (cf.url === '') return '(native)';
  const o = original(cf.url, cf.lineNumber, cf.columnNumber);
  if (o !== undefined) return o;
  let url = cf.url;
  if (url.startsWith('file://')) url = relative(process.cwd(), fileURLToPath(url));
  return `${url}:${cf.lineNumber + 1}`;
}

/* ------------------------------------------------------------------------------------------ */
/* Summary                                                                                      */

/** Summarizes a profile as markdown. */
export function summarize(file: string, focus: string | undefined, top: number): string {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map<number, ProfileNode>();
  const parent = new Map<number, number>();
  for (const n of profile.nodes) byId.set(n.id, n);
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

  // Time per sample: the delta to the next sample (the last one gets the mean).
  const self = new Map<number, number>();
  const count = new Map<number, number>();
  let totalUs = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const dt = profile.timeDeltas[i + 1] ?? (profile.endTime - profile.startTime) / profile.samples.length;
    const id = profile.samples[i] as number;
    self.set(id, (self.get(id) ?? 0) + dt);
    count.set(id, (count.get(id) ?? 0) + 1);
    totalUs += dt;
  }

  const chain = (id: number): ProfileNode[] => {
    const out: ProfileNode[] = [];
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) out.push(byId.get(cur) as ProfileNode);
    return out;
  };
  const keyOf = (n: ProfileNode): string => `${n.callFrame.functionName || '(anonymous)'}\t${where(n.callFrame)}`;

  const selfBy = new Map<string, number>();
  const totalBy = new Map<string, number>();
  const lineBy = new Map<string, number>();
  let focusUs = 0;
  for (const [id, us] of self) {
    const frames = chain(id);
    if (focus !== undefined) {
      const at = frames.findIndex((f) => f.callFrame.functionName === focus);
      if (at < 0) continue;
      frames.length = at + 1;
    }
    focusUs += us;
    const leaf = frames[0] as ProfileNode;
    selfBy.set(keyOf(leaf), (selfBy.get(keyOf(leaf)) ?? 0) + us);
    const seen = new Set<string>();
    for (const f of frames) {
      const key = keyOf(f);
      if (seen.has(key)) continue;
      seen.add(key);
      totalBy.set(key, (totalBy.get(key) ?? 0) + us);
    }
    // Hot lines: the node's position ticks, weighted by its time per tick.
    const ticks = leaf.positionTicks ?? [];
    const n = ticks.reduce((a, t) => a + t.ticks, 0);
    if (n > 0) {
      for (const t of ticks) {
        const o = original(leaf.callFrame.url, t.line - 1, 0) ?? `${leaf.callFrame.url}:${t.line}`;
        const key = `${leaf.callFrame.functionName || '(anonymous)'}\t${o}`;
        lineBy.set(key, (lineBy.get(key) ?? 0) + (us * t.ticks) / n);
      }
    }
  }

  const pct = (us: number): string => `${((100 * us) / Math.max(1, focusUs)).toFixed(1)}%`;
  const ms = (us: number): string => `${(us / 1000).toFixed(1)} ms`;
  const out: string[] = [];
  out.push(`Profile \`${relative(process.cwd(), file)}\`: ${ms(totalUs)} sampled${focus === undefined ? '' : `, ${ms(focusUs)} inside \`${focus}()\``}.`);
  out.push('');
  out.push('Self time by function:');
  out.push('');
  out.push('| self | self % | total % | function | where |');
  out.push('| ---: | ---: | ---: | --- | --- |');
  for (const [key, us] of [...selfBy.entries()].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    const [fn, at] = key.split('\t');
    out.push(`| ${ms(us)} | ${pct(us)} | ${pct(totalBy.get(key) ?? us)} | \`${fn}\` | ${at} |`);
  }
  out.push('');
  out.push('Inclusive time (the function and what it calls):');
  out.push('');
  out.push('| total % | function | where |');
  out.push('| ---: | --- | --- |');
  for (const [key, us] of [...totalBy.entries()].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    const [fn, at] = key.split('\t');
    out.push(`| ${pct(us)} | \`${fn}\` | ${at} |`);
  }
  if (lineBy.size > 0) {
    out.push('');
    out.push('Hot lines (self time attributed to source lines):');
    out.push('');
    out.push('| self % | function | line |');
    out.push('| ---: | --- | --- |');
    for (const [key, us] of [...lineBy.entries()].sort((a, b) => b[1] - a[1]).slice(0, top)) {
      const [fn, at] = key.split('\t');
      out.push(`| ${pct(us)} | \`${fn}\` | ${at} |`);
    }
  }
  return out.join('\n');
}

function main(argv: readonly string[]): void {
  let file: string | undefined;
  let focus: string | undefined;
  let top = 25;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === '--focus') focus = argv[++i];
    else if (a === '--top') top = Number(argv[++i]);
    else file = a;
  }
  if (file === undefined) throw new Error('usage: profile-summary FILE.cpuprofile [--focus FUNCTION] [--top N]');
  process.stdout.write(summarize(file, focus, top) + '\n');
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main(process.argv.slice(2));
