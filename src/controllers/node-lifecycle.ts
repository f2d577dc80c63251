// The node lifecycle controller (pkg/controller/nodelifecycle) and taint-based eviction, as the acting
// controller-manager runs them.
//
// Every --node-monitor-period (5 s): list Nodes and the node Leases (kube-node-lease). tryUpdateNodeHealth keeps,
// per node, a probe timestamp on THIS process's clock, refreshed when the Ready condition's lastHeartbeatTime
// changes or the node Lease's renewTime advances. A node not probed for --node-monitor-grace-period (50 s; 40 s
// before v1.32), or --node-startup-grace-period (60 s) if it never posted status, gets Ready, MemoryPressure,
// DiskPressure and PIDPressure set to Unknown, reason "NodeStatusUnknown", message "Kubelet stopped posting node
// status." (UpdateStatus), and the event "Node x status is now: NodeNotReady". A new leader starts with an empty
// health map: it first gives every node a full grace period from its own first observation.
// Taints: node.kubernetes.io/unreachable (Ready Unknown) or node.kubernetes.io/not-ready (Ready False) with effect
// NoSchedule at once; with effect NoExecute through the zone's rate limiter (--node-eviction-rate 0.1 node/s,
// burst 1; --secondary-node-eviction-rate 0.01 in a partially disrupted zone of more than
// --large-cluster-size-threshold nodes, else 0; none at all while every node is NotReady: "master disruption
// mode"); both removed once Ready is True again. Taint-based eviction then deletes the pods of a NoExecute-tainted
// node once their toleration expires (DefaultTolerationSeconds: 300 s for both taints).
//
// Nodes, node Leases and pods come from the controller-manager's shared informers (LIST + WATCH).
// Simplifications: one zone; taints are written with a PUT of the cached node (the real controller PATCHes and
// re-GETs on conflict; here a conflict is retried at the next pass); the taint eviction timer starts when this
// controller first sees the taint.
import { NODES, PODS, type Lease, type Node, type NodeCondition, type NodeConditionType, type Pod, type Taint } from '../apiserver/objects';
import { formatTime } from '../apiserver/objects';
import type { RestClient } from '../client/rest-client';
import type { ActingHandle } from '../lease/acting';
import type { Context } from '../lease/go-context';
import { jitterUntil } from '../lease/wait';
import type { ProcessContext } from '../sim/process';
import { deleteIn, outcomeOf, updateIn, updateStatusIn } from './api';
import type { Informer } from './informer';
import { recordEvent } from './events';

export interface NodeLifecycleConfig {
  /** --node-monitor-period. */
  readonly nodeMonitorPeriodUs: number;
  /** --node-monitor-grace-period. */
  readonly nodeMonitorGracePeriodUs: number;
  /** --node-startup-grace-period. */
  readonly nodeStartupGracePeriodUs: number;
  /** --node-eviction-rate (nodes per second). */
  readonly nodeEvictionRate: number;
  /** --secondary-node-eviction-rate. */
  readonly secondaryNodeEvictionRate: number;
  /** --large-cluster-size-threshold. */
  readonly largeClusterSizeThreshold: number;
  /** --unhealthy-zone-threshold. */
  readonly unhealthyZoneThreshold: number;
  /** DefaultTolerationSeconds admission: --default-not-ready-toleration-seconds / --default-unreachable-toleration-seconds. */
  readonly defaultTolerationSeconds: number;
}

export const UNREACHABLE_TAINT_KEY = 'node.kubernetes.io/unreachable';
export const NOT_READY_TAINT_KEY = 'node.kubernetes.io/not-ready';
const CONDITIONS: readonly NodeConditionType[] = ['Ready', 'MemoryPressure', 'DiskPressure', 'PIDPressure'];
/** How often the NoExecute tainting queue is processed (nodeEvictionPeriod). */
const EVICTION_PASS_US = 100_000;

interface NodeHealth {
  /** The Ready condition's lastHeartbeatTime / lastTransitionTime last seen. */
  heartbeat: string | undefined;
  transition: string | undefined;
  hadReady: boolean;
  probeMonoUs: number;
  leaseRenewTime: string | null;
}

type ZoneState = 'Initial' | 'Normal' | 'PartialDisruption' | 'FullDisruption';

export class NodeLifecycleController {
  private readonly health = new Map<string, NodeHealth>();
  /** Nodes waiting for a NoExecute taint, with the taint key (the zone's rate-limited queue). */
  private readonly noExecuteQueue = new Map<string, string>();
  private tokens = 1;
  private tokensAtMonoUs = 0;
  private rate = 0.1;
  private zoneState: ZoneState = 'Initial';
  /** When this controller first saw a NoExecute taint on a node (taint eviction timers). */
  private readonly taintSeenMonoUs = new Map<string, number>();
  private lastNodes: Node[] = [];
  private startedMonoUs = 0;
  private leadingCtx: Context | null = null;
  private acting: ActingHandle | null = null;
  /** A tainting pass is scheduled or running. */
  private tainterBusy = false;

  constructor(
    private readonly ctx: ProcessContext,
    private readonly client: RestClient,
    private readonly config: NodeLifecycleConfig,
    private readonly verbosity: number,
    private readonly nodes: Informer<Node>,
    private readonly leases: Informer<Lease>,
    private readonly pods: Informer<Pod>,
  ) {
    this.rate = config.nodeEvictionRate;
  }

  start(leadingCtx: Context, acting: ActingHandle | null): void {
    this.tokensAtMonoUs = this.ctx.monoUs();
    jitterUntil(this.ctx, leadingCtx, (next) => this.monitorNodeHealth(leadingCtx, acting, next), this.config.nodeMonitorPeriodUs, 0, () => {});
    this.startedMonoUs = this.ctx.monoUs();
    this.leadingCtx = leadingCtx;
    this.acting = acting;
  }

  private monitorNodeHealth(ctx: Context, acting: ActingHandle | null, next: () => void): void {
    if (!this.nodes.synced || !this.leases.synced || !this.pods.synced) {
      next();
      return;
    }
    this.lastNodes = [...this.nodes.list()];
    let outstanding = 1;
    const finished = (): void => {
      if (--outstanding === 0) this.afterHealth(ctx, acting, next);
    };
    for (const node of this.lastNodes) {
      outstanding++;
      this.tryUpdateNodeHealth(ctx, acting, node, this.leases.get(`kube-node-lease/${node.metadata.name}`), finished);
    }
    finished();
  }

  private tryUpdateNodeHealth(ctx: Context, acting: ActingHandle | null, node: Node, lease: Lease | undefined, done: () => void): void {
    const name = node.metadata.name;
    const now = this.ctx.monoUs();
    const ready = condition(node, 'Ready');
    let health = this.health.get(name);
    const gracePeriodUs = ready === undefined ? this.config.nodeStartupGracePeriodUs : this.config.nodeMonitorGracePeriodUs;
    if (health === undefined) {
      if (this.verbosity >= 0) this.ctx.log('info', `"Missing timestamp for Node. Assuming now as a timestamp" node="${name}"`);
      health = { heartbeat: ready?.lastHeartbeatTime, transition: ready?.lastTransitionTime, hadReady: ready !== undefined, probeMonoUs: now, leaseRenewTime: null };
      this.health.set(name, health);
    } else if ((!health.hadReady && ready !== undefined) || (health.hadReady && ready === undefined) || (ready !== undefined && health.heartbeat !== ready.lastHeartbeatTime)) {
      health.heartbeat = ready?.lastHeartbeatTime;
      health.transition = ready?.lastTransitionTime;
      health.hadReady = ready !== undefined;
      health.probeMonoUs = now;
    }
    // Always update the probe time if the node lease is renewed.
    const renew = lease?.spec.renewTime ?? null;
    if (renew !== null && (health.leaseRenewTime === null || renew > health.leaseRenewTime)) {
      health.leaseRenewTime = renew;
      health.probeMonoUs = now;
    }
    if (!(now > health.probeMonoUs + gracePeriodUs)) {
      done();
      return;
    }
    const updated: Node = structuredClone(node);
    const nowTime = formatTime(this.ctx.wallUs());
    const conditions: NodeCondition[] = updated.status?.conditions ?? [];
    let changed = false;
    for (const type of CONDITIONS) {
      const c = conditions.find((x) => x.type === type);
      if (c === undefined) {
        conditions.push({ type, status: 'Unknown', reason: 'NodeStatusNeverUpdated', message: 'Kubelet never posted node status.', lastHeartbeatTime: node.metadata.creationTimestamp ?? nowTime, lastTransitionTime: nowTime });
        if (type === 'Ready') changed = true;
      } else if (c.status !== 'Unknown') {
        c.status = 'Unknown';
        c.reason = 'NodeStatusUnknown';
        c.message = 'Kubelet stopped posting node status.';
        c.lastTransitionTime = nowTime;
        if (type === 'Ready') changed = true;
      }
    }
    if (!changed) {
      done();
      return;
    }
    updated.status = { ...(updated.status ?? {}), conditions };
    updateStatusIn(ctx, this.client, NODES, updated, (result) => {
      acting?.action('mark-node-unknown', name, outcomeOf(result), 'Ready=Unknown: Kubelet stopped posting node status.');
      if (result.ok) {
        const r = condition(result.object, 'Ready');
        health.heartbeat = r?.lastHeartbeatTime;
        health.transition = r?.lastTransitionTime;
        if (ready?.status === 'True') recordEvent(this.ctx, 'node-controller', `Node/${name}`, 'Normal', 'NodeNotReady', `Node ${name} status is now: NodeNotReady`);
        // Continue with the written object (its taints are decided below).
        const index = this.lastNodes.findIndex((n) => n.metadata.name === name);
        if (index >= 0) this.lastNodes[index] = result.object;
      } else this.ctx.log('error', `"Error updating node" err="${result.error.message}" node="${name}"`);
      done();
    });
  }

  private afterHealth(ctx: Context, acting: ActingHandle | null, next: () => void): void {
    const nodes = this.lastNodes;
    this.handleDisruption(nodes);
    let outstanding = 1;
    const finished = (): void => {
      if (--outstanding === 0) this.taintEviction(ctx, acting, next);
    };
    for (const node of nodes) {
      const ready = condition(node, 'Ready')?.status ?? 'Unknown';
      // doNoScheduleTaintingPass
      const noSchedule = ready === 'False' ? NOT_READY_TAINT_KEY : ready === 'Unknown' ? UNREACHABLE_TAINT_KEY : null;
      // processTaintBaseEviction
      let taints = (node.spec.taints ?? []).filter((t) => !(t.effect === 'NoSchedule' && (t.key === NOT_READY_TAINT_KEY || t.key === UNREACHABLE_TAINT_KEY) && t.key !== noSchedule));
      if (noSchedule !== null && !taints.some((t) => t.key === noSchedule && t.effect === 'NoSchedule')) taints.push({ key: noSchedule, effect: 'NoSchedule' });
      const noExecute = noSchedule;
      if (noExecute === null) {
        this.noExecuteQueue.delete(node.metadata.name);
        taints = taints.filter((t) => !(t.effect === 'NoExecute' && (t.key === NOT_READY_TAINT_KEY || t.key === UNREACHABLE_TAINT_KEY)));
      } else {
        const other = noExecute === NOT_READY_TAINT_KEY ? UNREACHABLE_TAINT_KEY : NOT_READY_TAINT_KEY;
        const hasOther = taints.some((t) => t.key === other && t.effect === 'NoExecute');
        if (hasOther) {
          // Swap at once when the node already carries the other NoExecute taint.
          taints = taints.filter((t) => !(t.key === other && t.effect === 'NoExecute'));
          taints.push({ key: noExecute, effect: 'NoExecute', timeAdded: formatTime(this.ctx.wallUs()) });
        } else if (!taints.some((t) => t.key === noExecute && t.effect === 'NoExecute') && this.zoneState !== 'FullDisruption') {
          this.noExecuteQueue.set(node.metadata.name, noExecute);
          this.kickTainter();
        }
      }
      if (sameTaints(node.spec.taints ?? [], taints)) continue;
      outstanding++;
      this.writeTaints(ctx, acting, node, taints, finished);
    }
    finished();
  }

  /** computeZoneState over the one zone, and the limiter it implies. */
  private handleDisruption(nodes: Node[]): void {
    let notReady = 0;
    for (const node of nodes) if (condition(node, 'Ready')?.status !== 'True') notReady++;
    const ready = nodes.length - notReady;
    let state: ZoneState = 'Normal';
    if (ready === 0 && notReady > 0) state = 'FullDisruption';
    else if (notReady > 2 && notReady / nodes.length >= this.config.unhealthyZoneThreshold) state = 'PartialDisruption';
    if (state === this.zoneState) return;
    if (state === 'FullDisruption') {
      this.ctx.log('info', '"Controller detected that all Nodes are not-Ready. Entering master disruption mode"');
      this.rate = 0;
      this.noExecuteQueue.clear();
    } else if (this.zoneState === 'FullDisruption') {
      this.ctx.log('info', '"Controller detected that some Nodes are Ready. Exiting master disruption mode"');
      const now = this.ctx.monoUs();
      for (const h of this.health.values()) h.probeMonoUs = now;
    }
    if (state === 'PartialDisruption') this.rate = nodes.length > this.config.largeClusterSizeThreshold ? this.config.secondaryNodeEvictionRate : 0;
    else if (state === 'Normal') this.rate = this.config.nodeEvictionRate;
    if (this.zoneState !== 'Initial') this.ctx.log('info', `"Controller detected that zone is now in new state" zone="" newState="${state}"`);
    this.zoneState = state;
  }

  /**
   * The zone's NoExecute tainter (doNoExecuteTaintingPass, every 100 ms): one node per token (rate tokens/s,
   * burst 1). Passes are only scheduled while nodes wait in the queue: on the 100 ms grid, at the first tick at
   * which a token is available.
   */
  private kickTainter(): void {
    const ctx = this.leadingCtx;
    if (this.tainterBusy || ctx === null || ctx.done || this.noExecuteQueue.size === 0 || this.rate <= 0) return;
    const now = this.ctx.monoUs();
    const tokens = Math.min(1, this.tokens + ((now - this.tokensAtMonoUs) / 1_000_000) * this.rate);
    const waitUs = tokens >= 1 ? 0 : Math.ceil(((1 - tokens) / this.rate) * 1_000_000);
    const sinceStart = now + waitUs - this.startedMonoUs;
    const tickUs = Math.ceil(sinceStart / EVICTION_PASS_US) * EVICTION_PASS_US + this.startedMonoUs;
    this.tainterBusy = true;
    this.ctx.setTimer(Math.max(0, tickUs - now), () =>
      this.doNoExecuteTaintingPass(ctx, this.acting, () => {
        this.tainterBusy = false;
        this.kickTainter();
      }),
    );
  }

  private doNoExecuteTaintingPass(ctx: Context, acting: ActingHandle | null, next: () => void): void {
    if (ctx.done || this.noExecuteQueue.size === 0 || this.rate <= 0) {
      next();
      return;
    }
    const now = this.ctx.monoUs();
    this.tokens = Math.min(1, this.tokens + ((now - this.tokensAtMonoUs) / 1_000_000) * this.rate);
    this.tokensAtMonoUs = now;
    if (this.tokens < 1 - 1e-9) {
      next();
      return;
    }
    const [name, key] = this.noExecuteQueue.entries().next().value as [string, string];
    this.noExecuteQueue.delete(name);
    const node = this.lastNodes.find((n) => n.metadata.name === name);
    if (node === undefined) {
      next();
      return;
    }
    this.tokens -= 1;
    const taints = [...(node.spec.taints ?? []).filter((t) => !(t.key === key && t.effect === 'NoExecute')), { key, effect: 'NoExecute' as const, timeAdded: formatTime(this.ctx.wallUs()) }];
    this.writeTaints(ctx, acting, node, taints, next);
  }

  private writeTaints(ctx: Context, acting: ActingHandle | null, node: Node, taints: Taint[], done: () => void): void {
    const updated: Node = structuredClone(node);
    updated.spec = { ...updated.spec, taints };
    updateIn(ctx, this.client, NODES, updated, (result) => {
      acting?.action('taint-node', node.metadata.name, outcomeOf(result), taints.map((t) => `${t.key}:${t.effect}`).join(',') || '(none)');
      if (result.ok) {
        const index = this.lastNodes.findIndex((n) => n.metadata.name === node.metadata.name);
        if (index >= 0) this.lastNodes[index] = result.object;
      }
      done();
    });
  }

  /** Taint-based eviction: delete pods on NoExecute-tainted nodes once their toleration (default 300 s) ran out. */
  private taintEviction(ctx: Context, acting: ActingHandle | null, next: () => void): void {
    const now = this.ctx.monoUs();
    const tainted = new Map<string, Taint[]>();
    for (const node of this.lastNodes) {
      const noExecute = (node.spec.taints ?? []).filter((t) => t.effect === 'NoExecute');
      const name = node.metadata.name;
      if (noExecute.length === 0) {
        this.taintSeenMonoUs.delete(name);
        continue;
      }
      if (!this.taintSeenMonoUs.has(name)) this.taintSeenMonoUs.set(name, now);
      tainted.set(name, noExecute);
    }
    if (tainted.size === 0) {
      next();
      return;
    }
    let outstanding = 1;
    const finished = (): void => {
      if (--outstanding === 0) next();
    };
    for (const pod of this.pods.list()) {
      const taints = tainted.get(pod.spec.nodeName ?? '');
      if (taints === undefined || pod.metadata.deletionTimestamp !== undefined) continue;
      const since = this.taintSeenMonoUs.get(pod.spec.nodeName!)!;
      if (now < since + this.tolerationUs(pod, taints)) continue;
      outstanding++;
      const ref = `${pod.metadata.namespace}/${pod.metadata.name}`;
      deleteIn(ctx, this.client, PODS, pod.metadata.namespace!, pod.metadata.name, (result) => {
        acting?.action('evict-pod', ref, outcomeOf(result), `taint ${taints.map((t) => t.key).join(',')} on ${pod.spec.nodeName}`);
        if (result.ok) recordEvent(this.ctx, 'taint-eviction-controller', `Pod/${ref}`, 'Normal', 'TaintManagerEviction', `Marking for deletion Pod ${ref}`);
        finished();
      });
    }
    finished();
  }

  /** The shortest toleration of the pod for these taints (0 if one is not tolerated; the admission default otherwise). */
  private tolerationUs(pod: Pod, taints: Taint[]): number {
    let min = Infinity;
    for (const taint of taints) {
      const t = (pod.spec.tolerations ?? []).find((x) => (x.key === undefined || x.key === taint.key) && (x.effect === undefined || x.effect === 'NoExecute'));
      const seconds = t === undefined ? (taint.key === UNREACHABLE_TAINT_KEY || taint.key === NOT_READY_TAINT_KEY ? this.config.defaultTolerationSeconds : 0) : (t.tolerationSeconds ?? Infinity);
      min = Math.min(min, seconds * 1_000_000);
    }
    return min;
  }
}

function condition(node: Node, type: NodeConditionType): NodeCondition | undefined {
  return node.status?.conditions?.find((c) => c.type === type);
}

function sameTaints(a: readonly Taint[], b: readonly Taint[]): boolean {
  if (a.length !== b.length) return false;
  const key = (t: Taint): string => `${t.key}|${t.value ?? ''}|${t.effect}`;
  const set = new Set(a.map(key));
  return b.every((t) => set.has(key(t)));
}
