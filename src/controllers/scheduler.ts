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
// Informers (LIST + WATCH of nodes and pods) run from the start; pending pods enter the scheduling queue from
// their watch events, and the leader schedules them one by one, binding asynchronously (the scheduler cache
// "assumes" a pod bound until its watch event confirms it).
// Simplification (docs/faithfulness.md): the queue is FIFO by priority; a pod that fits no node waits for a node
// event or the 30 s flush of unschedulable pods, a failed binding is retried after 1 s; the scoring is "fewest
// pods, ties broken at random" (selectHost's reservoir sampling over equal scores), with the filters that matter
// here: node Ready, schedulable, taints, nodeSelector.
import { NODES, PODS, type Node, type Pod, type Taint } from '../apiserver/objects';
import { RestClient, RestTransport } from '../client/rest-client';
import type { ActingHandle } from '../lease/acting';
import { LeaderElectionConfigError } from '../lease/elector';
import type { Context } from '../lease/go-context';
import { jitterUntil } from '../lease/wait';
import type { ProcessBehavior, ProcessContext, ProcessSpec } from '../sim/process';
import { bindIn, errorOutcome, isPendingUnscheduled, outcomeOf } from './api';
import { Informer, keyOf } from './informer';
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
}

export interface ResolvedSchedulerConfig {
  readonly leaderElection: LeaderElectionConfiguration;
  readonly server: KubeconfigServer | null;
  readonly verbosity: number;
}

export const SCHEDULER = 'kube-scheduler';

export function resolveSchedulerConfig(config: SchedulerConfig = {}): ResolvedSchedulerConfig {
  const leaderElection = { ...defaultLeaderElection(SCHEDULER), ...config.leaderElection };
  checkDurations(SCHEDULER, leaderElection);
  const verbosity = config.verbosity ?? 0;
  if (!Number.isInteger(verbosity) || verbosity < 0) throw new ComponentConfigError(`${SCHEDULER} -v: expected a whole number >= 0, got ${verbosity}`);
  return { leaderElection, server: config.server ?? null, verbosity };
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

  const scheduler = new Scheduler(ctx, client, v);
  scheduler.run(runCtx);
  const afterSync = (): void => {
    if (runCtx.done) {
      exitOnStop();
      return;
    }
    if (!le.leaderElect) {
      scheduler.start(runCtx, null);
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
        onStartedLeading: (leadingCtx, acting) => scheduler.start(leadingCtx, acting),
        onStoppedLeading: exitOnStop,
      });
    } catch (e) {
      if (!(e instanceof LeaderElectionConfigError)) throw e;
      ctx.log('error', `couldn't create leader elector: ${e.message}`);
      ctx.exit(1, `couldn't create leader elector: ${e.message}`);
    }
  };
  // startInformersAndWaitForSync: leader election starts once both caches synced (or the process is told to stop).
  scheduler.whenSynced(runCtx, afterSync);

  return {
    terminate(): void {
      runCtx.cancel();
    },
  };
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

/** Unschedulable pods are moved back to the active queue this often (flushUnschedulablePodsLeftover). */
const UNSCHEDULABLE_FLUSH_US = 30_000_000;
/** A failed binding is retried after this back-off (podInitialBackoffSeconds 1). */
const BIND_RETRY_US = 1_000_000;

/** The scheduler: informer caches, the scheduling queue, and scheduleOne while leading. */
class Scheduler {
  private readonly nodes: Informer<Node>;
  private readonly pods: Informer<Pod>;
  /** The active queue: pod keys waiting to be scheduled. */
  private readonly active = new Set<string>();
  /** Pods that fit no node: retried on node events and on the periodic flush. */
  private readonly unschedulable = new Set<string>();
  /** The cache's assumed pods: bound (or binding) by this process, not yet seen bound by the watch. */
  private readonly assumed = new Map<string, string>();
  private leadingCtx: Context | null = null;
  private acting: ActingHandle | null = null;
  private drainScheduled = false;

  constructor(
    private readonly ctx: ProcessContext,
    private readonly client: RestClient,
    private readonly verbosity: number,
  ) {
    this.nodes = new Informer(ctx, client, NODES, null);
    this.pods = new Informer(ctx, client, PODS, null);
    this.pods.addEventHandler({
      onAdd: (pod) => this.podChanged(pod),
      onUpdate: (_old, pod) => this.podChanged(pod),
      onDelete: (pod) => {
        const key = keyOf(pod);
        this.active.delete(key);
        this.unschedulable.delete(key);
        this.assumed.delete(key);
      },
    });
    this.nodes.addEventHandler({ onAdd: () => this.moveAllToActive(), onUpdate: () => this.moveAllToActive() });
  }

  /** Starts the informers (they run for the whole process). */
  run(runCtx: Context): void {
    this.nodes.run(runCtx);
    this.pods.run(runCtx);
  }

  whenSynced(runCtx: Context, done: () => void): void {
    let once = false;
    const fire = (): void => {
      if (once) return;
      once = true;
      done();
    };
    runCtx.onDone(fire);
    this.nodes.whenSynced(() => this.pods.whenSynced(fire));
  }

  /** sched.Run(ctx): schedule until ctx is done. */
  start(leadingCtx: Context, acting: ActingHandle | null): void {
    this.leadingCtx = leadingCtx;
    this.acting = acting;
    leadingCtx.onDone(() => {
      if (this.leadingCtx === leadingCtx) this.leadingCtx = null;
    });
    jitterUntil(this.ctx, leadingCtx, (next) => {
      this.moveAllToActive();
      next();
    }, UNSCHEDULABLE_FLUSH_US, 0, () => {});
    this.scheduleDrain();
  }

  private podChanged(pod: Pod): void {
    const key = keyOf(pod);
    if ((pod.spec.nodeName ?? '') !== '') {
      this.assumed.delete(key);
      this.active.delete(key);
      this.unschedulable.delete(key);
      return;
    }
    if (!isPendingUnscheduled(pod) || this.assumed.has(key)) return;
    if (!this.unschedulable.has(key)) this.active.add(key);
    this.scheduleDrain();
  }

  private moveAllToActive(): void {
    for (const key of this.unschedulable) this.active.add(key);
    this.unschedulable.clear();
    this.scheduleDrain();
  }

  private scheduleDrain(): void {
    if (this.drainScheduled || this.leadingCtx === null || this.active.size === 0) return;
    this.drainScheduled = true;
    this.ctx.setTimer(0, () => {
      this.drainScheduled = false;
      this.drain();
    });
  }

  /** scheduleOne for every pod in the active queue (bindings go out asynchronously). */
  private drain(): void {
    const ctx = this.leadingCtx;
    if (ctx === null || ctx.done) return;
    const queue = [...this.active].map((k) => this.pods.get(k)).filter((p): p is Pod => p !== undefined && isPendingUnscheduled(p));
    this.active.clear();
    queue.sort((a, b) => (b.spec.priority ?? 0) - (a.spec.priority ?? 0) || Number(a.metadata.resourceVersion ?? 0) - Number(b.metadata.resourceVersion ?? 0));
    const podsPerNode = this.podsPerNode();
    const nodes = [...this.nodes.list()];
    for (const pod of queue) this.scheduleOne(ctx, pod, nodes, podsPerNode);
  }

  private podsPerNode(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const pod of this.pods.list()) {
      const node = pod.spec.nodeName ?? '';
      if (node !== '') counts.set(node, (counts.get(node) ?? 0) + 1);
    }
    for (const node of this.assumed.values()) counts.set(node, (counts.get(node) ?? 0) + 1);
    return counts;
  }

  private scheduleOne(ctx: Context, pod: Pod, nodes: Node[], podsPerNode: Map<string, number>): void {
    const ref = keyOf(pod);
    const node = this.selectHost(pod, nodes, podsPerNode);
    if (node === null) {
      if (this.verbosity >= 2) this.ctx.log('debug', `"Unable to schedule pod; no fit; waiting" pod="${ref}" err="0/${nodes.length} nodes are available"`);
      this.unschedulable.add(ref);
      return;
    }
    this.assumed.set(ref, node);
    podsPerNode.set(node, (podsPerNode.get(node) ?? 0) + 1);
    const acting = this.acting;
    bindIn(ctx, this.client, pod.metadata.namespace!, pod.metadata.name, node, (result) => {
      acting?.action('bind', ref, outcomeOf(result), node);
      if (result.ok) {
        if (this.verbosity >= 2) this.ctx.log('debug', `"Successfully bound pod to node" pod="${ref}" node="${node}" evaluatedNodes=${nodes.length}`);
        return;
      }
      this.assumed.delete(ref);
      this.ctx.log('error', `"Error scheduling pod; retrying" err="${errorOutcome(result.error)}" pod="${ref}"`);
      this.ctx.setTimer(BIND_RETRY_US, () => {
        const current = this.pods.get(ref);
        if (current !== undefined) this.podChanged(current);
      });
    });
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
