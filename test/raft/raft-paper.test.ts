// Ports of etcd-io/raft raft_paper_test.go: the Raft paper's rules (sections 5.1-5.4), one node at a time.
// Each test names the upstream test it reproduces.
import { describe, expect, it } from 'vitest';
import { Network } from './core/network';
import { entries, msgApp, msgAppResp, msgVote, readMessages, soloNode } from './core/helpers';
import type { RawNode } from '../../src/raft/rawnode';
import type { Raft } from '../../src/raft/raft';
import type { Entry, MsgApp, MsgAppResp, MsgVote, MsgVoteResp, NodeId, RaftMessage, RaftRole } from '../../src/raft/types';

function toRole(r: Raft, role: RaftRole): void {
  if (role === 'follower') r.becomeFollower(1, 2);
  if (role === 'pre-candidate') r.becomePreCandidate();
  if (role === 'candidate' || role === 'leader') r.becomeCandidate();
  if (role === 'leader') r.becomeLeader();
}

/** A follower's acceptance of a MsgApp (upstream acceptAndReply). */
function acceptAndReply(m: RaftMessage): MsgAppResp {
  if (m.type !== 'MsgApp') throw new Error(`type should be MsgApp, got ${m.type}`);
  return msgAppResp(m.to, m.from, m.term, m.index + m.entries.length);
}

/** Upstream commitNoopEntry: the new leader's empty entry is acknowledged by everyone and applied. */
function commitNoopEntry(rn: RawNode, r: Raft): void {
  if (r.role !== 'leader') throw new Error('commitNoopEntry: not leader');
  readMessages(rn);
  r.bcastAppend();
  for (const m of readMessages(rn)) if (m.type === 'MsgApp' && m.entries.length === 1 && m.entries[0]!.data === null) rn.step(acceptAndReply(m));
  readMessages(rn);
}

function byTo(msgs: RaftMessage[]): RaftMessage[] {
  return [...msgs].sort((a, b) => a.to - b.to);
}

describe('Raft paper §5.1: terms', () => {
  for (const role of ['follower', 'candidate', 'leader'] as RaftRole[]) {
    it(`Test${role === 'follower' ? 'Follower' : role === 'candidate' ? 'Candidate' : 'Leader'}UpdateTermFromMessage: a higher term makes the node a follower at that term`, () => {
      const { rn, r } = soloNode(1);
      toRole(r, role);
      rn.step(msgApp(2, 1, 2));
      expect(r.term).toBe(2);
      expect(r.role).toBe('follower');
    });
  }

  it('TestRejectStaleTermMessage: a lower-term message is ignored', () => {
    const { rn, r } = soloNode(1, { hardState: { term: 2 } });
    const before = r.log.lastIndex();
    rn.step(msgApp(2, 1, 1, { entries: entries([1]) }));
    expect(r.log.lastIndex()).toBe(before);
    expect(readMessages(rn)).toEqual([]);
  });

  it('TestStartAsFollower', () => {
    const { r } = soloNode(1);
    expect(r.role).toBe('follower');
  });

  it('TestLeaderBcastBeat: every heartbeatTick the leader sends heartbeats to all followers', () => {
    const hbTick = 1;
    const { rn, r } = soloNode(1, { heartbeatTick: hbTick });
    r.becomeCandidate();
    r.becomeLeader();
    for (let i = 0; i < 10; i++) rn.propose(null);
    readMessages(rn);
    for (let i = 0; i < hbTick; i++) rn.tick();
    const msgs = byTo(readMessages(rn));
    expect(msgs).toEqual([
      { type: 'MsgHeartbeat', from: 1, to: 2, term: 1, commit: 0, context: null },
      { type: 'MsgHeartbeat', from: 1, to: 3, term: 1, commit: 0, context: null },
    ]);
  });

  for (const role of ['follower', 'candidate'] as RaftRole[]) {
    it(`Test${role === 'follower' ? 'FollowerStartElection' : 'CandidateStartNewElection'}: on election timeout it votes for itself and asks everyone`, () => {
      const { rn, r } = soloNode(1);
      toRole(r, role);
      readMessages(rn);
      const term = r.term;
      for (let i = 1; i < 2 * r.electionTimeout; i++) rn.tick();
      expect(r.term).toBe(term + 1);
      expect(r.role).toBe('candidate');
      expect(r.vote).toBe(1);
      const msgs = byTo(readMessages(rn));
      expect(msgs).toEqual([
        msgVote('MsgVote', 1, 2, term + 1, { logTerm: 0, index: 0 }),
        msgVote('MsgVote', 1, 3, term + 1, { logTerm: 0, index: 0 }),
      ]);
    });
  }
});

describe('Raft paper §5.2: leader election', () => {
  it('TestLeaderElectionInOneRoundRPC: win with a majority, lose on a majority of denials, else stay candidate', () => {
    const cases: { size: number; votes: Record<number, boolean>; role: RaftRole }[] = [
      { size: 1, votes: {}, role: 'leader' },
      { size: 3, votes: { 2: true, 3: true }, role: 'leader' },
      { size: 3, votes: { 2: true }, role: 'leader' },
      { size: 5, votes: { 2: true, 3: true, 4: true, 5: true }, role: 'leader' },
      { size: 5, votes: { 2: true, 3: true, 4: true }, role: 'leader' },
      { size: 5, votes: { 2: true, 3: true }, role: 'leader' },
      { size: 3, votes: { 2: false, 3: false }, role: 'follower' },
      { size: 5, votes: { 2: false, 3: false, 4: false, 5: false }, role: 'follower' },
      { size: 5, votes: { 2: true, 3: false, 4: false, 5: false }, role: 'follower' },
      { size: 3, votes: {}, role: 'candidate' },
      { size: 5, votes: { 2: true }, role: 'candidate' },
      { size: 5, votes: { 2: false, 3: false }, role: 'candidate' },
      { size: 5, votes: {}, role: 'candidate' },
    ];
    for (const [i, c] of cases.entries()) {
      const voters = Array.from({ length: c.size }, (_, j) => j + 1);
      const { rn, r } = soloNode(1, { voters });
      rn.campaign();
      readMessages(rn);
      for (const [id, granted] of Object.entries(c.votes)) rn.step({ type: 'MsgVoteResp', from: Number(id), to: 1, term: r.term, reject: !granted });
      expect(r.role, `case ${i}`).toBe(c.role);
      expect(r.term, `case ${i}`).toBe(1);
    }
  });

  it('TestFollowerVote: at most one vote per term, first come first served', () => {
    const cases: [NodeId, NodeId, boolean][] = [
      [0, 2, false],
      [0, 3, false],
      [2, 2, false],
      [3, 3, false],
      [2, 3, true],
      [3, 2, true],
    ];
    for (const [vote, from, reject] of cases) {
      const { rn } = soloNode(1, { hardState: { term: 1, vote } });
      rn.step(msgVote('MsgVote', from, 1, 1));
      const want: MsgVoteResp = { type: 'MsgVoteResp', from: 1, to: from, term: 1, reject };
      expect(readMessages(rn), `vote ${vote}, from ${from}`).toEqual([want]);
    }
  });

  it('TestCandidateFallback: a candidate hearing from a leader of at least its term becomes its follower', () => {
    for (const term of [1, 2]) {
      const { rn, r } = soloNode(1);
      rn.campaign();
      expect(r.role).toBe('candidate');
      rn.step(msgApp(2, 1, term));
      expect(r.role).toBe('follower');
      expect(r.term).toBe(term);
    }
  });

  for (const role of ['follower', 'candidate'] as RaftRole[]) {
    it(`Test${role === 'follower' ? 'Follower' : 'Candidate'}ElectionTimeoutRandomized: timeouts cover all of [et, 2et-1] and nothing else`, () => {
      const et = 10;
      const { rn, r } = soloNode(1, { electionTick: et });
      const seen = new Set<number>();
      for (let round = 0; round < 50 * et; round++) {
        if (role === 'follower') r.becomeFollower(r.term + 1, 2);
        else r.becomeCandidate();
        readMessages(rn);
        let time = 0;
        while (readMessages(rn).length === 0) {
          rn.tick();
          time++;
          if (time > 3 * et) throw new Error('no election');
        }
        seen.add(time);
      }
      expect([...seen].sort((a, b) => a - b)).toEqual(Array.from({ length: et }, (_, i) => et + i));
    });

    it(`Test${role === 'follower' ? 'Followers' : 'Candidates'}ElectionTimeoutNonconflict: with 5 members, simultaneous timeouts in <= 30% of rounds`, () => {
      const et = 10;
      const size = 5;
      const voters = Array.from({ length: size }, (_, i) => i + 1);
      const nodes = voters.map((id) => soloNode(id, { electionTick: et, voters, seed: 'nonconflict' }));
      let conflicts = 0;
      const rounds = 1000;
      for (let round = 0; round < rounds; round++) {
        for (const { rn, r } of nodes) {
          if (role === 'follower') r.becomeFollower(r.term + 1, 0);
          else r.becomeCandidate();
          readMessages(rn);
        }
        let timedOut = 0;
        while (timedOut === 0) {
          for (const { rn } of nodes) {
            rn.tick();
            if (readMessages(rn).length > 0) timedOut++;
          }
        }
        if (timedOut > 1) conflicts++;
      }
      expect(conflicts / rounds).toBeLessThanOrEqual(0.3);
      // and they do happen sometimes (the draws are not all different by construction)
      expect(conflicts).toBeGreaterThan(0);
    });
  }

  it('TestVoteRequest: an election asks with the last entry’s index and term', () => {
    for (const [terms, wterm] of [
      [[1], 2],
      [[1, 2], 3],
    ] as [number[], number][]) {
      const { rn, r } = soloNode(1);
      rn.step(msgApp(2, 1, wterm - 1, { entries: entries(terms) }));
      readMessages(rn);
      for (let i = 1; i < r.electionTimeout * 2; i++) rn.tick();
      const msgs = byTo(readMessages(rn)) as MsgVote[];
      expect(msgs).toHaveLength(2);
      for (const [i, m] of msgs.entries()) {
        expect(m).toMatchObject({ type: 'MsgVote', to: i + 2, term: wterm, index: terms.length, logTerm: terms[terms.length - 1] });
      }
    }
  });

  it('TestVoter: a vote is granted only to a candidate whose log is at least as up to date (§5.4.1)', () => {
    const cases: [number[], number, number, boolean][] = [
      [[1], 1, 1, false],
      [[1], 1, 2, false],
      [[1, 1], 1, 1, true],
      [[1], 2, 1, false],
      [[1], 2, 2, false],
      [[1, 1], 2, 1, false],
      [[2], 1, 1, true],
      [[2], 1, 2, true],
      [[2, 2], 1, 1, true],
      [[1, 1], 1, 1, true],
    ];
    for (const [i, [terms, logTerm, index, reject]] of cases.entries()) {
      const { rn } = soloNode(1, { voters: [1, 2], terms });
      rn.step(msgVote('MsgVote', 2, 1, 3, { logTerm, index }));
      const msgs = readMessages(rn) as MsgVoteResp[];
      expect(msgs, `case ${i}`).toHaveLength(1);
      expect(msgs[0]!.type).toBe('MsgVoteResp');
      expect(msgs[0]!.reject, `case ${i}`).toBe(reject);
    }
  });
});

describe('Raft paper §5.3: log replication', () => {
  it('TestLeaderStartReplication: a proposal is appended and sent to every follower after the previous entry', () => {
    const { rn, r } = soloNode(1);
    r.becomeCandidate();
    r.becomeLeader();
    commitNoopEntry(rn, r);
    const li = r.log.lastIndex();
    rn.propose('some data');
    expect(r.log.lastIndex()).toBe(li + 1);
    expect(r.log.committed).toBe(li);
    const rd = rn.ready();
    const wents: Entry[] = [{ index: li + 1, term: 1, type: 'normal', data: 'some data' }];
    expect(byTo([...rd.messages])).toEqual([
      { type: 'MsgApp', from: 1, to: 2, term: 1, index: li, logTerm: 1, entries: wents, commit: li },
      { type: 'MsgApp', from: 1, to: 3, term: 1, index: li, logTerm: 1, entries: wents, commit: li },
    ]);
    // and it is written to stable storage
    expect(rd.entries).toEqual(wents);
    rn.advance(rd);
  });

  it('TestLeaderCommitEntry: once a majority acknowledged, the entry is committed, applied and the commit sent', () => {
    const { rn, r } = soloNode(1);
    r.becomeCandidate();
    r.becomeLeader();
    commitNoopEntry(rn, r);
    const li = r.log.lastIndex();
    rn.propose('some data');
    for (const m of readMessages(rn)) rn.step(acceptAndReply(m));
    expect(r.log.committed).toBe(li + 1);
    const rd = rn.ready();
    expect(rd.committedEntries).toEqual([{ index: li + 1, term: 1, type: 'normal', data: 'some data' }]);
    const msgs = byTo([...rd.messages]) as MsgApp[];
    rn.advance(rd);
    expect(msgs.map((m) => [m.to, m.type, m.commit])).toEqual([
      [2, 'MsgApp', li + 1],
      [3, 'MsgApp', li + 1],
    ]);
  });

  it('TestLeaderAcknowledgeCommit: committed once a majority (counting the leader) has it', () => {
    const cases: [number, NodeId[], boolean][] = [
      [1, [], true],
      [3, [], false],
      [3, [2], true],
      [3, [2, 3], true],
      [5, [], false],
      [5, [2], false],
      [5, [2, 3], true],
      [5, [2, 3, 4], true],
      [5, [2, 3, 4, 5], true],
    ];
    for (const [i, [size, acceptors, ack]] of cases.entries()) {
      const voters = Array.from({ length: size }, (_, j) => j + 1);
      const { rn, r } = soloNode(1, { voters });
      r.becomeCandidate();
      r.becomeLeader();
      commitNoopEntry(rn, r);
      const li = r.log.lastIndex();
      rn.propose('some data');
      for (const m of readMessages(rn)) if (acceptors.includes(m.to)) rn.step(acceptAndReply(m));
      readMessages(rn);
      expect(r.log.committed > li, `case ${i}`).toBe(ack);
    }
  });

  it('TestLeaderCommitPrecedingEntries: committing a current-term entry commits everything before it', () => {
    for (const terms of [[], [2], [1, 2], [1]]) {
      const { rn, r } = soloNode(1, { terms, hardState: { term: 2 } });
      r.becomeCandidate();
      r.becomeLeader();
      rn.propose('some data');
      for (const m of readMessages(rn)) rn.step(acceptAndReply(m));
      const li = terms.length;
      const rd = rn.ready();
      expect(rd.committedEntries.map((e) => [e.index, e.term, e.data])).toEqual([
        ...terms.map((t, i) => [i + 1, t, null]),
        [li + 1, 3, null],
        [li + 2, 3, 'some data'],
      ]);
      rn.advance(rd);
    }
  });

  it('TestFollowerCommitEntry: a follower commits up to the leader’s commit within what it has', () => {
    const cases: [[string, string], number][] = [
      [['some data', 'some data2'], 2],
      [['some data2', 'some data'], 2],
      [['some data', 'some data2'], 1],
    ];
    for (const [[a, b], commit] of cases) {
      const { rn, r } = soloNode(1);
      r.becomeFollower(1, 2);
      const ents: Entry[] = [
        { term: 1, index: 1, type: 'normal', data: a },
        { term: 1, index: 2, type: 'normal', data: b },
      ];
      rn.step(msgApp(2, 1, 1, { entries: ents, commit }));
      expect(r.log.committed).toBe(commit);
      expect(rn.ready().committedEntries).toEqual(ents.slice(0, commit));
    }
  });

  it('TestFollowerCheckMsgApp: a follower rejects a MsgApp whose previous entry it does not hold, with a hint', () => {
    const cases = [
      { logTerm: 0, index: 0, windex: 1, reject: false, hint: 0, hintTerm: 0 },
      { logTerm: 1, index: 1, windex: 1, reject: false, hint: 0, hintTerm: 0 },
      { logTerm: 2, index: 2, windex: 2, reject: false, hint: 0, hintTerm: 0 },
      { logTerm: 1, index: 2, windex: 2, reject: true, hint: 1, hintTerm: 1 },
      { logTerm: 3, index: 3, windex: 3, reject: true, hint: 2, hintTerm: 2 },
    ];
    for (const [i, c] of cases.entries()) {
      const { rn, r } = soloNode(1, { terms: [1, 2], hardState: { commit: 1 } });
      r.becomeFollower(2, 2);
      readMessages(rn);
      rn.step(msgApp(2, 1, 2, { logTerm: c.logTerm, index: c.index }));
      expect(readMessages(rn), `case ${i}`).toEqual([
        msgAppResp(1, 2, 2, c.windex, c.reject ? { reject: true, rejectHint: c.hint, logTerm: c.hintTerm } : {}),
      ]);
    }
  });

  it('TestFollowerAppendEntries: conflicting entries and all that follow are replaced; new ones are appended', () => {
    const cases: { index: number; term: number; ents: Entry[]; want: number[]; unstable: number[] }[] = [
      { index: 2, term: 2, ents: entries([3], 3), want: [1, 2, 3], unstable: [3] },
      { index: 1, term: 1, ents: entries([3, 4], 2), want: [1, 3, 4], unstable: [3, 4] },
      { index: 0, term: 0, ents: entries([1], 1), want: [1, 2], unstable: [] },
      { index: 0, term: 0, ents: entries([3], 1), want: [3], unstable: [3] },
    ];
    for (const [i, c] of cases.entries()) {
      const { rn, r } = soloNode(1, { terms: [1, 2] });
      r.becomeFollower(2, 2);
      rn.step(msgApp(2, 1, 2, { logTerm: c.term, index: c.index, entries: c.ents }));
      expect(r.log.allEntries().map((e) => e.term), `case ${i}`).toEqual(c.want);
      expect(rn.ready().entries.map((e) => e.term), `case ${i}`).toEqual(c.unstable);
    }
  });

  it('TestLeaderSyncFollowerLog: the leader brings any follower log to its own', () => {
    const leaderTerms = [1, 1, 1, 4, 4, 5, 5, 6, 6, 6];
    const term = 8;
    const followers = [
      [1, 1, 1, 4, 4, 5, 5, 6, 6],
      [1, 1, 1, 4],
      [1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 6],
      [1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 7, 7],
      [1, 1, 1, 4, 4, 4, 4],
      [1, 1, 1, 2, 2, 2, 3, 3, 3, 3, 3],
    ];
    for (const [i, f] of followers.entries()) {
      // The forged starting logs (a committed prefix held by the leader alone) are not a reachable history, so the
      // safety checkers are off here.
      const net = new Network({
        size: 3,
        bootstrap: false,
        checkers: false,
        storage: (id) =>
          id === 1
            ? { terms: leaderTerms, hardState: { term, commit: leaderTerms.length } }
            : id === 2
              ? { terms: f, hardState: { term: term - 1 } }
              : undefined,
      });
      net.crash(3);
      net.campaign(1);
      net.send({ type: 'MsgVoteResp', from: 3, to: 1, term: term + 1, reject: false });
      net.propose(1, null);
      expect(net.logTerms(2), `case ${i}`).toEqual(net.logTerms(1));
      expect(net.logTerms(1)).toEqual([...leaderTerms, term + 1, term + 1]);
    }
  });
});

describe('Raft paper §5.4: safety', () => {
  it('TestLeaderOnlyCommitsLogFromCurrentTerm: an earlier-term entry is committed only with a current-term entry', () => {
    for (const [index, wcommit] of [
      [1, 0],
      [2, 0],
      [3, 3],
    ]) {
      const { rn, r } = soloNode(1, { voters: [1, 2], terms: [1, 2], hardState: { term: 2 } });
      r.becomeCandidate();
      r.becomeLeader();
      readMessages(rn);
      rn.propose(null);
      rn.step(msgAppResp(2, 1, r.term, index!));
      readMessages(rn);
      expect(r.log.committed, `ack ${index}`).toBe(wcommit);
    }
  });
});
