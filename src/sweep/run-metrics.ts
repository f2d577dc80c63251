// The metrics a sweep reports for each run of a scenario, read from the runner's RunResult.
//
// Per lease (`kube-system/kube-scheduler`, `kube-system/kube-controller-manager`):
// - failover:<lease>     the worst fail-over gap of the run: a fault that took the acting leader down -> another
//                        replica acting as leader. A fail-over nobody completed by the end of the run counts as
//                        end - fault (a lower bound) and is also counted in `unresolved-failovers`.
//                        Not applicable (null) when no fault hit that lease's leader.
// - leaderless:<lease>   time with no acting leader, from the first acquisition to the end of the run.
// - transitions:<lease>  changes of acting leader (holder to a different holder).
// Cluster-wide:
// - api-unavailable      time the API was unavailable to a client through the load balancer (null if unmeasured).
// - etcd-leaderless      time etcd had no leader after its first election; etcd-leader-changes.
// - scheduling-delay     the longest creation -> bound delay of the pods created in the run (null without pods);
//                        unscheduled-pods: pods never bound by the end. The RunResult gives delays without
//                        creation times, so pods are not filtered to those created during a fail-over: in the
//                        bundled scenarios the pod created during the fail-over is the one that waits longest.
// - restarts             process restarts (starts after the first), all processes.
// - violations           invariants violated; expectations-failed: the scenario's own expectations that failed.
import type { RunResult } from '../run/result';
import type { MetricDef, RunMetrics } from './types';

export function runMetricDefs(leases: readonly string[]): MetricDef[] {
  const perLease = leases.flatMap((lease): MetricDef[] => {
    const short = lease.slice(lease.indexOf('/') + 1);
    return [
      {
        id: `failover:${lease}`,
        label: `fail-over ${short}`,
        unit: 'ms',
        description: `Worst gap in the run between a fault that took the acting leader of ${lease} down and another replica acting as leader (end of run if none did).`,
      },
      { id: `leaderless:${lease}`, label: `no leader ${short}`, unit: 'ms', description: `Time with no acting leader of ${lease}, from its first acquisition to the end of the run.` },
      { id: `transitions:${lease}`, label: `transitions ${short}`, unit: 'count', description: `Changes of the acting leader of ${lease}.` },
    ];
  });
  return [
    ...perLease,
    { id: 'unresolved-failovers', label: 'unresolved fail-overs', unit: 'count', description: 'Fail-overs in which no other replica acted as leader by the end of the run.' },
    { id: 'api-unavailable', label: 'API unavailable', unit: 'ms', description: 'Time the API was unavailable to a client going through the load balancer.' },
    { id: 'etcd-leaderless', label: 'etcd leaderless', unit: 'ms', description: 'Time etcd had no leader, after its first election.' },
    { id: 'etcd-leader-changes', label: 'etcd leader changes', unit: 'count', description: 'etcd leader changes after the first election.' },
    { id: 'scheduling-delay', label: 'scheduling delay', unit: 'ms', description: 'Longest creation-to-binding delay of the pods created during the run.' },
    { id: 'unscheduled-pods', label: 'unscheduled pods', unit: 'count', description: 'Pods created but not bound by the end of the run.' },
    { id: 'restarts', label: 'restarts', unit: 'count', description: 'Process restarts (starts after the first), all processes.' },
    { id: 'violations', label: 'violations', unit: 'count', description: 'Invariants violated (the run stops at the first).' },
    { id: 'expectations-failed', label: 'expectations failed', unit: 'count', description: "The scenario's own expectations that failed." },
  ];
}

const usToMs = (us: number): number => us / 1000;

export function runMetricsOf(result: RunResult, leases: readonly string[]): RunMetrics {
  const m = result.metrics;
  const values: Record<string, number | null> = {};
  let unresolved = 0;
  for (const lease of leases) {
    let worstUs: number | null = null;
    for (const f of m.failovers) {
      if (f.lease !== lease) continue;
      const gapUs = f.gapUs ?? result.endUs - f.causeAtUs;
      if (f.gapUs === null) unresolved++;
      if (worstUs === null || gapUs > worstUs) worstUs = gapUs;
    }
    values[`failover:${lease}`] = worstUs === null ? null : usToMs(worstUs);
    values[`leaderless:${lease}`] = usToMs(m.leaderlessUs[lease] ?? 0);
    values[`transitions:${lease}`] = m.leaderChanges[lease] ?? 0;
  }
  values['unresolved-failovers'] = unresolved;
  values['api-unavailable'] = m.apiUnavailableUs === null ? null : usToMs(m.apiUnavailableUs);
  values['etcd-leaderless'] = usToMs(m.etcdLeaderlessUs);
  values['etcd-leader-changes'] = m.etcdLeaderChanges;
  values['scheduling-delay'] = m.schedulingDelaysUs.length === 0 ? null : usToMs(m.schedulingDelaysUs.reduce((a, b) => (b > a ? b : a), 0));
  values['unscheduled-pods'] = m.unscheduledPods;
  values['restarts'] = Object.values(m.restarts).reduce((a, b) => a + b, 0);
  values['violations'] = result.violations.length;
  values['expectations-failed'] = result.expectations.filter((e) => !e.passed).length;
  return { values, violations: result.violations.map((v) => v.invariant) };
}
