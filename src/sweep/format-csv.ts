// CSV of a sweep's summaries (RFC 4180): one row per (grid point, metric), one column per swept flag.
// Durations are in milliseconds, as in the json output.
import type { SweepResult } from './types';

export function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

function num(value: number | null): string {
  return value === null ? '' : String(value);
}

export function formatCsv(result: SweepResult): string {
  const keys = result.spec.axes.map((a) => a.key);
  const header = [...keys, 'metric', 'unit', 'runs', 'n', 'min', 'p50', 'p90', 'p99', 'max', 'mean', 'ci95_low', 'ci95_high', 'max_seed', 'runs_with_violations', 'failed_runs'];
  const lines = [header.map(csvField).join(',')];
  for (const point of result.points) {
    for (const metric of result.metrics) {
      const s = point.summary[metric.id];
      if (s === undefined) continue;
      const row = [
        ...keys.map((k) => point.params[k] ?? ''),
        metric.id,
        metric.unit,
        String(point.runs),
        String(s.n),
        num(s.min),
        num(s.p50),
        num(s.p90),
        num(s.p99),
        num(s.max),
        num(s.mean),
        num(s.ci95 === null ? null : s.ci95[0]),
        num(s.ci95 === null ? null : s.ci95[1]),
        num(s.maxSeed),
        String(point.violations.length),
        String(point.errors.length),
      ];
      lines.push(row.map(csvField).join(','));
    }
  }
  return `${lines.join('\r\n')}\r\n`;
}
