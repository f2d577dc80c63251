import { describe, expect, it } from 'vitest';
import type { Failover, RunResult } from '../../src/run/result';
import { runMetricDefs, runMetricsOf } from '../../src/sweep/run-metrics';

const SCHED = 'kube-system/kube-scheduler';
const KCM = 'kube-system/kube-controller-manager';

function failover(lease: string, causeAtUs: number, gapUs: number | null): Failover {
  return { lease, cause: 'crash server-0', causeAtUs, fromHolder: 'a', fromHost: 'server-0', toHolder: gapUs === null ? null : 'b', toHost: gapUs === null ? null : 'server-1', gapUs };
}

function result(partial: { failovers?: Failover[]; violations?: string[]; failedExpectations?: number; endUs?: number; schedulingDelaysUs?: number[]; apiUnavailableUs?: number | null }): RunResult {
  return {
    scenario: 's',
    file: 's.yaml',
    seed: '1',
    untilUs: 60_000_000,
    endUs: partial.endUs ?? 60_000_000,
    stopReason: 'end of run',
    events: 1,
    faults: { planned: [], applied: [], skipped: [] },
    violations: (partial.violations ?? []).map((invariant) => ({ invariant, message: 'm', hosts: [], timeUs: 1, event: 1, seed: '1', replay: 'r' })),
    leaders: { etcd: [], leases: {} },
    inspections: [],
    expectations: Array.from({ length: 3 }, (_, i) => ({ expectation: { type: 'no-violation', invariant: null }, description: 'd', passed: i >= (partial.failedExpectations ?? 0), detail: 'x' })),
    metrics: {
      failovers: partial.failovers ?? [],
      leaderlessUs: { [SCHED]: 17_250_000, [KCM]: 0 },
      leaderChanges: { [SCHED]: 1, [KCM]: 0 },
      etcdLeaderlessUs: 1_200_500,
      etcdLeaderChanges: 2,
      apiUnavailableUs: partial.apiUnavailableUs === undefined ? 3_000_000 : partial.apiUnavailableUs,
      restarts: { 'server-0/kube-scheduler': 2, 'server-1/etcd': 1 },
      schedulingDelaysUs: partial.schedulingDelaysUs ?? [],
      unscheduledPods: 1,
      lbSessions: {},
    },
    outcome: 'pass',
    replay: 'kube-ha-sim run s.yaml --seed 1',
  } as unknown as RunResult; // only the fields the sweep reads need to be right
}

describe('run metrics', () => {
  it('declares the per-lease metrics for every lease, then the cluster-wide ones', () => {
    const ids = runMetricDefs([SCHED, KCM]).map((m) => m.id);
    expect(ids.slice(0, 6)).toEqual([`failover:${SCHED}`, `leaderless:${SCHED}`, `transitions:${SCHED}`, `failover:${KCM}`, `leaderless:${KCM}`, `transitions:${KCM}`]);
    expect(ids).toContain('api-unavailable');
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('reads the run result in ms and counts; a fail-over metric only where a fault hit the leader', () => {
    const m = runMetricsOf(result({ failovers: [failover(SCHED, 20_000_000, 17_345_678)], schedulingDelaysUs: [1_000, 18_000_000, 5_000], failedExpectations: 1 }), [SCHED, KCM]);
    expect(m.values).toEqual({
      [`failover:${SCHED}`]: 17_345.678,
      [`leaderless:${SCHED}`]: 17_250,
      [`transitions:${SCHED}`]: 1,
      [`failover:${KCM}`]: null,
      [`leaderless:${KCM}`]: 0,
      [`transitions:${KCM}`]: 0,
      'unresolved-failovers': 0,
      'api-unavailable': 3_000,
      'etcd-leaderless': 1_200.5,
      'etcd-leader-changes': 2,
      'scheduling-delay': 18_000,
      'unscheduled-pods': 1,
      restarts: 3,
      violations: 0,
      'expectations-failed': 1,
    });
    expect(m.violations).toEqual([]);
  });

  it('takes the worst of several fail-overs; an unfinished one counts to the end of the run and as unresolved', () => {
    const m = runMetricsOf(result({ failovers: [failover(SCHED, 10_000_000, 14_000_000), failover(SCHED, 30_000_000, 16_000_000), failover(KCM, 40_000_000, null)], endUs: 60_000_000 }), [SCHED, KCM]);
    expect(m.values[`failover:${SCHED}`]).toBe(16_000);
    expect(m.values[`failover:${KCM}`]).toBe(20_000);
    expect(m.values['unresolved-failovers']).toBe(1);
  });

  it('violations by invariant name; unmeasured API availability and no pods are null', () => {
    const m = runMetricsOf(result({ violations: ['lease-exclusivity'], apiUnavailableUs: null }), [SCHED]);
    expect(m.violations).toEqual(['lease-exclusivity']);
    expect(m.values['violations']).toBe(1);
    expect(m.values['api-unavailable']).toBeNull();
    expect(m.values['scheduling-delay']).toBeNull();
  });
});
