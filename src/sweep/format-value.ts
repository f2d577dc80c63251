// How sweep values print: durations (stored in ms) as seconds with millisecond precision, like the timelines
// (`23.412s`); counts as integers, their means with three decimals.
import type { MetricUnit } from './types';

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
