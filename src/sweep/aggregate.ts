// From the raw runs of a whole sweep to its result: per grid point, the samples in seed order and their
// summaries. The runs may arrive in any order and from any number of workers or shards; they are placed by
// their index in the run order, so the result depends only on the spec and the runs' contents.
import { gridPoints, runCount, runSlot } from './grid';
import { STATS_METHOD, summarize } from './stats';
import {
  SWEEP_API_VERSION,
  type MetricDef,
  type MetricSummary,
  type PointResult,
  type RunRecord,
  type SweepResult,
  type SweepSpec,
} from './types';

export class IncompleteSweepError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'IncompleteSweepError';
  }
}

/** Orders runs by index and checks that they cover the run order exactly once and match the spec's seeds. */
export function orderRuns(spec: SweepSpec, runs: readonly RunRecord[]): RunRecord[] {
  const total = runCount(spec);
  const ordered = new Array<RunRecord | undefined>(total);
  for (const run of runs) {
    if (!(Number.isInteger(run.index) && run.index >= 0 && run.index < total)) {
      throw new IncompleteSweepError(`run index ${run.index} is outside this sweep's ${total} runs`);
    }
    const expectedSeed = runSlot(spec, run.index).seed;
    if (run.seed !== expectedSeed) throw new IncompleteSweepError(`run ${run.index} has seed ${run.seed}, expected ${expectedSeed}`);
    if (ordered[run.index] !== undefined) throw new IncompleteSweepError(`run ${run.index} (seed ${run.seed}) appears twice`);
    ordered[run.index] = run;
  }
  const missing: number[] = [];
  for (let i = 0; i < total; i++) if (ordered[i] === undefined) missing.push(i);
  if (missing.length > 0) {
    const shown = missing.slice(0, 5).join(', ');
    throw new IncompleteSweepError(`${missing.length} of ${total} runs are missing (run ${shown}${missing.length > 5 ? ', ...' : ''}); merge needs every shard`);
  }
  return ordered as RunRecord[];
}

export function aggregate(spec: SweepSpec, metrics: readonly MetricDef[], runs: readonly RunRecord[]): SweepResult {
  const ordered = orderRuns(spec, runs);
  const points = gridPoints(spec.axes);
  const seeds = Array.from({ length: spec.seeds }, (_, i) => spec.firstSeed + i);
  const results: PointResult[] = points.map((params, pointIndex) => {
    const slice = ordered.slice(pointIndex * spec.seeds, (pointIndex + 1) * spec.seeds);
    const samples: Record<string, Array<number | null>> = {};
    const summary: Record<string, MetricSummary> = {};
    for (const metric of metrics) {
      const values = slice.map((run) => (run.outcome.kind === 'ok' ? (run.outcome.metrics.values[metric.id] ?? null) : null));
      samples[metric.id] = values;
      summary[metric.id] = summarize(values, seeds);
    }
    const violations = slice
      .filter((run) => run.outcome.kind === 'ok' && run.outcome.metrics.violations.length > 0)
      .map((run) => ({ seed: run.seed, violations: run.outcome.kind === 'ok' ? [...run.outcome.metrics.violations] : [] }));
    const errors = slice.flatMap((run) => (run.outcome.kind === 'error' ? [{ seed: run.seed, message: run.outcome.message }] : []));
    return { params, runs: slice.length, summary, samples, violations, errors };
  });
  return { apiVersion: SWEEP_API_VERSION, kind: 'SweepResult', spec, metrics, method: STATS_METHOD, points: results };
}
