// Latency distributions for network links, in microseconds. All draws come from the link's own stream.
import type { Random } from './rng';

export type LatencyDist =
  | { readonly kind: 'constant'; readonly us: number }
  | { readonly kind: 'uniform'; readonly minUs: number; readonly maxUs: number }
  | { readonly kind: 'normal'; readonly meanUs: number; readonly stddevUs: number; readonly floorUs: number }
  | { readonly kind: 'lognormal'; readonly medianUs: number; readonly sigma: number; readonly floorUs: number };

/** Draws one latency (integer µs, >= 0). */
export function sampleLatencyUs(dist: LatencyDist, rng: Random): number {
  switch (dist.kind) {
    case 'constant':
      return Math.round(dist.us);
    case 'uniform':
      return Math.round(rng.uniform(dist.minUs, dist.maxUs));
    case 'normal':
      return Math.max(dist.floorUs, Math.round(rng.normal(dist.meanUs, dist.stddevUs)));
    case 'lognormal':
      return Math.max(dist.floorUs, Math.round(dist.medianUs * Math.exp(dist.sigma * rng.normal(0, 1))));
  }
}

/** Checks a distribution's parameters; returns a message naming what is wrong, or null. */
export function validateLatency(dist: LatencyDist): string | null {
  switch (dist.kind) {
    case 'constant':
      return dist.us >= 0 ? null : `constant latency must be >= 0, got ${dist.us}µs`;
    case 'uniform':
      return dist.minUs >= 0 && dist.maxUs >= dist.minUs ? null : `uniform latency needs 0 <= min <= max, got [${dist.minUs}, ${dist.maxUs}]µs`;
    case 'normal':
      return dist.stddevUs >= 0 && dist.floorUs >= 0 ? null : 'normal latency needs stddev >= 0 and floor >= 0';
    case 'lognormal':
      return dist.medianUs > 0 && dist.sigma >= 0 && dist.floorUs >= 0 ? null : 'lognormal latency needs median > 0, sigma >= 0, floor >= 0';
  }
}

export function describeLatency(dist: LatencyDist): string {
  switch (dist.kind) {
    case 'constant':
      return `${dist.us}µs`;
    case 'uniform':
      return `uniform(${dist.minUs}µs, ${dist.maxUs}µs)`;
    case 'normal':
      return `normal(mean ${dist.meanUs}µs, sd ${dist.stddevUs}µs, floor ${dist.floorUs}µs)`;
    case 'lognormal':
      return `lognormal(median ${dist.medianUs}µs, sigma ${dist.sigma}, floor ${dist.floorUs}µs)`;
  }
}
