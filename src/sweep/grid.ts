// The run order of a sweep. Grid points are the cartesian product of the axes (first axis outermost, values
// in the order given); each point runs the same seeds (common random numbers: two points differ only by their
// parameters, never by luck of the draw). Run r is (point floor(r / seeds), seed firstSeed + r mod seeds).
// Every run is a pure function of (scenario, point, seed), so how runs are spread over workers or shards
// cannot change any result.
import { SweepInputError } from './parameters';
import type { ParameterPoint, SweepAxis, SweepSpec } from './types';

/** Upper bound on runs in one sweep: beyond it the result document itself becomes unwieldy. */
export const MAX_RUNS = 10_000_000;

export function gridPoints(axes: readonly SweepAxis[]): ParameterPoint[] {
  let points: Array<Record<string, string>> = [{}];
  for (const axis of axes) {
    if (axis.values.length === 0) throw new RangeError(`axis ${axis.key} has no values`);
    const next: Array<Record<string, string>> = [];
    for (const point of points) for (const value of axis.values) next.push({ ...point, [axis.key]: value });
    points = next;
  }
  return points;
}

export function pointCount(spec: SweepSpec): number {
  return spec.axes.reduce((n, a) => n * a.values.length, 1);
}

export function runCount(spec: SweepSpec): number {
  return pointCount(spec) * spec.seeds;
}

export interface RunSlot {
  readonly index: number;
  readonly pointIndex: number;
  readonly seed: number;
}

export function runSlot(spec: SweepSpec, index: number): RunSlot {
  if (!(index >= 0 && index < runCount(spec)) || !Number.isInteger(index)) {
    throw new RangeError(`run index ${index} outside 0..${runCount(spec) - 1}`);
  }
  return { index, pointIndex: Math.floor(index / spec.seeds), seed: spec.firstSeed + (index % spec.seeds) };
}

export interface ShardSelector {
  /** 0-based, like a Kubernetes Indexed Job's JOB_COMPLETION_INDEX. */
  readonly index: number;
  readonly count: number;
}

/** Parses `I/N` (0 <= I < N). */
export function parseShard(text: string): ShardSelector {
  const match = /^(\d+)\/(\d+)$/.exec(text.trim());
  if (match === null) throw new SweepInputError(`--shard ${JSON.stringify(text)}: expected I/N with 0 <= I < N, e.g. --shard 0/3`);
  const index = Number(match[1]);
  const count = Number(match[2]);
  if (count < 1) throw new SweepInputError(`--shard ${text}: N must be at least 1`);
  if (index >= count) throw new SweepInputError(`--shard ${text}: I must be below N (shards are numbered 0..${count - 1}, like JOB_COMPLETION_INDEX)`);
  return { index, count };
}

/** The contiguous slice [from, to) of the run order that shard I of N runs; slices tile the order exactly. */
export function shardRange(totalRuns: number, shard: ShardSelector): { from: number; to: number } {
  return {
    from: Math.floor((shard.index * totalRuns) / shard.count),
    to: Math.floor(((shard.index + 1) * totalRuns) / shard.count),
  };
}

export function validateSpecSize(spec: SweepSpec): void {
  if (!Number.isInteger(spec.seeds) || spec.seeds < 1) throw new SweepInputError(`--seeds must be a positive integer, got ${spec.seeds}`);
  if (!Number.isSafeInteger(spec.firstSeed) || spec.firstSeed < 0) {
    throw new SweepInputError(`--first-seed must be a non-negative integer, got ${spec.firstSeed}`);
  }
  const runs = runCount(spec);
  if (runs > MAX_RUNS) throw new SweepInputError(`the sweep has ${runs} runs (${pointCount(spec)} grid points x ${spec.seeds} seeds); the limit is ${MAX_RUNS}`);
}

/** `key=value key2=value2`, for labels and replay commands. */
export function pointLabel(point: ParameterPoint): string {
  const entries = Object.entries(point);
  return entries.length === 0 ? '(scenario as written)' : entries.map(([k, v]) => `${k}=${v}`).join(' ');
}
