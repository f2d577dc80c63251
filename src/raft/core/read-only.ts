// Linearizable reads with ReadOnlySafe (etcd-io/raft read_only.go, current form): the leader queues each request
// with the commit index at arrival, then counts heartbeat acknowledgements. A heartbeat carries the position of the
// newest queued request (a number); a quorum acking position p confirms every request up to p.
// ReadOnlyLeaseBased is not modelled (etcd's default is ReadOnlySafe).
import type { NodeId } from '../types';
import { committedIndex } from './quorum';

/** A pending MsgReadIndex: who asked (NONE or the leader itself for local reads) and its opaque context. */
export interface ReadRequest {
  readonly from: NodeId;
  readonly context: unknown;
}

export interface ReadIndexRequest {
  readonly req: ReadRequest;
  /** The leader's commit index when the request arrived. */
  readonly index: number;
}

const NO_READS: readonly ReadIndexRequest[] = [];

export class ReadOnly {
  private readonly acks = new Map<NodeId, number>();
  private unconfirmed: ReadIndexRequest[] = [];
  /** Number of requests confirmed so far (positions are 1-based counts of requests ever added). */
  private confirmed = 0;

  addRequest(commitIndex: number, req: ReadRequest): void {
    this.unconfirmed.push({ req, index: commitIndex });
  }

  /** Records that `from` acknowledged the heartbeat carrying `position`. */
  recvAck(from: NodeId, position: number): void {
    const prev = this.acks.get(from) ?? 0;
    if (position > prev) this.acks.set(from, position);
  }

  /** Requests newly confirmed by a quorum of `voters`, oldest first (scratch: an array of voters.length numbers). */
  maybeAdvance(voters: readonly NodeId[], scratch: number[]): readonly ReadIndexRequest[] {
    for (let i = 0; i < voters.length; i++) scratch[i] = this.acks.get(voters[i]!) ?? 0;
    const newConfirmed = committedIndex(scratch, voters.length);
    if (newConfirmed <= this.confirmed) return NO_READS;
    const n = newConfirmed - this.confirmed;
    const done = this.unconfirmed.slice(0, n);
    this.unconfirmed = this.unconfirmed.slice(n);
    this.confirmed = newConfirmed;
    return done;
  }

  /** The context to put in heartbeats: the newest pending position, or null when no read is pending. */
  heartbeatCtx(): number | null {
    if (this.unconfirmed.length === 0) return null;
    return this.confirmed + this.unconfirmed.length;
  }

  pending(): number {
    return this.unconfirmed.length;
  }

  /** Forget everything (a term change: etcd builds a new readOnly). */
  reset(): void {
    if (this.acks.size > 0) this.acks.clear();
    if (this.unconfirmed.length > 0) this.unconfirmed = [];
    this.confirmed = 0;
  }
}
