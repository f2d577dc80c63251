// Which processes run on which host: the one table that scenarios (fault targets, inspections), the builder and
// the reports agree on.
import type { ClusterSpec } from './spec';

export const PROC = {
  etcd: 'etcd',
  apiserver: 'kube-apiserver',
  scheduler: 'kube-scheduler',
  controllerManager: 'kube-controller-manager',
  kubelet: 'kubelet',
  haproxy: 'haproxy',
  nlb: 'nlb',
  keepalived: 'keepalived',
  probe: 'api-probe',
  workload: 'workload',
} as const;

export type HostRole = 'control-plane' | 'etcd' | 'load-balancer' | 'worker' | 'client';

export function hostRole(spec: ClusterSpec, host: string): HostRole | undefined {
  if (spec.controlPlane.some((h) => h.name === host)) return 'control-plane';
  if (spec.etcdTopology === 'external' && spec.etcdHosts.some((h) => h.name === host)) return 'etcd';
  if (spec.loadBalancer.hosts.some((h) => h.name === host)) return 'load-balancer';
  if (spec.workers.some((h) => h.name === host)) return 'worker';
  if (spec.client?.name === host) return 'client';
  return undefined;
}

/** The processes a host runs, in start order. */
export function processNames(spec: ClusterSpec, host: string): string[] {
  switch (hostRole(spec, host)) {
    case 'control-plane':
      return [...(spec.etcdTopology === 'stacked' ? [PROC.etcd] : []), PROC.apiserver, PROC.controllerManager, PROC.scheduler, PROC.kubelet];
    case 'etcd':
      return [PROC.etcd, PROC.kubelet];
    case 'load-balancer':
      return spec.loadBalancer.type === 'nlb' ? [PROC.nlb] : spec.loadBalancer.hosts.length > 1 ? [PROC.haproxy, PROC.keepalived] : [PROC.haproxy];
    case 'worker':
      return [PROC.kubelet];
    case 'client':
      return [PROC.probe, PROC.workload];
    case undefined:
      return [];
  }
}

/** The leases whose holders the cluster elects, `namespace/name`, from the components' --leader-elect-resource-* flags. */
export const SCHEDULER_LEASE = 'kube-system/kube-scheduler';
export const CONTROLLER_MANAGER_LEASE = 'kube-system/kube-controller-manager';
