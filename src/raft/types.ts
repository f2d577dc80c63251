// The contract of the Raft core (src/raft), in the shape of etcd-io/raft: a pure state machine driven by
// tick() and step(msg); its output (entries and hard state to persist, messages to send, entries to apply)
// comes out through ready() and is acknowledged with advance(). It does no I/O and reads no clock.
//
// This file is shared by the core (raft.ts, log.ts, rawnode.ts) and its driver, the etcd server (server.ts):
// change it only in agreement with both.

/** A member ID. etcd prints IDs as 16 hex digits; the core only needs them distinct and non-zero. */
export type NodeId = number;
export const NONE: NodeId = 0;

export type EntryType = 'normal' | 'conf-change';

export interface Entry {
  readonly term: number;
  readonly index: number;
  readonly type: EntryType;
  /** Opaque to the core: the etcd server's request, or a ConfChange for type 'conf-change'. null for the empty entry. */
  readonly data: unknown;
}

export interface ConfChange {
  readonly kind: 'add-node' | 'remove-node' | 'add-learner';
  readonly nodeId: NodeId;
  /** etcd stores the member (name, peer URLs) in the change's context. */
  readonly context: unknown;
}

/** What must be on stable storage before messages that depend on it leave (term, vote, commit). */
export interface HardState {
  readonly term: number;
  readonly vote: NodeId;
  readonly commit: number;
}

export const EMPTY_HARD_STATE: HardState = { term: 0, vote: NONE, commit: 0 };

export type RaftRole = 'follower' | 'pre-candidate' | 'candidate' | 'leader';

/** Volatile state, reported for observation (not persisted). */
export interface SoftState {
  readonly lead: NodeId;
  readonly role: RaftRole;
}

/** A linearizable read (ReadIndex) became answerable: once applied >= index, `context` may be served. */
export interface ReadState {
  readonly index: number;
  readonly context: unknown;
}

// ------------------------------------------------------------------------------------------------ messages
// A discriminated union on `type`; every message carries from, to and the sender's term (0 for local messages).

interface Base {
  readonly from: NodeId;
  readonly to: NodeId;
  readonly term: number;
}

/** Local: start an election now (campaign). */
export interface MsgHup extends Base { readonly type: 'MsgHup' }
/** Local: the leader's heartbeat tick. */
export interface MsgBeat extends Base { readonly type: 'MsgBeat' }
/** Local: the leader's CheckQuorum tick. */
export interface MsgCheckQuorum extends Base { readonly type: 'MsgCheckQuorum' }
/** A proposal: local, or forwarded by a follower to its leader. */
export interface MsgProp extends Base { readonly type: 'MsgProp'; readonly entries: readonly Entry[] }
export interface MsgApp extends Base {
  readonly type: 'MsgApp';
  /** Term and index of the entry immediately before `entries`. */
  readonly logTerm: number;
  readonly index: number;
  readonly entries: readonly Entry[];
  readonly commit: number;
}
export interface MsgAppResp extends Base {
  readonly type: 'MsgAppResp';
  /** On success: the last index now matching. On reject: the rejected MsgApp's index. */
  readonly index: number;
  readonly reject: boolean;
  /** Fast backtracking: the follower's hint (index) and the term at that index. */
  readonly rejectHint: number;
  readonly logTerm: number;
}
export interface MsgVote extends Base { readonly type: 'MsgVote' | 'MsgPreVote'; readonly logTerm: number; readonly index: number; readonly transfer: boolean }
export interface MsgVoteResp extends Base { readonly type: 'MsgVoteResp' | 'MsgPreVoteResp'; readonly reject: boolean }
export interface MsgHeartbeat extends Base { readonly type: 'MsgHeartbeat'; readonly commit: number; readonly context: unknown }
export interface MsgHeartbeatResp extends Base { readonly type: 'MsgHeartbeatResp'; readonly context: unknown }
/** Leader transfer: the target campaigns at once, ignoring its election timer. */
export interface MsgTimeoutNow extends Base { readonly type: 'MsgTimeoutNow' }
/** Local (or forwarded): ask the leader to transfer leadership to `from`'s chosen target. */
export interface MsgTransferLeader extends Base { readonly type: 'MsgTransferLeader'; readonly target: NodeId }
/** Linearizable read request (local, or forwarded to the leader) and the leader's answer to a follower. */
export interface MsgReadIndex extends Base { readonly type: 'MsgReadIndex'; readonly context: unknown }
export interface MsgReadIndexResp extends Base { readonly type: 'MsgReadIndexResp'; readonly index: number; readonly context: unknown }

export type RaftMessage =
  | MsgHup
  | MsgBeat
  | MsgCheckQuorum
  | MsgProp
  | MsgApp
  | MsgAppResp
  | MsgVote
  | MsgVoteResp
  | MsgHeartbeat
  | MsgHeartbeatResp
  | MsgTimeoutNow
  | MsgTransferLeader
  | MsgReadIndex
  | MsgReadIndexResp;

export type MessageType = RaftMessage['type'];

// ------------------------------------------------------------------------------------------------ driver API

export interface RaftConfig {
  readonly id: NodeId;
  /** Ticks without hearing from a leader before campaigning (etcd: election-timeout / heartbeat-interval = 10). */
  readonly electionTick: number;
  /** Ticks between a leader's heartbeats (etcd: 1). */
  readonly heartbeatTick: number;
  /** On by default in etcd >= 3.5. */
  readonly preVote: boolean;
  /** Always on in etcd. */
  readonly checkQuorum: boolean;
  /** etcd: 512. */
  readonly maxInflightMsgs: number;
  /** etcd: 1 MiB; here counted in entries per MsgApp. */
  readonly maxEntriesPerMsg: number;
  /** Draws the randomized election timeout; the driver passes the member's seeded stream. */
  readonly random: () => number;
  /**
   * etcd-io/raft Config.Applied: the last index the application had applied before a restart; committed entries
   * at or below it are not handed out again in Ready.committedEntries. Default 0 (everything committed is
   * re-delivered after a restart, as etcd does when it has no snapshot).
   */
  readonly applied?: number;
  /** TEST ONLY: deliberately injected safety bugs, to show the checkers catch them. Absent/all false in production. */
  readonly bugs?: RaftBugs;
}

/**
 * TEST ONLY. Real-world Raft implementation mistakes that the core can be switched into, so the safety checkers
 * (src/raft/checkers) and the property checker can be shown to catch them. Every switch is off by default and costs
 * nothing when off. Never set them outside tests.
 */
export interface RaftBugs {
  /** Grant a vote to any up-to-date candidate, even after voting for another one in this term (Election Safety). */
  readonly voteTwicePerTerm?: boolean;
  /** Leader commits the quorum-replicated index even when its entry is from an earlier term (Figure 8). */
  readonly commitPreviousTermByCounting?: boolean;
  /** Follower accepts a MsgApp from a stale (lower-term) leader and appends/overwrites its entries. */
  readonly acceptStaleTermAppend?: boolean;
  /** Follower truncates its log after the MsgApp's entries even when they match (a delayed MsgApp erases acked entries). */
  readonly truncateWithoutConflict?: boolean;
  /** The vote is never reported in Ready.hardState, so it is lost on restart (a restarted member can vote twice). */
  readonly volatileVote?: boolean;
}

/** The voters after a configuration change (etcd-io/raft ConfState, without learners or joint configs). */
export interface ConfState {
  readonly voters: readonly NodeId[];
}

/** Read-only access to a Raft log (in memory or durable), for observation and safety checkers: no copies. */
export interface RaftLogView {
  /** 0 when empty. Indexes start at 1 (no compaction: the whole log is present). */
  lastIndex(): number;
  /** The term at `index`; 0 for index 0 or out of range. */
  term(index: number): number;
  /** The entry at `index`, or undefined out of range. */
  entry(index: number): Entry | undefined;
  /** Incremented every time entries are removed from the end of this log (conflict resolution). */
  truncations(): number;
}

/** The persisted state the core restarts from. */
export interface RaftStorageState {
  readonly hardState: HardState;
  readonly entries: readonly Entry[];
  /** Voters at start (the bootstrap ConfChanges establish them). */
  readonly voters: readonly NodeId[];
}

export interface Ready {
  /** Present when lead or role changed since the last Ready. */
  readonly softState: SoftState | null;
  /** Present when term, vote or commit changed: must be persisted. */
  readonly hardState: HardState | null;
  /** Entries to append to stable storage (replacing any conflicting suffix). */
  readonly entries: readonly Entry[];
  /** Entries committed and not yet applied: apply them in order. */
  readonly committedEntries: readonly Entry[];
  /** Messages to send. A follower sends them only after hardState and entries are durable (mustSync). */
  readonly messages: readonly RaftMessage[];
  readonly readStates: readonly ReadState[];
  /** True when hardState or entries must be fsynced before messages go out. */
  readonly mustSync: boolean;
}

/** The driver's view of the core (etcd-io/raft RawNode). */
export interface RawNodeApi {
  tick(): void;
  step(msg: RaftMessage): void;
  /** False when the proposal was dropped (etcd-io/raft ErrProposalDropped, "raft proposal dropped"). */
  propose(data: unknown): boolean;
  /** False when dropped, like propose. */
  proposeConfChange(change: ConfChange): boolean;
  /** Apply a committed ConfChange entry (call it when the driver applies that entry), as RawNode.ApplyConfChange. */
  applyConfChange(change: ConfChange): ConfState;
  readIndex(context: unknown): void;
  transferLeader(target: NodeId): void;
  campaign(): void;
  hasReady(): boolean;
  ready(): Ready;
  advance(ready: Ready): void;
  /** Observation only, for status output and safety checkers. */
  status(): RaftStatus;
  /** Observation only: the in-memory log (durable and not yet durable entries). */
  log(): RaftLogView;
}

export interface RaftStatus {
  readonly id: NodeId;
  readonly term: number;
  readonly vote: NodeId;
  readonly commit: number;
  readonly applied: number;
  readonly lead: NodeId;
  readonly role: RaftRole;
  readonly lastIndex: number;
}
