import { describe, expect, it } from 'vitest';
import { describeLatency, sampleLatencyUs, validateLatency, type LatencyDist } from '../../src/sim/latency';
import { RngRoot } from '../../src/sim/rng';

const draw = (dist: LatencyDist, n = 10_000): number[] => {
  const rng = new RngRoot('latency').stream('x');
  return Array.from({ length: n }, () => sampleLatencyUs(dist, rng));
};

describe('latency distributions', () => {
  it('constant draws nothing', () => {
    const rng = new RngRoot(1).stream('x');
    expect(sampleLatencyUs({ kind: 'constant', us: 250 }, rng)).toBe(250);
    expect(rng.draws).toBe(0);
  });

  it('uniform stays within [min, max] and gives integers', () => {
    const xs = draw({ kind: 'uniform', minUs: 100, maxUs: 200 });
    expect(Math.min(...xs)).toBe(100);
    expect(Math.max(...xs)).toBe(200);
    expect(xs.every(Number.isInteger)).toBe(true);
  });

  it('normal never goes below its floor, and has its mean when the floor is far', () => {
    const floored = draw({ kind: 'normal', meanUs: 100, stddevUs: 100, floorUs: 50 });
    expect(Math.min(...floored)).toBe(50);
    const xs = draw({ kind: 'normal', meanUs: 1_000, stddevUs: 50, floorUs: 0 });
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    expect(Math.abs(mean - 1_000)).toBeLessThan((4 * 50) / Math.sqrt(xs.length) + 0.5);
  });

  it('lognormal has its median (half the draws below, 4 sigma) and respects the floor', () => {
    const n = 10_000;
    const xs = draw({ kind: 'lognormal', medianUs: 250, sigma: 0.5, floorUs: 100 }, n);
    const below = xs.filter((x) => x < 250).length;
    expect(Math.abs(below - n / 2)).toBeLessThan(4 * Math.sqrt(n / 4));
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(100);
    expect(xs.every(Number.isInteger)).toBe(true);
  });

  it('validate names what is wrong', () => {
    expect(validateLatency({ kind: 'constant', us: 0 })).toBeNull();
    expect(validateLatency({ kind: 'constant', us: -1 })).toBe('constant latency must be >= 0, got -1µs');
    expect(validateLatency({ kind: 'uniform', minUs: 3, maxUs: 2 })).toBe('uniform latency needs 0 <= min <= max, got [3, 2]µs');
    expect(validateLatency({ kind: 'normal', meanUs: 1, stddevUs: -1, floorUs: 0 })).toBe('normal latency needs stddev >= 0 and floor >= 0');
    expect(validateLatency({ kind: 'lognormal', medianUs: 0, sigma: 1, floorUs: 0 })).toBe('lognormal latency needs median > 0, sigma >= 0, floor >= 0');
    expect(describeLatency({ kind: 'lognormal', medianUs: 250, sigma: 0.25, floorUs: 100 })).toBe('lognormal(median 250µs, sigma 0.25, floor 100µs)');
  });
});

describe('latency draws are whole microseconds', () => {
  it('a fractional constant is rounded (the engine schedules integer times only)', () => {
    const rng = new RngRoot(1).stream('x');
    expect(sampleLatencyUs({ kind: 'constant', us: 250.6 }, rng)).toBe(251);
  });
});
