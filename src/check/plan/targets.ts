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

/**
 * The targets of a cluster. `processesOn` says which processes a host runs as built (default: the role table's
 * processNames), so a partial build never gets faults aimed at processes it lacks.
 */
export function faultTargets(spec: ClusterSpec, processesOn: (host: string) => readonly string[] = (host) => processNames(spec, host)): FaultTargets {
  const hosts = allHosts(spec).map((h) => h.name);
  const processTargets: ProcessTarget[] = [];
  const running = new Set<string>();
  for (const host of hosts) {
    processTargets.push({ host });
    for (const process of processesOn(host)) {
      processTargets.push({ host, process });
      running.add(process);
    }
  }
  const leases = electionLeases(spec);
  const roles: Array<[string, string]> = [
    ['etcd', PROC.etcd],
    [leases.scheduler, PROC.scheduler],
    [leases.controllerManager, PROC.controllerManager],
  ];
  const present = roles.filter(([, process]) => running.has(process));
  const leaderTargets: ProcessTarget[] = present.map(([role, process]) => ({ host: `${LEADER_REF_PREFIX}${role}`, process }));
  // the whole host of a leader (its other processes freeze or die with it)
  for (const [role] of present) leaderTargets.push({ host: `${LEADER_REF_PREFIX}${role}` });
  const leaderHosts = present.map(([role]) => `${LEADER_REF_PREFIX}${role}`);
  return { hosts, processTargets, leaderTargets, leaderHosts };
}
