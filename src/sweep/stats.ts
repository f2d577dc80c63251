// Distribution summaries of one metric at one grid point. Deterministic: the values are taken in seed order,
// sorted with a total order, summed in seed order; no resampling, so no random stream is involved at all.
//
// Method (also stated in every result document):
// - percentiles by nearest rank: pX is the smallest value v with at least X% of the values <= v, so every
//   percentile is a value some run really produced (its seed can be replayed);
// - mean with a 95% confidence interval from Student's t: mean ± t(0.975, n-1) · s / √n, s the sample standard
//   deviation. Runs at one grid point are independent (distinct seeds), so the interval is the textbook one;
//   for the heavy-tailed metrics read it together with p99 and max.
import { studentTQuantile } from './student-t';
import type { MetricSummary } from './types';

export const STATS_METHOD =
  'percentiles by nearest rank (each is a value some run produced); mean with a 95% Student-t confidence interval ' +
  '(mean ± t(0.975, n-1)·s/√n); values in ms or counts; every grid point runs the same seeds';

const ROUND = 1e6;

/** Rounds to 6 decimals: results print the same however they were summed, and stay readable. */
export function round6(x: number): number {
  return Math.round(x * ROUND) / ROUND;
}

/** Nearest-rank percentile of ascending-sorted values (0 < p <= 100). */
export function nearestRank(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) throw new RangeError('nearestRank: no values');
  if (!(p > 0 && p <= 100)) throw new RangeError(`nearestRank: p must be in (0, 100], got ${p}`);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

const tCache = new Map<number, number>();

/** t(0.975, df), cached (a sweep asks for the same few df many times). */
export function t975(df: number): number {
  let t = tCache.get(df);
  if (t === undefined) {
    t = studentTQuantile(0.975, df);
    tCache.set(df, t);
  }
  return t;
}

/** Summary of `values` (in seed order; null = metric did not apply to that run). */
export function summarize(values: ReadonlyArray<number | null>, seeds: readonly number[]): MetricSummary {
  if (values.length !== seeds.length) throw new RangeError(`summarize: ${values.length} values for ${seeds.length} seeds`);
  const present: number[] = [];
  let maxSeed: number | null = null;
  let max = -Infinity;
  let sum = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === null || v === undefined) continue;
    if (!Number.isFinite(v)) throw new RangeError(`summarize: non-finite value ${v} for seed ${seeds[i]}`);
    present.push(v);
    sum += v;
    if (v > max) {
      max = v;
      maxSeed = seeds[i]!;
    }
  }
  const n = present.length;
  if (n === 0) return { n, min: null, p50: null, p90: null, p99: null, max: null, mean: null, ci95: null, maxSeed: null };
  const sorted = present.slice().sort((a, b) => a - b);
  const mean = sum / n;
  let ci95: readonly [number, number] | null = null;
  if (n >= 2) {
    let squares = 0;
    for (const v of present) squares += (v - mean) * (v - mean);
    const halfWidth = (t975(n - 1) * Math.sqrt(squares / (n - 1))) / Math.sqrt(n);
    ci95 = [round6(mean - halfWidth), round6(mean + halfWidth)];
  }
  return {
    n,
    min: sorted[0]!,
    p50: nearestRank(sorted, 50),
    p90: nearestRank(sorted, 90),
    p99: nearestRank(sorted, 99),
    max: sorted[n - 1]!,
    mean: round6(mean),
    ci95,
    maxSeed,
  };
}
