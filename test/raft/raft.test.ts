// Ports of etcd-io/raft raft_test.go (v3.6). Each test names the upstream test it reproduces. Like upstream's
// newTestRaft, members start with known voters, an empty log and term 0 (`bootstrap: false`), PreVote and
// CheckQuorum off unless the test turns them on. The safety checkers run after every message in every test.
import { describe, expect, it } from 'vitest';
import { Network } from './core/network';
import { entries, msgAppResp, msgHeartbeat, msgHeartbeatResp, msgVote, readMessages, soloNode } from './core/helpers';
import type { MsgApp, MsgAppResp, MsgVoteResp, NodeId, RaftRole } from '../../src/raft/types';

function upstream(size: number, o: ConstructorParameters<typeof Network>[0] = {}): Network {
  return new Network({ size, bootstrap: false, ...o });
}

function roles(net: Network): RaftRole[] {
  return net.ids.map((id) => net.member(id).rawNode?.status().role ?? ('down' as RaftRole));
}

describe('elections', () => {
  for (const preVote of [false, true]) {
    it(`TestLeaderElection${preVote ? 'PreVote' : ''}: 1/3/4/5 members with dead members, and stale logs`, () => {
      const candRole: RaftRole = preVote ? 'pre-candidate' : 'candidate';
      const candTerm = preVote ? 0 : 1;
      const cases: { size: number; dead: NodeId[]; storage?: Record<number, number[]>; role: RaftRole; term: number }[] = [
        { size: 3, dead: [], role: 'leader', term: 1 },
        { size: 3, dead: [3], role: 'leader', term: 1 },
        { size: 3, dead: [2, 3], role: candRole, term: candTerm },
        { size: 4, dead: [2, 3], role: candRole, term: candTerm },
        { size: 5, dead: [2, 3], role: 'leader', term: 1 },
        // three logs further along than 0, in the same term: rejections come back instead of ignored votes
        { size: 5, dead: [], storage: { 2: [1], 3: [1], 4: [1, 1] }, role: 'follower', term: 1 },
      ];
      for (const [i, c] of cases.entries()) {
        const net = upstream(c.size, { preVote, storage: (id) => (c.storage?.[id] ? { terms: c.storage[id] } : undefined) });
        for (const d of c.dead) net.crash(d);
        net.campaign(1);
        const st = net.node(1).status();
        expect(st.role, `case ${i}`).toBe(c.role);
        expect(st.term, `case ${i}`).toBe(c.term);
      }
    });

    it(`TestLeaderCycle${preVote ? 'PreVote' : ''}: each member can be elected in turn`, () => {
      const net = upstream(3, { preVote });
      for (const campaigner of [1, 2, 3]) {
        net.campaign(campaigner);
        for (const id of net.ids) {
          expect(net.node(id).status().role, `campaigner ${campaigner}, member ${id}`).toBe(id === campaigner ? 'leader' : 'follower');
        }
      }
    });

    it(`TestLeaderElectionOverwriteNewerLogs${preVote ? 'PreVote' : ''}: a new leader overwrites higher-term uncommitted entries`, () => {
      // 1 won term 1 and replicated one entry to 2; 3 won term 2 and wrote one entry; 4 and 5 voted for 3 in term 2.
      const net = upstream(5, {
        preVote,
        electionTick: 5,
        storage: (id) =>
          ({
            1: { terms: [1] },
            2: { terms: [1] },
            3: { terms: [2] },
            4: { hardState: { term: 2, vote: 3 } },
            5: { hardState: { term: 2, vote: 3 } },
          })[id],
      });
      // 1 campaigns and loses (a quorum knows about term 2); its term is pushed to 2.
      net.campaign(1);
      expect(net.node(1).status()).toMatchObject({ role: 'follower', term: 2 });
      // Again, with a higher term: it wins.
      net.campaign(1);
      expect(net.node(1).status()).toMatchObject({ role: 'leader', term: 3 });
      for (const id of net.ids) expect(net.logTerms(id), `member ${id}`).toEqual([1, 3]);
    });
  }

  it('TestSingleNodeCandidate / TestSingleNodePreCandidate / TestSingleNodeCommit', () => {
    for (const preVote of [false, true]) {
      const net = upstream(1, { preVote });
      net.campaign(1);
      expect(net.node(1).status().role).toBe('leader');
      net.propose(1, 'some data');
      net.propose(1, 'some data');
      expect(net.node(1).status().commit).toBe(3);
    }
  });

  it('TestDuelingCandidates: without PreVote a rejoining candidate with a higher term disrupts the leader', () => {
    const net = upstream(3);
    net.cut(1, 3);
    net.campaign(1);
    net.campaign(3);
    // 1 wins with votes from 1 and 2; 3 stays candidate (its own vote and a rejection from 2)
    expect(net.node(1).status().role).toBe('leader');
    expect(net.node(3).status().role).toBe('candidate');
    net.recover();
    // 3 campaigns at a higher term: the leader steps down; 3 loses (its log is too short)
    net.campaign(3);
    const want = [
      { role: 'follower', term: 2, lastIndex: 1 },
      { role: 'follower', term: 2, lastIndex: 1 },
      { role: 'follower', term: 2, lastIndex: 0 },
    ];
    for (const [i, id] of net.ids.entries()) expect(net.node(id).status(), `member ${id}`).toMatchObject(want[i]!);
  });

  it('TestDuelingPreCandidates: with PreVote the rejoining node does not disrupt; the leader keeps its term', () => {
    const net = upstream(3, { preVote: true });
    net.cut(1, 3);
    net.campaign(1);
    net.campaign(3);
    expect(net.node(1).status().role).toBe('leader');
    // 3's pre-vote is rejected: back to follower
    expect(net.node(3).status().role).toBe('follower');
    net.recover();
    net.campaign(3);
    const want = [
      { role: 'leader', term: 1, lastIndex: 1 },
      { role: 'follower', term: 1, lastIndex: 1 },
      { role: 'follower', term: 1, lastIndex: 0 },
    ];
    for (const [i, id] of net.ids.entries()) expect(net.node(id).status(), `member ${id}`).toMatchObject(want[i]!);
  });

  it('TestCandidateConcede: an isolated candidate concedes to the leader and takes its log', () => {
    const net = upstream(3);
    net.isolate(1);
    net.campaign(1);
    net.campaign(3);
    net.recover();
    net.beat(3);
    net.propose(3, 'force follower');
    net.beat(3);
    expect(net.node(1).status()).toMatchObject({ role: 'follower', term: 1 });
    for (const id of net.ids) {
      const log = net.node(id).log();
      expect(net.logTerms(id)).toEqual([1, 1]);
      expect(log.entry(2)!.data).toBe('force follower');
      expect(net.node(id).status().commit).toBe(2);
    }
  });

  it('TestOldMessages: a stale leader append is ignored', () => {
    const net = upstream(3);
    net.campaign(1);
    net.campaign(2);
    net.campaign(1); // 1 leader at term 3
    const stale: MsgApp = { type: 'MsgApp', from: 2, to: 1, term: 2, logTerm: 0, index: 2, entries: entries([2], 3), commit: 0 };
    net.send(stale);
    net.propose(1, 'somedata');
    for (const id of net.ids) {
      expect(net.logTerms(id)).toEqual([1, 2, 3, 3]);
      expect(net.node(id).log().entry(4)!.data).toBe('somedata');
    }
  });

  it('TestProposalByProxy: a follower forwards proposals to the leader', () => {
    const net = upstream(3);
    net.campaign(1);
    expect(net.propose(2, 'somedata')).toBe(true);
    for (const id of net.ids) {
      expect(net.logTerms(id)).toEqual([1, 1]);
      expect(net.node(id).status().commit).toBe(2);
    }
  });

  it('TestProposal: a proposal without a leader is dropped (ErrProposalDropped)', () => {
    const net = upstream(3);
    expect(net.propose(1, 'x')).toBe(false);
    net.campaign(1);
    net.crash(2);
    net.crash(3);
    // The leader accepts it (it cannot commit it).
    expect(net.propose(1, 'x')).toBe(true);
    expect(net.node(1).status().commit).toBe(1);
  });

  it('TestRecvMsgVote / TestRecvMsgPreVote: vote grants follow the up-to-date rule and the vote already cast', () => {
    for (const type of ['MsgVote', 'MsgPreVote'] as const) {
      const cases: { role: RaftRole; index: number; logTerm: number; voteFor: NodeId; reject: boolean }[] = [
        { role: 'follower', index: 0, logTerm: 0, voteFor: 0, reject: true },
        { role: 'follower', index: 0, logTerm: 1, voteFor: 0, reject: true },
        { role: 'follower', index: 0, logTerm: 2, voteFor: 0, reject: true },
        { role: 'follower', index: 0, logTerm: 3, voteFor: 0, reject: false },
        { role: 'follower', index: 1, logTerm: 0, voteFor: 0, reject: true },
        { role: 'follower', index: 1, logTerm: 1, voteFor: 0, reject: true },
        { role: 'follower', index: 1, logTerm: 2, voteFor: 0, reject: true },
        { role: 'follower', index: 1, logTerm: 3, voteFor: 0, reject: false },
        { role: 'follower', index: 2, logTerm: 0, voteFor: 0, reject: true },
        { role: 'follower', index: 2, logTerm: 1, voteFor: 0, reject: true },
        { role: 'follower', index: 2, logTerm: 2, voteFor: 0, reject: false },
        { role: 'follower', index: 2, logTerm: 3, voteFor: 0, reject: false },
        { role: 'follower', index: 3, logTerm: 0, voteFor: 0, reject: true },
        { role: 'follower', index: 3, logTerm: 1, voteFor: 0, reject: true },
        { role: 'follower', index: 3, logTerm: 2, voteFor: 0, reject: false },
        { role: 'follower', index: 3, logTerm: 3, voteFor: 0, reject: false },
        { role: 'follower', index: 3, logTerm: 2, voteFor: 2, reject: false },
        { role: 'follower', index: 3, logTerm: 2, voteFor: 1, reject: true },
        { role: 'leader', index: 3, logTerm: 3, voteFor: 1, reject: true },
        { role: 'pre-candidate', index: 3, logTerm: 3, voteFor: 1, reject: true },
        { role: 'candidate', index: 3, logTerm: 3, voteFor: 1, reject: true },
      ];
      for (const [i, c] of cases.entries()) {
        const { rn, r } = soloNode(1, { voters: [1], terms: [2, 2], hardState: { term: 2 } });
        if (c.role === 'pre-candidate') r.becomePreCandidate();
        if (c.role === 'candidate' || c.role === 'leader') r.becomeCandidate();
        if (c.role === 'leader') r.becomeLeader();
        readMessages(rn);
        const term = Math.max(r.log.lastTerm(), c.logTerm);
        r.term = term;
        r.vote = c.voteFor;
        rn.step(msgVote(type, 2, 1, term, { index: c.index, logTerm: c.logTerm }));
        const msgs = readMessages(rn);
        expect(msgs, `${type} case ${i}`).toHaveLength(1);
        expect(msgs[0]!.type).toBe(type === 'MsgVote' ? 'MsgVoteResp' : 'MsgPreVoteResp');
        expect((msgs[0] as MsgVoteResp).reject, `${type} case ${i}`).toBe(c.reject);
      }
    }
  });

  it('TestStateTransition: illegal role transitions throw', () => {
    const reach = (role: RaftRole) => {
      const { r } = soloNode(1, { voters: [1] });
      if (role === 'pre-candidate') r.becomePreCandidate();
      if (role === 'candidate' || role === 'leader') r.becomeCandidate();
      if (role === 'leader') r.becomeLeader();
      return r;
    };
    const allowed: [RaftRole, RaftRole, boolean][] = [
      ['follower', 'follower', true],
      ['follower', 'pre-candidate', true],
      ['follower', 'candidate', true],
      ['follower', 'leader', false],
      ['pre-candidate', 'follower', true],
      ['pre-candidate', 'pre-candidate', true],
      ['pre-candidate', 'candidate', true],
      ['pre-candidate', 'leader', true],
      ['candidate', 'follower', true],
      ['candidate', 'pre-candidate', true],
      ['candidate', 'candidate', true],
      ['candidate', 'leader', true],
      ['leader', 'follower', true],
      ['leader', 'pre-candidate', false],
      ['leader', 'candidate', false],
      ['leader', 'leader', true],
    ];
    for (const [from, to, ok] of allowed) {
      const r = reach(from);
      const go = () => {
        if (to === 'follower') r.becomeFollower(r.term + 1, 0);
        else if (to === 'pre-candidate') r.becomePreCandidate();
        else if (to === 'candidate') r.becomeCandidate();
        else r.becomeLeader();
      };
      if (ok) {
        go();
        expect(r.role, `${from} -> ${to}`).toBe(to);
        expect(r.lead).toBe(to === 'leader' ? 1 : 0);
      } else {
        expect(go, `${from} -> ${to}`).toThrow(/invalid transition/);
      }
    }
  });

  it('TestAllServerStepdown: every role steps down on a higher-term MsgVote or MsgApp', () => {
    for (const role of ['follower', 'pre-candidate', 'candidate', 'leader'] as RaftRole[]) {
      for (const type of ['MsgVote', 'MsgApp'] as const) {
        const { rn, r } = soloNode(1);
        if (role === 'follower') r.becomeFollower(1, 0);
        if (role === 'pre-candidate') r.becomePreCandidate();
        if (role === 'candidate' || role === 'leader') r.becomeCandidate();
        if (role === 'leader') r.becomeLeader();
        readMessages(rn);
        if (type === 'MsgVote') rn.step(msgVote('MsgVote', 2, 1, 3, { logTerm: 3 }));
        else rn.step({ type: 'MsgApp', from: 2, to: 1, term: 3, logTerm: 3, index: 0, entries: [], commit: 0 });
        expect(r.role, `${role} ${type}`).toBe('follower');
        expect(r.term).toBe(3);
        expect(r.log.lastIndex()).toBe(role === 'leader' ? 1 : 0);
        expect(r.lead).toBe(type === 'MsgVote' ? 0 : 2);
      }
    }
  });

  it('TestNodeWithSmallerTermCanCompleteElection: PreVote lets a lower-term node join a later election', () => {
    const net = upstream(3, { preVote: true });
    for (const id of net.ids) net.raft(id).becomeFollower(1, 0);
    net.settle();
    net.cut(1, 3);
    net.cut(2, 3);
    net.campaign(1);
    expect(roles(net).slice(0, 2)).toEqual(['leader', 'follower']);
    net.campaign(3);
    expect(net.node(3).status().role).toBe('pre-candidate');
    net.campaign(2);
    expect(net.ids.map((id) => net.node(id).status().term)).toEqual([3, 3, 1]);
    expect(roles(net)).toEqual(['follower', 'leader', 'pre-candidate']);
    // bring 3 back and cut 2 (the leader) off, as if it crashed
    net.recover();
    net.cut(2, 1);
    net.cut(2, 3);
    net.campaign(3);
    net.campaign(1);
    expect(net.node(1).status().role === 'leader' || net.node(3).status().role === 'leader').toBe(true);
  });

  it('TestPreVoteWithSplitVote: after a split vote the next round completes', () => {
    const net = upstream(3, { preVote: true });
    for (const id of net.ids) net.raft(id).becomeFollower(1, 0);
    net.settle();
    net.campaign(1);
    net.isolate(1);
    net.hup(2, 3);
    expect([net.node(2).status().term, net.node(3).status().term]).toEqual([3, 3]);
    expect([net.node(2).status().role, net.node(3).status().role]).toEqual(['candidate', 'candidate']);
    net.campaign(2);
    expect([net.node(2).status().term, net.node(3).status().term]).toEqual([4, 4]);
    expect([net.node(2).status().role, net.node(3).status().role]).toEqual(['leader', 'follower']);
  });
});

describe('commit', () => {
  it('TestCommit: the leader commits the quorum-acknowledged index only if its entry is of the current term', () => {
    const cases: { matches: number[]; terms: number[]; term: number; want: number }[] = [
      { matches: [1], terms: [1], term: 1, want: 1 },
      { matches: [1], terms: [1], term: 2, want: 0 },
      { matches: [2], terms: [1, 2], term: 2, want: 2 },
      { matches: [1], terms: [2], term: 2, want: 1 },
      { matches: [2, 1, 1], terms: [1, 2], term: 1, want: 1 },
      { matches: [2, 1, 1], terms: [1, 1], term: 2, want: 0 },
      { matches: [2, 1, 2], terms: [1, 2], term: 2, want: 2 },
      { matches: [2, 1, 2], terms: [1, 1], term: 2, want: 0 },
      { matches: [2, 1, 1, 1], terms: [1, 2], term: 1, want: 1 },
      { matches: [2, 1, 1, 1], terms: [1, 1], term: 2, want: 0 },
      { matches: [2, 1, 1, 2], terms: [1, 2], term: 1, want: 1 },
      { matches: [2, 1, 1, 2], terms: [1, 1], term: 2, want: 0 },
      { matches: [2, 1, 2, 2], terms: [1, 2], term: 2, want: 2 },
      { matches: [2, 1, 2, 2], terms: [1, 1], term: 2, want: 0 },
    ];
    for (const [i, c] of cases.entries()) {
      const voters = c.matches.map((_, j) => j + 1);
      const { r } = soloNode(1, { voters, terms: c.terms, hardState: { term: c.term } });
      for (const [j, match] of c.matches.entries()) {
        const pr = r.progressOf(j + 1)!;
        pr.match = match;
        pr.next = match + 1;
      }
      r.maybeCommit();
      expect(r.log.committed, `case ${i}`).toBe(c.want);
    }
  });

  it('TestCannotCommitWithoutNewTermEntry: earlier-term entries are not committed by counting replicas', () => {
    const net = upstream(5);
    net.campaign(1);
    net.cut(1, 3);
    net.cut(1, 4);
    net.cut(1, 5);
    net.propose(1, 'some data');
    net.propose(1, 'some data');
    expect(net.node(1).status().commit).toBe(1);
    net.recover();
    net.ignore('MsgApp'); // the new leader's empty entry cannot be replicated
    net.campaign(2);
    expect(net.node(2).status()).toMatchObject({ role: 'leader', term: 2, commit: 1 });
    net.recover();
    net.beat(2);
    net.propose(2, 'some data');
    expect(net.node(2).status().commit).toBe(5);
  });

  it('TestCommitWithoutNewTermEntry: the new leader’s empty entry commits the earlier-term entries', () => {
    const net = upstream(5);
    net.campaign(1);
    net.cut(1, 3);
    net.cut(1, 4);
    net.cut(1, 5);
    net.propose(1, 'some data');
    net.propose(1, 'some data');
    expect(net.node(1).status().commit).toBe(1);
    net.recover();
    net.campaign(2);
    expect(net.node(1).status().commit).toBe(4);
  });

  it('TestLeaderAppResp: stale, rejected and accepted append responses move the progress', () => {
    const cases = [
      { index: 3, reject: true, match: 0, next: 3, msgs: 0, msgIndex: 0, commit: 0 }, // stale
      { index: 2, reject: true, match: 0, next: 2, msgs: 1, msgIndex: 1, commit: 0 }, // denied: probe lower
      { index: 2, reject: false, match: 2, next: 4, msgs: 2, msgIndex: 2, commit: 2 }, // accepted: commit, broadcast
      { index: 0, reject: false, match: 0, next: 4, msgs: 1, msgIndex: 0, commit: 0 }, // probe at 0 -> replicate
    ];
    for (const [i, c] of cases.entries()) {
      const { rn, r } = soloNode(1, { terms: [1, 1] });
      r.becomeCandidate(); // term 1
      r.becomeLeader();
      readMessages(rn);
      rn.step(msgAppResp(2, 1, r.term, c.index, { reject: c.reject, rejectHint: c.index }));
      const pr = r.progressOf(2)!;
      expect([pr.match, pr.next], `case ${i}`).toEqual([c.match, c.next]);
      const msgs = readMessages(rn) as MsgApp[];
      expect(msgs, `case ${i}`).toHaveLength(c.msgs);
      for (const m of msgs) {
        expect(m.index, `case ${i}`).toBe(c.msgIndex);
        expect(m.commit, `case ${i}`).toBe(c.commit);
      }
    }
  });

  it('TestHandleMsgApp: follower append checks prev entry, resolves conflicts and advances commit', () => {
    type C = { term: number; logTerm: number; index: number; commit: number; ents?: [number, number][]; wIndex: number; wCommit: number; wReject: boolean };
    const cases: C[] = [
      { term: 2, logTerm: 3, index: 2, commit: 3, wIndex: 2, wCommit: 0, wReject: true }, // previous log mismatch
      { term: 2, logTerm: 3, index: 3, commit: 3, wIndex: 2, wCommit: 0, wReject: true }, // previous log non-exist
      { term: 2, logTerm: 1, index: 1, commit: 1, wIndex: 2, wCommit: 1, wReject: false },
      { term: 2, logTerm: 0, index: 0, commit: 1, ents: [[1, 2]], wIndex: 1, wCommit: 1, wReject: false },
      { term: 2, logTerm: 2, index: 2, commit: 3, ents: [[3, 2], [4, 2]], wIndex: 4, wCommit: 3, wReject: false },
      { term: 2, logTerm: 2, index: 2, commit: 4, ents: [[3, 2]], wIndex: 3, wCommit: 3, wReject: false },
      { term: 2, logTerm: 1, index: 1, commit: 4, ents: [[2, 2]], wIndex: 2, wCommit: 2, wReject: false },
      { term: 1, logTerm: 1, index: 1, commit: 3, wIndex: 2, wCommit: 1, wReject: false },
      { term: 1, logTerm: 1, index: 1, commit: 3, ents: [[2, 2]], wIndex: 2, wCommit: 2, wReject: false },
      { term: 2, logTerm: 2, index: 2, commit: 3, wIndex: 2, wCommit: 2, wReject: false },
      { term: 2, logTerm: 2, index: 2, commit: 4, wIndex: 2, wCommit: 2, wReject: false },
    ];
    for (const [i, c] of cases.entries()) {
      const { rn, r } = soloNode(1, { voters: [1], terms: [1, 2] });
      r.becomeFollower(2, 0);
      readMessages(rn);
      r.handleAppendEntries({
        type: 'MsgApp',
        from: 2,
        to: 1,
        term: c.term,
        logTerm: c.logTerm,
        index: c.index,
        commit: c.commit,
        entries: (c.ents ?? []).map(([index, term]) => ({ index, term, type: 'normal' as const, data: null })),
      });
      expect(r.log.lastIndex(), `case ${i}`).toBe(c.wIndex);
      expect(r.log.committed, `case ${i}`).toBe(c.wCommit);
      const msgs = readMessages(rn) as MsgAppResp[];
      expect(msgs, `case ${i}`).toHaveLength(1);
      expect(msgs[0]!.reject, `case ${i}`).toBe(c.wReject);
    }
  });

  it('TestProgressFlowControl: probe sends one MsgApp; replicate streams up to maxInflightMsgs', () => {
    const { rn, r } = soloNode(1, { voters: [1, 2], electionTick: 5, maxInflightMsgs: 3, maxEntriesPerMsg: 2 });
    r.becomeCandidate();
    r.becomeLeader();
    readMessages(rn);
    r.progressOf(2)!.becomeProbe();
    for (let i = 0; i < 10; i++) rn.propose(`p${i}`);
    let ms = readMessages(rn) as MsgApp[];
    // probe: one MsgApp with the empty entry and the first proposal
    expect(ms).toHaveLength(1);
    expect(ms[0]!.entries.map((e) => e.data)).toEqual([null, 'p0']);
    const ack = (index: number, expected: number[]): number => {
      rn.step(msgAppResp(2, 1, r.term, index));
      ms = readMessages(rn) as MsgApp[];
      expect(ms.map((m) => m.entries.length)).toEqual(expected);
      const last = ms[ms.length - 1]!.entries;
      return last.length === 0 ? index : last[last.length - 1]!.index;
    };
    // acked: replicate, three messages of two entries (the window)
    let index = ack(ms[0]!.entries[1]!.index, [2, 2, 2]);
    // all acked at once: the rest (11 entries in total)
    index = ack(index, [2, 1]);
    expect(index).toBe(11);
  });

  it('TestFastLogRejection: leader and follower both skip whole terms when backtracking', () => {
    const cases = [
      { leader: [1, 2, 2, 4, 4, 4, 4], follower: [1, 2, 2, 3, 3, 3, 3, 3, 3, 3, 3], hintTerm: 3, hintIndex: 7, nextTerm: 2, nextIndex: 3 },
      { leader: [1, 2, 2, 3, 4, 4, 4, 5], follower: [1, 2, 2, 3, 3, 3, 3, 3, 3, 3, 3], hintTerm: 3, hintIndex: 8, nextTerm: 3, nextIndex: 4 },
      { leader: [1, 1, 1, 1], follower: [1, 2, 2, 4], hintTerm: 1, hintIndex: 1, nextTerm: 1, nextIndex: 1 },
      { leader: [1, 1, 1, 1, 1, 1], follower: [1, 2, 2, 4], hintTerm: 1, hintIndex: 1, nextTerm: 1, nextIndex: 1 },
      { leader: [1, 1, 1, 1], follower: [1, 2, 2, 4, 4, 4], hintTerm: 1, hintIndex: 1, nextTerm: 1, nextIndex: 1 },
      { leader: [1, 1, 1, 4, 5], follower: [1, 1, 1, 4], hintTerm: 4, hintIndex: 4, nextTerm: 4, nextIndex: 4 },
      { leader: [2, 5, 5, 5, 5, 5, 5, 5, 5], follower: [2, 4, 4, 4, 4, 4], hintTerm: 4, hintIndex: 6, nextTerm: 2, nextIndex: 1 },
      { leader: [2, 2, 2, 2, 2], follower: [2, 4, 4, 4, 4, 4, 4, 4], hintTerm: 2, hintIndex: 1, nextTerm: 2, nextIndex: 1 },
      // (upstream's last case needs a compacted follower log: no compaction in this model)
    ];
    for (const [i, c] of cases.entries()) {
      const lastTerm = c.leader[c.leader.length - 1]!;
      const n1 = soloNode(1, { terms: c.leader, hardState: { term: lastTerm - 1, commit: c.leader.length } });
      n1.r.becomeCandidate(); // bumps the term to lastTerm
      n1.r.becomeLeader();
      readMessages(n1.rn);
      const n2 = soloNode(2, { terms: c.follower, hardState: { term: lastTerm, vote: 1, commit: 0 } });
      n2.rn.step(msgHeartbeat(1, 2, n1.r.term));
      let msgs = readMessages(n2.rn);
      expect(msgs.map((m) => m.type)).toEqual(['MsgHeartbeatResp']);
      n1.rn.step(msgs[0]!);
      msgs = readMessages(n1.rn);
      expect(msgs.map((m) => m.type)).toEqual(['MsgApp']);
      n2.rn.step(msgs[0]!);
      msgs = readMessages(n2.rn);
      expect(msgs.map((m) => m.type)).toEqual(['MsgAppResp']);
      const resp = msgs[0] as MsgAppResp;
      expect(resp.reject, `case ${i}`).toBe(true);
      expect([resp.logTerm, resp.rejectHint], `case ${i} hint (term, index)`).toEqual([c.hintTerm, c.hintIndex]);
      n1.rn.step(resp);
      const next = readMessages(n1.rn)[0] as MsgApp;
      expect([next.logTerm, next.index], `case ${i} next append (term, index)`).toEqual([c.nextTerm, c.nextIndex]);
    }
  });

  it('TestLogReplication-style: divergent logs (MIT Backup: 50 entries per side) converge on the winner', () => {
    const net = upstream(5);
    net.campaign(1);
    net.propose(1, 'base');
    // 1 and 2 are cut off with the old leader; 50 entries there are never committed.
    net.isolate(3);
    net.isolate(4);
    net.isolate(5);
    for (let i = 0; i < 50; i++) net.propose(1, `lost-${i}`);
    net.recover();
    net.isolate(1);
    net.isolate(2);
    net.campaign(3);
    for (let i = 0; i < 50; i++) net.propose(3, `kept-${i}`);
    net.recover();
    net.beat(3);
    net.tickAll(3);
    const want = net.logTerms(3);
    for (const id of net.ids) {
      expect(net.logTerms(id), `member ${id}`).toEqual(want);
      expect(net.node(id).status().commit).toBe(want.length);
    }
    const data = [...Array(want.length).keys()].map((i) => net.node(1).log().entry(i + 1)!.data);
    expect(data.filter((d) => typeof d === 'string' && d.startsWith('lost-'))).toEqual([]);
    expect(data.filter((d) => typeof d === 'string' && d.startsWith('kept-'))).toHaveLength(50);
  });
});

describe('CheckQuorum and PreVote', () => {
  it('TestLeaderStepdownWhenQuorumActive: a leader hearing from a quorum stays', () => {
    const { rn, r } = soloNode(1, { electionTick: 5, checkQuorum: true });
    r.becomeCandidate();
    r.becomeLeader();
    for (let i = 0; i < r.electionTimeout + 1; i++) {
      rn.step(msgHeartbeatResp(2, 1, r.term));
      rn.tick();
    }
    expect(r.role).toBe('leader');
  });

  it('TestLeaderStepdownWhenQuorumLost: a leader hearing from no quorum within an election timeout steps down', () => {
    const { rn, r } = soloNode(1, { electionTick: 5, checkQuorum: true });
    r.becomeCandidate();
    r.becomeLeader();
    for (let i = 0; i < r.electionTimeout + 1; i++) rn.tick();
    expect(r.role).toBe('follower');
  });

  it('TestLeaderSupersedingWithCheckQuorum: a follower that heard from the leader recently ignores votes', () => {
    const net = upstream(3, { checkQuorum: true });
    net.raft(2).randomizedElectionTimeout = 11;
    for (let i = 0; i < 10; i++) net.node(2).tick();
    net.settle();
    net.campaign(1);
    expect(net.node(1).status().role).toBe('leader');
    expect(net.node(3).status().role).toBe('follower');
    net.campaign(3);
    // 2 rejected 3's vote: its electionElapsed had not reached the election timeout
    expect(net.node(3).status().role).toBe('candidate');
    for (let i = 0; i < 10; i++) net.node(2).tick();
    net.settle();
    net.campaign(3);
    expect(net.node(3).status().role).toBe('leader');
  });

  it('TestLeaderElectionWithCheckQuorum: votes are cast once the lease expired', () => {
    const net = upstream(3, { checkQuorum: true });
    net.raft(1).randomizedElectionTimeout = 11;
    net.raft(2).randomizedElectionTimeout = 12;
    net.campaign(1);
    expect(net.node(1).status().role).toBe('leader');
    expect(net.node(3).status().role).toBe('follower');
    net.raft(1).randomizedElectionTimeout = 11;
    net.raft(2).randomizedElectionTimeout = 12;
    // (what the ticks produce stays queued in each node until it next receives a message, as upstream)
    for (let i = 0; i < 10; i++) net.node(1).tick();
    for (let i = 0; i < 10; i++) net.node(2).tick();
    net.campaign(3);
    expect(net.node(1).status().role).toBe('follower');
    expect(net.node(3).status().role).toBe('leader');
  });

  it('TestFreeStuckCandidateWithCheckQuorum: a stuck higher-term candidate forces the leader down through MsgAppResp', () => {
    const net = upstream(3, { checkQuorum: true });
    net.raft(2).randomizedElectionTimeout = 11;
    for (let i = 0; i < 10; i++) net.node(2).tick();
    net.settle();
    net.campaign(1);
    net.isolate(1);
    net.campaign(3);
    expect(net.node(2).status().role).toBe('follower');
    expect(net.node(3).status().role).toBe('candidate');
    expect(net.node(3).status().term).toBe(net.node(2).status().term + 1);
    net.campaign(3);
    expect(net.node(3).status().term).toBe(net.node(2).status().term + 2);
    net.recover();
    net.send(msgHeartbeat(1, 3, net.node(1).status().term));
    // the leader is disrupted, so the stuck peer is freed
    expect(net.node(1).status().role).toBe('follower');
    expect(net.node(1).status().term).toBe(net.node(3).status().term);
    net.campaign(3);
    expect(net.node(3).status().role).toBe('leader');
  });

  it('TestDisruptiveFollower: without PreVote a timed-out follower’s higher-term MsgAppResp forces the leader down', () => {
    const net = upstream(3, { checkQuorum: true });
    for (const id of net.ids) net.raft(id).becomeFollower(1, 0);
    net.settle();
    net.campaign(1);
    expect(roles(net)).toEqual(['leader', 'follower', 'follower']);
    const n3 = net.raft(3);
    n3.randomizedElectionTimeout = n3.electionTimeout + 2;
    // the leader's heartbeats are delayed while n3's ticks elapse: it campaigns (its votes stay queued in n3)
    const ticks = n3.randomizedElectionTimeout;
    for (let i = 0; i < ticks; i++) net.node(3).tick();
    expect(roles(net)).toEqual(['leader', 'follower', 'candidate']);
    expect(net.ids.map((id) => net.node(id).status().term)).toEqual([2, 2, 3]);
    net.send(msgHeartbeat(1, 3, 2));
    expect(roles(net)).toEqual(['follower', 'follower', 'candidate']);
    expect(net.ids.map((id) => net.node(id).status().term)).toEqual([3, 2, 3]);
  });

  it('TestDisruptiveFollowerPreVote: with PreVote a lagging follower does not force the leader down', () => {
    const net = upstream(3, { checkQuorum: true, preVote: true });
    for (const id of net.ids) net.raft(id).becomeFollower(1, 0);
    net.settle();
    net.campaign(1);
    expect(roles(net)).toEqual(['leader', 'follower', 'follower']);
    net.isolate(3);
    for (let i = 0; i < 3; i++) net.propose(1, 'somedata');
    net.recover();
    net.campaign(3);
    expect(roles(net)).toEqual(['leader', 'follower', 'pre-candidate']);
    expect(net.ids.map((id) => net.node(id).status().term)).toEqual([2, 2, 2]);
    // a delayed leader heartbeat does not force the leader down
    net.send(msgHeartbeat(1, 3, 2));
    expect(net.node(1).status().role).toBe('leader');
  });

  it('TestPreVoteWithCheckQuorum-style: an in-lease follower ignores a higher-term pre-vote; a transfer campaign is not ignored', () => {
    const { rn, r } = soloNode(1, { checkQuorum: true, preVote: true });
    rn.step(msgHeartbeat(2, 1, 5)); // leader 2 at term 5: now in lease
    readMessages(rn);
    rn.step(msgVote('MsgPreVote', 3, 1, 6, { index: 10, logTerm: 6 }));
    expect(readMessages(rn)).toEqual([]);
    rn.step(msgVote('MsgVote', 3, 1, 6, { index: 10, logTerm: 6 }));
    expect(readMessages(rn)).toEqual([]);
    expect(r.term).toBe(5);
    rn.step(msgVote('MsgVote', 3, 1, 6, { index: 10, logTerm: 6, transfer: true }));
    const out = readMessages(rn) as MsgVoteResp[];
    expect(out).toMatchObject([{ type: 'MsgVoteResp', to: 3, term: 6, reject: false }]);
    expect(r.vote).toBe(3);
  });
});

describe('ReadIndex', () => {
  it('TestReadOnlyOptionSafe: reads are answered at the leader’s commit index, from any member', () => {
    const net = upstream(3);
    net.raft(2).randomizedElectionTimeout = 11;
    for (let i = 0; i < 10; i++) net.node(2).tick();
    net.settle();
    net.campaign(1);
    expect(net.node(1).status().role).toBe('leader');
    const cases: [NodeId, number, string][] = [
      [1, 11, 'ctx1'],
      [2, 21, 'ctx2'],
      [3, 31, 'ctx3'],
      [1, 41, 'ctx4'],
      [2, 51, 'ctx5'],
      [3, 61, 'ctx6'],
    ];
    for (const [id, index, ctx] of cases) {
      for (let j = 0; j < 10; j++) net.propose(1, null);
      net.readIndex(id, ctx);
      const m = net.member(id);
      expect(m.readStates, ctx).toEqual([{ index, context: ctx }]);
      m.readStates = [];
    }
  });

  it('TestReadOnlyForNewLeader: a new leader holds reads until it commits an entry of its term', () => {
    const commits: Record<number, number> = { 1: 1, 2: 2, 3: 2 };
    const net = upstream(3, { storage: (id) => ({ terms: [1, 1], hardState: { term: 1, commit: commits[id] }, applied: commits[id] }) });
    // Drop MsgApp so 1 cannot commit an entry in its term once it is leader.
    net.ignore('MsgApp');
    net.campaign(1);
    expect(net.node(1).status().role).toBe('leader');
    net.readIndex(1, 'ctx');
    expect(net.member(1).readStates).toEqual([]);
    expect(net.raft(1).pendingReadIndexCount()).toBe(1);
    net.recover();
    // the heartbeats stay queued in 1 until the proposal is stepped (as upstream's sm.tick())
    for (let i = 0; i < net.raft(1).heartbeatTimeout; i++) net.node(1).tick();
    net.propose(1, null);
    expect(net.node(1).status().commit).toBe(4);
    expect(net.node(1).log().term(4)).toBe(net.node(1).status().term);
    // the held read was answered with the index at which it was released
    expect(net.member(1).readStates).toEqual([{ index: 4, context: 'ctx' }]);
    net.readIndex(1, 'ctx');
    expect(net.member(1).readStates).toEqual([
      { index: 4, context: 'ctx' },
      { index: 4, context: 'ctx' },
    ]);
  });

  it('ReadIndex is confirmed by a quorum of heartbeats: no answer while the leader is cut off', () => {
    const net = upstream(3);
    net.campaign(1);
    net.isolate(1);
    net.readIndex(1, 'r');
    expect(net.member(1).readStates).toEqual([]);
    net.recover();
    net.beat(1);
    expect(net.member(1).readStates).toEqual([{ index: 1, context: 'r' }]);
  });
});

describe('leader transfer', () => {
  const transferState = (net: Network, id: NodeId, role: RaftRole, lead: NodeId) => {
    const st = net.node(id).status();
    expect(st.role).toBe(role);
    expect(st.lead).toBe(lead);
    expect(net.raft(id).leadTransferee).toBe(0);
  };

  it('TestLeaderTransferToUpToDateNode', () => {
    const net = upstream(3);
    net.campaign(1);
    expect(net.node(1).status().lead).toBe(1);
    net.transferLeader(1, 2);
    transferState(net, 1, 'follower', 2);
    net.propose(2, null);
    net.transferLeader(2, 1);
    transferState(net, 1, 'leader', 1);
  });

  it('TestLeaderTransferToUpToDateNodeFromFollower', () => {
    const net = upstream(3);
    net.campaign(1);
    net.transferLeader(2, 2);
    transferState(net, 1, 'follower', 2);
    net.propose(1, null);
    net.transferLeader(1, 1);
    transferState(net, 1, 'leader', 1);
  });

  it('TestLeaderTransferWithCheckQuorum: a transfer campaign overrides the lease', () => {
    const net = upstream(3, { checkQuorum: true });
    for (const id of net.ids) net.raft(id).randomizedElectionTimeout = 10 + id;
    for (let i = 0; i < 10; i++) net.node(2).tick();
    net.settle();
    net.campaign(1);
    expect(net.node(1).status().role).toBe('leader');
    net.transferLeader(1, 2);
    transferState(net, 1, 'follower', 2);
    net.propose(2, null);
    net.transferLeader(2, 1);
    transferState(net, 1, 'leader', 1);
  });

  it('TestLeaderTransferToSlowFollower: the leader first catches the target up', () => {
    const net = upstream(3);
    net.campaign(1);
    net.isolate(3);
    net.propose(1, null);
    net.recover();
    expect(net.raft(1).progressOf(3)!.match).toBe(1);
    net.transferLeader(1, 3);
    transferState(net, 1, 'follower', 3);
  });

  it('TestLeaderTransferToSelf / TestLeaderTransferToNonExistingNode / TestLeaderTransferBack', () => {
    const net = upstream(3);
    net.campaign(1);
    net.transferLeader(1, 1);
    transferState(net, 1, 'leader', 1);
    net.transferLeader(1, 4);
    transferState(net, 1, 'leader', 1);
    net.isolate(3);
    net.transferLeader(1, 3);
    expect(net.raft(1).leadTransferee).toBe(3);
    net.transferLeader(1, 1);
    transferState(net, 1, 'leader', 1);
  });

  it('TestLeaderTransferTimeout: an unfinished transfer is abandoned after an election timeout', () => {
    const net = upstream(3);
    net.campaign(1);
    net.isolate(3);
    net.transferLeader(1, 3);
    expect(net.raft(1).leadTransferee).toBe(3);
    net.tick(1, net.raft(1).heartbeatTimeout);
    expect(net.raft(1).leadTransferee).toBe(3);
    net.tick(1, net.raft(1).electionTimeout - net.raft(1).heartbeatTimeout);
    transferState(net, 1, 'leader', 1);
  });

  it('TestLeaderTransferIgnoreProposal: proposals are dropped during a transfer', () => {
    const net = upstream(3);
    net.campaign(1);
    net.isolate(3);
    net.transferLeader(1, 3);
    expect(net.raft(1).leadTransferee).toBe(3);
    expect(net.propose(1, null)).toBe(false);
    expect(net.raft(1).progressOf(1)!.match).toBe(1);
  });

  it('TestLeaderTransferReceiveHigherTermVote: another election preempts the transfer', () => {
    const net = upstream(3);
    net.campaign(1);
    net.isolate(3);
    net.transferLeader(1, 3);
    expect(net.raft(1).leadTransferee).toBe(3);
    net.campaign(2);
    transferState(net, 1, 'follower', 2);
  });

  it('TestLeaderTransferRemoveNode: removing the target aborts the transfer', () => {
    const net = upstream(3);
    net.campaign(1);
    net.ignore('MsgTimeoutNow');
    net.transferLeader(1, 3);
    expect(net.raft(1).leadTransferee).toBe(3);
    net.node(1).applyConfChange({ kind: 'remove-node', nodeId: 3, context: null });
    transferState(net, 1, 'leader', 1);
  });

  it('TestLeaderTransferSecondTransferToAnotherNode / ToSameNode', () => {
    const net = upstream(3);
    net.campaign(1);
    net.isolate(3);
    net.transferLeader(1, 3);
    expect(net.raft(1).leadTransferee).toBe(3);
    // the same target again: ignored (the timer is not reset)
    net.tick(1, net.raft(1).heartbeatTimeout);
    net.transferLeader(1, 3);
    net.tick(1, net.raft(1).electionTimeout - net.raft(1).heartbeatTimeout);
    transferState(net, 1, 'leader', 1);
    // another target: the previous transfer is replaced
    net.transferLeader(1, 3);
    net.transferLeader(1, 2);
    transferState(net, 1, 'follower', 2);
  });
});
