import { describe, expect, it } from 'vitest';
import { nearestRank, round6, summarize } from '../../src/sweep/stats';

const seedsOf = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

describe('stats', () => {
  it('nearest-rank percentiles of 1..100 are the values themselves', () => {
    const sorted = seedsOf(100);
    expect(nearestRank(sorted, 50)).toBe(50);
    expect(nearestRank(sorted, 90)).toBe(90);
    expect(nearestRank(sorted, 99)).toBe(99);
    expect(nearestRank(sorted, 100)).toBe(100);
    expect(nearestRank(sorted, 0.5)).toBe(1);
  });

  it('nearest-rank with few values: p99 of ten values is the largest, p50 the fifth', () => {
    const sorted = [3, 5, 8, 13, 21, 34, 55, 89, 144, 233];
    expect(nearestRank(sorted, 99)).toBe(233);
    expect(nearestRank(sorted, 90)).toBe(144);
    expect(nearestRank(sorted, 50)).toBe(21);
  });

  it('summarize: min/max/percentiles from unsorted values, nulls skipped, the seed of the max', () => {
    const values = [4, null, 1, 5, 2, null, 3];
    const s = summarize(values, [11, 12, 13, 14, 15, 16, 17]);
    expect(s.n).toBe(5);
    expect(s.min).toBe(1);
    expect(s.max).toBe(5);
    expect(s.maxSeed).toBe(14);
    expect(s.p50).toBe(3);
    expect(s.mean).toBe(3);
  });

  it('95% t-interval of 1..5: 3 ± 2.7764451 · √2.5 / √5', () => {
    const s = summarize([1, 2, 3, 4, 5], seedsOf(5));
    // Hand computation: s = √2.5, half width = 2.7764451052 x 0.7071067812 = 1.9632432...
    expect(s.ci95![0]).toBeCloseTo(3 - 1.9632432, 6);
    expect(s.ci95![1]).toBeCloseTo(3 + 1.9632432, 6);
  });

  it('no interval from one value; a zero-width one from constant values; nothing from no values', () => {
    expect(summarize([7], [1]).ci95).toBeNull();
    expect(summarize([7, 7, 7], seedsOf(3)).ci95).toEqual([7, 7]);
    const empty = summarize([null, null], seedsOf(2));
    expect(empty).toMatchObject({ n: 0, min: null, p50: null, mean: null, ci95: null, maxSeed: null });
  });

  it('the interval covers the true mean about 95% of the time (uniform samples)', () => {
    // A deterministic LCG so the test is repeatable; the true mean of U(0, 1) is 0.5.
    let state = 12345;
    const next = () => {
      state = (Math.imul(state, 1103515245) + 12345) >>> 0;
      return state / 2 ** 32;
    };
    let covered = 0;
    const trials = 2000;
    for (let t = 0; t < trials; t++) {
      const values = Array.from({ length: 20 }, next);
      const [lo, hi] = summarize(values, seedsOf(20)).ci95!;
      if (lo <= 0.5 && 0.5 <= hi) covered++;
    }
    expect(covered / trials).toBeGreaterThan(0.93);
    expect(covered / trials).toBeLessThan(0.97);
  });

  it('rejects non-finite values and mismatched lengths', () => {
    expect(() => summarize([1, Infinity], seedsOf(2))).toThrow(/non-finite/);
    expect(() => summarize([1], seedsOf(2))).toThrow(RangeError);
    expect(round6(1.23456789)).toBe(1.234568);
  });
});
