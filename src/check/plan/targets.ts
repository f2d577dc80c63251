// What faults may aim at in a cluster: hosts, their processes, and "the current leader of X" references that the
// scenario runner resolves when the fault fires.
import { PROC, processNames } from '../../cluster/roles';
import { allHosts, type ClusterSpec } from '../../cluster/spec';
import { electionLeases } from '../../scenario/resolve';
import { LEADER_REF_PREFIX } from '../../scenario/types';

export interface ProcessTarget {
  /** A host name or a leader reference (`@leader:etcd`, `@leader:kube-system/kube-scheduler`). */
  readonly host: string;
  /** Absent: the whole host. */
  readonly process?: string;
}

export interface FaultTargets {
  /** Every host, in the cluster's order. */
  readonly hosts: readonly string[];
  /** Hosts whose processes are worth crashing or pausing (control plane, etcd, load balancers, workers). */
  readonly processTargets: readonly ProcessTarget[];
  /** Leader references: the role's current leader, with the process that leads it. */
  readonly leaderTargets: readonly ProcessTarget[];
  /** Leader references usable where a whole host is meant. */
  readonly leaderHosts: readonly string[];
}

export function faultTargets(spec: ClusterSpec): FaultTargets {
  const hosts = allHosts(spec).map((h) => h.name);
  const processTargets: ProcessTarget[] = [];
  for (const host of hosts) {
    processTargets.push({ host });
    for (const process of processNames(spec, host)) processTargets.push({ host, process });
  }
  const leases = electionLeases(spec);
  const leaderTargets: ProcessTarget[] = [
    { host: `${LEADER_REF_PREFIX}etcd`, process: PROC.etcd },
    { host: `${LEADER_REF_PREFIX}${leases.scheduler}`, process: PROC.scheduler },
    { host: `${LEADER_REF_PREFIX}${leases.controllerManager}`, process: PROC.controllerManager },
    { host: `${LEADER_REF_PREFIX}${leases.scheduler}` },
  ];
  const leaderHosts = [`${LEADER_REF_PREFIX}etcd`, `${LEADER_REF_PREFIX}${leases.scheduler}`, `${LEADER_REF_PREFIX}${leases.controllerManager}`];
  return { hosts, processTargets, leaderTargets, leaderHosts };
}
