// The kubelets: on each control-plane host the kubelet runs the static pods (etcd when stacked, kube-apiserver,
// kube-controller-manager, kube-scheduler), restarts them with CrashLoopBackOff, and registers the Node (labelled and
// tainted as kubeadm does); on an external etcd host it runs the etcd static pod only (no Node, as kubeadm's etcd
// guide sets it up); on a worker it registers the Node and renews its node Lease. kubelet.conf points at the
// control-plane endpoint (the load balancer).
import type { Host } from '../sim/host';
import { CONTROL_PLANE_LABELS, CONTROL_PLANE_TAINT, kubeletProcessSpec, type KubeletConfig } from '../kubelet/kubelet';
import { parseDurationUs } from '../sim/time';
import { PROC } from './roles';
import { delayFirstStart } from './start-delay';
import { flagValue, type ClusterSpec } from './spec';

export function installKubelets(spec: ClusterSpec, hosts: ReadonlyMap<string, Host>): void {
  const server = { address: spec.loadBalancer.address, port: spec.loadBalancer.port };
  const common: KubeletConfig = {
    server,
    nodeLeaseDurationSeconds: Number(flagValue(spec, 'kubelet', 'nodeLeaseDurationSeconds')),
    nodeStatusUpdateFrequencyUs: parseDurationUs(String(flagValue(spec, 'kubelet', 'nodeStatusUpdateFrequency'))),
  };
  const add = (host: string, config: KubeletConfig): void => {
    hosts.get(host)!.addProcess(delayFirstStart(kubeletProcessSpec(config), spec.startDelaysUs[`${host}/${PROC.kubelet}`]));
  };
  for (const h of spec.controlPlane) {
    const pods = spec.componentMode === 'systemd' ? [] : [...(spec.etcdTopology === 'stacked' ? [PROC.etcd] : []), PROC.apiserver, PROC.controllerManager, PROC.scheduler];
    add(h.name, { ...common, nodeLabels: CONTROL_PLANE_LABELS, registerWithTaints: [CONTROL_PLANE_TAINT], staticPods: { pods } });
  }
  if (spec.etcdTopology === 'external') {
    for (const h of spec.etcdHosts) add(h.name, { ...common, registerNode: false, staticPods: { pods: spec.componentMode === 'systemd' ? [] : [PROC.etcd] } });
  }
  for (const h of spec.workers) add(h.name, common);
}
