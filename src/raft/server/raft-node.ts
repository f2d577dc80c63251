// The raftNode loop of etcd's server (server/etcdserver/raft.go): ticks the Raft core every heartbeat interval,
// steps peer messages into it and drains its Ready one at a time:
//   1. soft state (role/leader) and read states go to the server;
//   2. committed entries are applied (etcd hands them to the apply goroutine, in parallel with the write; applying
//      here is instantaneous);
//   3. a leader sends its messages at once, in parallel with its own disk write (raft thesis 10.2.1);
//   4. the hard state and entries are written to the WAL and, when raft.MustSync says so, fsynced: the fsync takes
//      simulated time, during which the loop is blocked (ticks wait: Go's ticker keeps at most one) while peer
//      messages and proposals still reach the core (etcd's node goroutine keeps stepping them);
//   5. a follower or candidate sends its messages only now, after its state is durable (its votes and append
//      acknowledgements promise durability);
//   6. advance.
import type { LatencyDist } from '../../sim/latency';
import { sampleLatencyUs } from '../../sim/latency';
import type { ProcessContext, Timer } from '../../sim/process';
import type { Random } from '../../sim/rng';
import type { Entry, RaftMessage, RawNodeApi, Ready, ReadState, SoftState } from '../types';
import type { EtcdServerBugs } from './config';
import type { PeerTransport } from './transport';
import type { WalFile } from './wal';

export interface RaftNodeHooks {
  onSoftState(softState: SoftState): void;
  onReadStates(readStates: readonly ReadState[]): void;
  onCommittedEntries(entries: readonly Entry[]): void;
  /** After every Ready has been persisted, sent and advanced (role/term changes are observed here). */
  onReadyDone(rd: Ready): void;
  onFsync(tookUs: number, entries: number): void;
  /** The core or the WAL may have changed (tick, step, Ready, fsync): the safety checkers' cue to look again. */
  onChange(): void;
}

export class RaftNodeLoop {
  /** A Ready is being persisted: the loop waits for the fsync. */
  private busy = false;
  /** The Ready whose fsync is in progress, whether its messages already left, and how long the fsync takes. */
  private syncing: Ready | null = null;
  private syncingSent = false;
  private syncTookUs = 0;
  private pendingTick = false;
  private isLeader = false;
  private tickTimer: Timer | null = null;
  private stopped = false;
  private readonly tickUs: number;
  /** Ticks run so far (including fast-forwarded ones). */
  ticks = 0;

  constructor(
    private readonly ctx: ProcessContext,
    readonly node: RawNodeApi,
    private readonly wal: WalFile,
    private readonly transport: PeerTransport,
    private readonly hooks: RaftNodeHooks,
    tickMs: number,
    private readonly fsyncLatency: LatencyDist,
    private readonly fsyncRng: Random,
    private readonly bugs: EtcdServerBugs,
    /** Extra per-tick work of the server (transport liveness, monitors), run after the Raft tick. */
    private readonly onTick: () => void,
  ) {
    this.tickUs = tickMs * 1000;
  }

  /**
   * Starts ticking. The first tick comes after a random fraction of the interval: etcd's ticker starts when the
   * process does, so members' tick phases are unrelated (simulated hosts all boot at the same instant; without this
   * their ticks would be aligned to the microsecond and split votes far likelier than in reality).
   */
  start(firstTickFraction: number): void {
    this.tickTimer = this.ctx.setTimer(1 + Math.floor(firstTickFraction * (this.tickUs - 1)), this.onTickTimer);
    this.pump();
  }

  /** The process is going away (graceful stop): nothing more is processed. */
  stop(): void {
    this.stopped = true;
    this.ctx.clearTimer(this.tickTimer);
    this.tickTimer = null;
  }

  private armTick(): void {
    this.tickTimer = this.ctx.setTimer(this.tickUs, this.onTickTimer);
  }

  private readonly onTickTimer = (): void => {
    if (this.stopped) return;
    this.armTick();
    if (this.busy) {
      this.pendingTick = true; // the ticker channel holds one tick; more are dropped
    } else {
      this.tick();
    }
    this.onTick();
    this.pump();
  };

  private tick(): void {
    this.ticks++;
    this.node.tick();
    this.hooks.onChange();
  }

  /** raftNode.advanceTicks: the startup fast-forward. */
  advanceTicks(ticks: number): void {
    for (let i = 0; i < ticks; i++) this.tick();
    this.pump();
  }

  /** A message from a peer. */
  step(msg: RaftMessage): void {
    if (this.stopped) return;
    this.node.step(msg);
    this.hooks.onChange();
    this.pump();
  }

  /** Drains Ready while the loop is free. Call after anything that may have produced output. */
  pump(): void {
    // Callers pump after anything they did to the core (propose, readIndex, transferLeader, ...).
    this.hooks.onChange();
    while (!this.busy && !this.stopped && this.node.hasReady()) this.handle(this.node.ready());
  }

  private handle(rd: Ready): void {
    if (rd.softState !== null) {
      this.isLeader = rd.softState.role === 'leader';
      this.hooks.onSoftState(rd.softState);
    }
    if (rd.readStates.length > 0) this.hooks.onReadStates(rd.readStates);
    if (rd.committedEntries.length > 0) this.hooks.onCommittedEntries(rd.committedEntries);
    const early = this.isLeader;
    if (early) this.send(rd.messages);
    this.wal.write(rd.hardState, rd.entries);
    if (!rd.mustSync) {
      this.finish(rd, early);
      return;
    }
    if (!early && this.bugs.replyVoteBeforePersist === true) this.sendVoteResponses(rd.messages);
    this.busy = true;
    this.syncing = rd;
    this.syncingSent = early;
    this.wal.beginSync();
    this.syncTookUs = sampleLatencyUs(this.fsyncLatency, this.fsyncRng);
    this.ctx.setTimer(this.syncTookUs, this.onSynced);
  }

  /** The fsync of the outstanding Ready completed. */
  private readonly onSynced = (): void => {
    const rd = this.syncing!;
    this.syncing = null;
    this.wal.endSync();
    this.hooks.onChange();
    this.hooks.onFsync(this.syncTookUs, rd.entries.length);
    this.busy = false;
    this.finish(rd, this.syncingSent);
    if (this.pendingTick) {
      this.pendingTick = false;
      this.tick();
    }
    this.pump();
  };

  private finish(rd: Ready, sent: boolean): void {
    if (!sent) {
      if (this.bugs.replyVoteBeforePersist === true && rd.mustSync) this.sendAllButVoteResponses(rd.messages);
      else this.send(rd.messages);
    }
    this.node.advance(rd);
    this.hooks.onReadyDone(rd);
  }

  private send(messages: readonly RaftMessage[]): void {
    const transport = this.transport;
    for (let i = 0; i < messages.length; i++) transport.send(messages[i]!);
  }

  // TEST ONLY (EtcdServerBugs.replyVoteBeforePersist): vote responses leave before the vote is durable.
  private sendVoteResponses(messages: readonly RaftMessage[]): void {
    for (const m of messages) if (m.type === 'MsgVoteResp' || m.type === 'MsgPreVoteResp') this.transport.send(m);
  }

  private sendAllButVoteResponses(messages: readonly RaftMessage[]): void {
    for (const m of messages) if (m.type !== 'MsgVoteResp' && m.type !== 'MsgPreVoteResp') this.transport.send(m);
  }
}
