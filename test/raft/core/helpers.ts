// Helpers for driving a single RawNode in unit-style tests (etcd-io/raft's newTestRaft + readMessages), and
// message constructors with the fields the contract requires.
import { RngRoot, type Random } from '../../../src/sim/rng';
import { RawNode, raftOf } from '../../../src/raft/rawnode';
import type { Raft } from '../../../src/raft/raft';
import type {
  Entry,
  HardState,
  MsgApp,
  MsgAppResp,
  MsgHeartbeat,
  MsgHeartbeatResp,
  MsgVote,
  MsgVoteResp,
  NodeId,
  RaftBugs,
  RaftConfig,
  RaftMessage,
  Ready,
} from '../../../src/raft/types';

export interface SoloOptions {
  readonly voters?: readonly NodeId[];
  readonly electionTick?: number;
  readonly heartbeatTick?: number;
  readonly preVote?: boolean;
  readonly checkQuorum?: boolean;
  /** Terms of the stored entries 1..n. */
  readonly terms?: readonly number[];
  readonly hardState?: Partial<HardState>;
  readonly applied?: number;
  readonly maxInflightMsgs?: number;
  readonly maxEntriesPerMsg?: number;
  readonly seed?: string;
  readonly bugs?: RaftBugs;
}

export function entries(terms: readonly number[], from = 1): Entry[] {
  return terms.map((term, i) => ({ term, index: from + i, type: 'normal' as const, data: null }));
}

/** The knobs etcd-io/raft's newTestConfig takes, with its defaults: ticks 10/1, PreVote and CheckQuorum off. */
export interface TestConfigOptions {
  readonly electionTick?: number;
  readonly heartbeatTick?: number;
  readonly preVote?: boolean;
  readonly checkQuorum?: boolean;
  readonly maxInflightMsgs?: number;
  readonly maxEntriesPerMsg?: number;
}

export function testConfig(id: NodeId, o: TestConfigOptions, random: Random, bugs: RaftBugs | undefined, applied?: number): RaftConfig {
  return {
    id,
    electionTick: o.electionTick ?? 10,
    heartbeatTick: o.heartbeatTick ?? 1,
    preVote: o.preVote ?? false,
    checkQuorum: o.checkQuorum ?? false,
    maxInflightMsgs: o.maxInflightMsgs ?? 256,
    maxEntriesPerMsg: o.maxEntriesPerMsg ?? 1_000_000,
    random: () => random.float(),
    ...(applied !== undefined ? { applied } : {}),
    bugs,
  };
}

export function soloConfig(id: NodeId, o: SoloOptions = {}): RaftConfig {
  return testConfig(id, o, new RngRoot(o.seed ?? `solo-${id}`).stream(`raft-${id}`), o.bugs, o.applied);
}

/** etcd-io/raft newTestRaft: a node with known voters and the given stored log / hard state, not bootstrapped. */
export function soloNode(id: NodeId, o: SoloOptions = {}): { rn: RawNode; r: Raft } {
  const ents = entries(o.terms ?? []);
  const hs = o.hardState ?? {};
  const rn = new RawNode(soloConfig(id, o), {
    hardState: { term: hs.term ?? 0, vote: hs.vote ?? 0, commit: hs.commit ?? 0 },
    entries: ents,
    voters: o.voters ?? [1, 2, 3],
  });
  return { rn, r: raftOf(rn) };
}

/** Handles every Ready (as if persisted at once) and returns the messages to peers, in order. */
export function readMessages(rn: RawNode): RaftMessage[] {
  const out: RaftMessage[] = [];
  for (let guard = 0; rn.hasReady(); guard++) {
    if (guard > 1000) throw new Error('readMessages: Ready loop does not settle');
    const rd: Ready = rn.ready();
    out.push(...rd.messages);
    rn.advance(rd);
  }
  return out;
}

export function msgApp(from: NodeId, to: NodeId, term: number, f: { logTerm?: number; index?: number; entries?: readonly Entry[]; commit?: number } = {}): MsgApp {
  return { type: 'MsgApp', from, to, term, logTerm: f.logTerm ?? 0, index: f.index ?? 0, entries: f.entries ?? [], commit: f.commit ?? 0 };
}

export function msgAppResp(from: NodeId, to: NodeId, term: number, index: number, f: { reject?: boolean; rejectHint?: number; logTerm?: number } = {}): MsgAppResp {
  return { type: 'MsgAppResp', from, to, term, index, reject: f.reject ?? false, rejectHint: f.rejectHint ?? 0, logTerm: f.logTerm ?? 0 };
}

export function msgVote(
  type: 'MsgVote' | 'MsgPreVote',
  from: NodeId,
  to: NodeId,
  term: number,
  f: { logTerm?: number; index?: number; transfer?: boolean } = {},
): MsgVote {
  return { type, from, to, term, logTerm: f.logTerm ?? 0, index: f.index ?? 0, transfer: f.transfer ?? false };
}

export function msgVoteResp(type: 'MsgVoteResp' | 'MsgPreVoteResp', from: NodeId, to: NodeId, term: number, reject: boolean): MsgVoteResp {
  return { type, from, to, term, reject };
}

export function msgHeartbeat(from: NodeId, to: NodeId, term: number, commit = 0, context: unknown = null): MsgHeartbeat {
  return { type: 'MsgHeartbeat', from, to, term, commit, context };
}

export function msgHeartbeatResp(from: NodeId, to: NodeId, term: number, context: unknown = null): MsgHeartbeatResp {
  return { type: 'MsgHeartbeatResp', from, to, term, context };
}
