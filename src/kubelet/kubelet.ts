// The kubelet process: on a worker (and, with registerNode, on a control-plane host) it registers the Node, posts
// its status and renews its node Lease through kubelet.conf's server (the control-plane endpoint, i.e. the load
// balancer); on a control-plane host it also runs the static pods (etcd, kube-apiserver, kube-controller-manager,
// kube-scheduler) and restarts them with CrashLoopBackOff.
//
// Clients (cmd/kubelet/app/server.go): the heartbeat client (node status and lease) has no client-side rate limit
// (QPS -1) and Timeout min(nodeStatusUpdateFrequency, nodeLeaseDuration) = 10 s; the kubelet's connections are
// closed on repeated heartbeat failures so the next request dials again.
//
// Simplification: the kubelet does not run ordinary pods (pods bound to its node stay as the scheduler left them).
import { RestClient, RestTransport } from '../client/rest-client';
import { Context } from '../lease/go-context';
import type { ProcessBehavior, ProcessContext, ProcessSpec } from '../sim/process';
import { COMMIT, ComponentConfigError, KUBERNETES_VERSION, type KubeconfigServer } from '../controllers/leader-election';
import type { Taint } from '../apiserver/objects';
import { NodeLeaseController } from './node-lease';
import { NodeStatusManager } from './node-status';
import { StaticPodSupervisor, type StaticPodsConfig } from './static-pods';

export interface KubeletConfig {
  /** kubelet.conf's server: the control-plane endpoint (load balancer VIP:port). Required when registerNode. */
  readonly server?: KubeconfigServer;
  /** Register a Node, post its status and renew its Lease. Default true. */
  readonly registerNode?: boolean;
  /** Default: the host name. */
  readonly nodeName?: string;
  /** KubeletConfiguration nodeLeaseDurationSeconds. Default 40. */
  readonly nodeLeaseDurationSeconds?: number;
  /** KubeletConfiguration nodeStatusUpdateFrequency. Default 10 s. */
  readonly nodeStatusUpdateFrequencyUs?: number;
  /** KubeletConfiguration nodeStatusReportFrequency. Default 5 min. */
  readonly nodeStatusReportFrequencyUs?: number;
  /** Node labels at registration (e.g. node-role.kubernetes.io/control-plane: ""). */
  readonly nodeLabels?: Readonly<Record<string, string>>;
  /** Taints at registration (kubeadm's node-role.kubernetes.io/control-plane:NoSchedule). */
  readonly registerWithTaints?: readonly Taint[];
  /** Static pods this kubelet runs (a control-plane host's manifests). */
  readonly staticPods?: StaticPodsConfig | null;
}

export const KUBELET = 'kubelet';

/** kubeadm's control-plane node label and taint. */
export const CONTROL_PLANE_LABELS: Readonly<Record<string, string>> = { 'node-role.kubernetes.io/control-plane': '' };
export const CONTROL_PLANE_TAINT: Taint = { key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' };

export function kubeletProcessSpec(config: KubeletConfig = {}): ProcessSpec {
  const registerNode = config.registerNode ?? true;
  if (registerNode && config.server === undefined) throw new ComponentConfigError('kubelet: registerNode needs kubelet.conf\'s server (the control-plane endpoint)');
  const leaseSeconds = config.nodeLeaseDurationSeconds ?? 40;
  if (!Number.isInteger(leaseSeconds) || leaseSeconds < 1) throw new ComponentConfigError(`kubelet nodeLeaseDurationSeconds: expected a whole number >= 1, got ${leaseSeconds}`);
  const statusUs = config.nodeStatusUpdateFrequencyUs ?? 10_000_000;
  if (!(statusUs > 0)) throw new ComponentConfigError(`kubelet nodeStatusUpdateFrequency: expected a positive duration, got ${statusUs}µs`);
  return {
    name: KUBELET,
    create: (ctx) => startKubelet(ctx, config, registerNode, leaseSeconds, statusUs),
  };
}

function startKubelet(ctx: ProcessContext, config: KubeletConfig, registerNode: boolean, leaseSeconds: number, statusUs: number): ProcessBehavior {
  ctx.log('info', `"Kubelet version" kubeletVersion="${KUBERNETES_VERSION}"`);
  const runCtx = Context.background().withCancel();
  if (config.staticPods && config.staticPods.pods.length > 0) new StaticPodSupervisor(ctx, config.staticPods).start();
  if (registerNode) {
    const nodeName = config.nodeName ?? ctx.host.name;
    const transport = new RestTransport(ctx, { server: config.server! });
    const heartbeat = new RestClient(transport, {
      userAgent: `kubelet/${KUBERNETES_VERSION} (linux/amd64) kubernetes/${COMMIT}`,
      qps: -1,
      timeoutUs: Math.min(statusUs, leaseSeconds * 1_000_000),
    });
    const status = new NodeStatusManager(ctx, heartbeat, {
      nodeName,
      nodeStatusUpdateFrequencyUs: statusUs,
      nodeStatusReportFrequencyUs: config.nodeStatusReportFrequencyUs ?? 300_000_000,
      labels: config.nodeLabels ?? {},
      taints: [...(config.registerWithTaints ?? [])],
    });
    status.run(runCtx);
    new NodeLeaseController(ctx, heartbeat, {
      nodeName,
      leaseDurationSeconds: leaseSeconds,
      nodeUid: () => status.uid,
      onRepeatedHeartbeatFailure: () => transport.close(),
    }).run(runCtx);
  }
  // The kubelet handles SIGTERM by stopping; its static pods keep running (containers outlive it).
  return {
    terminate: () => {
      runCtx.cancel();
      ctx.exit(0, 'terminated');
    },
  };
}
