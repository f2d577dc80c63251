// kube-controller-manager (cmd/kube-controller-manager/app/controllermanager.go): leader election on the Lease
// kube-system/kube-controller-manager (ReleaseOnCancel: false) and, while leading, the controllers: here the
// ReplicaSet controller and the node lifecycle controller (with taint-based eviction).
//
// Lifecycle as the real one:
// - leader election starts at once (controllers and their informers start only once leading);
// - OnStoppedLeading: "leaderelection lost" and exit 1, whatever the reason;
// - no signal handling (Run gets context.Background()): SIGTERM kills the process (exit 143) without releasing
//   the lease, so a restarted controller-manager waits for its own old lease to expire;
// - invalid durations make RunOrDie panic (exit 2).
import { RestClient, RestTransport } from '../client/rest-client';
import { LeaderElectionConfigError } from '../lease/elector';
import type { ProcessBehavior, ProcessContext, ProcessSpec } from '../sim/process';
import {
  COMMIT,
  ComponentConfigError,
  KUBERNETES_VERSION,
  backgroundContext,
  defaultLeaderElection,
  leaderIdentity,
  localApiserver,
  runLeaderElection,
  type KubeconfigServer,
  type LeaderElectionConfiguration,
} from './leader-election';
import { NodeLifecycleController, type NodeLifecycleConfig } from './node-lifecycle';
import { ReplicaSetController } from './replicaset';
import { Informer } from './informer';
import { LEASES, NODES, PODS, REPLICASETS, type KubeObject } from '../apiserver/objects';
import type { Context } from '../lease/go-context';
import type { ActingHandle } from '../lease/acting';
import { checkDurations } from './scheduler';

export interface ControllerManagerConfig {
  /** --leader-elect-* (defaults: true, 15s, 10s, 2s, leases, kube-system/kube-controller-manager). */
  readonly leaderElection?: Partial<LeaderElectionConfiguration>;
  /** controller-manager.conf's server: default this host's own apiserver (kubeadm). */
  readonly server?: KubeconfigServer;
  /** klog -v (default 0). */
  readonly verbosity?: number;
  /** Node lifecycle controller flags (--node-monitor-period 5s, --node-monitor-grace-period 50s, ...). */
  readonly nodeLifecycle?: Partial<NodeLifecycleConfig>;
}

export interface ResolvedControllerManagerConfig {
  readonly leaderElection: LeaderElectionConfiguration;
  readonly server: KubeconfigServer | null;
  readonly verbosity: number;
  readonly nodeLifecycle: NodeLifecycleConfig;
}

export const CONTROLLER_MANAGER = 'kube-controller-manager';

/** Defaults of the node lifecycle controller (Kubernetes 1.34). */
export const DEFAULT_NODE_LIFECYCLE: NodeLifecycleConfig = {
  nodeMonitorPeriodUs: 5_000_000,
  // 40 s until v1.31; 50 s since v1.32 (kubernetes/kubernetes#126287).
  nodeMonitorGracePeriodUs: 50_000_000,
  nodeStartupGracePeriodUs: 60_000_000,
  nodeEvictionRate: 0.1,
  secondaryNodeEvictionRate: 0.01,
  largeClusterSizeThreshold: 50,
  unhealthyZoneThreshold: 0.55,
  defaultTolerationSeconds: 300,
};

export function resolveControllerManagerConfig(config: ControllerManagerConfig = {}): ResolvedControllerManagerConfig {
  const leaderElection = { ...defaultLeaderElection(CONTROLLER_MANAGER), ...config.leaderElection };
  checkDurations(CONTROLLER_MANAGER, leaderElection);
  const nodeLifecycle = { ...DEFAULT_NODE_LIFECYCLE, ...config.nodeLifecycle };
  for (const [name, us] of [
    ['--node-monitor-period', nodeLifecycle.nodeMonitorPeriodUs],
    ['--node-monitor-grace-period', nodeLifecycle.nodeMonitorGracePeriodUs],
    ['--node-startup-grace-period', nodeLifecycle.nodeStartupGracePeriodUs],
  ] as const) {
    if (!(us > 0) || !Number.isInteger(us)) throw new ComponentConfigError(`${CONTROLLER_MANAGER} ${name}: expected a positive duration, got ${us}µs`);
  }
  return { leaderElection, server: config.server ?? null, verbosity: config.verbosity ?? 0, nodeLifecycle };
}

/** The kube-controller-manager static pod of a control-plane host. */
export function controllerManagerProcessSpec(config: ControllerManagerConfig = {}): ProcessSpec {
  const resolved = resolveControllerManagerConfig(config);
  return { name: CONTROLLER_MANAGER, create: (ctx) => startControllerManager(ctx, resolved) };
}

function startControllerManager(ctx: ProcessContext, config: ResolvedControllerManagerConfig): ProcessBehavior {
  ctx.log('info', `"Starting" version="${KUBERNETES_VERSION}"`);
  const transport = new RestTransport(ctx, { server: config.server ?? localApiserver(ctx) });
  const client = new RestClient(transport, { userAgent: `kube-controller-manager/${KUBERNETES_VERSION} (linux/amd64) kubernetes/${COMMIT}`, qps: 20, burst: 30 });
  const runCtx = backgroundContext(); // Run(context.Background(), ...): never cancelled
  const identity = leaderIdentity(ctx);
  const le = config.leaderElection;
  if (!le.leaderElect) {
    startControllers(ctx, client, config, runCtx, null);
    return { terminate: () => ctx.exit(143, 'SIGTERM') };
  }
  try {
    runLeaderElection({
      ctx,
      transport,
      component: CONTROLLER_MANAGER,
      config: le,
      identity,
      releaseOnCancel: false,
      name: le.resourceName,
      verbosity: config.verbosity,
      runCtx,
      onStartedLeading: (leadingCtx, acting) => startControllers(ctx, client, config, leadingCtx, acting),
      onStoppedLeading: () => {
        ctx.log('error', '"leaderelection lost"');
        ctx.exit(1, 'leaderelection lost');
      },
    });
  } catch (e) {
    if (!(e instanceof LeaderElectionConfigError)) throw e;
    ctx.log('error', `panic: ${e.message}`);
    ctx.exit(2, `panic: ${e.message}`);
  }
  // Go's default disposition of SIGTERM: the process dies at once (128 + 15).
  return { terminate: () => ctx.exit(143, 'SIGTERM') };
}

/**
 * OnStartedLeading's run(): the shared informers (pods, nodes, ReplicaSets, node Leases) and the controllers on
 * them; the informers start once the controllers have registered their handlers.
 */
function startControllers(ctx: ProcessContext, client: RestClient, config: ResolvedControllerManagerConfig, leadingCtx: Context, acting: ActingHandle | null): void {
  const pods = new Informer(ctx, client, PODS, null);
  const nodes = new Informer(ctx, client, NODES, null);
  const sets = new Informer(ctx, client, REPLICASETS, null);
  const leases = new Informer(ctx, client, LEASES, 'kube-node-lease');
  new ReplicaSetController(ctx, client, sets, pods, config.verbosity).start(leadingCtx, acting);
  new NodeLifecycleController(ctx, client, config.nodeLifecycle, config.verbosity, nodes, leases, pods).start(leadingCtx, acting);
  for (const informer of [pods, nodes, sets, leases] as Array<Informer<KubeObject>>) informer.run(leadingCtx);
}
