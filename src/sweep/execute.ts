// Runs a slice of a sweep's run order with one runner, in this thread. The worker pool (src/cli/sweep) calls
// this in each worker; a browser or a test can call it directly.
import { runSlot, gridPoints } from './grid';
import type { SweepRunner } from './runner';
import type { MetricDef, RunMetrics, RunRecord, SweepSpec } from './types';

/** Runs [from, to) of the run order; `onRun` is told after each run (for progress). */
export function runSlice(
  runner: SweepRunner,
  spec: SweepSpec,
  from: number,
  to: number,
  onRun?: (record: RunRecord) => void,
): RunRecord[] {
  const points = gridPoints(spec.axes);
  const metricIds = new Set(runner.metrics().map((m) => m.id));
  const records: RunRecord[] = [];
  for (let index = from; index < to; index++) {
    const slot = runSlot(spec, index);
    const record: RunRecord = { index, seed: slot.seed, outcome: runOne(runner, points[slot.pointIndex]!, slot.seed, metricIds) };
    records.push(record);
    onRun?.(record);
  }
  return records;
}

function runOne(runner: SweepRunner, point: Readonly<Record<string, string>>, seed: number, metricIds: ReadonlySet<string>): RunRecord['outcome'] {
  let metrics: RunMetrics;
  try {
    metrics = runner.run(point, seed);
  } catch (err) {
    return { kind: 'error', message: err instanceof Error ? err.message : String(err) };
  }
  for (const id of Object.keys(metrics.values)) {
    if (!metricIds.has(id)) throw new Error(`runner reported metric ${id}, which its metrics() list does not declare`);
  }
  return { kind: 'ok', metrics: { values: { ...metrics.values }, violations: [...metrics.violations] } };
}

/** Checks a metric list: unique ids. */
export function assertMetricDefs(metrics: readonly MetricDef[]): void {
  const seen = new Set<string>();
  for (const m of metrics) {
    if (seen.has(m.id)) throw new Error(`metric ${m.id} declared twice`);
    seen.add(m.id);
  }
}
