// Benchmark suite: sweep throughput (runs per second) of a scenario with 1 and 2 worker threads, and a check
// that both give the same result byte for byte. For the bench runner (src/bench/main.ts), or on its own:
//   node --import tsx src/bench/sweep.ts [--seeds N] [--workers 1,2] [scenario.yaml]
import { performance } from 'node:perf_hooks';
import process from 'node:process';
import { pathToFileURL } from 'node:url';
import { scenarioRunnerRef } from '../cli/commands/sweep';
import { executeSweep } from '../cli/sweep/run-sweep';
import { serialize } from '../sweep/documents';
import { parseSetArgument } from '../sweep/parameters';
import { median, type BenchOptions, type BenchResult, type BenchSuite } from './suite';

export interface SweepBenchOptions {
  readonly scenarioFile?: string;
  /** Seeds per grid point (default 100). */
  readonly seeds?: number;
  /** Worker counts to measure (default 1 and 2). */
  readonly workers?: readonly number[];
  /** --set arguments (default: two lease durations, 15s and 30s). */
  readonly set?: readonly string[];
}

export interface SweepBenchResult {
  readonly workers: number;
  readonly runs: number;
  /** Whole sweep, worker start-up included. */
  readonly wallMs: number;
  readonly runsPerSecond: number;
  /** Runs per CPU second of this process (all its threads, worker start-up included). */
  readonly runsPerCpuSecond: number;
  /** After the first result came back (worker start-up excluded). */
  readonly steadyRunsPerSecond: number;
  /** Same result bytes as the first worker count measured. */
  readonly identical: boolean;
}

export const DEFAULT_SWEEP_BENCH: Required<SweepBenchOptions> = {
  scenarioFile: 'scenarios/failover-15s.yaml',
  seeds: 100,
  workers: [1, 2],
  set: ['kube-scheduler.--leader-elect-lease-duration=15s,30s'],
};

export async function benchSweep(options: SweepBenchOptions = {}): Promise<SweepBenchResult[]> {
  const o = { ...DEFAULT_SWEEP_BENCH, ...options };
  const runner = scenarioRunnerRef(o.scenarioFile, {});
  const axes = o.set.map(parseSetArgument);
  const results: SweepBenchResult[] = [];
  let reference: string | null = null;
  for (const workers of o.workers) {
    let total = 0;
    let firstAtMs: number | null = null;
    let firstDone = 0;
    const cpuStart = process.cpuUsage();
    const startMs = performance.now();
    const outcome = await executeSweep({
      runner,
      axes,
      seeds: o.seeds,
      firstSeed: 1,
      workers,
      onStart: (runs) => (total = runs),
      onProgress: (done) => {
        if (firstAtMs === null) {
          firstAtMs = performance.now();
          firstDone = done;
        }
      },
    });
    const endMs = performance.now();
    const cpu = process.cpuUsage(cpuStart);
    const cpuMs = (cpu.user + cpu.system) / 1000;
    if (outcome.kind !== 'result') throw new Error('benchSweep: expected a whole-sweep result');
    const bytes = serialize(outcome.result);
    reference ??= bytes;
    const wallMs = endMs - startMs;
    const steadyMs = firstAtMs === null ? wallMs : endMs - firstAtMs;
    results.push({
      workers,
      runs: total,
      wallMs,
      runsPerSecond: (total / wallMs) * 1000,
      runsPerCpuSecond: (total / cpuMs) * 1000,
      steadyRunsPerSecond: steadyMs > 0 ? ((total - firstDone) / steadyMs) * 1000 : Number.NaN,
      identical: bytes === reference,
    });
  }
  return results;
}

export function formatSweepBench(results: readonly SweepBenchResult[], options: SweepBenchOptions = {}): string {
  const o = { ...DEFAULT_SWEEP_BENCH, ...options };
  const lines = [`sweep throughput: ${o.scenarioFile}, ${o.set.join(' ')}, ${o.seeds} seeds per grid point`];
  for (const r of results) {
    lines.push(
      `  ${r.workers} worker${r.workers === 1 ? ' ' : 's'}: ${r.runs} runs in ${(r.wallMs / 1000).toFixed(2)} s = ${r.runsPerSecond.toFixed(1)} runs/s ` +
        `(${r.steadyRunsPerSecond.toFixed(1)} runs/s after start-up)${r.identical ? '' : '  RESULT DIFFERS from the first worker count!'}`,
    );
  }
  if (results.length >= 2) lines.push(`  speed-up ${results[0]!.workers} -> ${results.at(-1)!.workers} workers: x${(results.at(-1)!.runsPerSecond / results[0]!.runsPerSecond).toFixed(2)}`);
  return lines.join('\n');
}

/** The `sweep` suite of `npm run bench`: per worker count, the median over repetitions of whole sweeps. */
export const suite: BenchSuite = {
  name: 'sweep',
  description: 'sweep throughput (runs/s) of failover-15s over two lease durations, 1 and 2 worker threads; results byte-identical',
  async run(options: BenchOptions): Promise<BenchResult[]> {
    const seeds = options.quick ? 20 : 100;
    const reps = options.quick ? 1 : 2;
    const byWorkers = new Map<number, SweepBenchResult[]>();
    for (let rep = 0; rep < reps; rep++) {
      for (const r of await benchSweep({ seeds })) byWorkers.set(r.workers, [...(byWorkers.get(r.workers) ?? []), r]);
    }
    const results: BenchResult[] = [];
    for (const [workers, runs] of byWorkers) {
      const note = `${runs[0]!.runs} runs of ${DEFAULT_SWEEP_BENCH.scenarioFile} (${seeds} seeds x 2 lease durations)${runs.every((r) => r.identical) ? ', result identical to 1 worker' : ', RESULT DIFFERS from 1 worker'}`;
      const total = runs.map((r) => r.runsPerSecond);
      const steady = runs.map((r) => r.steadyRunsPerSecond);
      const perCpuSecond = median(runs.map((r) => r.runsPerCpuSecond));
      results.push({ name: `${workers} worker${workers === 1 ? '' : 's'}`, value: median(total), unit: 'runs/s', samples: total, perCpuSecond, note: `${note}; worker start-up included` });
      results.push({ name: `${workers} worker${workers === 1 ? '' : 's'}, after start-up`, value: median(steady), unit: 'runs/s', samples: steady, note: 'runs after the first result / time since it' });
    }
    return results;
  },
};

function parseArgs(argv: readonly string[]): SweepBenchOptions {
  const options: { scenarioFile?: string; seeds?: number; workers?: number[] } = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--seeds') options.seeds = Number(argv[++i]);
    else if (arg === '--workers') options.workers = argv[++i]!.split(',').map(Number);
    else options.scenarioFile = arg;
  }
  return options;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const options = parseArgs(process.argv.slice(2));
  const results = await benchSweep(options);
  process.stdout.write(`${formatSweepBench(results, options)}\n`);
  if (results.some((r) => !r.identical)) process.exitCode = 1;
}
