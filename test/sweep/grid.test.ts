import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { gridPoints, parseShard, pointLabel, runCount, runSlot, shardRange, validateSpecSize } from '../../src/sweep/grid';
import type { SweepSpec } from '../../src/sweep/types';

const spec = (seeds: number, firstSeed = 1): SweepSpec => ({
  scenario: { name: 's', file: 's.yaml', digest: 'd', durationMs: 60_000 },
  axes: [
    { key: 'a', values: ['1', '2'] },
    { key: 'b', values: ['x', 'y', 'z'] },
  ],
  firstSeed,
  seeds,
});

describe('grid', () => {
  it('points are the cartesian product, first axis outermost, values in the order given', () => {
    expect(gridPoints(spec(1).axes).map(pointLabel)).toEqual(['a=1 b=x', 'a=1 b=y', 'a=1 b=z', 'a=2 b=x', 'a=2 b=y', 'a=2 b=z']);
    expect(gridPoints([])).toEqual([{}]);
    expect(pointLabel({})).toBe('(scenario as written)');
  });

  it('run r is point floor(r/seeds) with seed firstSeed + r mod seeds: every point runs the same seeds', () => {
    const s = spec(4, 10);
    expect(runCount(s)).toBe(24);
    expect(runSlot(s, 0)).toEqual({ index: 0, pointIndex: 0, seed: 10 });
    expect(runSlot(s, 5)).toEqual({ index: 5, pointIndex: 1, seed: 11 });
    expect(runSlot(s, 23)).toEqual({ index: 23, pointIndex: 5, seed: 13 });
    expect(() => runSlot(s, 24)).toThrow(RangeError);
  });

  it('shard slices tile the run order exactly, in order, with sizes differing by at most one', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 5000 }), fc.integer({ min: 1, max: 64 }), (total, count) => {
        let expectedFrom = 0;
        const sizes: number[] = [];
        for (let index = 0; index < count; index++) {
          const { from, to } = shardRange(total, { index, count });
          expect(from).toBe(expectedFrom);
          expect(to).toBeGreaterThanOrEqual(from);
          sizes.push(to - from);
          expectedFrom = to;
        }
        expect(expectedFrom).toBe(total);
        expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
      }),
    );
  });

  it('parses I/N with 0-based I like JOB_COMPLETION_INDEX', () => {
    expect(parseShard('0/3')).toEqual({ index: 0, count: 3 });
    expect(parseShard(' 2/3 ')).toEqual({ index: 2, count: 3 });
    expect(() => parseShard('3/3')).toThrow(/I must be below N/);
    expect(() => parseShard('1/0')).toThrow(/at least 1/);
    expect(() => parseShard('1-3')).toThrow(/expected I\/N/);
  });

  it('checks sizes', () => {
    expect(() => validateSpecSize(spec(0))).toThrow(/--seeds/);
    expect(() => validateSpecSize(spec(10, -1))).toThrow(/--first-seed/);
    expect(() => validateSpecSize(spec(2_000_000))).toThrow(/limit/);
    expect(() => validateSpecSize(spec(10))).not.toThrow();
  });
});
