// The leader's view of one follower (etcd-io/raft tracker/progress.go): how far its log matches, what to send
// next, and whether to send more. StateSnapshot is not modelled (no log compaction in this simulator).
import { Inflights } from './inflights';
import type { NodeId } from '../types';

/**
 * probe: at most one MsgApp in flight until the follower answers (used after a rejection or on a new leader).
 * replicate: optimistic streaming, bounded by the inflights window.
 */
export type ProgressState = 'probe' | 'replicate';

export class Progress {
  /** Highest index known to match the leader's log. */
  match = 0;
  /** Next index to send. Invariant: match < next. */
  next = 1;
  /** Highest commit index sent to the follower (by MsgApp or heartbeat). */
  sentCommit = 0;
  state: ProgressState = 'probe';
  /** Heard from since the last CheckQuorum. */
  recentActive = false;
  /** In probe: a MsgApp is outstanding. In replicate: the inflights window is full. */
  msgAppFlowPaused = false;
  readonly inflights: Inflights;

  constructor(
    readonly id: NodeId,
    maxInflightMsgs: number,
  ) {
    this.inflights = new Inflights(maxInflightMsgs);
  }

  /** Fresh tracking at a term change (etcd: raft.reset builds a new Progress). */
  resetForTerm(next: number, match: number): void {
    this.match = match;
    this.next = next;
    this.sentCommit = 0;
    this.state = 'probe';
    this.recentActive = false;
    this.msgAppFlowPaused = false;
    this.inflights.reset();
  }

  private resetState(state: ProgressState): void {
    this.msgAppFlowPaused = false;
    this.state = state;
    this.inflights.reset();
  }

  becomeProbe(): void {
    this.resetState('probe');
    this.next = this.match + 1;
    this.sentCommit = Math.min(this.sentCommit, this.next - 1);
  }

  becomeReplicate(): void {
    this.resetState('replicate');
    this.next = this.match + 1;
  }

  /** Bookkeeping after a MsgApp with `entries` entries went out. */
  sentEntries(entries: number): void {
    switch (this.state) {
      case 'replicate':
        if (entries > 0) {
          this.next += entries;
          this.inflights.add(this.next - 1);
        }
        this.msgAppFlowPaused = this.inflights.full();
        return;
      case 'probe':
        if (entries > 0) this.msgAppFlowPaused = true;
        return;
      default: {
        const never: never = this.state;
        throw new Error(`unhandled progress state ${String(never)}`);
      }
    }
  }

  /** Whether a MsgApp would tell the follower a newer commit index than it has been sent. */
  canBumpCommit(commit: number): boolean {
    return commit > this.sentCommit && this.sentCommit < this.next - 1;
  }

  /** Acknowledgement up to `n`: returns false if it was stale. */
  maybeUpdate(n: number): boolean {
    if (n <= this.match) return false;
    this.match = n;
    this.next = Math.max(this.next, n + 1);
    this.msgAppFlowPaused = false;
    return true;
  }

  /**
   * A rejection of the MsgApp at `rejected`, with the follower's hint that its log may match up to `matchHint`.
   * Returns false if the rejection is stale.
   */
  maybeDecrTo(rejected: number, matchHint: number): boolean {
    if (this.state === 'replicate') {
      if (rejected <= this.match) return false;
      this.next = this.match + 1;
      this.sentCommit = Math.min(this.sentCommit, this.next - 1);
      return true;
    }
    if (this.next - 1 !== rejected) return false;
    this.next = Math.max(Math.min(rejected, matchHint + 1), this.match + 1);
    this.sentCommit = Math.min(this.sentCommit, this.next - 1);
    this.msgAppFlowPaused = false;
    return true;
  }

  isPaused(): boolean {
    return this.msgAppFlowPaused;
  }
}
