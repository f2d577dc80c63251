// How kubeadm lays out kubelets, for the cluster builder:
// - a control-plane host's kubelet runs the static pods from /etc/kubernetes/manifests (etcd, kube-apiserver,
//   kube-controller-manager, kube-scheduler) — their ProcessSpecs should be added with `autostart: false`, so that
//   at boot the kubelet starts them (after its first PLEG relist) and restarts them with CrashLoopBackOff;
//   it also registers the host as a Node (label node-role.kubernetes.io/control-plane, taint
//   node-role.kubernetes.io/control-plane:NoSchedule) through kubelet.conf's server, the control-plane endpoint;
// - a worker's kubelet registers its Node and renews its Lease through the control-plane endpoint (the LB).
import type { ProcessSpec } from '../sim/process';
import type { KubeconfigServer } from '../controllers/leader-election';
import { CONTROL_PLANE_LABELS, CONTROL_PLANE_TAINT, kubeletProcessSpec, type KubeletConfig } from './kubelet';
import type { StaticPodsConfig } from './static-pods';

export interface ControlPlaneKubeletOptions {
  /** The static pods of the host, by process name. */
  readonly staticPods: readonly string[];
  /** kubelet.conf's server (control-plane endpoint); null: the kubelet does not register a Node. */
  readonly server: KubeconfigServer | null;
  readonly kubelet?: Omit<KubeletConfig, 'server' | 'staticPods' | 'registerNode'>;
  readonly backoff?: Omit<StaticPodsConfig, 'pods'>;
}

export function controlPlaneKubeletSpec(options: ControlPlaneKubeletOptions): ProcessSpec {
  return kubeletProcessSpec({
    nodeLabels: CONTROL_PLANE_LABELS,
    registerWithTaints: [CONTROL_PLANE_TAINT],
    ...options.kubelet,
    registerNode: options.server !== null,
    ...(options.server !== null ? { server: options.server } : {}),
    staticPods: { ...options.backoff, pods: options.staticPods },
  });
}

export function workerKubeletSpec(server: KubeconfigServer, kubelet: Omit<KubeletConfig, 'server' | 'staticPods'> = {}): ProcessSpec {
  return kubeletProcessSpec({ ...kubelet, server });
}
