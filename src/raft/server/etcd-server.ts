// One incarnation of an etcd member (server/etcdserver/server.go, v3_server.go): recovers its WAL from the host's
// disk, runs the Raft core through the raftNode loop, applies committed entries to MVCC and membership, and serves
// requests as etcd does:
// - writes are proposed and wait for their entry to be applied, up to the request timeout (5 s + 2 x election
//   timeout) or the client's deadline, whichever is sooner; with no leader a proposal cannot enter Raft and blocks
//   until then ("context deadline exceeded"); a proposal that entered Raft and timed out gets
//   "etcdserver: request timed out" with etcd's hints (parseProposeCtxErr);
// - linearizable reads go through ReadIndex (read-index.ts); serializable reads are served from local state;
// - a member serves clients only once it has published itself through Raft (publishV3 -> ReadyNotify).
import { NONE, type Entry, type NodeId, type RaftRole, type RawNodeApi, type Ready, type ReadState, type SoftState } from '../types';
import { RawNode } from '../rawnode';
import { isEtcdError, type EtcdError, type ResponseHeader } from '../etcd-api';
import { MvccRangeError, MvccStore } from '../mvcc/store';
import type { ProcessContext } from '../../sim/process';
import { DeadlineQueue, type Deadline } from './deadlines';
import type { ResolvedEtcdConfig } from './config';
import { Membership } from './membership';
import { RaftNodeLoop } from './raft-node';
import { LinearizableReads, type ReadWaiter } from './read-index';
import { ERR, type MemberContext, type RaftRequest } from './requests';
import { PeerTransport, type PeerState } from './transport';
import { WalFile, walKey } from './wal';
import { WatchHub } from './watches';
import type { ConfChange } from '../types';
import '../trace-events';

/** etcd's maxGapBetweenApplyAndCommitIndex. */
export const MAX_GAP_BETWEEN_APPLY_AND_COMMIT = 5000;
/** monitorVersionInterval = rafthttp.ConnWriteTimeout - 1 s. */
export const MONITOR_VERSION_INTERVAL_US = 4_000_000;
/** adjustTicks polls the transport this often, for up to rafthttp.ConnReadTimeout. */
const ADJUST_TICKS_POLL_US = 50_000;
const ADJUST_TICKS_WAIT_US = 5_000_000;

/** Where a request's outcome goes: its response body, or an EtcdError (an RpcResponder is one). */
export interface ReplySink {
  reply(body: unknown): void;
}

/** A proposal waiting to enter Raft (blocked: no leader) or to be applied. */
class Proposal implements Deadline {
  state: 'blocked' | 'proposed' | 'done' = 'blocked';
  /** Host monotonic time the proposal entered Raft (etcd's `start` in processInternalRaftRequestOnce). */
  startUs = -1;

  constructor(
    private readonly server: EtcdServer,
    readonly request: RaftRequest,
    readonly deadlineUs: number,
    readonly sink: ReplySink,
  ) {}

  isDone(): boolean {
    return this.state === 'done';
  }

  expire(): void {
    this.server.proposalExpired(this);
  }
}

/** Implemented by the observer (observer.ts): what one incarnation reports. */
export interface EtcdServerObserver {
  /** Registers an incarnation; returns what its raft loop calls whenever the member's core or WAL may have changed. */
  attach(server: EtcdServer): () => void;
  roleChanged(server: EtcdServer): void;
}

export class EtcdServer {
  readonly node: RawNodeApi;
  readonly loop: RaftNodeLoop;
  readonly wal: WalFile;
  readonly transport: PeerTransport;
  readonly store = new MvccStore();
  readonly membership: Membership;
  readonly reads: LinearizableReads;
  readonly watches: WatchHub;
  readonly self: NodeId;

  /** The leader as this member knows it (s.getLead()). */
  lead: NodeId = NONE;
  role: RaftRole = 'follower';
  term = 0;
  /** The last committed index handed to apply (s.getCommittedIndex()). */
  committedIndex = 0;
  appliedIndex = 0;
  /** Applied entries of this incarnation, by index - 1 (for the safety checkers). */
  readonly appliedEntries: Entry[] = [];
  /** Host monotonic time this member last became leader (s.leadElectedTime); -1 never. */
  leadElectedAtUs = -1;
  /** Published through Raft: serving clients. */
  ready = false;
  /** Set once the process is shutting down. */
  stopping = false;

  private requestSeq = 0;
  private readonly requestIdBase: number;
  private readonly waiters = new Map<number, Proposal>();
  private blocked: Proposal[] = [];
  private readonly deadlines: DeadlineQueue;
  private readyListeners: Array<() => void> = [];
  private ticksSinceMonitor = 0;
  private ticksSinceVersionCheck = 0;
  private versionProposalInFlight = false;
  private adjustTicksDone = false;
  private lastRole: RaftRole = 'follower';
  private lastTerm = -1;
  private lastLead: NodeId = NONE;
  readonly header: (revision: number) => ResponseHeader;
  private readonly names = new Map<NodeId, string>();
  /** Tells the observer (the Raft safety checkers) that the core or the WAL may have changed. */
  private notifyChange: () => void = () => {};
  private readonly serverMajorMinor: string;

  constructor(
    readonly ctx: ProcessContext,
    readonly cfg: ResolvedEtcdConfig,
    private readonly observer: EtcdServerObserver | null,
  ) {
    this.self = cfg.self.nodeId;
    for (const m of cfg.members) this.names.set(m.nodeId, m.name);
    this.serverMajorMinor = majorMinor(cfg.version);
    // Request IDs never repeat across incarnations, so a late entry of an earlier life cannot answer a new request.
    this.requestIdBase = ctx.incarnation * 2 ** 32;
    this.membership = new Membership(cfg.members);
    this.deadlines = new DeadlineQueue(ctx);
    this.header = (revision) => ({ clusterId: cfg.clusterIdHex, memberId: cfg.self.idHex, revision, raftTerm: this.term });

    const { wal, node } = this.openStorage();
    this.wal = wal;
    this.node = node;
    this.term = node.status().term;
    this.transport = new PeerTransport(ctx, cfg.self, cfg.members, cfg.peerListenPort, {
      onRaftMessage: (msg) => this.loop.step(msg),
      onPeerActive: (peer, active) => this.onPeerActive(peer, active),
    });
    const engine = ctx.host.engine;
    this.loop = new RaftNodeLoop(
      ctx,
      node,
      wal,
      this.transport,
      {
        onSoftState: (ss) => this.onSoftState(ss),
        onReadStates: (rs) => this.onReadStates(rs),
        onCommittedEntries: (entries) => this.applyEntries(entries),
        onReadyDone: (rd) => this.onReadyDone(rd),
        onFsync: (tookUs, entries) => {
          const trace = engine.trace;
          if (trace.wants('etcd.fsync')) trace.emit('etcd.fsync', { host: ctx.host.name, member: cfg.name, tookUs, entries });
        },
        onChange: () => this.notifyChange(),
      },
      cfg.tickMs,
      cfg.fsyncLatency,
      engine.rng.stream(`${ctx.id}/wal-fsync`),
      cfg.serverBugs,
      () => this.onTick(),
    );
    this.reads = new LinearizableReads({
      ctx,
      requestTimeoutUs: cfg.requestTimeoutUs,
      nextRequestId: () => this.nextRequestId(),
      sendReadIndex: (id) => {
        this.node.readIndex(id);
        this.loop.pump();
      },
      appliedIndex: () => this.appliedIndex,
    });
    this.watches = new WatchHub(this.store, this.header, () => this.lead !== NONE);
    if (observer !== null) this.notifyChange = observer.attach(this);
  }

  /** Starts the member: peer streams, the raft loop, the startup tick fast-forward and publishing. */
  start(): void {
    this.ctx.log('info', `starting etcd member ${this.cfg.self.idHex} (${this.cfg.name}) of cluster ${this.cfg.clusterIdHex}`);
    this.transport.dialInactive();
    this.loop.start(this.ctx.host.engine.rng.stream(`${this.ctx.id}/tick-phase`).float());
    this.adjustTicks();
    this.publish();
  }

  // ------------------------------------------------------------------------------------------ storage

  private openStorage(): { wal: WalFile; node: RawNodeApi } {
    const ctx = this.ctx;
    const cfg = this.cfg;
    const key = walKey(cfg.dataDir);
    let wal = ctx.disk.get(key) as WalFile | undefined;
    const raftConfig = {
      id: cfg.self.nodeId,
      electionTick: cfg.electionTicks,
      heartbeatTick: cfg.heartbeatTicks,
      preVote: cfg.preVote,
      checkQuorum: cfg.serverBugs.noCheckQuorum !== true, // always on in etcd; off only with the test-only bug switch
      maxInflightMsgs: 512,
      maxEntriesPerMsg: 1024,
      random: randomFrom(ctx),
      bugs: cfg.raftBugs,
    };
    if (wal !== undefined) {
      const hostCrashed = ctx.process.lastExit?.kind === 'host-crash' || cfg.unsyncedLostOn === 'any-crash';
      wal.recover(hostCrashed);
      if (wal.written.lastIndex() > 0) {
        ctx.log('info', `restarting member ${cfg.self.idHex} in cluster ${cfg.clusterIdHex} at commit index ${wal.written.hardState.commit}`);
        const node = new RawNode(raftConfig, {
          hardState: wal.written.hardState,
          entries: wal.written.entries.slice(),
          voters: cfg.members.map((m) => m.nodeId),
        });
        return { wal, node };
      }
      // The WAL exists but the bootstrap entries never reached the disk: bootstrap again.
    } else {
      if (cfg.clusterState === 'existing') {
        ctx.log('error', 'joining an existing cluster (--initial-cluster-state=existing with an empty data dir) is not simulated');
      }
      wal = new WalFile({ memberIdHex: cfg.self.idHex, clusterIdHex: cfg.clusterIdHex });
      ctx.disk.set(key, wal);
    }
    ctx.log('info', `starting member ${cfg.self.idHex} in cluster ${cfg.clusterIdHex}`);
    const node = RawNode.bootstrap(
      raftConfig,
      cfg.members.map((m) => ({ id: m.nodeId, context: { idHex: m.idHex, name: m.name, peerUrls: m.peerUrls } satisfies MemberContext })),
    );
    return { wal, node };
  }

  // ------------------------------------------------------------------------------------------ raft loop hooks

  private onSoftState(ss: SoftState): void {
    const newLeader = ss.lead !== NONE && this.lead !== ss.lead;
    const previous = this.lead;
    this.lead = ss.lead;
    this.role = ss.role;
    const isLeader = ss.lead === this.self;
    if (isLeader && newLeader) this.leadElectedAtUs = this.ctx.monoUs();
    if (newLeader) this.reads.onLeaderChanged();
    if (previous !== ss.lead) {
      const trace = this.ctx.host.engine.trace;
      if (trace.wants('etcd.leader')) {
        trace.emit('etcd.leader', {
          host: this.ctx.host.name,
          member: this.cfg.name,
          term: this.node.status().term,
          lead: this.memberName(ss.lead),
          previous: this.memberName(previous),
          elected: isLeader,
        });
      }
      if (ss.lead === NONE) this.ctx.log('info', `raft.node: ${this.cfg.self.idHex} lost leader ${this.idHex(previous)} at term ${this.node.status().term}`);
      else this.ctx.log('info', `raft.node: ${this.cfg.self.idHex} elected leader ${this.idHex(ss.lead)} at term ${this.node.status().term}`);
    }
    if (ss.lead !== NONE && this.blocked.length > 0) {
      const blocked = this.blocked;
      this.blocked = [];
      for (const p of blocked) if (p.state === 'blocked') this.enterRaft(p);
    }
  }

  private onReadStates(readStates: readonly ReadState[]): void {
    this.reads.onReadStates(readStates);
  }

  /** Role, term or leader changed in this Ready: trace and notify the observer (changes only). */
  private onReadyDone(rd: Ready): void {
    if (rd.hardState !== null) this.term = rd.hardState.term;
    if (rd.softState === null && (rd.hardState === null || rd.hardState.term === this.lastTerm)) return;
    const role = this.role;
    const lead = this.lead;
    if (role === this.lastRole && this.term === this.lastTerm && lead === this.lastLead) return;
    this.lastRole = role;
    this.lastTerm = this.term;
    this.lastLead = lead;
    const trace = this.ctx.host.engine.trace;
    if (trace.wants('raft.role')) {
      trace.emit('raft.role', { host: this.ctx.host.name, member: this.cfg.name, role, term: this.term, lead: this.memberName(lead) });
    }
    this.observer?.roleChanged(this);
  }

  private onTick(): void {
    this.transport.onTick();
    if (++this.ticksSinceMonitor >= this.cfg.electionTicks) {
      this.ticksSinceMonitor = 0;
      this.watches.monitorLeader();
    }
    if (this.lead === this.self && ++this.ticksSinceVersionCheck * this.cfg.tickMs * 1000 >= MONITOR_VERSION_INTERVAL_US) {
      this.ticksSinceVersionCheck = 0;
      this.monitorVersions();
    }
  }

  private onPeerActive(peer: PeerState, active: boolean): void {
    const trace = this.ctx.host.engine.trace;
    if (trace.wants('etcd.peer')) trace.emit('etcd.peer', { host: this.ctx.host.name, member: this.cfg.name, peer: peer.spec.name, active });
    this.ctx.log(active ? 'info' : 'warn', active ? `peer ${peer.spec.idHex} became active` : `peer ${peer.spec.idHex} became inactive (message send to peer failed)`);
  }

  // ------------------------------------------------------------------------------------------ startup

  /**
   * adjustTicks: a single-member cluster fast-forwards ElectionTicks-1 ticks at once; a multi-member one polls the
   * transport every 50 ms for up to 5 s and fast-forwards ElectionTicks-2 once more than one peer is active.
   */
  private adjustTicks(): void {
    const cfg = this.cfg;
    if (cfg.members.length === 1) {
      this.loop.advanceTicks(cfg.electionTicks - 1);
      return;
    }
    if (!cfg.initialElectionTickAdvance) return;
    let polls = 0;
    const poll = (): void => {
      if (this.adjustTicksDone || this.stopping) return;
      polls++;
      if (this.transport.activePeers() > 1) {
        this.adjustTicksDone = true;
        this.ctx.log('info', `fast-forwarding ${cfg.electionTicks - 2} ticks (election ticks ${cfg.electionTicks}) with ${this.transport.activePeers()} found peer(s)`);
        this.loop.advanceTicks(cfg.electionTicks - 2);
        return;
      }
      if (polls * ADJUST_TICKS_POLL_US < ADJUST_TICKS_WAIT_US) this.ctx.setTimer(ADJUST_TICKS_POLL_US, poll);
    };
    this.ctx.setTimer(ADJUST_TICKS_POLL_US, poll);
  }

  /** publishV3: propose this member's attributes until it succeeds; then serve clients. */
  private publish(): void {
    const attempt = (): void => {
      if (this.stopping) return;
      const request: RaftRequest = {
        kind: 'member-attr-set',
        id: this.nextRequestId(),
        proposer: this.self,
        member: this.self,
        name: this.cfg.name,
        clientUrls: this.cfg.clientUrls,
      };
      this.raftRequest(request, this.ctx.monoUs() + this.cfg.requestTimeoutUs, {
        reply: (body) => {
          if (isEtcdError(body)) {
            this.ctx.log('warn', `failed to publish local member to cluster through raft: ${body.error.message}`);
            // etcd's publishV3 loops at once; a dropped proposal fails synchronously, so retrying in the same
            // instant would recurse without end. Retry at the next tick instead (simplification).
            this.ctx.setTimer(this.cfg.tickMs * 1000, attempt);
            return;
          }
          this.ctx.log('info', `published local member to cluster through raft (cluster ${this.cfg.clusterIdHex})`);
          this.ready = true;
          const trace = this.ctx.host.engine.trace;
          if (trace.wants('etcd.ready')) trace.emit('etcd.ready', { host: this.ctx.host.name, member: this.cfg.name });
          this.ctx.log('info', 'ready to serve client requests');
          const listeners = this.readyListeners;
          this.readyListeners = [];
          for (const l of listeners) l();
        },
      });
    };
    attempt();
  }

  /** Runs fn once the member serves clients (s.ReadyNotify()). */
  whenReady(fn: () => void): void {
    if (this.ready) fn();
    else this.readyListeners.push(fn);
  }

  /** monitorVersions: the leader sets the cluster version (the major.minor all members run). */
  private monitorVersions(): void {
    if (this.lead !== this.self || this.versionProposalInFlight) return;
    const allReachable = this.transport.activePeers() === this.cfg.members.length - 1;
    const decided = allReachable ? this.serverMajorMinor : null;
    const current = this.membership.clusterVersion;
    let target: string | null = null;
    if (current === null) target = decided ?? '3.0';
    else if (decided !== null && compareVersions(decided, current) > 0) target = decided;
    if (target === null) return;
    this.versionProposalInFlight = true;
    const request: RaftRequest = { kind: 'cluster-version-set', id: this.nextRequestId(), proposer: this.self, version: target };
    this.raftRequest(request, this.ctx.monoUs() + this.cfg.requestTimeoutUs, {
      reply: () => {
        this.versionProposalInFlight = false;
      },
    });
  }

  // ------------------------------------------------------------------------------------------ apply

  private applyEntries(entries: readonly Entry[]): void {
    const last = entries[entries.length - 1]!;
    if (last.index > this.committedIndex) this.committedIndex = last.index;
    for (const e of entries) {
      if (e.index !== this.appliedIndex + 1) throw new Error(`${this.ctx.id}: applying entry ${e.index} after ${this.appliedIndex}`);
      this.applyEntry(e);
      this.appliedIndex = e.index;
      this.appliedEntries.push(e);
    }
    const trace = this.ctx.host.engine.trace;
    if (trace.wants('etcd.apply')) trace.emit('etcd.apply', { host: this.ctx.host.name, member: this.cfg.name, index: this.appliedIndex, revision: this.store.revision });
    this.reads.onApplied(this.appliedIndex);
  }

  private applyEntry(e: Entry): void {
    if (e.type === 'conf-change') {
      const cc = e.data as ConfChange;
      this.node.applyConfChange(cc);
      if (cc.kind === 'remove-node') this.membership.removeMember(cc.nodeId);
      else this.membership.addMember(cc.nodeId, (cc.context as MemberContext | null) ?? null);
      return;
    }
    if (e.data === null || e.data === undefined) {
      // The new leader's empty entry (notifyAboutFirstCommitInTerm).
      this.reads.onFirstCommitInTerm();
      if (this.lead === this.self) this.monitorVersions();
      return;
    }
    const req = e.data as RaftRequest;
    const body = this.applyRequest(req);
    if (req.proposer !== this.self) return;
    const p = this.waiters.get(req.id);
    if (p === undefined) return;
    this.waiters.delete(req.id);
    this.complete(p, body);
  }

  /** Applies one request; returns its response body (or an EtcdError for the proposer). */
  private applyRequest(req: RaftRequest): unknown {
    try {
      switch (req.kind) {
        case 'put':
          return this.store.put(req.request, this.header);
        case 'delete-range':
          return this.store.deleteRange(req.request, this.header);
        case 'txn':
          return this.store.txn(req.request, this.header);
        case 'member-attr-set':
          this.membership.setAttributes(req.member, req.name, req.clientUrls);
          return null;
        case 'cluster-version-set':
          this.membership.clusterVersion = req.version;
          this.ctx.log('info', `cluster version is updated to ${req.version}`);
          return null;
      }
    } catch (err) {
      if (err instanceof MvccRangeError) return err.kind === 'future-revision' ? ERR.futureRev : ERR.compacted;
      throw err;
    }
  }

  // ------------------------------------------------------------------------------------------ proposals

  nextRequestId(): number {
    return this.requestIdBase + ++this.requestSeq;
  }

  /**
   * processInternalRaftRequestOnce: propose `request` (built with nextRequestId() and this member as proposer) and
   * wait for its entry to be applied, until `deadlineUs` (host monotonic; the sooner of the client's deadline and
   * now + request timeout). The outcome (response body or EtcdError) goes to `sink`.
   */
  raftRequest(request: RaftRequest, deadlineUs: number, sink: ReplySink): void {
    if (this.committedIndex > this.appliedIndex + MAX_GAP_BETWEEN_APPLY_AND_COMMIT) {
      sink.reply(ERR.tooManyRequests);
      return;
    }
    const p = new Proposal(this, request, deadlineUs, sink);
    this.deadlines.add(p);
    if (this.lead === NONE) this.blocked.push(p);
    else this.enterRaft(p);
  }

  private enterRaft(p: Proposal): void {
    p.state = 'proposed';
    p.startUs = this.ctx.monoUs();
    this.waiters.set(p.request.id, p);
    const accepted = this.node.propose(p.request);
    if (!accepted) {
      this.waiters.delete(p.request.id);
      this.complete(p, ERR.proposalDropped);
      return;
    }
    this.loop.pump();
  }

  /** The proposal's deadline passed before it was applied. */
  proposalExpired(p: Proposal): void {
    if (p.state === 'done') return;
    if (p.state === 'blocked') {
      // node.Propose never got the proposal into Raft: the context error itself.
      const i = this.blocked.indexOf(p);
      if (i >= 0) this.blocked.splice(i, 1);
      this.complete(p, ERR.deadlineExceeded);
      return;
    }
    this.waiters.delete(p.request.id);
    this.complete(p, this.parseProposeCtxErr(p.startUs));
  }

  private complete(p: Proposal, body: unknown): void {
    if (p.state === 'done') return;
    p.state = 'done';
    p.sink.reply(body);
  }

  /** parseProposeCtxErr for a deadline: which "request timed out" variant. */
  private parseProposeCtxErr(startUs: number): EtcdError {
    const electedUs = this.leadElectedAtUs;
    if (electedUs >= 0) {
      const prevLeadLostUs = electedUs - 2 * this.cfg.electionMs * 1000;
      if (startUs > prevLeadLostUs && startUs < electedUs) return ERR.timeoutDueToLeaderFail;
    }
    const lead = this.lead;
    if (lead === NONE) return ERR.timeout;
    if (lead === this.self) {
      let connected = 1;
      for (const m of this.cfg.members) {
        if (m.nodeId === this.self) continue;
        const since = this.transport.activeSinceUs(m.nodeId);
        if (since >= 0 && since < startUs) connected++;
      }
      if (connected < Math.floor(this.cfg.members.length / 2) + 1) return ERR.timeoutDueToConnectionLost;
      return ERR.timeout;
    }
    const since = this.transport.activeSinceUs(lead);
    if (!(since >= 0 && since < startUs)) return ERR.timeoutDueToConnectionLost;
    return ERR.timeout;
  }

  // ------------------------------------------------------------------------------------------ reads, leadership

  /** linearizableReadNotify. */
  linearizableRead(waiter: ReadWaiter): void {
    this.reads.read(waiter);
  }

  /**
   * MoveLeader: only the leader may move leadership; waits (polling every tick interval) until the target leads or
   * the deadline passes.
   */
  moveLeader(targetHex: string, deadlineUs: number, done: (error: EtcdError | null) => void): void {
    if (this.lead !== this.self) {
      done(ERR.notLeader);
      return;
    }
    const target = this.cfg.members.find((m) => m.idHex === targetHex);
    if (target === undefined || !this.membership.has(target.nodeId)) {
      done(ERR.badLeaderTransferee);
      return;
    }
    this.ctx.log('info', `leadership transfer starting: ${this.cfg.self.idHex} -> ${target.idHex}`);
    this.node.transferLeader(target.nodeId);
    this.loop.pump();
    const intervalUs = this.cfg.tickMs * 1000;
    const check = (): void => {
      if (this.lead === target.nodeId) {
        this.ctx.log('info', `leadership transfer finished: ${this.cfg.self.idHex} -> ${target.idHex}`);
        done(null);
        return;
      }
      if (this.ctx.monoUs() >= deadlineUs) {
        done(ERR.leaderTransferTimeout);
        return;
      }
      this.ctx.setTimer(Math.min(intervalUs, Math.max(1, deadlineUs - this.ctx.monoUs())), check);
    };
    this.ctx.setTimer(intervalUs, check);
  }

  /**
   * SIGTERM: etcd's Stop transfers leadership first when this member leads (TransferLeadership, to the longest
   * connected voter, within the request timeout), then exits.
   */
  terminate(): void {
    if (this.stopping) return;
    this.stopping = true;
    const exit = (): void => {
      this.loop.stop();
      this.ctx.exit(0, 'etcd stopped');
    };
    if (this.lead !== this.self || this.cfg.members.length < 2) {
      exit();
      return;
    }
    let best: PeerState | null = null;
    for (const peer of this.transport.peers.values()) {
      if (peer.active && (best === null || peer.activeSinceUs < best.activeSinceUs)) best = peer;
    }
    if (best === null) {
      this.ctx.log('warn', 'leadership transfer failed: etcdserver: unhealthy cluster');
      exit();
      return;
    }
    this.moveLeader(best.spec.idHex, this.ctx.monoUs() + this.cfg.requestTimeoutUs, (error) => {
      if (error !== null) this.ctx.log('warn', `leadership transfer failed: ${error.error.message}`);
      exit();
    });
  }

  // ------------------------------------------------------------------------------------------ observation

  memberName(id: NodeId): string {
    if (id === NONE) return '';
    return this.names.get(id) ?? id.toString(16);
  }

  idHex(id: NodeId): string {
    if (id === NONE) return '0';
    return this.cfg.members.find((m) => m.nodeId === id)?.idHex ?? id.toString(16);
  }

  get isLeader(): boolean {
    return this.lead === this.self;
  }

  /** Requests waiting for a leader (blocked proposals), for tests and reports. */
  get blockedProposals(): number {
    return this.blocked.length;
  }
}

function randomFrom(ctx: ProcessContext): () => number {
  const stream = ctx.host.engine.rng.stream(`${ctx.id}/raft`);
  return () => stream.float();
}

function majorMinor(version: string): string {
  const [major = '3', minor = '0'] = version.split('.');
  return `${major}.${minor}`;
}

function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}
