import { describe, expect, it } from 'vitest';
import { aggregate } from '../../src/sweep/aggregate';
import { parseResult, parseShard, serialize } from '../../src/sweep/documents';
import { makeShard } from '../../src/sweep/merge';
import { FAKE_METRICS } from './fake-runner';
import { fakeRuns, fakeSpec } from './helpers';

describe('documents', () => {
  it('a result read back serialises to the same bytes', () => {
    const spec = fakeSpec(12);
    const text = serialize(aggregate(spec, FAKE_METRICS, fakeRuns(spec, { violationSeeds: [2], failSeeds: [5] })));
    expect(serialize(parseResult('r.json', text))).toBe(text);
    expect(text.endsWith('}\n')).toBe(true);
  });

  it('a shard read back, with its keys shuffled, serialises to the canonical bytes', () => {
    const spec = fakeSpec(6);
    const text = serialize(makeShard(spec, FAKE_METRICS, { index: 0, count: 1 }, fakeRuns(spec)));
    const reordered = JSON.parse(text) as Record<string, unknown>;
    const shuffledText = JSON.stringify({ runs: reordered['runs'], metrics: reordered['metrics'], shard: reordered['shard'], spec: reordered['spec'], kind: reordered['kind'], apiVersion: reordered['apiVersion'] });
    expect(serialize(parseShard('s.json', shuffledText))).toBe(text);
  });

  it('says what is wrong with a bad document, and which kind was expected', () => {
    expect(() => parseResult('x.json', '{')).toThrow(/^x.json: not JSON/);
    expect(() => parseResult('x.json', '{"apiVersion":"kube-ha-sim/v1","kind":"SweepResult"}')).toThrow(/x.json: not a valid sweep document:\n {2}spec:/);
    const spec = fakeSpec(2);
    const shardText = serialize(makeShard(spec, FAKE_METRICS, { index: 0, count: 1 }, fakeRuns(spec)));
    expect(() => parseResult('s.json', shardText)).toThrow(/is one shard of a sweep; merge all shards first/);
    const resultText = serialize(aggregate(spec, FAKE_METRICS, fakeRuns(spec)));
    expect(() => parseShard('r.json', resultText)).toThrow(/is a complete SweepResult, not a shard/);
  });
});
