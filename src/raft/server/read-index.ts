// Linearizable reads (server/etcdserver/v3_server.go linearizableReadLoop / requestCurrentIndex).
//
// Reads that arrive while a round is running wait for the next one; a round takes every read waiting, asks Raft
// for a read index with a fresh request ID, and
//   - resends with a new ID every 500 ms (readIndexRetryTime) and when the leader commits its first entry of a
//     term (a new leader holds reads until then);
//   - fails every read of the round with "etcdserver: leader changed" if the leader changes before the index comes
//     back, and with "etcdserver: request timed out" after the request timeout (7 s);
//   - once the index is known, waits until the member has applied it, then releases the reads.
// A read's own deadline is the client's business: the client gives up; the server answers later into the void.
import type { EtcdError } from '../etcd-api';
import type { ProcessContext, Timer } from '../../sim/process';
import type { ReadState } from '../types';
import { ERR } from './requests';

/** Resolves one waiting read: null when it may be served now, else the error to return. */
export type ReadWaiter = (error: EtcdError | null) => void;

export const READ_INDEX_RETRY_US = 500_000;

interface Round {
  readonly waiters: ReadWaiter[];
  readonly requestIds: Set<number>;
  /** The confirmed read index, or -1 while waiting for it. */
  index: number;
  retryTimer: Timer | null;
  errorTimer: Timer | null;
}

export interface ReadIndexHost {
  readonly ctx: ProcessContext;
  readonly requestTimeoutUs: number;
  nextRequestId(): number;
  /** raft node.ReadIndex(ctx) followed by draining Ready. */
  sendReadIndex(requestId: number): void;
  appliedIndex(): number;
}

export class LinearizableReads {
  /** Reads waiting for the next round (etcd's readNotifier). */
  private waiting: ReadWaiter[] = [];
  private round: Round | null = null;
  /** Rounds run so far (observation, tests). */
  rounds = 0;

  constructor(private readonly host: ReadIndexHost) {}

  /** linearizableReadNotify: wait for the next round's confirmation. */
  read(waiter: ReadWaiter): void {
    this.waiting.push(waiter);
    if (this.round === null) this.startRound();
  }

  get pendingReads(): number {
    return this.waiting.length + (this.round?.waiters.length ?? 0);
  }

  private startRound(): void {
    const waiters = this.waiting;
    this.waiting = [];
    const round: Round = { waiters, requestIds: new Set(), index: -1, retryTimer: null, errorTimer: null };
    this.round = round;
    this.rounds++;
    const ctx = this.host.ctx;
    round.errorTimer = ctx.setTimer(this.host.requestTimeoutUs, () => {
      round.errorTimer = null;
      if (this.round === round && round.index < 0) this.finish(round, ERR.timeout);
    });
    this.send(round);
  }

  private send(round: Round): void {
    const id = this.host.nextRequestId();
    round.requestIds.add(id);
    const ctx = this.host.ctx;
    ctx.clearTimer(round.retryTimer);
    round.retryTimer = ctx.setTimer(READ_INDEX_RETRY_US, () => {
      round.retryTimer = null;
      if (this.round === round && round.index < 0) this.send(round);
    });
    this.host.sendReadIndex(id);
  }

  onReadStates(readStates: readonly ReadState[]): void {
    const round = this.round;
    if (round === null || round.index >= 0) return;
    for (const rs of readStates) {
      if (typeof rs.context !== 'number' || !round.requestIds.has(rs.context)) continue; // an out-of-date response
      round.index = rs.index;
      const ctx = this.host.ctx;
      ctx.clearTimer(round.retryTimer);
      round.retryTimer = null;
      ctx.clearTimer(round.errorTimer);
      round.errorTimer = null;
      if (this.host.appliedIndex() >= rs.index) this.finish(round, null);
      return;
    }
  }

  onApplied(appliedIndex: number): void {
    const round = this.round;
    if (round !== null && round.index >= 0 && appliedIndex >= round.index) this.finish(round, null);
  }

  /** The leader changed: a round still waiting for its index fails (ErrLeaderChanged). */
  onLeaderChanged(): void {
    const round = this.round;
    if (round !== null && round.index < 0) this.finish(round, ERR.leaderChanged);
  }

  /** The leader committed its first entry of the term: resend (the new leader may have dropped earlier requests). */
  onFirstCommitInTerm(): void {
    const round = this.round;
    if (round !== null && round.index < 0) this.send(round);
  }

  private finish(round: Round, error: EtcdError | null): void {
    const ctx = this.host.ctx;
    ctx.clearTimer(round.retryTimer);
    ctx.clearTimer(round.errorTimer);
    round.retryTimer = null;
    round.errorTimer = null;
    this.round = null;
    for (const waiter of round.waiters) waiter(error);
    if (this.round === null && this.waiting.length > 0) this.startRound();
  }
}
