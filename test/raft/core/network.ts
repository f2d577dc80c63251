// A core-level test network in the style of etcd-io/raft raft_test.go's `network`: RawNodes driven directly,
// with the verbs send, drop(from, to, p), cut, isolate, ignore(type), recover — plus crash/restart with a durable
// storage model, and a manual mode where a test (or fast-check) chooses which in-flight message to deliver,
// drop or duplicate. Every Ready is handled as etcd's server does with synchronous storage: persist entries and
// hard state, then send, then apply (calling applyConfChange for ConfChange entries), then advance.
// The safety checkers (src/raft/checkers) run after every delivered message and tick when `checkers` is on.
import { RngRoot, type Random } from '../../../src/sim/rng';
import { testConfig } from './helpers';
import { RawNode, raftOf } from '../../../src/raft/rawnode';
import type { Raft } from '../../../src/raft/raft';
import { RaftSafetyChecker, type RaftClusterView, type RaftMemberView, type RaftViolation } from '../../../src/raft/checkers';
import {
  EMPTY_HARD_STATE,
  type ConfChange,
  type Entry,
  type HardState,
  type MessageType,
  type NodeId,
  type RaftBugs,
  type RaftConfig,
  type RaftLogView,
  type RaftMessage,
  type ReadState,
} from '../../../src/raft/types';

/** The durable storage of one member: what an fsync made permanent. */
export class DurableLog implements RaftLogView {
  entries: Entry[] = [];
  hardState: HardState = EMPTY_HARD_STATE;
  private truncated = 0;

  lastIndex(): number {
    return this.entries.length;
  }
  term(index: number): number {
    return index >= 1 && index <= this.entries.length ? this.entries[index - 1]!.term : 0;
  }
  entry(index: number): Entry | undefined {
    return index >= 1 && index <= this.entries.length ? this.entries[index - 1] : undefined;
  }
  truncations(): number {
    return this.truncated;
  }

  /** Appends entries, replacing any suffix from the first one's index (etcd-io/raft MemoryStorage.Append). */
  append(ents: readonly Entry[]): void {
    if (ents.length === 0) return;
    const from = ents[0]!.index;
    if (from > this.entries.length + 1) throw new Error(`durable log: gap appending ${from} after ${this.entries.length}`);
    if (from <= this.entries.length) {
      this.entries.length = from - 1;
      this.truncated++;
    }
    for (const e of ents) this.entries.push(e);
  }
}

export class TestMember implements RaftMemberView {
  readonly name: string;
  rawNode: RawNode | null = null;
  readonly durable = new DurableLog();
  applied: Entry[] = [];
  readStates: ReadState[] = [];
  /** Whether a proposal was dropped (ErrProposalDropped), per propose() call. */
  lastProposeAccepted = true;

  constructor(readonly id: NodeId) {
    this.name = `m${id}`;
  }

  node(): RawNode | null {
    return this.rawNode;
  }
  durableLog(): RaftLogView {
    return this.durable;
  }
  appliedIndex(): number {
    return this.applied.length;
  }
  appliedEntry(index: number): Entry | undefined {
    return this.applied[index - 1];
  }

  /** The live node (throws if down). */
  get rn(): RawNode {
    if (!this.rawNode) throw new Error(`member ${this.id} is down`);
    return this.rawNode;
  }
  /** White-box access to the state machine. */
  get raft(): Raft {
    return raftOf(this.rn);
  }
}

export interface NetworkOptions {
  /** Cluster size: members 1..size. Default 3. */
  readonly size?: number;
  /** Default false: newTestRaft in etcd-io/raft has PreVote and CheckQuorum off. */
  readonly preVote?: boolean;
  readonly checkQuorum?: boolean;
  readonly electionTick?: number;
  readonly heartbeatTick?: number;
  readonly maxInflightMsgs?: number;
  readonly maxEntriesPerMsg?: number;
  readonly seed?: string | number;
  /** Test-only core bugs, for every member (or per member id). */
  readonly bugs?: RaftBugs | ((id: NodeId) => RaftBugs | undefined);
  /** Run the safety checkers after every delivered message and tick (default true). */
  readonly checkers?: boolean;
  /** Throw as soon as a checker finds a violation (default true; set false to inspect `violation`). */
  readonly throwOnViolation?: boolean;
  /** Manual delivery: outgoing messages wait in `inflight` until deliver()/dropAt() (default false: deliver at once). */
  readonly manual?: boolean;
  /**
   * Bootstrap as etcd (ConfChange entries at term 1) — default true. With false, members start as etcd-io/raft's
   * newTestRaft: voters known, empty log, term 0 (unless `storage` gives them a log).
   */
  readonly bootstrap?: boolean;
  /** With bootstrap false: a member's initial durable log (terms of entries 1..n) and hard state. */
  readonly storage?: (id: NodeId) => InitialStorage | undefined;
}

export interface InitialStorage {
  /** Terms of the entries at index 1, 2, ... (normal entries, data null). */
  readonly terms?: readonly number[];
  /** Default: term = last entry's term, no vote, commit 0. */
  readonly hardState?: Partial<HardState>;
  /** RaftConfig.applied for this member's first start. */
  readonly applied?: number;
}

export class SafetyViolationError extends Error {
  constructor(readonly violation: RaftViolation) {
    super(violation.message);
    this.name = 'SafetyViolationError';
  }
}

/** Bounds every delivery loop: a storm of messages this long means a livelock in the core. */
const MAX_DELIVERIES = 1_000_000;

export class Network implements RaftClusterView {
  readonly members: TestMember[];
  readonly ids: NodeId[];
  private readonly byId = new Map<NodeId, TestMember>();
  private readonly rng: RngRoot;
  private readonly dropRandom: Random;
  private readonly dropm = new Map<string, number>();
  private readonly ignorem = new Set<MessageType>();
  /** Called for each message sent; return false to drop it. */
  msgHook: ((m: RaftMessage) => boolean) | null = null;
  /** Messages sent and not yet delivered. */
  inflight: RaftMessage[] = [];
  /** Every message delivered, in order (for assertions). */
  readonly delivered: RaftMessage[] = [];
  recordDelivered = false;
  readonly checker: RaftSafetyChecker | null;
  violation: RaftViolation | null = null;
  private readonly throwOnViolation: boolean;
  /** Manual delivery (may be switched during a test). */
  manual: boolean;

  constructor(readonly options: NetworkOptions = {}) {
    const size = options.size ?? 3;
    this.ids = Array.from({ length: size }, (_, i) => i + 1);
    this.rng = new RngRoot(options.seed ?? 'raft-test');
    this.dropRandom = this.rng.stream('network-drop');
    this.manual = options.manual ?? false;
    this.throwOnViolation = options.throwOnViolation ?? true;
    this.members = this.ids.map((id) => new TestMember(id));
    for (const m of this.members) this.byId.set(m.id, m);
    for (const m of this.members) this.start(m, true);
    this.checker = options.checkers === false ? null : new RaftSafetyChecker(this);
    this.flushAll();
  }

  member(id: NodeId): TestMember {
    const m = this.byId.get(id);
    if (!m) throw new Error(`no member ${id}`);
    return m;
  }

  node(id: NodeId): RawNode {
    return this.member(id).rn;
  }

  raft(id: NodeId): Raft {
    return this.member(id).raft;
  }

  config(id: NodeId): RaftConfig {
    const o = this.options;
    return testConfig(id, o, this.rng.stream(`raft-${id}`), typeof o.bugs === 'function' ? o.bugs(id) : o.bugs);
  }

  private start(m: TestMember, fresh: boolean): void {
    const base = this.config(m.id);
    const applied = fresh ? this.options.storage?.(m.id)?.applied : undefined;
    const cfg: RaftConfig = applied === undefined ? base : { ...base, applied };
    if (fresh && (this.options.bootstrap ?? true)) {
      m.rawNode = RawNode.bootstrap(cfg, this.ids.map((id) => ({ id })));
    } else {
      const init = fresh ? this.options.storage?.(m.id) : undefined;
      if (init) {
        const terms = init.terms ?? [];
        m.durable.append(terms.map((term, i): Entry => ({ term, index: i + 1, type: 'normal', data: null })));
        const hs = init.hardState ?? {};
        m.durable.hardState = { term: hs.term ?? terms[terms.length - 1] ?? 0, vote: hs.vote ?? 0, commit: hs.commit ?? 0 };
      }
      m.rawNode = new RawNode(cfg, { hardState: m.durable.hardState, entries: m.durable.entries, voters: this.ids });
      // A state machine that had applied up to config.applied before this start.
      m.applied = m.durable.entries.slice(0, cfg.applied ?? 0);
    }
  }

  // ------------------------------------------------------------------------------------------ faults

  /**
   * Loses the member's volatile state (its durable log and hard state survive). Messages in flight to or from it
   * are lost too, unless `keepInflight` (a network that delivers them late, after a restart).
   */
  crash(id: NodeId, keepInflight = false): void {
    const m = this.member(id);
    m.rawNode = null;
    m.applied = [];
    m.readStates = [];
    if (!keepInflight) this.inflight = this.inflight.filter((x) => x.to !== id && x.from !== id);
    this.check();
  }

  /** Restarts a crashed member from its durable state (its state machine re-applies from index 1). */
  restart(id: NodeId): void {
    const m = this.member(id);
    if (m.rawNode) throw new Error(`member ${id} is running`);
    this.start(m, false);
    this.flush(m);
    this.deliverAll();
  }

  drop(from: NodeId, to: NodeId, p: number): void {
    this.dropm.set(`${from}>${to}`, p);
  }

  cut(one: NodeId, other: NodeId): void {
    this.drop(one, other, 2.0);
    this.drop(other, one, 2.0);
  }

  isolate(id: NodeId): void {
    for (const other of this.ids) {
      if (other === id) continue;
      this.drop(id, other, 1.0);
      this.drop(other, id, 1.0);
    }
  }

  ignore(t: MessageType): void {
    this.ignorem.add(t);
  }

  recover(): void {
    this.dropm.clear();
    this.ignorem.clear();
  }

  private filter(m: RaftMessage): boolean {
    if (this.ignorem.has(m.type)) return false;
    if (m.type === 'MsgHup') throw new Error('unexpected MsgHup on the network');
    const p = this.dropm.get(`${m.from}>${m.to}`) ?? 0;
    if (p > 0 && this.dropRandom.float() < p) return false;
    if (this.msgHook && !this.msgHook(m)) return false;
    return true;
  }

  // ------------------------------------------------------------------------------------------ driving

  /** Handles every Ready of one member: persist, send (filtered), apply, advance. */
  private flush(m: TestMember): void {
    const rn = m.rawNode;
    if (!rn) return;
    for (let guard = 0; rn.hasReady(); guard++) {
      if (guard > 10_000) throw new Error(`member ${m.id}: Ready loop does not settle`);
      const rd = rn.ready();
      if (rd.hardState) m.durable.hardState = rd.hardState;
      m.durable.append(rd.entries);
      for (const msg of rd.messages) {
        // A forwarded proposal or read keeps its original sender (etcd-io/raft send() only fills an empty From).
        if (msg.from !== m.id && msg.type !== 'MsgProp' && msg.type !== 'MsgReadIndex') {
          throw new Error(`member ${m.id} sent a ${msg.type} from ${msg.from}`);
        }
        if (this.filter(msg)) this.inflight.push(msg);
      }
      for (const e of rd.committedEntries) {
        if (e.type === 'conf-change') rn.applyConfChange(e.data as ConfChange);
        m.applied.push(e);
      }
      for (const rs of rd.readStates) m.readStates.push(rs);
      rn.advance(rd);
    }
  }

  private flushAll(): void {
    for (const m of this.members) this.flush(m);
  }

  /** After white-box changes to a state machine: handle every member's Ready, check, deliver. */
  settle(): void {
    this.flushAll();
    this.check();
    this.deliverAll();
  }

  private check(): void {
    if (!this.checker || this.violation) return;
    const v = this.checker.check();
    if (v) {
      this.violation = v;
      if (this.throwOnViolation) throw new SafetyViolationError(v);
    }
  }

  /** Delivers one message to its recipient and handles what it produces. */
  private deliverOne(msg: RaftMessage): void {
    const m = this.byId.get(msg.to);
    if (!m || !m.rawNode) return;
    if (this.recordDelivered) this.delivered.push(msg);
    m.rawNode.step(msg);
    this.flush(m);
    this.check();
  }

  /** Delivers in-flight messages (and what they produce) until none remain, unless in manual mode. */
  deliverAll(): void {
    if (this.manual) return;
    for (let n = 0; this.inflight.length > 0; n++) {
      if (n > MAX_DELIVERIES) throw new Error('network: message storm (livelock?)');
      const msg = this.inflight.shift()!;
      this.deliverOne(msg);
    }
  }

  /** etcd-io/raft network.send: injects messages (filtered like any other) and delivers until quiet. */
  send(...msgs: RaftMessage[]): void {
    for (const msg of msgs) {
      if ((msg.type === 'MsgHup' || msg.type === 'MsgBeat' || msg.type === 'MsgCheckQuorum') && msg.from === msg.to) {
        // A local message: stepped into the state machine now; what it produces joins the queue.
        const m = this.member(msg.to);
        m.raft.step(msg);
        this.flush(m);
        this.check();
        continue;
      }
      if (this.filter(msg)) this.inflight.push(msg);
    }
    this.deliverAll();
  }

  /** Local MsgHup on several members before any message is delivered (upstream: nt.send(hup2, hup3)). */
  hup(...ids: NodeId[]): void {
    this.send(...ids.map((id): RaftMessage => ({ type: 'MsgHup', from: id, to: id, term: 0 })));
  }

  /** Manual mode: deliver the in-flight message at position i. */
  deliver(i: number): void {
    const [msg] = this.inflight.splice(i, 1);
    if (msg) this.deliverOne(msg);
  }

  /** Manual mode: lose the in-flight message at position i. */
  dropAt(i: number): void {
    this.inflight.splice(i, 1);
  }

  /** Manual mode: deliver a copy of the in-flight message at position i, keeping it in flight. */
  duplicate(i: number): void {
    const msg = this.inflight[i];
    if (msg) this.deliverOne(msg);
  }

  /** Steps a local message (MsgBeat, MsgCheckQuorum, MsgHup...) straight into member `id`'s state machine. */
  stepLocal(id: NodeId, type: 'MsgBeat' | 'MsgCheckQuorum' | 'MsgHup'): void {
    const m = this.member(id);
    m.raft.step({ type, from: id, to: id, term: 0 });
    this.flush(m);
    this.check();
    this.deliverAll();
  }

  /** The leader's heartbeat broadcast (etcd-io/raft tests' MsgBeat). */
  beat(id: NodeId): void {
    this.stepLocal(id, 'MsgBeat');
  }

  /** MsgHup on member `id` (an election, PreVote first if configured), then deliver. */
  campaign(id: NodeId): void {
    const m = this.member(id);
    m.rn.campaign();
    this.flush(m);
    this.check();
    this.deliverAll();
  }

  propose(id: NodeId, data: unknown): boolean {
    const m = this.member(id);
    m.lastProposeAccepted = m.rn.propose(data);
    this.flush(m);
    this.check();
    this.deliverAll();
    return m.lastProposeAccepted;
  }

  readIndex(id: NodeId, context: unknown): void {
    const m = this.member(id);
    m.rn.readIndex(context);
    this.flush(m);
    this.deliverAll();
  }

  transferLeader(id: NodeId, target: NodeId): void {
    const m = this.member(id);
    m.rn.transferLeader(target);
    this.flush(m);
    this.deliverAll();
  }

  /** One tick on member `id` (then deliver). */
  tick(id: NodeId, n = 1): void {
    const m = this.member(id);
    for (let i = 0; i < n; i++) {
      if (!m.rawNode) return;
      m.rawNode.tick();
      this.flush(m);
      this.check();
      this.deliverAll();
    }
  }

  /** `n` rounds of one tick on every live member (in id order), delivering after each round. */
  tickAll(n = 1): void {
    for (let i = 0; i < n; i++) {
      for (const m of this.members) {
        if (!m.rawNode) continue;
        m.rawNode.tick();
        this.flush(m);
        this.check();
      }
      this.deliverAll();
    }
  }

  /** Ticks until some member is leader (at most `maxRounds` rounds); returns it or null. */
  tickUntilLeader(maxRounds = 200): NodeId | null {
    for (let i = 0; i < maxRounds; i++) {
      const l = this.leader();
      if (l !== null) return l;
      this.tickAll();
    }
    return this.leader();
  }

  // ------------------------------------------------------------------------------------------ observation

  /** The live member that is leader of the highest term, or null. */
  leader(): NodeId | null {
    let best: NodeId | null = null;
    let bestTerm = -1;
    for (const m of this.members) {
      const st = m.rawNode?.status();
      if (st && st.role === 'leader' && st.term > bestTerm) {
        best = m.id;
        bestTerm = st.term;
      }
    }
    return best;
  }

  /** Terms of member `id`'s in-memory log, index 1 upward. */
  logTerms(id: NodeId): number[] {
    const log = this.node(id).log();
    const out: number[] = [];
    for (let i = 1; i <= log.lastIndex(); i++) out.push(log.term(i));
    return out;
  }
}

/** A proposal payload helper: entries data of normal (non-empty) entries applied by a member. */
export function appliedData(m: TestMember): unknown[] {
  return m.applied.filter((e) => e.type === 'normal' && e.data !== null).map((e) => e.data);
}
