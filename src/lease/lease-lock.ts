// resourcelock.LeaseLock: the lock on a coordination.k8s.io/v1 Lease. It caches the Lease it last got, created or
// updated, and Update sends that cached object with the new spec — so the request carries the cached
// resourceVersion and the apiserver answers 409 Conflict if someone else wrote in between. That is what makes the
// leader's "fast path" (Update without a Get) safe.
import type { Lease } from '../apiserver/objects';
import type { Context } from './go-context';
import { leaseSpecToRecord, rawRecord, recordToLeaseSpec, type LeaderElectionRecord } from './record';
import { plainError, type DoneCallback, type GetCallback, type LockError, type ResourceLock } from './resource-lock';

export type LeaseCallback = (err: LockError | null, lease: Lease | null) => void;

/** The typed client calls LeaseLock makes (coordinationv1client.LeasesGetter). */
export interface LeaseClient {
  getLease(namespace: string, name: string, ctx: Context, cb: LeaseCallback): void;
  createLease(lease: Lease, ctx: Context, cb: LeaseCallback): void;
  updateLease(lease: Lease, ctx: Context, cb: LeaseCallback): void;
}

/** record.EventRecorder.Eventf(lease, "Normal", "LeaderElection", "<identity> <message>"). */
export type LockEventRecorder = (lease: Lease, type: 'Normal', reason: 'LeaderElection', message: string) => void;

export interface LeaseLockOptions {
  readonly namespace: string;
  readonly name: string;
  readonly identity: string;
  readonly client: LeaseClient;
  readonly eventRecorder?: LockEventRecorder | null;
  /** Labels the holder applies to the Lease (resourcelock.NewWithLabels); none by default. */
  readonly labels?: Readonly<Record<string, string>> | null;
}

export class LeaseLock implements ResourceLock {
  /** The Lease as last returned by the apiserver (or the empty object a failed Create leaves). */
  lease: Lease | null = null;
  private readonly description: string;

  constructor(private readonly options: LeaseLockOptions) {
    this.description = `${options.namespace}/${options.name}`;
  }

  get(ctx: Context, cb: GetCallback): void {
    this.options.client.getLease(this.options.namespace, this.options.name, ctx, (err, lease) => {
      if (err !== null) {
        cb(err, null, null);
        return;
      }
      this.lease = lease!;
      const record = leaseSpecToRecord(lease!.spec);
      cb(null, record, rawRecord(record));
    });
  }

  create(ctx: Context, record: LeaderElectionRecord, cb: DoneCallback): void {
    const labels = this.options.labels;
    const lease: Lease = {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: labels ? { name: this.options.name, namespace: this.options.namespace, labels: { ...labels } } : { name: this.options.name, namespace: this.options.namespace },
      spec: recordToLeaseSpec(record),
    };
    this.options.client.createLease(lease, ctx, (err, created) => {
      // The typed client returns an empty object with its error; LeaseLock keeps whatever it got.
      this.lease = err === null ? created! : { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: '' }, spec: {} };
      cb(err);
    });
  }

  update(ctx: Context, record: LeaderElectionRecord, cb: DoneCallback): void {
    const cached = this.lease;
    if (cached === null) {
      cb(plainError('lease not initialized, call get or create first'));
      return;
    }
    // A fresh object per request (objects handed to the client are not mutated afterwards), carrying the cached
    // metadata and so the cached resourceVersion.
    const labels = this.options.labels;
    const metadata = labels ? { ...cached.metadata, labels: { ...(cached.metadata.labels ?? {}), ...labels } } : cached.metadata;
    const lease: Lease = { apiVersion: cached.apiVersion, kind: cached.kind, metadata, spec: recordToLeaseSpec(record) };
    this.lease = lease; // ll.lease.Spec was assigned before the call: a failed Update leaves the new spec cached
    this.options.client.updateLease(lease, ctx, (err, updated) => {
      if (err === null) this.lease = updated!;
      cb(err);
    });
  }

  recordEvent(message: string): void {
    const recorder = this.options.eventRecorder;
    if (recorder == null || this.lease === null) return;
    recorder(this.lease, 'Normal', 'LeaderElection', `${this.options.identity} ${message}`);
  }

  identity(): string {
    return this.options.identity;
  }

  describe(): string {
    return this.description;
  }
}

/** resourcelock.NewFromKubeconfig: the lock's client timeout, max(1 s, RenewDeadline/2). */
export function leaderElectionClientTimeoutUs(renewDeadlineUs: number): number {
  return Math.max(1_000_000, Math.trunc(renewDeadlineUs / 2));
}
