// How sweep values print: durations (stored in ms) as seconds with millisecond precision, like the timelines
// (`23.412s`); counts as integers, their means with three decimals.
import type { MetricSummary, MetricUnit } from './types';

export function formatValue(value: number | null, unit: MetricUnit, isMean = false): string {
  if (value === null) return '-';
  switch (unit) {
    case 'ms':
      return `${(value / 1000).toFixed(3)}s`;
    case 'count':
      return isMean || !Number.isInteger(value) ? value.toFixed(3) : String(value);
  }
}

export function formatPercent(fraction: number): string {
  const pct = fraction * 100;
  return `${pct >= 0 ? '+' : ''}${pct.toFixed(1)}%`;
}

/** A summary's cells as the table and the HTML report print them: n, min, p50, p90, p99, max, mean, 95% CI, max at seed. */
export function summaryCells(s: MetricSummary, unit: MetricUnit): string[] {
  const ci = s.ci95 === null ? '-' : `${formatValue(s.ci95[0], unit, true)} .. ${formatValue(s.ci95[1], unit, true)}`;
  return [
    String(s.n),
    formatValue(s.min, unit),
    formatValue(s.p50, unit),
    formatValue(s.p90, unit),
    formatValue(s.p99, unit),
    formatValue(s.max, unit),
    formatValue(s.mean, unit, true),
    ci,
    s.maxSeed === null ? '-' : String(s.maxSeed),
  ];
}
