// Per-run metrics computed from the ground truth: who acted as leader when, which faults hit a leader, how long the
// API and etcd were unavailable, how often processes restarted, how long pods waited to be scheduled.
import { describeFault, type Fault, type FaultStep } from '../sim/faults';
import { faultHosts } from '../scenario/types';
import { PROC } from '../cluster/roles';
import { actingThrough, holderChanges, uncoveredUs } from './intervals';
import type { Failover, Leaders, RunMetrics } from './result';

/** Which process acts for a lease (the lease's component). */
export type LeaseComponents = Readonly<Record<string, string>>;

/** Whether a fault takes down (or cuts off) the acting leader on `host`, acting for `component`. */
export function faultHitsLeader(fault: Fault, host: string, component: string): boolean {
  switch (fault.kind) {
    case 'crash':
    case 'restart':
    case 'stop':
    case 'pause':
      return fault.host === host && (fault.process === undefined || fault.process === component);
    case 'isolate':
      return fault.host === host;
    case 'partition':
      return faultHosts(fault).includes(host);
    default:
      return false;
  }
}

export interface MetricsInput {
  readonly leaders: Leaders;
  readonly applied: readonly FaultStep[];
  readonly endUs: number;
  readonly leaseComponents: LeaseComponents;
  readonly apiUnavailableUs: number | null;
  readonly starts: ReadonlyMap<string, number>;
  readonly schedulingDelaysUs: readonly number[];
  readonly unscheduledPods: number;
  readonly lbSessions: Readonly<Record<string, number>>;
}

export function computeMetrics(input: MetricsInput): RunMetrics {
  const { leaders, endUs } = input;
  const failovers: Failover[] = [];
  const leaderlessUs: Record<string, number> = {};
  const leaderChanges: Record<string, number> = {};
  for (const [lease, intervals] of Object.entries(leaders.leases)) {
    const first = intervals.reduce<number | null>((m, i) => (m === null || i.fromUs < m ? i.fromUs : m), null);
    leaderlessUs[lease] = first === null ? 0 : uncoveredUs(intervals, first, endUs);
    leaderChanges[lease] = holderChanges(intervals);
    const component = input.leaseComponents[lease] ?? PROC.scheduler;
    for (const step of input.applied) {
      for (const leader of actingThrough(intervals, step.atUs, endUs)) {
        if (!faultHitsLeader(step.fault, leader.host, component)) continue;
        const next = intervals
          .filter((i) => i.holder !== leader.holder && i.fromUs >= step.atUs)
          .sort((a, b) => a.fromUs - b.fromUs)[0];
        failovers.push({
          lease,
          cause: describeFault(step.fault),
          causeAtUs: step.atUs,
          fromHolder: leader.holder,
          fromHost: leader.host,
          toHolder: next?.holder ?? null,
          toHost: next?.host ?? null,
          gapUs: next === undefined ? null : next.fromUs - step.atUs,
        });
      }
    }
  }
  failovers.sort((a, b) => a.causeAtUs - b.causeAtUs || (a.lease < b.lease ? -1 : a.lease > b.lease ? 1 : 0));
  const etcdFirst = leaders.etcd.reduce<number | null>((m, i) => (m === null || i.fromUs < m ? i.fromUs : m), null);
  const restarts: Record<string, number> = {};
  for (const [proc, starts] of [...input.starts].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) restarts[proc] = Math.max(0, starts - 1);
  return {
    failovers,
    leaderlessUs,
    leaderChanges,
    etcdLeaderlessUs: etcdFirst === null ? 0 : uncoveredUs(leaders.etcd, etcdFirst, endUs),
    etcdLeaderChanges: Math.max(0, leaders.etcd.length - 1),
    apiUnavailableUs: input.apiUnavailableUs,
    restarts,
    schedulingDelaysUs: input.schedulingDelaysUs,
    unscheduledPods: input.unscheduledPods,
    lbSessions: input.lbSessions,
  };
}

/** The value of a named metric (see METRIC_PATTERNS), or null if the run has no such value. */
export function metricValue(metrics: RunMetrics, metric: string): number | null {
  const colon = metric.indexOf(':');
  const kind = colon < 0 ? metric : metric.slice(0, colon);
  const arg = colon < 0 ? '' : metric.slice(colon + 1);
  switch (kind) {
    case 'etcd-leader-changes':
      return metrics.etcdLeaderChanges;
    case 'etcd-leaderless':
      return metrics.etcdLeaderlessUs;
    case 'api-unavailable':
      return metrics.apiUnavailableUs;
    case 'leader-changes':
      return metrics.leaderChanges[arg] ?? 0;
    case 'leaderless':
      return metrics.leaderlessUs[arg] ?? 0;
    case 'restarts': {
      const [host, proc] = arg.split('/');
      if (host !== '*') return metrics.restarts[arg] ?? 0;
      return Object.entries(metrics.restarts).reduce((sum, [k, n]) => (k.endsWith(`/${proc}`) ? sum + n : sum), 0);
    }
    case 'lb-sessions':
      return metrics.lbSessions[arg] ?? 0;
    case 'lb-servers-used':
      return Object.values(metrics.lbSessions).filter((n) => n > 0).length;
    default:
      return null;
  }
}
