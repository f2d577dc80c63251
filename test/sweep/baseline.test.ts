import { describe, expect, it } from 'vitest';
import { aggregate } from '../../src/sweep/aggregate';
import { compareWithBaseline, parseTolerance } from '../../src/sweep/baseline';
import type { SweepResult } from '../../src/sweep/types';
import { FAKE_METRICS, type FakeRunnerConfig } from './fake-runner';
import { fakeRuns, fakeSpec, LEASE } from './helpers';

function sweep(leases: readonly string[], config: FakeRunnerConfig = {}, seeds = 40): SweepResult {
  const spec = fakeSpec(seeds, leases);
  return aggregate(spec, FAKE_METRICS, fakeRuns(spec, config));
}

describe('baseline', () => {
  const baseline = sweep(['15s']);

  it('the same parameter set passes', () => {
    const comparison = compareWithBaseline(sweep(['15s']), baseline, 0);
    expect(comparison.regressions).toEqual([]);
    expect(comparison.text).toMatch(/^baseline: no regression beyond 0% \(1 grid points, 4 metrics, statistics p50\/p90\/p99\/mean\)$/);
  });

  it('a worse parameter set fails, naming the metric, statistic and both values', () => {
    const comparison = compareWithBaseline(sweep(['30s']), baseline, 0.05);
    const failover = comparison.regressions.filter((r) => r.metric === 'failover:kube-system/kube-scheduler');
    expect(failover.map((r) => r.statistic)).toEqual(['p50', 'p90', 'p99', 'mean']);
    for (const r of failover) expect(r.current! - r.baseline!).toBeGreaterThan(14_000);
    expect(comparison.text).toContain(`  ${LEASE}=30s (baseline: ${LEASE}=15s)`);
    expect(comparison.text).toMatch(/ {4}fail-over kube-scheduler p50: \d+\.\d{3}s -> \d+\.\d{3}s \(\+\d+\.\d%\)/);
  });

  it('the tolerance decides: a fail-over 1 s worse (6-8% of 13-17 s) fails at 5% and passes at 10%', () => {
    const worse = sweep(['15s'], { extraFailoverMs: 1000 });
    expect(compareWithBaseline(worse, baseline, 0.05).regressions.length).toBeGreaterThan(0);
    expect(compareWithBaseline(worse, baseline, 0.1).regressions).toEqual([]);
  });

  it('new violations and new failed runs are regressions at any tolerance', () => {
    const comparison = compareWithBaseline(sweep(['15s'], { violationSeeds: [1, 2, 3, 4, 5], failSeeds: [9] }), baseline, 10);
    expect(comparison.regressions.map((r) => `${r.metric}/${r.statistic}`)).toEqual(expect.arrayContaining(['(runs)/errors', 'violations/p90', 'violations/mean']));
  });

  it('better is not a regression', () => {
    expect(compareWithBaseline(baseline, sweep(['30s']), 0).regressions).toEqual([]);
  });

  it('grids of different shapes cannot be paired; other seeds or scenario are noted', () => {
    expect(() => compareWithBaseline(sweep(['15s', '30s']), baseline, 0)).toThrow(/baseline has 1 grid points, this sweep 2/);
    const moreSeeds = compareWithBaseline(sweep(['15s'], {}, 50), baseline, 0.5);
    expect(moreSeeds.notes).toEqual(['seeds differ: baseline 1..40, now 1..50']);
    const other: SweepResult = { ...baseline, spec: { ...baseline.spec, scenario: { ...baseline.spec.scenario, digest: 'ffffffffffffff' } } };
    expect(compareWithBaseline(baseline, other, 0).notes[0]).toMatch(/the scenario differs from the baseline's/);
  });

  it('parses tolerances as fractions or percentages', () => {
    expect(parseTolerance('0.05')).toBe(0.05);
    expect(parseTolerance('5%')).toBe(0.05);
    expect(parseTolerance('0')).toBe(0);
    expect(() => parseTolerance('-1')).toThrow(/expected a fraction/);
    expect(() => parseTolerance('five')).toThrow(/expected a fraction/);
  });
});
