// What a benchmark suite is, for the runner in src/bench/main.ts, and the measuring helpers suites share.
//
// A suite is a file src/bench/<name>.ts exporting `suite: BenchSuite`, listed (one line) in main.ts. Its run()
// returns one BenchResult per figure it measured; the runner prints them as a table or as JSON.
import { performance } from 'node:perf_hooks';
import process from 'node:process';

export interface BenchOptions {
  /** Fewer and shorter repetitions: a smoke run that finishes in seconds (numbers are rough). */
  readonly quick: boolean;
}

/** A target a figure should meet; the table marks it ok / MISSED. */
export interface BenchTarget {
  readonly op: '>=' | '>' | '<=' | '<';
  readonly value: number;
}

export interface BenchResult {
  /** What was measured: `no-op events`, `overhead vs bare heap`. */
  readonly name: string;
  /** The figure reported: the median of `samples` unless the suite says otherwise. */
  readonly value: number;
  /** `events/s`, `msgs/s`, `x`, `ms` ... */
  readonly unit: string;
  /** One value per measured repetition (after warm-up). */
  readonly samples?: readonly number[];
  /**
   * The same figure per second of CPU time used by this process (median), for rates: less sensitive than wall
   * time to other processes competing for the cores (it does include the GC's helper threads).
   */
  readonly perCpuSecond?: number;
  readonly target?: BenchTarget;
  /** One line of context: workload shape, sizes. */
  readonly note?: string;
}

export interface BenchSuite {
  readonly name: string;
  /** One line shown by `npm run bench -- --list`. */
  readonly description: string;
  run(options: BenchOptions): Promise<BenchResult[]>;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Milliseconds taken by fn (wall clock of this process: benchmarks only). */
export function timeMs(fn: () => void): number {
  return timeBoth(fn).wallMs;
}

/** Wall-clock and CPU milliseconds (user + system, all threads of this process) taken by fn. */
export function timeBoth(fn: () => void): { wallMs: number; cpuMs: number } {
  const cpuStart = process.cpuUsage();
  const start = performance.now();
  fn();
  const wallMs = performance.now() - start;
  const cpu = process.cpuUsage(cpuStart);
  return { wallMs, cpuMs: (cpu.user + cpu.system) / 1000 };
}

export function meets(value: number, target: BenchTarget): boolean {
  switch (target.op) {
    case '>=':
      return value >= target.value;
    case '>':
      return value > target.value;
    case '<=':
      return value <= target.value;
    case '<':
      return value < target.value;
  }
}

export interface Rate {
  /** Median operations per wall-clock second. */
  readonly median: number;
  readonly samples: number[];
  /** Median operations per CPU second. */
  readonly perCpuSecond: number;
}

/**
 * A rate measured honestly: `warmups` untimed runs (JIT), then `reps` timed runs; each run returns how many
 * operations it did. Returns ops per second per repetition and their median, by wall clock and by CPU time.
 */
export function measureRate(run: () => number, reps: number, warmups = 1): Rate {
  for (let i = 0; i < warmups; i++) run();
  const samples: number[] = [];
  const cpuRates: number[] = [];
  for (let i = 0; i < reps; i++) {
    let ops = 0;
    const t = timeBoth(() => {
      ops = run();
    });
    samples.push((ops / t.wallMs) * 1000);
    cpuRates.push((ops / t.cpuMs) * 1000);
  }
  return { median: median(samples), samples, perCpuSecond: median(cpuRates) };
}
