// kube-scheduler (cmd/kube-scheduler/app/server.go): syncs its caches, then runs leader election on the Lease
// kube-system/kube-scheduler (ReleaseOnCancel: true) and, while leading, binds pending pods to ready nodes.
//
// Lifecycle as the real one:
// - start: "Starting Kubernetes Scheduler"; informer caches are synced (LIST nodes and pods, retried every second)
//   BEFORE leader election starts (DelayCacheUntilActive is false by default);
// - OnStartedLeading: the scheduling loop runs under the leading context;
// - OnStoppedLeading: if the signal context is done, "Requested to terminate, exiting" and exit 0; else
//   "Leaderelection lost" and exit 1 (the kubelet restarts the static pod);
// - SIGTERM cancels the signal context: the leading context ends, the lease is released (holder "",
//   leaseDurationSeconds 1) and the process exits 0. A standby exits 0 at once.
//
// Simplification (docs/faithfulness.md): informers are modelled as a LIST of nodes and pods (resourceVersion "0",
// the apiserver's cache) every `syncPeriodUs` while leading, instead of a watch; the scheduling queue is that
// list's pending pods in creation order; the scoring is "fewest pods, ties broken at random" (selectHost's
// reservoir sampling over equal scores), with the filters that matter here: node Ready, schedulable, taints.
import { NODES, PODS, type Node, type Pod, type Taint } from '../apiserver/objects';
import { RestClient, RestTransport } from '../client/rest-client';
import type { ActingHandle } from '../lease/acting';
import { LeaderElectionConfigError } from '../lease/elector';
import type { Context } from '../lease/go-context';
import { jitterUntil } from '../lease/wait';
import type { ProcessBehavior, ProcessContext, ProcessSpec } from '../sim/process';
import { bindIn, errorOutcome, isPendingUnscheduled, listIn, outcomeOf } from './api';
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

export interface SchedulerConfig {
  /** --leader-elect-* (defaults: true, 15s, 10s, 2s, leases, kube-system/kube-scheduler). */
  readonly leaderElection?: Partial<LeaderElectionConfiguration>;
  /** scheduler.conf's server: default this host's own apiserver, https://<host address>:6443 (kubeadm). */
  readonly server?: KubeconfigServer;
  /** klog -v (default 0). */
  readonly verbosity?: number;
  /** How often the leader lists nodes and pods (the informer model). Default 1 s. */
  readonly syncPeriodUs?: number;
}

export interface ResolvedSchedulerConfig {
  readonly leaderElection: LeaderElectionConfiguration;
  readonly server: KubeconfigServer | null;
  readonly verbosity: number;
  readonly syncPeriodUs: number;
}

export const SCHEDULER = 'kube-scheduler';

export function resolveSchedulerConfig(config: SchedulerConfig = {}): ResolvedSchedulerConfig {
  const leaderElection = { ...defaultLeaderElection(SCHEDULER), ...config.leaderElection };
  checkDurations(SCHEDULER, leaderElection);
  const syncPeriodUs = config.syncPeriodUs ?? 1_000_000;
  if (!(syncPeriodUs > 0) || !Number.isInteger(syncPeriodUs)) throw new ComponentConfigError(`${SCHEDULER}: syncPeriodUs must be a positive integer, got ${syncPeriodUs}`);
  return { leaderElection, server: config.server ?? null, verbosity: config.verbosity ?? 0, syncPeriodUs };
}

/** Integer, non-negative durations (client-go's own checks run when the elector is created, with its messages). */
export function checkDurations(component: string, le: LeaderElectionConfiguration): void {
  for (const [flag, us] of [
    ['--leader-elect-lease-duration', le.leaseDurationUs],
    ['--leader-elect-renew-deadline', le.renewDeadlineUs],
    ['--leader-elect-retry-period', le.retryPeriodUs],
  ] as const) {
    if (!Number.isInteger(us)) throw new ComponentConfigError(`${component} ${flag}: expected a whole number of microseconds, got ${us}`);
  }
}

/** The kube-scheduler static pod of a control-plane host. */
export function schedulerProcessSpec(config: SchedulerConfig = {}): ProcessSpec {
  const resolved = resolveSchedulerConfig(config);
  return { name: SCHEDULER, create: (ctx) => startScheduler(ctx, resolved) };
}

function startScheduler(ctx: ProcessContext, config: ResolvedSchedulerConfig): ProcessBehavior {
  const v = config.verbosity;
  ctx.log('info', `"Starting Kubernetes Scheduler" version="${KUBERNETES_VERSION}"`);
  const transport = new RestTransport(ctx, { server: config.server ?? localApiserver(ctx) });
  const client = new RestClient(transport, { userAgent: `kube-scheduler/${KUBERNETES_VERSION} (linux/amd64) kubernetes/${COMMIT}/scheduler`, qps: 50, burst: 100 });
  // The signal context (SetupSignalContext): cancelled by SIGTERM.
  const runCtx = backgroundContext();
  const identity = leaderIdentity(ctx);
  const le = config.leaderElection;

  const exitOnStop = (): void => {
    if (runCtx.done) {
      ctx.log('info', '"Requested to terminate, exiting"');
      ctx.exit(0, 'Requested to terminate, exiting');
    } else {
      ctx.log('error', '"Leaderelection lost"');
      ctx.exit(1, 'Leaderelection lost');
    }
  };

  const afterSync = (): void => {
    if (runCtx.done) {
      exitOnStop();
      return;
    }
    if (!le.leaderElect) {
      new SchedulingLoop(ctx, client, runCtx, null, config.syncPeriodUs, v).start();
      return;
    }
    try {
      runLeaderElection({
        ctx,
        transport,
        component: SCHEDULER,
        config: le,
        identity,
        releaseOnCancel: true,
        name: SCHEDULER,
        verbosity: v,
        runCtx,
        onStartedLeading: (leadingCtx, acting) => new SchedulingLoop(ctx, client, leadingCtx, acting, config.syncPeriodUs, v).start(),
        onStoppedLeading: exitOnStop,
      });
    } catch (e) {
      if (!(e instanceof LeaderElectionConfigError)) throw e;
      ctx.log('error', `couldn't create leader elector: ${e.message}`);
      ctx.exit(1, `couldn't create leader elector: ${e.message}`);
    }
  };
  waitForCacheSync(ctx, client, runCtx, afterSync);

  return {
    terminate(): void {
      runCtx.cancel();
    },
  };
}

/** Informers' initial LIST (resourceVersion "0"), retried every second until nodes and pods are listed. */
export function waitForCacheSync(ctx: ProcessContext, client: RestClient, runCtx: Context, done: () => void): void {
  const attempt = (): void => {
    if (runCtx.done) {
      done();
      return;
    }
    listIn(runCtx, client, NODES, null, { resourceVersion: '0' }, (nodes) => {
      if (!nodes.ok) {
        retry(nodes.error.message, 'Node');
        return;
      }
      listIn(runCtx, client, PODS, null, { resourceVersion: '0' }, (pods) => {
        if (!pods.ok) {
          retry(pods.error.message, 'Pod');
          return;
        }
        done();
      });
    });
  };
  const retry = (message: string, kind: string): void => {
    if (runCtx.done) {
      done();
      return;
    }
    ctx.log('error', `"Failed to watch" err="failed to list *v1.${kind}: ${message}"`);
    ctx.setTimer(1_000_000, attempt);
  };
  attempt();
}

/** Whether the pod tolerates a taint (Exists / Equal on key, effect match or empty). */
export function tolerates(pod: Pod, taint: Taint): boolean {
  for (const t of pod.spec.tolerations ?? []) {
    if (t.effect !== undefined && t.effect !== taint.effect) continue;
    if (t.key === undefined || t.key === '') {
      if (t.operator === 'Exists') return true;
      continue;
    }
    if (t.key !== taint.key) continue;
    if (t.operator === 'Exists' || (t.value ?? '') === (taint.value ?? '')) return true;
  }
  return false;
}

export function nodeIsReady(node: Node): boolean {
  return node.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

/** Filters: Ready, schedulable, and every NoSchedule/NoExecute taint tolerated. */
export function feasible(pod: Pod, node: Node): boolean {
  if (!nodeIsReady(node) || node.spec.unschedulable === true) return false;
  for (const taint of node.spec.taints ?? []) {
    if ((taint.effect === 'NoSchedule' || taint.effect === 'NoExecute') && !tolerates(pod, taint)) return false;
  }
  for (const [k, val] of Object.entries(pod.spec.nodeSelector ?? {})) if (node.metadata.labels?.[k] !== val) return false;
  return true;
}

/** The leader's work: bind each pending pod to a feasible node. */
class SchedulingLoop {
  /** Pods this process bound (or is binding) that the last list did not show bound yet: the scheduler cache's "assumed" pods. */
  private readonly assumed = new Map<string, string>();

  constructor(
    private readonly ctx: ProcessContext,
    private readonly client: RestClient,
    private readonly leadingCtx: Context,
    private readonly acting: ActingHandle | null,
    private readonly periodUs: number,
    private readonly verbosity: number,
  ) {}

  start(): void {
    jitterUntil(this.ctx, this.leadingCtx, (next) => this.cycle(next), this.periodUs, 0, () => {});
  }

  private cycle(next: () => void): void {
    const ctx = this.leadingCtx;
    listIn(ctx, this.client, NODES, null, { resourceVersion: '0' }, (nodes) => {
      if (!nodes.ok) {
        next();
        return;
      }
      listIn(ctx, this.client, PODS, null, { resourceVersion: '0' }, (pods) => {
        if (!pods.ok) {
          next();
          return;
        }
        this.schedule(nodes.object.items, pods.object.items, next);
      });
    });
  }

  private schedule(nodes: Node[], pods: Pod[], next: () => void): void {
    const podsPerNode = new Map<string, number>();
    const pending: Pod[] = [];
    const seen = new Set<string>();
    for (const pod of pods) {
      const key = `${pod.metadata.namespace}/${pod.metadata.name}`;
      seen.add(key);
      const node = pod.spec.nodeName ?? '';
      if (node !== '') {
        this.assumed.delete(key);
        podsPerNode.set(node, (podsPerNode.get(node) ?? 0) + 1);
      } else if (isPendingUnscheduled(pod) && !this.assumed.has(key)) pending.push(pod);
    }
    for (const [key, node] of this.assumed) {
      if (!seen.has(key)) this.assumed.delete(key);
      else podsPerNode.set(node, (podsPerNode.get(node) ?? 0) + 1);
    }
    if (pending.length === 0) {
      next();
      return;
    }
    // The active queue: by priority, then creation (the list is in key order; creation order by resourceVersion).
    pending.sort((a, b) => (b.spec.priority ?? 0) - (a.spec.priority ?? 0) || Number(a.metadata.resourceVersion ?? 0) - Number(b.metadata.resourceVersion ?? 0));
    let outstanding = pending.length;
    const finished = (): void => {
      if (--outstanding === 0) next();
    };
    for (const pod of pending) {
      const node = this.selectHost(pod, nodes, podsPerNode);
      const ref = `${pod.metadata.namespace}/${pod.metadata.name}`;
      if (node === null) {
        if (this.verbosity >= 2) this.ctx.log('debug', `"Unable to schedule pod; no fit; waiting" pod="${ref}" err="0/${nodes.length} nodes are available"`);
        finished();
        continue;
      }
      this.assumed.set(ref, node);
      podsPerNode.set(node, (podsPerNode.get(node) ?? 0) + 1);
      bindIn(this.leadingCtx, this.client, pod.metadata.namespace!, pod.metadata.name, node, (result) => {
        this.acting?.action('bind', ref, outcomeOf(result), node);
        if (result.ok) {
          if (this.verbosity >= 2) this.ctx.log('debug', `"Successfully bound pod to node" pod="${ref}" node="${node}" evaluatedNodes=${nodes.length}`);
        } else {
          this.assumed.delete(ref);
          this.ctx.log('error', `"Error scheduling pod; retrying" err="${errorOutcome(result.error)}" pod="${ref}"`);
        }
        finished();
      });
    }
  }

  /** Fewest pods wins; equal scores are sampled uniformly (selectHost's reservoir sampling). */
  private selectHost(pod: Pod, nodes: Node[], podsPerNode: Map<string, number>): string | null {
    let best: string | null = null;
    let bestCount = Infinity;
    let ties = 0;
    for (const node of nodes) {
      if (!feasible(pod, node)) continue;
      const count = podsPerNode.get(node.metadata.name) ?? 0;
      if (count < bestCount) {
        best = node.metadata.name;
        bestCount = count;
        ties = 1;
      } else if (count === bestCount) {
        ties++;
        if (this.ctx.rng.int(ties) === 0) best = node.metadata.name;
      }
    }
    return best;
  }
}
