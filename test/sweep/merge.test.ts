import { describe, expect, it } from 'vitest';
import { aggregate } from '../../src/sweep/aggregate';
import { parseShard, serialize } from '../../src/sweep/documents';
import { runCount, shardRange } from '../../src/sweep/grid';
import { makeShard, mergeShards, type NamedShard } from '../../src/sweep/merge';
import type { SweepShard, SweepSpec } from '../../src/sweep/types';
import { FAKE_METRICS } from './fake-runner';
import { fakeRuns, fakeSpec } from './helpers';

function shardsOf(spec: SweepSpec, count: number): NamedShard[] {
  const runs = fakeRuns(spec);
  return Array.from({ length: count }, (_, index) => {
    const { from, to } = shardRange(runCount(spec), { index, count });
    const shard = makeShard(spec, FAKE_METRICS, { index, count }, runs.slice(from, to));
    // Through the file format, as merge sees them.
    return { file: `shard-${index}.json`, shard: parseShard(`shard-${index}.json`, serialize(shard)) };
  });
}

describe('merge', () => {
  it('merging N shards (in any order) gives the single-run result byte for byte', () => {
    const spec = fakeSpec(25, ['15s', '30s', '60s']);
    const single = serialize(aggregate(spec, FAKE_METRICS, fakeRuns(spec)));
    for (const count of [1, 2, 3, 7, 75]) {
      const shards = shardsOf(spec, count);
      expect(serialize(mergeShards(shards))).toBe(single);
      expect(serialize(mergeShards([...shards].reverse()))).toBe(single);
    }
  });

  it('names a missing shard', () => {
    const shards = shardsOf(fakeSpec(10), 3);
    expect(() => mergeShards([shards[0]!, shards[2]!])).toThrow('merge: missing shard 1/3 (got 2 of 3)');
  });

  it('refuses a shard given twice, shards of different sweeps, different shard counts', () => {
    const spec = fakeSpec(10);
    const three = shardsOf(spec, 3);
    expect(() => mergeShards([three[0]!, three[1]!, three[2]!, { ...three[1]!, file: 'copy.json' }])).toThrow(/copy.json and shard-1.json are both shard 1\/3/);
    const other = shardsOf(fakeSpec(11), 3);
    expect(() => mergeShards([three[0]!, three[1]!, other[2]!])).toThrow(/shard-2.json is from a different sweep/);
    const two = shardsOf(spec, 2);
    expect(() => mergeShards([three[0]!, two[1]!])).toThrow(/is shard 1\/2 but shard-0.json is one of 3 shards/);
    expect(() => mergeShards([])).toThrow(/no shard files/);
  });

  it('refuses a shard whose runs do not match its slice', () => {
    const shards = shardsOf(fakeSpec(10), 2);
    const truncated: SweepShard = { ...shards[1]!.shard, runs: shards[1]!.shard.runs.slice(1) };
    expect(() => mergeShards([shards[0]!, { file: 'bad.json', shard: truncated }])).toThrow(/bad.json should hold runs 10..19/);
  });

  it('makeShard insists on exactly its slice', () => {
    const spec = fakeSpec(4);
    const runs = fakeRuns(spec);
    expect(() => makeShard(spec, FAKE_METRICS, { index: 0, count: 2 }, runs.slice(0, 3))).toThrow(/must hold runs 0..3/);
  });
});
