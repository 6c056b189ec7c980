/*
 * Measurement helpers: a nanosecond clock, summary statistics, heap readings after a full GC, a
 * recorder of garbage-collection pauses (to tell GC tails from the engine's own work), and
 * markdown formatting.
 */
import { readFileSync } from 'node:fs';
import { PerformanceObserver, performance } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** Nanoseconds from an arbitrary origin (monotonic). */
export function now(): number {
  return Number(process.hrtime.bigint());
}

/** Milliseconds spent in `fn`, and its result. */
export function timed<T>(fn: () => T): { ms: number; value: T } {
  const t0 = now();
  const value = fn();
  return { ms: (now() - t0) / 1e6, value };
}

/** Milliseconds spent in an async `fn`, and its result. */
export async function timedAsync<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t0 = now();
  const value = await fn();
  return { ms: (now() - t0) / 1e6, value };
}

export interface Stats {
  readonly n: number;
  readonly min: number;
  readonly median: number;
  readonly p99: number;
  readonly max: number;
  readonly mean: number;
}

/** The value at quantile q (nearest rank) of sorted samples. */
function quantile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[i] as number;
}

export function stats(samples: ArrayLike<number>): Stats {
  const s = Float64Array.from(samples as ArrayLike<number>).sort();
  let sum = 0;
  for (const x of s) sum += x;
  return {
    n: s.length,
    min: s.length > 0 ? (s[0] as number) : NaN,
    median: quantile(s, 0.5),
    p99: quantile(s, 0.99),
    max: s.length > 0 ? (s[s.length - 1] as number) : NaN,
    mean: s.length > 0 ? sum / s.length : NaN,
  };
}

/** A time interval on the `performance.now()` clock (milliseconds). */
export interface Interval {
  readonly start: number;
  readonly end: number;
}

/**
 * Records garbage-collection pauses (Node's `gc` performance entries) so that a sample can be
 * told apart when a collection ran inside it.
 */
export class GcRecorder {
  private readonly pauses: { start: number; end: number; kind: number }[] = [];
  private readonly observer: PerformanceObserver;

  constructor() {
    this.observer = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) {
        const kind = (e as unknown as { detail?: { kind?: number } }).detail?.kind ?? 0;
        this.pauses.push({ start: e.startTime, end: e.startTime + e.duration, kind });
      }
    });
    this.observer.observe({ entryTypes: ['gc'] });
  }

  /** Lets pending GC entries be delivered (they arrive asynchronously). */
  async flush(): Promise<void> {
    for (let i = 0; i < 3; i++) await new Promise((r) => setTimeout(r, 0));
  }

  /** Milliseconds of GC pause inside an interval. */
  pauseIn(iv: Interval): number {
    let ms = 0;
    for (const p of this.pauses) {
      const a = Math.max(p.start, iv.start);
      const b = Math.min(p.end, iv.end);
      if (b > a) ms += b - a;
    }
    return ms;
  }

  stop(): void {
    this.observer.disconnect();
  }
}

/**
 * The main thread's scheduler statistics (Linux): nanoseconds on a CPU and nanoseconds waiting in
 * the run queue (preempted by other processes). Undefined where /proc is not available.
 */
export function schedstat(): { cpu: number; wait: number } | undefined {
  try {
    const [cpu, wait] = readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ');
    return { cpu: Number(cpu), wait: Number(wait) };
  } catch {
    return undefined;
  }
}

/** The clock GC entries use (ms). */
export const perfNow = (): number => performance.now();

export interface BatchResult {
  readonly perOp: Stats;
  readonly sink: number;
  /** ns/op of each batch, in order, its interval on the performance clock, and run-queue wait. */
  readonly samples: readonly number[];
  readonly intervals: readonly Interval[];
  readonly waits: readonly number[];
}

/**
 * Runs `batch(from, to)` over [0, count) in slices of `size`, `passes` times, and returns the
 * ns/op of each slice: the distribution whose median and p99 we report. `sink` accumulates the
 * batch results so that the work cannot be optimized away.
 */
export function nsPerOpBatches(count: number, size: number, passes: number, batch: (from: number, to: number) => number): BatchResult {
  const samples: number[] = [];
  const intervals: Interval[] = [];
  const waits: number[] = [];
  let sink = 0;
  for (let p = 0; p < passes; p++) {
    for (let from = 0; from < count; from += size) {
      const to = Math.min(count, from + size);
      const s0 = schedstat();
      const start = perfNow();
      const t0 = now();
      sink += batch(from, to);
      const dt = now() - t0;
      intervals.push({ start, end: perfNow() });
      const s1 = schedstat();
      waits.push(s0 === undefined || s1 === undefined ? 0 : s1.wait - s0.wait);
      samples.push(dt / (to - from));
    }
  }
  return { perOp: stats(samples), sink, samples, intervals, waits };
}

/** Samples split by what else happened during them. */
export interface Attribution {
  /** The samples during which no GC pause ran and the thread was not preempted. */
  readonly clean: Stats;
  /** Share of samples with a GC pause inside. */
  readonly gcShare: number;
  /** Share of samples during which the main thread waited in the run queue (other processes ran). */
  readonly preemptShare: number;
}

/**
 * Tells the engine's own tail from the environment's: which samples had a GC pause inside, and
 * which were preempted (the main thread waited for a CPU; `waits` in ns from {@link schedstat}).
 */
export function attribute(gc: GcRecorder, samples: readonly number[], intervals: readonly Interval[], waits: readonly number[]): Attribution {
  const clean: number[] = [];
  let gcN = 0;
  let preemptN = 0;
  samples.forEach((s, i) => {
    const paused = gc.pauseIn(intervals[i] as Interval) > 0;
    const preempted = (waits[i] ?? 0) > 0;
    if (paused) gcN++;
    if (preempted) preemptN++;
    if (!paused && !preempted) clean.push(s);
  });
  const n = Math.max(1, samples.length);
  return { clean: stats(clean), gcShare: gcN / n, preemptShare: preemptN / n };
}

/** Latency of each call, in milliseconds. */
export function latencies(count: number, call: (i: number) => unknown): Stats {
  const samples = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    const t0 = now();
    call(i);
    samples[i] = (now() - t0) / 1e6;
  }
  return stats(samples);
}

/**
 * A full-GC function: node's `gc` when started with --expose-gc, else one obtained by turning the
 * flag on at run time (so that `npm run bench` under tsx gets exact heap figures too).
 */
const gc: (() => void) | undefined = ((): (() => void) | undefined => {
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (typeof exposed === 'function') return exposed;
  try {
    setFlagsFromString('--expose-gc');
    const fn = runInNewContext('gc') as unknown;
    return typeof fn === 'function' ? (fn as () => void) : undefined;
  } catch {
    return undefined;
  }
})();

/** Whether heap figures are exact (a full GC runs before each reading). */
export const exactHeap = typeof gc === 'function';

/** Heap used in bytes, after full collections when --expose-gc is on. */
export function heapUsed(): number {
  if (gc !== undefined) {
    for (let i = 0; i < 3; i++) gc();
  }
  return process.memoryUsage().heapUsed;
}

/* ------------------------------------------------------------------------------------------ */
/* Formatting                                                                                   */

export function fmtNs(ns: number): string {
  if (!Number.isFinite(ns)) return 'n/a';
  if (ns < 1_000) return `${ns.toFixed(0)} ns`;
  if (ns < 1_000_000) return `${(ns / 1e3).toFixed(ns < 10_000 ? 2 : 1)} µs`;
  return `${(ns / 1e6).toFixed(ns < 10_000_000 ? 2 : 1)} ms`;
}

export function fmtMs(ms: number): string {
  return fmtNs(ms * 1e6);
}

export function fmtBytes(b: number): string {
  if (Math.abs(b) < 1024 * 1024) return `${(b / 1024).toFixed(0)} KiB`;
  if (Math.abs(b) < 1024 * 1024 * 1024) return `${(b / 1024 / 1024).toFixed(1)} MiB`;
  return `${(b / 1024 / 1024 / 1024).toFixed(2)} GiB`;
}

export function fmtInt(n: number): string {
  return n.toLocaleString('en-US');
}

export function fmtRatio(x: number): string {
  if (!Number.isFinite(x)) return 'n/a';
  return x >= 100 ? `${Math.round(x).toLocaleString('en-US')}x` : `${x.toFixed(1)}x`;
}

/** A markdown table. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]): string => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}
