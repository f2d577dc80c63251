// Small pure helpers over leader intervals (half-open [fromUs, toUs), toUs null = still leading).
import type { LeaderInterval } from './result';

export function endOf(i: LeaderInterval, endUs: number): number {
  return i.toUs ?? endUs;
}

/** The intervals that cover instant t. */
export function actingAt(intervals: readonly LeaderInterval[], tUs: number, endUs: number): LeaderInterval[] {
  return intervals.filter((i) => i.fromUs <= tUs && tUs < endOf(i, endUs));
}

/**
 * The intervals acting just before instant t, or at it: [from, to] closed, so a leader whose interval a fault at t
 * closed (a crash at t ends the interval at t) still counts as the one the fault hit.
 */
export function actingThrough(intervals: readonly LeaderInterval[], tUs: number, endUs: number): LeaderInterval[] {
  return intervals.filter((i) => i.fromUs <= tUs && tUs <= endOf(i, endUs));
}

/** The intervals that overlap [fromUs, toUs]. */
export function actingDuring(intervals: readonly LeaderInterval[], fromUs: number, toUs: number, endUs: number): LeaderInterval[] {
  return intervals.filter((i) => i.fromUs <= toUs && endOf(i, endUs) > fromUs);
}

/** The earliest instant >= tUs at which someone leads, or null. */
export function firstLeadingAtOrAfter(intervals: readonly LeaderInterval[], tUs: number, endUs: number): number | null {
  let best: number | null = null;
  for (const i of intervals) {
    if (endOf(i, endUs) <= tUs) continue;
    const start = Math.max(i.fromUs, tUs);
    if (best === null || start < best) best = start;
  }
  return best;
}

/** Time within [fromUs, endUs) covered by no interval. */
export function uncoveredUs(intervals: readonly LeaderInterval[], fromUs: number, endUs: number): number {
  const spans = intervals
    .map((i) => [Math.max(i.fromUs, fromUs), Math.min(endOf(i, endUs), endUs)] as const)
    .filter(([a, b]) => b > a)
    .sort((x, y) => x[0] - y[0]);
  let covered = 0;
  let cursor = fromUs;
  for (const [a, b] of spans) {
    if (b <= cursor) continue;
    covered += b - Math.max(a, cursor);
    cursor = b;
  }
  return Math.max(0, endUs - fromUs - covered);
}

/** Number of times the holder changed, in start order. */
export function holderChanges(intervals: readonly LeaderInterval[]): number {
  const sorted = [...intervals].sort((a, b) => a.fromUs - b.fromUs);
  let changes = 0;
  for (let k = 1; k < sorted.length; k++) if (sorted[k]!.holder !== sorted[k - 1]!.holder) changes++;
  return changes;
}
