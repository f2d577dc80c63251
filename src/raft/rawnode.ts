// The driver-facing Raft node (etcd-io/raft rawnode.go, synchronous storage writes): tick(), step(), propose(),
// then ready() hands out what to persist, send and apply, and advance() acknowledges it.
//
// The driver loop, as etcd's server does it:
//   if (node.hasReady()) {
//     const rd = node.ready();
//     persist rd.hardState and rd.entries (fsync if rd.mustSync);   // a leader may send before persisting
//     send rd.messages;                                             // everyone else only after
//     apply rd.committedEntries (calling applyConfChange for conf-change entries); serve rd.readStates;
//     node.advance(rd);
//   }
// Messages may be stepped between ready() and advance() (while the driver persists). While a Ready is outstanding
// hasReady() is false and ready() throws, as etcd's node hands out one Ready at a time.
import { Raft } from './raft';
import {
  EMPTY_HARD_STATE,
  NONE,
  type ConfChange,
  type ConfState,
  type Entry,
  type HardState,
  type NodeId,
  type RaftConfig,
  type RaftLogView,
  type RaftMessage,
  type RaftRole,
  type RaftStatus,
  type RaftStorageState,
  type RawNodeApi,
  type Ready,
  type ReadState,
  type SoftState,
} from './types';

/** A founding member for bootstrap (etcd-io/raft Peer): etcd puts the member's JSON in `context`. */
export interface BootstrapPeer {
  readonly id: NodeId;
  readonly context?: unknown;
}

const NO_MESSAGES: readonly RaftMessage[] = [];
const NO_READ_STATES: readonly ReadState[] = [];

export class RawNode implements RawNodeApi {
  private readonly r: Raft;
  /** What the driver last received (etcd: prevSoftSt / prevHardSt), kept as primitives so hasReady() never allocates. */
  private prevLead: NodeId;
  private prevRole: RaftRole;
  private prevTerm: number;
  private prevVote: NodeId;
  private prevCommit: number;

  private awaitingAdvance = false;
  /** Self-addressed messages held until the Ready's state is durable (the leader's own append ack, self votes). */
  private selfSteps: RaftMessage[] = [];
  /** The entry (index, term) made durable by the outstanding Ready, and the term it was handed out in; 0 = none. */
  private stableIndex = 0;
  private stableTerm = 0;
  private stableAtTerm = 0;
  /** Last index handed out in Ready.committedEntries, acknowledged as applied on advance; 0 = none. */
  private appliedOnAdvance = 0;

  private cachedStatus: RaftStatus | null = null;

  /**
   * A node restarted from stable storage (etcd: RestartNode), or a node with empty storage that learns its
   * configuration from the log. For a brand-new cluster use RawNode.bootstrap.
   */
  constructor(config: RaftConfig, storage: RaftStorageState) {
    const hs = storage.hardState;
    this.r = new Raft(config, storage.entries, hs, storage.voters);
    this.prevLead = this.r.lead;
    this.prevRole = this.r.role;
    this.prevTerm = hs.term;
    this.prevVote = hs.vote;
    this.prevCommit = hs.commit;
  }

  /**
   * A member of a new cluster, exactly as etcd bootstraps (raft.StartNode -> RawNode.Bootstrap): it starts a
   * follower at term 1 whose log holds one ConfChange add-node entry per founding member, all at term 1 and
   * committed (commit = number of members), the members already voters. The first Ready carries the hard state
   * {term 1, vote 0, commit n}, those entries to persist and the same entries as committed entries to apply (the
   * driver calls applyConfChange for each, which is then a no-op). The first election makes a leader at term 2,
   * which appends an empty entry of its term.
   */
  static bootstrap(config: RaftConfig, peers: readonly BootstrapPeer[]): RawNode {
    if (peers.length === 0) throw new Error('raft bootstrap: must provide at least one peer to Bootstrap');
    const ids = new Set<NodeId>();
    for (const p of peers) {
      if (ids.has(p.id)) throw new Error(`raft bootstrap: duplicate peer id ${p.id}`);
      ids.add(p.id);
    }
    const rn = new RawNode(config, { hardState: EMPTY_HARD_STATE, entries: [], voters: [] });
    const r = rn.r;
    r.becomeFollower(1, NONE);
    const ents: Entry[] = peers.map((p, i) => ({
      term: 1,
      index: i + 1,
      type: 'conf-change' as const,
      data: { kind: 'add-node', nodeId: p.id, context: p.context ?? null } satisfies ConfChange,
    }));
    r.log.append(ents);
    r.log.commitTo(ents.length);
    for (const p of peers) r.applyConfChange({ kind: 'add-node', nodeId: p.id, context: null });
    return rn;
  }

  // ------------------------------------------------------------------------------------------ input

  tick(): void {
    this.r.tick();
  }

  /**
   * Steps a message received from a peer. Local message types (MsgHup, MsgBeat, MsgCheckQuorum) from the network
   * are ignored, as etcd's node.Step does; so are responses from non-members (ErrStepPeerNotFound).
   */
  step(msg: RaftMessage): void {
    switch (msg.type) {
      case 'MsgHup':
      case 'MsgBeat':
      case 'MsgCheckQuorum':
        return;
      case 'MsgAppResp':
      case 'MsgVoteResp':
      case 'MsgPreVoteResp':
      case 'MsgHeartbeatResp':
        if (this.r.progressOf(msg.from) === undefined) return;
        break;
      default:
        break;
    }
    this.r.step(msg);
  }

  propose(data: unknown): boolean {
    return this.r.step({ type: 'MsgProp', from: this.r.id, to: NONE, term: 0, entries: [{ term: 0, index: 0, type: 'normal', data }] });
  }

  proposeConfChange(change: ConfChange): boolean {
    return this.r.step({
      type: 'MsgProp',
      from: this.r.id,
      to: NONE,
      term: 0,
      entries: [{ term: 0, index: 0, type: 'conf-change', data: change }],
    });
  }

  applyConfChange(change: ConfChange): ConfState {
    return this.r.applyConfChange(change);
  }

  readIndex(context: unknown): void {
    this.r.step({ type: 'MsgReadIndex', from: NONE, to: NONE, term: 0, context });
  }

  transferLeader(target: NodeId): void {
    this.r.step({ type: 'MsgTransferLeader', from: this.r.id, to: NONE, term: 0, target });
  }

  campaign(): void {
    this.r.step({ type: 'MsgHup', from: this.r.id, to: NONE, term: 0 });
  }

  // ------------------------------------------------------------------------------------------ output

  /** The vote as reported for persistence (the volatileVote test bug never reports it). */
  private reportedVote(): NodeId {
    return this.r.bugs.volatileVote ? NONE : this.r.vote;
  }

  hasReady(): boolean {
    if (this.awaitingAdvance) return false;
    const r = this.r;
    if (r.lead !== this.prevLead || r.role !== this.prevRole) return true;
    if (r.term !== this.prevTerm || this.reportedVote() !== this.prevVote || r.log.committed !== this.prevCommit) return true;
    if (r.msgs.length > 0 || r.msgsAfterAppend.length > 0) return true;
    if (r.log.hasNextUnstableEnts() || r.log.hasNextCommittedEnts()) return true;
    return r.readStates.length > 0;
  }

  ready(): Ready {
    if (this.awaitingAdvance) throw new Error(`raft ${this.r.id}: ready() called again before advance()`);
    const r = this.r;
    const log = r.log;

    const entries = log.nextUnstableEnts();
    const committedEntries = log.nextCommittedEnts();

    let softState: SoftState | null = null;
    if (r.lead !== this.prevLead || r.role !== this.prevRole) {
      softState = { lead: r.lead, role: r.role };
      this.prevLead = r.lead;
      this.prevRole = r.role;
    }
    const vote = this.reportedVote();
    let hardState: HardState | null = null;
    const mustSync = entries.length > 0 || vote !== this.prevVote || r.term !== this.prevTerm;
    if (r.term !== this.prevTerm || vote !== this.prevVote || log.committed !== this.prevCommit) {
      hardState = { term: r.term, vote, commit: log.committed };
      this.prevTerm = r.term;
      this.prevVote = vote;
      this.prevCommit = log.committed;
    }

    // Messages to peers: those to send now, then those that wait for this Ready's durability. Self-addressed
    // ones are stepped back on advance().
    let messages: readonly RaftMessage[] = NO_MESSAGES;
    const now = r.msgs;
    const after = r.msgsAfterAppend;
    if (after.length === 0) {
      if (now.length > 0) {
        messages = now;
        r.msgs = [];
      }
    } else {
      const out: RaftMessage[] = now.length > 0 ? now : [];
      for (let i = 0; i < after.length; i++) {
        const m = after[i]!;
        if (m.to === r.id) this.selfSteps.push(m);
        else out.push(m);
      }
      if (now.length > 0) r.msgs = [];
      r.msgsAfterAppend = [];
      if (out.length > 0) messages = out;
    }

    let readStates: readonly ReadState[] = NO_READ_STATES;
    if (r.readStates.length > 0) {
      readStates = r.readStates;
      r.readStates = [];
    }

    // What advance() will acknowledge: the whole unstable log becomes durable, the committed entries applied.
    if (log.hasUnstable()) {
      this.stableIndex = log.lastIndex();
      this.stableTerm = log.lastTerm();
      this.stableAtTerm = r.term;
    }
    log.acceptUnstable();
    if (committedEntries.length > 0) {
      this.appliedOnAdvance = committedEntries[committedEntries.length - 1]!.index;
      log.acceptApplying(this.appliedOnAdvance);
    }
    this.awaitingAdvance = true;
    return { softState, hardState, entries, committedEntries, messages, readStates, mustSync };
  }

  /**
   * The driver persisted the Ready's hard state and entries, sent its messages and applied its committed entries.
   */
  advance(ready: Ready): void {
    void ready;
    if (!this.awaitingAdvance) throw new Error(`raft ${this.r.id}: advance() called without an outstanding ready()`);
    this.awaitingAdvance = false;
    const r = this.r;
    if (this.selfSteps.length > 0) {
      const steps = this.selfSteps;
      this.selfSteps = [];
      for (let i = 0; i < steps.length; i++) r.step(steps[i]!);
    }
    if (this.stableIndex > 0) {
      // Entries handed out in an earlier term may have been overwritten since: only a same-term ack counts.
      if (this.stableAtTerm === r.term) r.log.stableTo(this.stableIndex, this.stableTerm);
      this.stableIndex = 0;
    }
    if (this.appliedOnAdvance > 0) {
      r.appliedTo(this.appliedOnAdvance);
      this.appliedOnAdvance = 0;
    }
  }

  // ------------------------------------------------------------------------------------------ observation

  /** A snapshot of the basic status; the same object is returned while nothing in it changed. */
  status(): RaftStatus {
    const r = this.r;
    const s = this.cachedStatus;
    if (
      s !== null &&
      s.term === r.term &&
      s.vote === r.vote &&
      s.commit === r.log.committed &&
      s.applied === r.log.applied &&
      s.lead === r.lead &&
      s.role === r.role &&
      s.lastIndex === r.log.lastIndex()
    ) {
      return s;
    }
    const fresh: RaftStatus = {
      id: r.id,
      term: r.term,
      vote: r.vote,
      commit: r.log.committed,
      applied: r.log.applied,
      lead: r.lead,
      role: r.role,
      lastIndex: r.log.lastIndex(),
    };
    this.cachedStatus = fresh;
    return fresh;
  }

  log(): RaftLogView {
    return this.r.log;
  }

}

/** White-box access to a RawNode's state machine, for the core's own tests only (not part of RawNodeApi). */
export function raftOf(node: RawNode): Raft {
  return (node as unknown as { readonly r: Raft }).r;
}
