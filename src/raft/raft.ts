// The Raft state machine of one member, ported in behaviour from etcd-io/raft raft.go (v3.6): roles with
// swapped step and tick functions, PreVote, CheckQuorum and the leader lease on votes, log replication with
// probe/replicate flow control and fast backtracking, commit by counting current-term replicas only, ReadIndex
// (ReadOnlySafe) and leader transfer. It does no I/O and reads no clock: time is tick(), input is step(), output
// is collected in `msgs` / `msgsAfterAppend` / `readStates` and the log, and drained by RawNode (rawnode.ts).
//
// Not modelled (documented simplifications): snapshots and log compaction (MsgSnap, StateSnapshot: the whole log
// stays in memory), learners and joint consensus (ConfChangeV2; add-learner throws), ReadOnlyLeaseBased,
// MaxInflightBytes / MaxUncommittedEntriesSize / MaxCommittedSizePerReady (message size is counted in entries,
// maxEntriesPerMsg; committed entries per Ready are unbounded), AsyncStorageWrites, MsgUnreachable / MsgSnapStatus
// (ReportUnreachable / ReportSnapshot), MsgForgetLeader, DisableProposalForwarding, StepDownOnRemoval (off, as
// etcd-io/raft's default), ConfChange validation beyond "one pending at a time", logging.
// As etcd-io/raft: a forwarded MsgProp / MsgReadIndex keeps its original `from` (the member that proposed or
// asked), so the leader answers a forwarded read directly to the asker; MsgTransferLeader names its target in
// `target` instead of etcd's From field. Heartbeat contexts are numbers (read positions), never user data.
import { RaftLog } from './log';
import { Progress } from './core/progress';
import { committedIndex, voteResult } from './core/quorum';
import { ReadOnly, type ReadIndexRequest, type ReadRequest } from './core/read-only';
import {
  NONE,
  type ConfChange,
  type ConfState,
  type Entry,
  type MsgApp,
  type MsgAppResp,
  type MsgHeartbeat,
  type MsgHeartbeatResp,
  type MsgProp,
  type MsgReadIndex,
  type MsgTransferLeader,
  type MsgVote,
  type MsgVoteResp,
  type NodeId,
  type RaftBugs,
  type RaftConfig,
  type RaftMessage,
  type RaftRole,
  type ReadState,
} from './types';

/** Why a node campaigns (etcd-io/raft CampaignType). */
export type CampaignType = 'pre-election' | 'election' | 'transfer';

type StepFn = (r: Raft, m: RaftMessage) => boolean;

const NO_BUGS: RaftBugs = {};

/** Validates a RaftConfig with etcd-io/raft's messages (Config.validate) plus this model's own limits. */
export function validateRaftConfig(c: RaftConfig): void {
  if (!Number.isInteger(c.id) || c.id === NONE || c.id < 0) throw new RangeError(`raft config: cannot use none as id (id ${c.id})`);
  if (!Number.isInteger(c.heartbeatTick) || c.heartbeatTick <= 0) {
    throw new RangeError(`raft config: heartbeat tick must be greater than 0 (heartbeatTick ${c.heartbeatTick})`);
  }
  if (!Number.isInteger(c.electionTick) || c.electionTick <= c.heartbeatTick) {
    throw new RangeError(
      `raft config: election tick must be greater than heartbeat tick (electionTick ${c.electionTick}, heartbeatTick ${c.heartbeatTick})`,
    );
  }
  if (!Number.isInteger(c.maxInflightMsgs) || c.maxInflightMsgs <= 0) {
    throw new RangeError(`raft config: max inflight messages must be greater than 0 (maxInflightMsgs ${c.maxInflightMsgs})`);
  }
  if (!Number.isInteger(c.maxEntriesPerMsg) || c.maxEntriesPerMsg <= 0) {
    throw new RangeError(`raft config: maxEntriesPerMsg must be a positive integer (got ${c.maxEntriesPerMsg})`);
  }
  if (typeof c.random !== 'function') throw new TypeError('raft config: random must be a function returning [0, 1)');
  if (c.applied !== undefined && (!Number.isInteger(c.applied) || c.applied < 0)) {
    throw new RangeError(`raft config: applied must be a non-negative integer (got ${c.applied})`);
  }
}

export class Raft {
  readonly id: NodeId;
  term = 0;
  vote: NodeId = NONE;
  lead: NodeId = NONE;
  role: RaftRole = 'follower';
  readonly log: RaftLog;

  /** Target of an ongoing leader transfer (thesis §3.10), NONE otherwise. */
  leadTransferee: NodeId = NONE;
  /** A conf change may only be proposed once the leader has applied past this index. */
  pendingConfIndex = 0;

  /** Voters, sorted; `progress[i]` tracks `voters[i]`. */
  voters: NodeId[] = [];
  progress: Progress[] = [];
  private readonly progressById = new Map<NodeId, Progress>();
  /** Scratch for quorum computations (one slot per voter). */
  private scratch: number[] = [];
  private readonly votes = new Map<NodeId, boolean>();

  /** Messages to send now. */
  msgs: RaftMessage[] = [];
  /** Messages to send once the current unstable state (entries, term, vote) is durable; may address this node. */
  msgsAfterAppend: RaftMessage[] = [];
  readStates: ReadState[] = [];
  private readonly readOnly = new ReadOnly();
  /** MsgReadIndex a new leader holds until it has committed an entry of its term. */
  private pendingReadIndexMessages: ReadRequest[] = [];

  electionElapsed = 0;
  heartbeatElapsed = 0;
  readonly electionTimeout: number;
  readonly heartbeatTimeout: number;
  randomizedElectionTimeout = 0;
  /** From the config; mutable only so tests can flip them mid-run as etcd-io/raft's tests do. */
  checkQuorum: boolean;
  preVote: boolean;
  private readonly maxInflightMsgs: number;
  private readonly maxEntriesPerMsg: number;
  private readonly random: () => number;
  readonly bugs: RaftBugs;

  private stepFn: StepFn = stepFollower;
  private tickFn: (r: Raft) => void = tickElection;

  constructor(config: RaftConfig, durableEntries: readonly Entry[], hardState: { term: number; vote: NodeId; commit: number }, voters: readonly NodeId[]) {
    validateRaftConfig(config);
    this.id = config.id;
    this.electionTimeout = config.electionTick;
    this.heartbeatTimeout = config.heartbeatTick;
    this.checkQuorum = config.checkQuorum;
    this.preVote = config.preVote;
    this.maxInflightMsgs = config.maxInflightMsgs;
    this.maxEntriesPerMsg = config.maxEntriesPerMsg;
    this.random = config.random;
    this.bugs = config.bugs ?? NO_BUGS;
    this.log = new RaftLog(durableEntries, hardState.commit);
    for (const v of voters) this.addVoter(v);
    this.term = hardState.term;
    this.vote = hardState.vote;
    if (config.applied !== undefined && config.applied > 0) this.log.appliedTo(config.applied);
    this.becomeFollower(this.term, NONE);
  }

  // ------------------------------------------------------------------------------------------ membership

  private addVoter(id: NodeId): Progress {
    if (!Number.isInteger(id) || id === NONE || id < 0) throw new RangeError(`raft: invalid voter id ${id}`);
    const existing = this.progressById.get(id);
    if (existing) return existing;
    const pr = new Progress(id, this.maxInflightMsgs);
    // A new peer is probed from the last index and counted active, so CheckQuorum does not fire before it spoke.
    pr.next = Math.max(this.log.lastIndex(), 1);
    pr.recentActive = true;
    let at = 0;
    while (at < this.voters.length && this.voters[at]! < id) at++;
    this.voters.splice(at, 0, id);
    this.progress.splice(at, 0, pr);
    this.progressById.set(id, pr);
    this.scratch.push(0);
    return pr;
  }

  private removeVoter(id: NodeId): void {
    const at = this.voters.indexOf(id);
    if (at < 0) return;
    this.voters.splice(at, 1);
    this.progress.splice(at, 1);
    this.progressById.delete(id);
    this.scratch.pop();
  }

  progressOf(id: NodeId): Progress | undefined {
    return this.progressById.get(id);
  }

  /** A member of the voter set can campaign (etcd: promotable; no learners or pending snapshots here). */
  promotable(): boolean {
    return this.progressById.has(this.id);
  }

  /** etcd-io/raft applyConfChange + switchToConfig, for simple (non-joint) add-node / remove-node. */
  applyConfChange(cc: ConfChange): ConfState {
    switch (cc.kind) {
      case 'add-node':
        this.addVoter(cc.nodeId);
        break;
      case 'remove-node':
        this.removeVoter(cc.nodeId);
        break;
      case 'add-learner':
        throw new Error(`raft: learners are not modelled (add-learner ${cc.nodeId})`);
      default: {
        const never: never = cc.kind;
        throw new Error(`raft: unknown conf change ${String(never)}`);
      }
    }
    const cs: ConfState = { voters: this.voters.slice() };
    if (this.role !== 'leader' || this.voters.length === 0) return cs;
    if (this.maybeCommit()) {
      this.bcastAppend();
    } else {
      for (let i = 0; i < this.voters.length; i++) {
        if (this.voters[i] !== this.id) this.maybeSendAppend(this.voters[i]!, false);
      }
    }
    if (this.leadTransferee !== NONE && !this.progressById.has(this.leadTransferee)) this.abortLeaderTransfer();
    return cs;
  }

  // ------------------------------------------------------------------------------------------ sending

  /** Queues a message. Vote and append responses wait until the local state they vouch for is durable. */
  private send(m: RaftMessage): void {
    if (m.type === 'MsgAppResp' || m.type === 'MsgVoteResp' || m.type === 'MsgPreVoteResp') {
      this.msgsAfterAppend.push(m);
      return;
    }
    if (m.to === this.id) throw new Error(`raft ${this.id}: message should not be self-addressed when sending ${m.type}`);
    this.msgs.push(m);
  }

  sendAppend(to: NodeId): void {
    this.maybeSendAppend(to, true);
  }

  /**
   * Sends a MsgApp with the entries `to` is missing (if any) and the commit index. Returns whether one was sent;
   * with sendIfEmpty false an empty MsgApp is not sent.
   */
  maybeSendAppend(to: NodeId, sendIfEmpty: boolean): boolean {
    const pr = this.progressById.get(to);
    if (!pr || pr.isPaused()) return false;
    const prevIndex = pr.next - 1;
    if (prevIndex > this.log.lastIndex()) {
      throw new Error(`raft ${this.id}: progress of ${to} is past the log (next ${pr.next}, lastIndex ${this.log.lastIndex()})`);
    }
    const prevTerm = this.log.term(prevIndex);
    let ents: readonly Entry[] = EMPTY_ENTRIES;
    // A throttled replicate stream only sends empty MsgApps, so lost messages cannot stall it forever.
    if (pr.state !== 'replicate' || !pr.inflights.full()) ents = this.log.entriesFrom(pr.next, this.maxEntriesPerMsg);
    if (ents.length === 0 && !sendIfEmpty) return false;
    const commit = this.log.committed;
    this.send({ type: 'MsgApp', from: this.id, to, term: this.term, logTerm: prevTerm, index: prevIndex, entries: ents, commit });
    pr.sentEntries(ents.length);
    pr.sentCommit = commit;
    return true;
  }

  private sendHeartbeat(to: NodeId, context: number | null): void {
    const pr = this.progressById.get(to)!;
    // Never tell a follower to commit past what it is known to have.
    const commit = Math.min(pr.match, this.log.committed);
    this.send({ type: 'MsgHeartbeat', from: this.id, to, term: this.term, commit, context });
    pr.sentCommit = commit;
  }

  bcastAppend(): void {
    for (let i = 0; i < this.voters.length; i++) {
      const id = this.voters[i]!;
      if (id !== this.id) this.sendAppend(id);
    }
  }

  bcastHeartbeat(): void {
    const ctx = this.readOnly.heartbeatCtx();
    for (let i = 0; i < this.voters.length; i++) {
      const id = this.voters[i]!;
      if (id !== this.id) this.sendHeartbeat(id, ctx);
    }
  }

  private sendTimeoutNow(to: NodeId): void {
    this.send({ type: 'MsgTimeoutNow', from: this.id, to, term: this.term });
  }

  // ------------------------------------------------------------------------------------------ commit

  /** Advances the commit index to what a quorum has durably acknowledged, if that entry is of this term. */
  maybeCommit(): boolean {
    const n = this.voters.length;
    for (let i = 0; i < n; i++) this.scratch[i] = this.progress[i]!.match;
    const index = committedIndex(this.scratch, n);
    if (this.bugs.commitPreviousTermByCounting) {
      // TEST-ONLY BUG: commit whatever a quorum holds, whatever its term (Raft paper Figure 8).
      if (index > this.log.committed) {
        this.log.commitTo(index);
        return true;
      }
      return false;
    }
    return this.log.maybeCommit(index, this.term);
  }

  appliedTo(index: number): void {
    this.log.appliedTo(Math.max(index, this.log.applied));
  }

  committedEntryInCurrentTerm(): boolean {
    return this.log.term(this.log.committed) === this.term;
  }

  // ------------------------------------------------------------------------------------------ roles

  private reset(term: number): void {
    if (this.term !== term) {
      this.term = term;
      this.vote = NONE;
    }
    this.lead = NONE;
    this.electionElapsed = 0;
    this.heartbeatElapsed = 0;
    this.resetRandomizedElectionTimeout();
    this.abortLeaderTransfer();
    this.votes.clear();
    const last = this.log.lastIndex();
    for (let i = 0; i < this.progress.length; i++) {
      const pr = this.progress[i]!;
      pr.resetForTerm(last + 1, pr.id === this.id ? last : 0);
    }
    this.pendingConfIndex = 0;
    this.readOnly.reset();
  }

  becomeFollower(term: number, lead: NodeId): void {
    this.stepFn = stepFollower;
    this.reset(term);
    this.tickFn = tickElection;
    this.lead = lead;
    this.role = 'follower';
  }

  becomeCandidate(): void {
    if (this.role === 'leader') throw new Error(`raft ${this.id}: invalid transition [leader -> candidate]`);
    this.stepFn = stepCandidate;
    this.reset(this.term + 1);
    this.tickFn = tickElection;
    this.vote = this.id;
    this.role = 'candidate';
  }

  /** Like a candidate, but without bumping the term or voting, and without redrawing the election timeout. */
  becomePreCandidate(): void {
    if (this.role === 'leader') throw new Error(`raft ${this.id}: invalid transition [leader -> pre-candidate]`);
    this.stepFn = stepCandidate;
    this.votes.clear();
    this.tickFn = tickElection;
    this.lead = NONE;
    this.role = 'pre-candidate';
  }

  becomeLeader(): void {
    if (this.role === 'follower') throw new Error(`raft ${this.id}: invalid transition [follower -> leader]`);
    this.stepFn = stepLeader;
    this.reset(this.term);
    this.tickFn = tickHeartbeat;
    this.lead = this.id;
    this.role = 'leader';
    const self = this.progressById.get(this.id)!;
    self.becomeReplicate();
    self.recentActive = true;
    // Conservatively wait for everything in the log before allowing a new conf change.
    this.pendingConfIndex = this.log.lastIndex();
    this.appendEntry([EMPTY_PROPOSAL]);
  }

  private resetRandomizedElectionTimeout(): void {
    const x = this.random();
    if (!(x >= 0 && x < 1)) throw new RangeError(`raft ${this.id}: config.random returned ${x}, want [0, 1)`);
    this.randomizedElectionTimeout = this.electionTimeout + Math.floor(x * this.electionTimeout);
  }

  pastElectionTimeout(): boolean {
    return this.electionElapsed >= this.randomizedElectionTimeout;
  }

  abortLeaderTransfer(): void {
    this.leadTransferee = NONE;
  }

  /** Appends proposed entries at this leader's term and queues the leader's own (post-persistence) ack. */
  appendEntry(es: readonly Entry[]): void {
    const li = this.log.lastIndex();
    const stamped: Entry[] = new Array<Entry>(es.length);
    for (let i = 0; i < es.length; i++) {
      const e = es[i]!;
      stamped[i] = { term: this.term, index: li + 1 + i, type: e.type, data: e.data };
    }
    const last = this.log.append(stamped);
    // The leader counts itself once its own entries are durable: the ack is stepped back on advance().
    this.send({ type: 'MsgAppResp', from: this.id, to: this.id, term: this.term, index: last, reject: false, rejectHint: 0, logTerm: 0 });
  }

  // ------------------------------------------------------------------------------------------ elections

  /** Starts an election (MsgHup), if allowed. */
  hup(t: CampaignType): void {
    if (this.role === 'leader') return; // already leader
    if (!this.promotable()) return; // unpromotable: not a voter
    if (this.hasUnappliedConfChanges()) return; // cannot campaign with conf changes committed but not applied
    this.campaign(t);
  }

  private hasUnappliedConfChanges(): boolean {
    for (let i = this.log.applied + 1; i <= this.log.committed; i++) {
      if (this.log.entry(i)!.type === 'conf-change') return true;
    }
    return false;
  }

  campaign(t: CampaignType): void {
    let term: number;
    let voteType: 'MsgVote' | 'MsgPreVote';
    if (t === 'pre-election') {
      this.becomePreCandidate();
      voteType = 'MsgPreVote';
      // Pre-votes are asked for the next term, without bumping ours.
      term = this.term + 1;
    } else {
      this.becomeCandidate();
      voteType = 'MsgVote';
      term = this.term;
    }
    const respType = voteType === 'MsgVote' ? 'MsgVoteResp' : 'MsgPreVoteResp';
    const lastIndex = this.log.lastIndex();
    const lastTerm = this.log.lastTerm();
    for (let i = 0; i < this.voters.length; i++) {
      const id = this.voters[i]!;
      if (id === this.id) {
        // Our own vote counts once it is durable: it comes back on advance().
        this.send({ type: respType, from: id, to: id, term, reject: false });
        continue;
      }
      this.send({ type: voteType, from: this.id, to: id, term, logTerm: lastTerm, index: lastIndex, transfer: t === 'transfer' });
    }
  }

  private poll(id: NodeId, granted: boolean): 'pending' | 'lost' | 'won' {
    if (!this.votes.has(id)) this.votes.set(id, granted);
    let yes = 0;
    let no = 0;
    for (let i = 0; i < this.voters.length; i++) {
      const v = this.votes.get(this.voters[i]!);
      if (v === true) yes++;
      else if (v === false) no++;
    }
    return voteResult(yes, no, this.voters.length);
  }

  // ------------------------------------------------------------------------------------------ ticks

  tick(): void {
    this.tickFn(this);
  }

  // ------------------------------------------------------------------------------------------ step

  /**
   * Advances the state machine with a message. Returns false only for a dropped proposal (ErrProposalDropped).
   */
  step(m: RaftMessage): boolean {
    if (m.term === 0) {
      // local message (or a forwarded MsgProp / MsgReadIndex)
    } else if (m.term > this.term) {
      if (m.type === 'MsgVote' || m.type === 'MsgPreVote') {
        const inLease = this.checkQuorum && this.lead !== NONE && this.electionElapsed < this.electionTimeout;
        // Within the minimum election timeout of hearing from a leader, do not update the term or vote
        // (unless the campaign is a leader transfer).
        if (!m.transfer && inLease) return true;
      }
      if (m.type === 'MsgPreVote') {
        // Never change our term in response to a PreVote.
      } else if (m.type === 'MsgPreVoteResp' && !m.reject) {
        // A granted pre-vote carries the term we will campaign for; we bump our term only when we win.
      } else if (m.type === 'MsgApp' || m.type === 'MsgHeartbeat') {
        this.becomeFollower(m.term, m.from);
      } else {
        this.becomeFollower(m.term, NONE);
      }
    } else if (m.term < this.term) {
      if ((this.checkQuorum || this.preVote) && (m.type === 'MsgHeartbeat' || m.type === 'MsgApp')) {
        if (m.type === 'MsgApp' && this.bugs.acceptStaleTermAppend) {
          this.acceptStaleAppend(m);
          return true;
        }
        // A stale leader (or one cut off while we moved on): answer with our term so it steps down. This also
        // frees a node stuck at a higher term after a partition (it forces a new election).
        this.send({ type: 'MsgAppResp', from: this.id, to: m.from, term: this.term, index: 0, reject: false, rejectHint: 0, logTerm: 0 });
      } else if (m.type === 'MsgPreVote') {
        // Reject, so a pre-candidate from before a PreVote upgrade cannot deadlock the cluster.
        this.send({ type: 'MsgPreVoteResp', from: this.id, to: m.from, term: this.term, reject: true });
      } else if (m.type === 'MsgApp' && this.bugs.acceptStaleTermAppend) {
        this.acceptStaleAppend(m);
      }
      // else: ignore other messages with a lower term
      return true;
    }

    switch (m.type) {
      case 'MsgHup':
        this.hup(this.preVote ? 'pre-election' : 'election');
        return true;
      case 'MsgVote':
      case 'MsgPreVote':
        this.handleVote(m);
        return true;
      default:
        return this.stepFn(this, m);
    }
  }

  private handleVote(m: MsgVote): void {
    // We can vote if this is a repeat of a vote we cast, or we have not voted and know of no leader in this
    // term, or this is a PreVote for a future term...
    let canVote =
      this.vote === m.from || (this.vote === NONE && this.lead === NONE) || (m.type === 'MsgPreVote' && m.term > this.term);
    // TEST-ONLY BUG: forget the vote already cast in this term.
    if (this.bugs.voteTwicePerTerm && this.lead === NONE) canVote = true;
    const respType = m.type === 'MsgVote' ? 'MsgVoteResp' : 'MsgPreVoteResp';
    // ...and the candidate's log is at least as up to date as ours.
    if (canVote && this.log.isUpToDate(m.index, m.logTerm)) {
      // Answer with the message's term, not ours: a pre-candidate's term is in our future.
      this.send({ type: respType, from: this.id, to: m.from, term: m.term, reject: false });
      if (m.type === 'MsgVote') {
        this.electionElapsed = 0;
        this.vote = m.from;
      }
    } else {
      this.send({ type: respType, from: this.id, to: m.from, term: this.term, reject: true });
    }
  }

  /**
   * TEST-ONLY BUG (acceptStaleTermAppend): take a stale leader's entries as if it were current, overwriting
   * uncommitted entries of the current term. Conflicts with locally committed entries are still refused (etcd-io/raft
   * would panic), so the damage stays invisible to this member and must be caught by the checkers.
   */
  private acceptStaleAppend(m: MsgApp): void {
    if (m.index < this.log.committed) return;
    const ci = this.log.findConflict(m.entries);
    if (ci !== 0 && ci <= this.log.committed) return;
    this.handleAppendEntries(m);
  }

  handleAppendEntries(m: MsgApp): void {
    if (m.index < this.log.committed) {
      this.send({ type: 'MsgAppResp', from: this.id, to: m.from, term: this.term, index: this.log.committed, reject: false, rejectHint: 0, logTerm: 0 });
      return;
    }
    const lastNew = this.log.maybeAppend(m.index, m.logTerm, m.commit, m.entries, this.bugs.truncateWithoutConflict === true);
    if (lastNew >= 0) {
      this.send({ type: 'MsgAppResp', from: this.id, to: m.from, term: this.term, index: lastNew, reject: false, rejectHint: 0, logTerm: 0 });
      return;
    }
    // Our log does not match at m.index: hint the largest (index, term) that may match, skipping our entries
    // whose terms are above the leader's term at m.index (fast backtracking, follower side).
    const hintIndex = this.log.findConflictByTerm(Math.min(m.index, this.log.lastIndex()), m.logTerm);
    this.send({
      type: 'MsgAppResp',
      from: this.id,
      to: m.from,
      term: this.term,
      index: m.index,
      reject: true,
      rejectHint: hintIndex,
      logTerm: this.log.term(hintIndex),
    });
  }

  handleHeartbeat(m: MsgHeartbeat): void {
    this.log.commitTo(m.commit);
    this.send({ type: 'MsgHeartbeatResp', from: this.id, to: m.from, term: this.term, context: m.context });
  }

  // ------------------------------------------------------------------------------------------ leader helpers

  handleAppResp(m: MsgAppResp, pr: Progress): void {
    pr.recentActive = true;
    if (m.reject) {
      let nextProbeIdx = m.rejectHint;
      if (m.logTerm > 0) {
        // Fast backtracking, leader side: skip every index where our term exceeds the follower's term at the hint.
        nextProbeIdx = this.log.findConflictByTerm(m.rejectHint, m.logTerm);
      }
      if (pr.maybeDecrTo(m.index, nextProbeIdx)) {
        if (pr.state === 'replicate') pr.becomeProbe();
        this.sendAppend(m.from);
      }
      return;
    }
    if (pr.maybeUpdate(m.index) || (pr.match === m.index && pr.state === 'probe')) {
      if (pr.state === 'probe') pr.becomeReplicate();
      else pr.inflights.freeLE(m.index);

      if (this.maybeCommit()) {
        // The commit index moved in this term: held reads can be served.
        this.releasePendingReadIndexMessages();
        this.bcastAppend();
      } else if (m.from !== this.id && pr.canBumpCommit(this.log.committed)) {
        this.sendAppend(m.from);
      }
      if (m.from !== this.id) {
        // The window may have opened: send as much as it allows (without empty messages).
        while (this.maybeSendAppend(m.from, false)) {
          // keep sending
        }
      }
      if (m.from === this.leadTransferee && pr.match === this.log.lastIndex()) this.sendTimeoutNow(m.from);
    }
  }

  handleHeartbeatResp(m: MsgHeartbeatResp, pr: Progress): void {
    pr.recentActive = true;
    pr.msgAppFlowPaused = false;
    if (pr.match < this.log.lastIndex() || pr.state === 'probe') this.sendAppend(m.from);
    if (typeof m.context !== 'number') return;
    this.readOnly.recvAck(m.from, m.context);
    const done = this.readOnly.maybeAdvance(this.voters, this.scratch);
    for (let i = 0; i < done.length; i++) this.respondToReadIndex(done[i]!);
  }

  handleCheckQuorum(): void {
    let active = 0;
    for (let i = 0; i < this.progress.length; i++) {
      const pr = this.progress[i]!;
      if (pr.id === this.id || pr.recentActive) active++;
    }
    if (voteResult(active, this.voters.length - active, this.voters.length) !== 'won') {
      this.becomeFollower(this.term, NONE); // stepped down to follower since quorum is not active
    }
    // Everyone but ourselves must show up again before the next check.
    for (let i = 0; i < this.progress.length; i++) {
      const pr = this.progress[i]!;
      if (pr.id !== this.id) pr.recentActive = false;
    }
  }

  handleTransferLeader(m: MsgTransferLeader): void {
    const target = m.target;
    const pr = this.progressById.get(target);
    if (!pr) return; // no progress for a non-member
    if (this.leadTransferee !== NONE) {
      if (this.leadTransferee === target) return; // already transferring to it
      this.abortLeaderTransfer();
    }
    if (target === this.id) return; // already leader
    // The transfer should finish within an election timeout.
    this.electionElapsed = 0;
    this.leadTransferee = target;
    if (pr.match === this.log.lastIndex()) this.sendTimeoutNow(target);
    else this.sendAppend(target);
  }

  handleProposal(m: MsgProp): boolean {
    if (m.entries.length === 0) throw new Error(`raft ${this.id}: stepped empty MsgProp`);
    if (!this.progressById.has(this.id)) return false; // removed from the configuration while leading
    if (this.leadTransferee !== NONE) return false; // transfer in progress: drop
    let ents = m.entries;
    for (let i = 0; i < ents.length; i++) {
      if (ents[i]!.type !== 'conf-change') continue;
      if (this.pendingConfIndex > this.log.applied) {
        // possible unapplied conf change: replace it by an empty normal entry
        if (ents === m.entries) ents = m.entries.slice();
        (ents as Entry[])[i] = EMPTY_PROPOSAL;
      } else {
        this.pendingConfIndex = this.log.lastIndex() + i + 1;
      }
    }
    this.appendEntry(ents);
    this.bcastAppend();
    return true;
  }

  handleReadIndex(m: MsgReadIndex): void {
    const req: ReadRequest = { from: m.from, context: m.context };
    if (this.voters.length === 1 && this.voters[0] === this.id) {
      this.respondToReadIndex({ req, index: this.log.committed });
      return;
    }
    // A new leader does not know the commit index until it commits an entry of its own term.
    if (!this.committedEntryInCurrentTerm()) {
      this.pendingReadIndexMessages.push(req);
      return;
    }
    this.startReadIndex(req);
  }

  private startReadIndex(req: ReadRequest): void {
    this.readOnly.addRequest(this.log.committed, req);
    // The leader acks its own request, then asks a quorum to confirm it is still the leader.
    this.readOnly.recvAck(this.id, this.readOnly.heartbeatCtx()!);
    this.bcastHeartbeat();
  }

  private releasePendingReadIndexMessages(): void {
    if (this.pendingReadIndexMessages.length === 0) return;
    if (!this.committedEntryInCurrentTerm()) return;
    const held = this.pendingReadIndexMessages;
    this.pendingReadIndexMessages = [];
    for (const req of held) this.startReadIndex(req);
  }

  private respondToReadIndex(r: ReadIndexRequest): void {
    const from = r.req.from;
    if (from === NONE || from === this.id) {
      this.readStates.push({ index: r.index, context: r.req.context });
      return;
    }
    this.send({ type: 'MsgReadIndexResp', from: this.id, to: from, term: this.term, index: r.index, context: r.req.context });
  }

  /** Reads held by this node because it had not yet committed in its term (observation/tests). */
  pendingReadIndexCount(): number {
    return this.pendingReadIndexMessages.length;
  }

  /** Forwards a message to the known leader (a follower's MsgProp / MsgReadIndex / MsgTransferLeader). */
  forwardToLeader(m: MsgProp | MsgReadIndex | MsgTransferLeader): void {
    switch (m.type) {
      case 'MsgProp':
        this.send({ type: 'MsgProp', from: m.from === NONE ? this.id : m.from, to: this.lead, term: 0, entries: m.entries });
        return;
      case 'MsgReadIndex':
        this.send({ type: 'MsgReadIndex', from: m.from === NONE ? this.id : m.from, to: this.lead, term: 0, context: m.context });
        return;
      case 'MsgTransferLeader':
        this.send({ type: 'MsgTransferLeader', from: this.id, to: this.lead, term: this.term, target: m.target });
        return;
      default: {
        const never: never = m;
        throw new Error(`raft: cannot forward ${String(never)}`);
      }
    }
  }

  handleVoteResp(m: MsgVoteResp): void {
    const res = this.poll(m.from, !m.reject);
    if (res === 'won') {
      if (this.role === 'pre-candidate') {
        this.campaign('election');
      } else {
        this.becomeLeader();
        this.bcastAppend();
      }
    } else if (res === 'lost') {
      // A pre-vote rejection carries a term at most ours here; stay at our term.
      this.becomeFollower(this.term, NONE);
    }
  }
}

const EMPTY_ENTRIES: readonly Entry[] = [];
/** The entry a new leader appends (and what an ignored conf change becomes); term/index are stamped on append. */
const EMPTY_PROPOSAL: Entry = { term: 0, index: 0, type: 'normal', data: null };

// ------------------------------------------------------------------------------------------ ticks

function tickElection(r: Raft): void {
  r.electionElapsed++;
  if (r.promotable() && r.pastElectionTimeout()) {
    r.electionElapsed = 0;
    r.hup(r.preVote ? 'pre-election' : 'election');
  }
}

function tickHeartbeat(r: Raft): void {
  r.heartbeatElapsed++;
  r.electionElapsed++;
  if (r.electionElapsed >= r.electionTimeout) {
    r.electionElapsed = 0;
    if (r.checkQuorum) r.handleCheckQuorum();
    // A transfer that did not finish within an election timeout is abandoned.
    if (r.role === 'leader' && r.leadTransferee !== NONE) r.abortLeaderTransfer();
  }
  if (r.role !== 'leader') return;
  if (r.heartbeatElapsed >= r.heartbeatTimeout) {
    r.heartbeatElapsed = 0;
    r.bcastHeartbeat();
  }
}

// ------------------------------------------------------------------------------------------ step functions

function stepLeader(r: Raft, m: RaftMessage): boolean {
  switch (m.type) {
    case 'MsgBeat':
      r.bcastHeartbeat();
      return true;
    case 'MsgCheckQuorum':
      r.handleCheckQuorum();
      return true;
    case 'MsgProp':
      return r.handleProposal(m);
    case 'MsgReadIndex':
      r.handleReadIndex(m);
      return true;
    case 'MsgTransferLeader':
      r.handleTransferLeader(m);
      return true;
    case 'MsgAppResp': {
      const pr = r.progressOf(m.from);
      if (pr) r.handleAppResp(m, pr);
      return true;
    }
    case 'MsgHeartbeatResp': {
      const pr = r.progressOf(m.from);
      if (pr) r.handleHeartbeatResp(m, pr);
      return true;
    }
    case 'MsgHup':
    case 'MsgApp':
    case 'MsgHeartbeat':
    case 'MsgVote':
    case 'MsgPreVote':
    case 'MsgVoteResp':
    case 'MsgPreVoteResp':
    case 'MsgTimeoutNow':
    case 'MsgReadIndexResp':
      return true; // nothing for a leader to do (same-term MsgApp/Heartbeat cannot come from another leader)
    default: {
      const never: never = m;
      throw new Error(`raft: unhandled message ${String((never as RaftMessage).type)}`);
    }
  }
}

/** Shared by candidate and pre-candidate: they differ in which vote responses they count. */
function stepCandidate(r: Raft, m: RaftMessage): boolean {
  switch (m.type) {
    case 'MsgProp':
      return false; // no leader at this term: drop
    case 'MsgApp':
      r.becomeFollower(m.term, m.from); // always m.term === r.term
      r.handleAppendEntries(m);
      return true;
    case 'MsgHeartbeat':
      r.becomeFollower(m.term, m.from);
      r.handleHeartbeat(m);
      return true;
    case 'MsgVoteResp':
    case 'MsgPreVoteResp':
      // Only responses to our current candidacy count (a candidate may still get stale pre-vote responses).
      if ((m.type === 'MsgPreVoteResp') === (r.role === 'pre-candidate')) r.handleVoteResp(m);
      return true;
    case 'MsgTimeoutNow':
    case 'MsgHup':
    case 'MsgBeat':
    case 'MsgCheckQuorum':
    case 'MsgAppResp':
    case 'MsgVote':
    case 'MsgPreVote':
    case 'MsgHeartbeatResp':
    case 'MsgTransferLeader':
    case 'MsgReadIndex':
    case 'MsgReadIndexResp':
      return true; // ignored
    default: {
      const never: never = m;
      throw new Error(`raft: unhandled message ${String((never as RaftMessage).type)}`);
    }
  }
}

function stepFollower(r: Raft, m: RaftMessage): boolean {
  switch (m.type) {
    case 'MsgProp':
      if (r.lead === NONE) return false; // no leader at this term: drop
      r.forwardToLeader(m);
      return true;
    case 'MsgApp':
      r.electionElapsed = 0;
      r.lead = m.from;
      r.handleAppendEntries(m);
      return true;
    case 'MsgHeartbeat':
      r.electionElapsed = 0;
      r.lead = m.from;
      r.handleHeartbeat(m);
      return true;
    case 'MsgTransferLeader':
      if (r.lead !== NONE) r.forwardToLeader(m);
      return true;
    case 'MsgTimeoutNow':
      // Leader transfer: campaign at once, without pre-vote (we are not recovering from a partition).
      r.hup('transfer');
      return true;
    case 'MsgReadIndex':
      if (r.lead !== NONE) r.forwardToLeader(m);
      return true;
    case 'MsgReadIndexResp':
      r.readStates.push({ index: m.index, context: m.context });
      return true;
    case 'MsgHup':
    case 'MsgBeat':
    case 'MsgCheckQuorum':
    case 'MsgAppResp':
    case 'MsgVote':
    case 'MsgPreVote':
    case 'MsgVoteResp':
    case 'MsgPreVoteResp':
    case 'MsgHeartbeatResp':
      return true; // ignored
    default: {
      const never: never = m;
      throw new Error(`raft: unhandled message ${String((never as RaftMessage).type)}`);
    }
  }
}
