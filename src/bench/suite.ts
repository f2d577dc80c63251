// What a benchmark suite is, for the runner in src/bench/main.ts, and the measuring helpers suites share.
//
// A suite is a file src/bench/<name>.ts exporting `suite: BenchSuite`, listed (one line) in main.ts. Its run()
// returns one BenchResult per figure it measured; the runner prints them as a table or as JSON.
import { performance } from 'node:perf_hooks';

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
  const start = performance.now();
  fn();
  return performance.now() - start;
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

/**
 * A rate measured honestly: `warmups` untimed runs (JIT), then `reps` timed runs; each run returns how many
 * operations it did. Returns ops per second per repetition and their median.
 */
export function measureRate(run: () => number, reps: number, warmups = 1): { median: number; samples: number[] } {
  for (let i = 0; i < warmups; i++) run();
  const samples: number[] = [];
  for (let i = 0; i < reps; i++) {
    let ops = 0;
    const ms = timeMs(() => {
      ops = run();
    });
    samples.push((ops / ms) * 1000);
  }
  return { median: median(samples), samples };
}
