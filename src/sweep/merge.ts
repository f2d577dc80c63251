// Shards and merge. Shard I of N runs the contiguous slice shardRange(total, I/N) of the run order and writes
// its raw runs; merge checks that the shards belong to one sweep and tile it exactly, then aggregates the runs
// with the same function a single-process sweep uses, so the merged result is byte-identical to it.
import { aggregate } from './aggregate';
import { canonicalMetrics, canonicalSpec } from './documents';
import { runCount, shardRange, type ShardSelector } from './grid';
import { SweepInputError } from './parameters';
import { SWEEP_API_VERSION, type MetricDef, type RunRecord, type SweepResult, type SweepShard, type SweepSpec } from './types';

export function makeShard(spec: SweepSpec, metrics: readonly MetricDef[], shard: ShardSelector, runs: readonly RunRecord[]): SweepShard {
  const { from, to } = shardRange(runCount(spec), shard);
  const sorted = [...runs].sort((a, b) => a.index - b.index);
  if (sorted.length !== to - from || sorted.some((run, i) => run.index !== from + i)) {
    throw new Error(`shard ${shard.index}/${shard.count} must hold runs ${from}..${to - 1} exactly`);
  }
  return {
    apiVersion: SWEEP_API_VERSION,
    kind: 'SweepShard',
    spec: canonicalSpec(spec),
    shard: { index: shard.index, count: shard.count },
    metrics: canonicalMetrics(metrics),
    runs: sorted,
  };
}

export interface NamedShard {
  readonly file: string;
  readonly shard: SweepShard;
}

function describeSpec(spec: SweepSpec): string {
  const axes = spec.axes.map((a) => `${a.key}=${a.values.join(',')}`).join(' ');
  return `scenario ${spec.scenario.name} (${spec.scenario.file}, digest ${spec.scenario.digest}), ${axes || 'no --set'}, seeds ${spec.firstSeed}..${spec.firstSeed + spec.seeds - 1}`;
}

/** Merges the shards of one sweep into its result; any mismatch or gap is a SweepInputError naming the file. */
export function mergeShards(shards: readonly NamedShard[]): SweepResult {
  if (shards.length === 0) throw new SweepInputError('merge: no shard files given');
  const first = shards[0]!;
  const specText = JSON.stringify(first.shard.spec);
  const metricsText = JSON.stringify(first.shard.metrics);
  const count = first.shard.shard.count;
  const byIndex = new Map<number, string>();
  const total = runCount(first.shard.spec);
  for (const { file, shard } of shards) {
    if (JSON.stringify(shard.spec) !== specText) {
      throw new SweepInputError(`merge: ${file} is from a different sweep:\n  ${file}: ${describeSpec(shard.spec)}\n  ${first.file}: ${describeSpec(first.shard.spec)}`);
    }
    if (JSON.stringify(shard.metrics) !== metricsText) {
      throw new SweepInputError(`merge: ${file} reports different metrics than ${first.file} (shards made by different versions of kube-ha-sim?)`);
    }
    if (shard.shard.count !== count) {
      throw new SweepInputError(`merge: ${file} is shard ${shard.shard.index}/${shard.shard.count} but ${first.file} is one of ${count} shards`);
    }
    const previous = byIndex.get(shard.shard.index);
    if (previous !== undefined) throw new SweepInputError(`merge: ${file} and ${previous} are both shard ${shard.shard.index}/${count}`);
    byIndex.set(shard.shard.index, file);
    const { from, to } = shardRange(total, shard.shard);
    if (shard.runs.length !== to - from || shard.runs.some((run) => run.index < from || run.index >= to)) {
      throw new SweepInputError(`merge: ${file} should hold runs ${from}..${to - 1} of shard ${shard.shard.index}/${count}, but holds ${shard.runs.length} runs outside or short of that range`);
    }
  }
  const missing: number[] = [];
  for (let i = 0; i < count; i++) if (!byIndex.has(i)) missing.push(i);
  if (missing.length > 0) {
    throw new SweepInputError(`merge: missing shard${missing.length > 1 ? 's' : ''} ${missing.map((i) => `${i}/${count}`).join(', ')} (got ${shards.length} of ${count})`);
  }
  return aggregate(first.shard.spec, first.shard.metrics, shards.flatMap((s) => s.shard.runs));
}
