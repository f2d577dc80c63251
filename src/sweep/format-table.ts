// The text report of a sweep: per grid point, one row per metric with its distribution.
import { pointCount, pointLabel } from './grid';
import { formatDurationUs } from '../sim/time';
import { summaryCells } from './format-value';
import type { SweepResult } from './types';

const HEADERS = ['metric', 'n', 'min', 'p50', 'p90', 'p99', 'max', 'mean', '95% CI of mean', 'max at seed'];

export function formatTable(result: SweepResult): string {
  const { spec } = result;
  const out: string[] = [];
  out.push(
    `sweep ${spec.scenario.name} (${spec.scenario.file}): ${pointCount(spec)} grid point${pointCount(spec) === 1 ? '' : 's'} x ${spec.seeds} seed${spec.seeds === 1 ? '' : 's'} (seeds ${spec.firstSeed}..${spec.firstSeed + spec.seeds - 1}), runs of ${formatDurationUs(Math.round(spec.scenario.durationMs * 1000))}`,
  );
  out.push(`statistics: ${result.method}`);
  for (const point of result.points) {
    out.push('');
    out.push(`${pointLabel(point.params)}  (${point.runs} runs, ${point.violations.length} with violations, ${point.errors.length} failed)`);
    const rows: string[][] = [HEADERS];
    for (const metric of result.metrics) {
      const s = point.summary[metric.id];
      if (s === undefined) continue;
      rows.push([
        metric.label,
        ...summaryCells(s, metric.unit),
      ]);
    }
    out.push(...alignRows(rows).map((line) => `  ${line}`));
    for (const v of point.violations.slice(0, 5)) out.push(`  violation at seed ${v.seed}: ${v.violations.join(', ')}`);
    if (point.violations.length > 5) out.push(`  ... ${point.violations.length - 5} more runs with violations (see --output json)`);
    for (const e of point.errors.slice(0, 5)) out.push(`  run failed at seed ${e.seed}: ${e.message}`);
    if (point.errors.length > 5) out.push(`  ... ${point.errors.length - 5} more failed runs (see --output json)`);
  }
  return `${out.join('\n')}\n`;
}

/** Left-aligns the first column, right-aligns the others. */
function alignRows(rows: readonly string[][]): string[] {
  const widths = rows[0]!.map((_, col) => Math.max(...rows.map((r) => r[col]!.length)));
  return rows.map((row) => row.map((cell, col) => (col === 0 ? cell.padEnd(widths[col]!) : cell.padStart(widths[col]!))).join('  ').trimEnd());
}
