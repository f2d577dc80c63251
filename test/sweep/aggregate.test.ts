import { describe, expect, it } from 'vitest';
import { aggregate, IncompleteSweepError, orderRuns } from '../../src/sweep/aggregate';
import { serialize } from '../../src/sweep/documents';
import { FAKE_METRICS } from './fake-runner';
import { fakeRuns, fakeSpec, shuffled } from './helpers';

describe('aggregate', () => {
  it('the result does not depend on the order runs arrive in', () => {
    const spec = fakeSpec(40);
    const runs = fakeRuns(spec);
    const reference = serialize(aggregate(spec, FAKE_METRICS, runs));
    for (const seed of [1, 2, 3]) expect(serialize(aggregate(spec, FAKE_METRICS, shuffled(runs, seed)))).toBe(reference);
  });

  it('places samples per grid point in seed order, with summaries of them', () => {
    const spec = fakeSpec(30);
    const runs = fakeRuns(spec);
    const result = aggregate(spec, FAKE_METRICS, runs);
    expect(result.points.map((p) => p.params)).toEqual([
      { 'kube-scheduler.--leader-elect-lease-duration': '15s' },
      { 'kube-scheduler.--leader-elect-lease-duration': '30s' },
    ]);
    const id = 'failover:kube-system/kube-scheduler';
    for (const [pi, point] of result.points.entries()) {
      const expected = runs.slice(pi * 30, pi * 30 + 30).map((r) => (r.outcome.kind === 'ok' ? r.outcome.metrics.values[id] : null));
      expect(point.samples[id]).toEqual(expected);
      const present = expected.filter((v): v is number => v !== null);
      expect(point.summary[id]!.n).toBe(present.length);
      expect(point.summary[id]!.max).toBe(Math.max(...present));
      expect(point.summary[id]!.min).toBe(Math.min(...present));
    }
  });

  it('lists runs with violations and failed runs by seed', () => {
    const spec = fakeSpec(10);
    const result = aggregate(spec, FAKE_METRICS, fakeRuns(spec, { violationSeeds: [3], failSeeds: [7] }));
    for (const point of result.points) {
      expect(point.violations).toEqual([{ seed: 3, violations: ['lease-exclusivity'] }]);
      expect(point.errors).toEqual([{ seed: 7, message: 'fake failure at seed 7' }]);
      expect(point.samples['restarts']![6]).toBeNull();
      expect(point.summary['violations']!.max).toBe(1);
      expect(point.summary['violations']!.maxSeed).toBe(3);
    }
  });

  it('refuses missing, duplicated, foreign or re-seeded runs', () => {
    const spec = fakeSpec(5);
    const runs = fakeRuns(spec);
    expect(() => orderRuns(spec, runs.slice(1))).toThrow(/1 of 10 runs are missing \(run 0\)/);
    expect(() => orderRuns(spec, [...runs, runs[3]!])).toThrow(/appears twice/);
    expect(() => orderRuns(spec, [...runs, { ...runs[0]!, index: 10 }])).toThrow(IncompleteSweepError);
    expect(() => orderRuns(spec, [{ ...runs[0]!, seed: 99 }, ...runs.slice(1)])).toThrow(/has seed 99, expected 1/);
  });
});
