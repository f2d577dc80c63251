// The kubelet's Node object: registration (registerWithAPIServer: create, or reuse an existing Node; exponential
// back-off 100 ms doubling to 7 s) and status (syncNodeStatus every nodeStatusUpdateFrequency, 10 s, jitter 0.04):
// GET the node (first try from the apiserver cache), compute the status, and write it only if it changed or
// nodeStatusReportFrequency (5 min) passed since the last report — the Lease is the heartbeat in between.
// Ready=True "KubeletReady" / "kubelet is posting ready status" and the pressure conditions False.
import { NODES, formatTime, type Node, type NodeCondition, type NodeStatus } from '../apiserver/objects';
import type { RestClient } from '../client/rest-client';
import { isAlreadyExists } from '../client/errors';
import type { Context } from '../lease/go-context';
import { jitterUntil } from '../lease/wait';
import type { ProcessContext } from '../sim/process';
import { createIn, getIn, updateStatusIn } from '../controllers/api';
import { KUBERNETES_VERSION } from '../controllers/leader-election';

const NODE_STATUS_UPDATE_RETRY = 5;
const MAX_REGISTER_BACKOFF_US = 7_000_000;

export interface NodeStatusOptions {
  readonly nodeName: string;
  readonly nodeStatusUpdateFrequencyUs: number;
  readonly nodeStatusReportFrequencyUs: number;
  /** Labels and taints the node registers with (a control-plane node's taint, ...). */
  readonly labels: Readonly<Record<string, string>>;
  readonly taints: NonNullable<Node['spec']['taints']>;
}

interface ConditionSpec {
  readonly type: NodeCondition['type'];
  readonly status: NodeCondition['status'];
  readonly reason: string;
  readonly message: string;
}

const HEALTHY: readonly ConditionSpec[] = [
  { type: 'MemoryPressure', status: 'False', reason: 'KubeletHasSufficientMemory', message: 'kubelet has sufficient memory available' },
  { type: 'DiskPressure', status: 'False', reason: 'KubeletHasNoDiskPressure', message: 'kubelet has no disk pressure' },
  { type: 'PIDPressure', status: 'False', reason: 'KubeletHasSufficientPID', message: 'kubelet has sufficient PID available' },
  { type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status' },
];

export class NodeStatusManager {
  /** The registered Node's UID (null until registered). */
  uid: string | null = null;
  private lastReportMonoUs = -Infinity;

  constructor(
    private readonly ctx: ProcessContext,
    private readonly client: RestClient,
    private readonly options: NodeStatusOptions,
  ) {}

  /** Registers the node, then syncs its status periodically. */
  run(runCtx: Context): void {
    this.register(runCtx, () => {
      jitterUntil(this.ctx, runCtx, (next) => this.syncNodeStatus(runCtx, next), this.options.nodeStatusUpdateFrequencyUs, 0.04, () => {});
    });
  }

  private register(ctx: Context, done: () => void): void {
    let stepUs = 100_000;
    const attempt = (): void => {
      this.ctx.log('info', `"Attempting to register node" node="${this.options.nodeName}"`);
      createIn(ctx, this.client, NODES, null, this.initialNode(), (created) => {
        if (created.ok) {
          this.uid = created.object.metadata.uid ?? '';
          this.lastReportMonoUs = this.ctx.monoUs();
          this.ctx.log('info', `"Successfully registered node" node="${this.options.nodeName}"`);
          done();
          return;
        }
        if (isAlreadyExists(created.error)) {
          getIn(ctx, this.client, NODES, null, this.options.nodeName, (existing) => {
            if (existing.ok) {
              this.uid = existing.object.metadata.uid ?? '';
              this.ctx.log('info', `"Node was previously registered" node="${this.options.nodeName}"`);
              done();
              return;
            }
            retry(existing.error.message);
          });
          return;
        }
        retry(created.error.message);
      });
    };
    const retry = (message: string): void => {
      if (ctx.done) return;
      this.ctx.log('error', `"Unable to register node with API server" err="${message}" node="${this.options.nodeName}"`);
      this.ctx.setTimer(stepUs, attempt);
      stepUs = Math.min(stepUs * 2, MAX_REGISTER_BACKOFF_US);
    };
    attempt();
  }

  private initialNode(): Node {
    const address = this.ctx.host.address;
    return {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: {
        name: this.options.nodeName,
        labels: { 'kubernetes.io/hostname': this.options.nodeName, 'kubernetes.io/os': 'linux', 'kubernetes.io/arch': 'amd64', ...this.options.labels },
      },
      spec: this.options.taints.length > 0 ? { taints: this.options.taints.map((t) => ({ ...t })) } : {},
      status: this.status(null),
    };
  }

  private status(previous: NodeStatus | null | undefined): NodeStatus {
    const now = formatTime(this.ctx.wallUs());
    const conditions: NodeCondition[] = HEALTHY.map((spec) => {
      const old = previous?.conditions?.find((c) => c.type === spec.type);
      const transition = old !== undefined && old.status === spec.status && old.lastTransitionTime !== undefined ? old.lastTransitionTime : now;
      return { type: spec.type, status: spec.status, lastHeartbeatTime: now, lastTransitionTime: transition, reason: spec.reason, message: spec.message };
    });
    return {
      conditions,
      addresses: [
        { type: 'InternalIP', address: this.ctx.host.address },
        { type: 'Hostname', address: this.options.nodeName },
      ],
      capacity: { cpu: '4', memory: '8Gi', pods: '110' },
      allocatable: { cpu: '4', memory: '8Gi', pods: '110' },
      nodeInfo: { kubeletVersion: KUBERNETES_VERSION, containerRuntimeVersion: 'containerd://1.7.27', osImage: 'Ubuntu 24.04 LTS', architecture: 'amd64', operatingSystem: 'linux' },
    };
  }

  private syncNodeStatus(ctx: Context, done: () => void): void {
    let tries = 0;
    const attempt = (): void => {
      getIn(ctx, this.client, NODES, null, this.options.nodeName, (got) => {
        if (!got.ok) {
          fail(`error getting node "${this.options.nodeName}": ${got.error.message}`);
          return;
        }
        const node = got.object;
        const changed = !conditionsMatch(node.status);
        if (!changed && this.ctx.monoUs() - this.lastReportMonoUs < this.options.nodeStatusReportFrequencyUs) {
          done();
          return;
        }
        const updated: Node = { ...node, status: this.status(node.status) };
        updateStatusIn(ctx, this.client, NODES, updated, (result) => {
          if (result.ok) {
            this.lastReportMonoUs = this.ctx.monoUs();
            done();
            return;
          }
          fail(result.error.message);
        });
      });
    };
    const fail = (message: string): void => {
      this.ctx.log('error', `"Error updating node status, will retry" err="${message}"`);
      if (++tries >= NODE_STATUS_UPDATE_RETRY || ctx.done) {
        this.ctx.log('error', `"Unable to update node status" err="update node status exceeds retry count"`);
        done();
        return;
      }
      attempt();
    };
    attempt();
  }
}

/** The posted conditions are what the kubelet would post (no change to report). */
function conditionsMatch(status: NodeStatus | undefined): boolean {
  for (const spec of HEALTHY) {
    const c = status?.conditions?.find((x) => x.type === spec.type);
    if (c === undefined || c.status !== spec.status || c.reason !== spec.reason) return false;
  }
  return true;
}
