// Runs a whole sweep (or one shard of it) on worker threads. Node-only; the pure parts are in src/sweep.
import { aggregate } from '../../sweep/aggregate';
import { canonicalMetrics, canonicalSpec } from '../../sweep/documents';
import { assertMetricDefs } from '../../sweep/execute';
import { gridPoints, pointLabel, runCount, shardRange, validateSpecSize, type ShardSelector } from '../../sweep/grid';
import { makeShard } from '../../sweep/merge';
import { SweepInputError, validateAxes } from '../../sweep/parameters';
import { loadRunner, type RunnerFactoryRef, type SweepRunner } from '../../sweep/runner';
import type { SweepAxis, SweepResult, SweepShard, SweepSpec } from '../../sweep/types';
import { runPool } from './pool';

export interface SweepRequest {
  readonly runner: RunnerFactoryRef;
  /** The --set axes as parsed; validated here against the scenario's flags. */
  readonly axes: readonly SweepAxis[];
  readonly seeds: number;
  readonly firstSeed: number;
  readonly workers: number;
  readonly shard?: ShardSelector;
  readonly chunkSize?: number;
  /** Told the number of runs to do, before the first one starts. */
  readonly onStart?: (runs: number) => void;
  readonly onProgress?: (done: number) => void;
}

export type SweepOutcome = { readonly kind: 'result'; readonly result: SweepResult } | { readonly kind: 'shard'; readonly shard: SweepShard };

/** Every grid point must be a valid configuration of the scenario: all problems at once, before any run. */
function checkPoints(runner: SweepRunner, spec: SweepSpec): void {
  if (runner.checkPoint === undefined) return;
  const problems: string[] = [];
  for (const point of gridPoints(spec.axes)) {
    const problem = runner.checkPoint(point);
    if (problem !== null) problems.push(`grid point ${pointLabel(point)}: ${problem}`);
  }
  if (problems.length > 0) throw new SweepInputError(problems.join('\n'));
}

/** Validates the request against the scenario (SweepInputError on bad input), then runs it. */
export async function executeSweep(request: SweepRequest): Promise<SweepOutcome> {
  const runner = await loadRunner(request.runner);
  const axes = validateAxes(request.axes, runner.parameters());
  const metrics = canonicalMetrics(runner.metrics());
  assertMetricDefs(metrics);
  const spec: SweepSpec = canonicalSpec({ scenario: runner.scenario, axes, firstSeed: request.firstSeed, seeds: request.seeds });
  validateSpecSize(spec);
  checkPoints(runner, spec);
  const total = runCount(spec);
  const { from, to } = request.shard === undefined ? { from: 0, to: total } : shardRange(total, request.shard);
  request.onStart?.(to - from);
  const runs = await runPool({
    runner: request.runner,
    spec,
    from,
    to,
    workers: request.workers,
    ...(request.chunkSize === undefined ? {} : { chunkSize: request.chunkSize }),
    ...(request.onProgress === undefined ? {} : { onProgress: request.onProgress }),
  });
  if (request.shard !== undefined) return { kind: 'shard', shard: makeShard(spec, metrics, request.shard, runs) };
  return { kind: 'result', result: aggregate(spec, metrics, runs) };
}
