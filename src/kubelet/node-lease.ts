// The kubelet's node heartbeat Lease (component-helpers/apimachinery/lease controller.go): Lease
// kube-node-lease/<node>, holderIdentity <node>, leaseDurationSeconds 40, renewed every quarter of it (10 s) with
// wait.JitterUntil(sync, 10 s, 0.04, sliding). sync: optimistic Update of the last lease it wrote (no GET); on
// failure "failed to update lease using latest lease, fallback to ensure lease", then ensureLease (GET, Create
// if missing) with back-off 200 ms doubling to 7 s, then retryUpdateLease: up to 5 Updates, re-GETting after a
// 409; from the second failure on, onRepeatedHeartbeatFailure closes the client's connections (so the next
// attempt dials again, possibly reaching another apiserver through the load balancer).
import { LEASES, type Lease } from '../apiserver/objects';
import { formatMicroTime } from '../apiserver/objects';
import type { ApiResult, RestClient } from '../client/rest-client';
import { isConflict, isNotFound } from '../client/errors';
import type { Context } from '../lease/go-context';
import { jitterUntil } from '../lease/wait';
import type { ProcessContext } from '../sim/process';
import { createIn, getIn, updateIn } from '../controllers/api';

export const NODE_LEASE_NAMESPACE = 'kube-node-lease';
const MAX_UPDATE_RETRIES = 5;
const MAX_BACKOFF_US = 7_000_000;

export interface NodeLeaseOptions {
  readonly nodeName: string;
  readonly leaseDurationSeconds: number;
  /** The Node's UID for the lease's ownerReference (setNodeOwnerFunc); null: not known yet. */
  readonly nodeUid: () => string | null;
  /** Called from the second failed update of a sync on (kubelet: close all connections). */
  readonly onRepeatedHeartbeatFailure: () => void;
}

export class NodeLeaseController {
  /** The lease this controller last created or updated. */
  latestLease: Lease | null = null;
  readonly renewIntervalUs: number;

  constructor(
    private readonly ctx: ProcessContext,
    private readonly client: RestClient,
    private readonly options: NodeLeaseOptions,
  ) {
    this.renewIntervalUs = Math.trunc((options.leaseDurationSeconds * 1_000_000) / 4);
  }

  run(runCtx: Context): void {
    jitterUntil(this.ctx, runCtx, (next) => this.sync(runCtx, next), this.renewIntervalUs, 0.04, () => {});
  }

  private sync(ctx: Context, done: () => void): void {
    const latest = this.latestLease;
    if (latest !== null) {
      this.retryUpdateLease(ctx, latest, (err) => {
        if (err === null) {
          done();
          return;
        }
        this.ctx.log('info', `failed to update lease using latest lease, fallback to ensure lease, err: ${err}`);
        this.ensureThenUpdate(ctx, done);
      });
      return;
    }
    this.ensureThenUpdate(ctx, done);
  }

  private ensureThenUpdate(ctx: Context, done: () => void): void {
    this.backoffEnsureLease(ctx, (lease, created) => {
      this.latestLease = lease;
      // we don't need to update the lease if we just created it
      if (created || lease === null) {
        done();
        return;
      }
      this.retryUpdateLease(ctx, lease, (err) => {
        if (err !== null) this.ctx.log('error', `${err}, will retry after ${this.renewIntervalUs / 1_000_000}s`);
        done();
      });
    });
  }

  /** ensureLease with back-off until it succeeds (or the run context ends). */
  private backoffEnsureLease(ctx: Context, done: (lease: Lease | null, created: boolean) => void): void {
    let sleepUs = 100_000;
    const attempt = (): void => {
      this.ensureLease(ctx, (err, lease, created) => {
        if (err === null) {
          done(lease, created);
          return;
        }
        if (ctx.done) return;
        sleepUs = Math.min(2 * sleepUs, MAX_BACKOFF_US);
        this.ctx.log('error', `failed to ensure lease exists, will retry in ${sleepUs / 1_000_000}s, error: ${err}`);
        this.ctx.setTimer(sleepUs, attempt);
      });
    };
    attempt();
  }

  private ensureLease(ctx: Context, done: (err: string | null, lease: Lease | null, created: boolean) => void): void {
    getIn(ctx, this.client, LEASES, NODE_LEASE_NAMESPACE, this.options.nodeName, (result) => {
      if (result.ok) {
        done(null, result.object, false);
        return;
      }
      if (!isNotFound(result.error)) {
        done(result.error.message, null, false);
        return;
      }
      const lease = this.newLease(null);
      if (lease === null) {
        // The node is not registered yet (no owner to set): not created this time.
        done(null, null, false);
        return;
      }
      createIn(ctx, this.client, LEASES, NODE_LEASE_NAMESPACE, lease, (created: ApiResult<Lease>) => {
        if (created.ok) done(null, created.object, true);
        else done(created.error.message, null, false);
      });
    });
  }

  private retryUpdateLease(ctx: Context, base: Lease, done: (err: string | null) => void): void {
    let i = 0;
    const attempt = (current: Lease): void => {
      const lease = this.newLease(current)!;
      updateIn(ctx, this.client, LEASES, lease, (result) => {
        if (result.ok) {
          this.latestLease = result.object;
          done(null);
          return;
        }
        this.ctx.log('error', `failed to update lease, error: ${result.error.message}`);
        const conflict = isConflict(result.error);
        if (!conflict && i > 0) this.options.onRepeatedHeartbeatFailure();
        i++;
        if (i >= MAX_UPDATE_RETRIES || ctx.done) {
          done(`failed ${MAX_UPDATE_RETRIES} attempts to update lease`);
          return;
        }
        if (conflict) this.backoffEnsureLease(ctx, (fresh) => (fresh === null ? done(`failed ${MAX_UPDATE_RETRIES} attempts to update lease`) : attempt(fresh)));
        else attempt(current);
      });
    };
    attempt(base);
  }

  /** newLease: a fresh lease (null if the node's UID is not known yet) or a copy of base, renewTime = now. */
  private newLease(base: Lease | null): Lease | null {
    const now = formatMicroTime(this.ctx.wallUs());
    if (base !== null) return { ...base, metadata: base.metadata, spec: { ...base.spec, renewTime: now } };
    const uid = this.options.nodeUid();
    if (uid === null) return null;
    return {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: {
        name: this.options.nodeName,
        namespace: NODE_LEASE_NAMESPACE,
        ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: this.options.nodeName, uid }],
      },
      spec: { holderIdentity: this.options.nodeName, leaseDurationSeconds: this.options.leaseDurationSeconds, renewTime: now },
    };
  }
}
