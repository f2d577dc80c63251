// RawNode: bootstrap as etcd, the Ready/advance contract (etcd-io/raft rawnode_test.go in spirit), restart.
import { describe, expect, it } from 'vitest';
import { RawNode, raftOf } from '../../src/raft/rawnode';
import type { ConfChange, Entry, RaftMessage, Ready } from '../../src/raft/types';
import { Network } from './core/network';
import { readMessages, soloConfig, soloNode } from './core/helpers';

describe('RawNode.bootstrap (etcd: raft.StartNode -> RawNode.Bootstrap)', () => {
  it('starts a follower at term 1 with one committed add-node ConfChange per member; the first Ready persists and applies them', () => {
    const peers = [
      { id: 1, context: { name: 'etcd-0' } },
      { id: 2, context: { name: 'etcd-1' } },
      { id: 3, context: { name: 'etcd-2' } },
    ];
    const rn = RawNode.bootstrap(soloConfig(2), peers);
    expect(rn.status()).toMatchObject({ id: 2, term: 1, vote: 0, commit: 3, applied: 0, lead: 0, role: 'follower', lastIndex: 3 });
    expect(rn.hasReady()).toBe(true);
    const rd = rn.ready();
    expect(rd.hardState).toEqual({ term: 1, vote: 0, commit: 3 });
    const want: Entry[] = peers.map((p, i) => ({
      term: 1,
      index: i + 1,
      type: 'conf-change',
      data: { kind: 'add-node', nodeId: p.id, context: p.context } satisfies ConfChange,
    }));
    expect(rd.entries).toEqual(want);
    expect(rd.committedEntries).toEqual(want);
    expect(rd.mustSync).toBe(true);
    expect(rd.messages).toEqual([]);
    for (const e of rd.committedEntries) expect(rn.applyConfChange(e.data as ConfChange)).toEqual({ voters: [1, 2, 3] });
    rn.advance(rd);
    expect(rn.status().applied).toBe(3);
    expect(rn.hasReady()).toBe(false);
  });

  it('refuses an empty or duplicate peer list', () => {
    expect(() => RawNode.bootstrap(soloConfig(1), [])).toThrow(/at least one peer/);
    expect(() => RawNode.bootstrap(soloConfig(1), [{ id: 1 }, { id: 1 }])).toThrow(/duplicate peer id 1/);
  });

  it('a bootstrapped cluster elects its first leader at term 2, which appends an empty entry of its term and commits it', () => {
    for (const preVote of [false, true]) {
      const net = new Network({ size: 3, preVote, checkQuorum: true, seed: `first-leader-${preVote}` });
      const leader = net.tickUntilLeader();
      expect(leader).not.toBeNull();
      const st = net.node(leader!).status();
      expect(st.term).toBe(2);
      expect(net.logTerms(leader!)).toEqual([1, 1, 1, 2]);
      expect(net.node(leader!).log().entry(4)).toEqual({ term: 2, index: 4, type: 'normal', data: null });
      expect(st.commit).toBe(4);
      for (const id of net.ids) expect(net.node(id).status()).toMatchObject({ term: 2, lead: leader, commit: 4 });
    }
  });

  it('cannot campaign before the bootstrap ConfChanges are applied (etcd-io/raft hasUnappliedConfChanges)', () => {
    const rn = RawNode.bootstrap(soloConfig(1, { voters: [1] }), [{ id: 1 }]);
    rn.campaign();
    expect(rn.status().role).toBe('follower');
    const rd = rn.ready();
    rn.advance(rd);
    rn.campaign();
    readMessages(rn);
    expect(rn.status()).toMatchObject({ role: 'leader', term: 2 });
  });
});

describe('Ready / advance', () => {
  it('hands out one Ready at a time: hasReady() is false and ready() throws until advance()', () => {
    const { rn } = soloNode(1, { voters: [1] });
    rn.campaign();
    expect(rn.hasReady()).toBe(true);
    const rd = rn.ready();
    expect(rn.hasReady()).toBe(false);
    expect(() => rn.ready()).toThrow(/before advance/);
    rn.advance(rd);
    expect(() => rn.advance(rd)).toThrow(/without an outstanding ready/);
  });

  it('is idle when nothing changed: no Ready after ticks that do nothing', () => {
    const { rn } = soloNode(1, { electionTick: 10 });
    readMessages(rn);
    for (let i = 0; i < 5; i++) {
      rn.tick();
      expect(rn.hasReady()).toBe(false);
    }
  });

  it('a vote response waits for the vote to be durable: it comes in the Ready that persists the vote (mustSync)', () => {
    const { rn } = soloNode(2);
    rn.step({ type: 'MsgVote', from: 1, to: 2, term: 5, logTerm: 0, index: 0, transfer: false });
    const rd = rn.ready();
    expect(rd.hardState).toEqual({ term: 5, vote: 1, commit: 0 });
    expect(rd.mustSync).toBe(true);
    expect(rd.messages).toEqual([{ type: 'MsgVoteResp', from: 2, to: 1, term: 5, reject: false }]);
    rn.advance(rd);
  });

  it('a commit-only hard state change does not need a sync', () => {
    const { rn } = soloNode(2, { terms: [1, 1], hardState: { term: 1 } });
    readMessages(rn);
    rn.step({ type: 'MsgHeartbeat', from: 1, to: 2, term: 1, commit: 2, context: null });
    const rd = rn.ready();
    expect(rd.hardState).toEqual({ term: 1, vote: 0, commit: 2 });
    expect(rd.entries).toEqual([]);
    expect(rd.mustSync).toBe(false);
    expect(rd.committedEntries.map((e) => e.index)).toEqual([1, 2]);
    rn.advance(rd);
  });

  it('the leader counts its own entries only once they are durable (self-ack on advance)', () => {
    const { rn } = soloNode(1, { voters: [1] });
    rn.campaign();
    readMessages(rn);
    expect(rn.status()).toMatchObject({ role: 'leader', commit: 1 });
    rn.propose('x');
    const rd = rn.ready();
    expect(rd.entries.map((e) => e.data)).toEqual(['x']);
    expect(rn.status().commit).toBe(1);
    rn.advance(rd);
    expect(rn.status().commit).toBe(2);
    const rd2 = rn.ready();
    expect(rd2.committedEntries.map((e) => e.data)).toEqual(['x']);
    rn.advance(rd2);
    expect(rn.status().applied).toBe(2);
  });

  it('entries handed out in an earlier term and overwritten before advance() are not marked durable', () => {
    const { rn, r } = soloNode(2, { hardState: { term: 1 } });
    rn.step({ type: 'MsgApp', from: 1, to: 2, term: 1, logTerm: 0, index: 0, commit: 0, entries: [{ term: 1, index: 1, type: 'normal', data: 'a' }] });
    const rd = rn.ready();
    // while the driver persists, a new leader at term 2 overwrites index 1
    rn.step({ type: 'MsgApp', from: 3, to: 2, term: 2, logTerm: 0, index: 0, commit: 0, entries: [{ term: 2, index: 1, type: 'normal', data: 'b' }] });
    rn.advance(rd);
    expect(r.log.stableIndex()).toBe(0);
    const rd2 = rn.ready();
    expect(rd2.entries).toEqual([{ term: 2, index: 1, type: 'normal', data: 'b' }]);
    rn.advance(rd2);
    expect(r.log.stableIndex()).toBe(1);
  });

  it('local message types from the network and responses from non-members are ignored (node.Step)', () => {
    const { rn, r } = soloNode(1);
    readMessages(rn);
    for (const m of [
      { type: 'MsgHup', from: 2, to: 1, term: 0 },
      { type: 'MsgBeat', from: 2, to: 1, term: 0 },
      { type: 'MsgCheckQuorum', from: 2, to: 1, term: 0 },
      { type: 'MsgAppResp', from: 9, to: 1, term: 7, index: 0, reject: false, rejectHint: 0, logTerm: 0 },
    ] as RaftMessage[]) {
      rn.step(m);
    }
    expect(r.role).toBe('follower');
    expect(r.term).toBe(0);
    expect(rn.hasReady()).toBe(false);
  });

  it('status() returns the same object while nothing in it changed', () => {
    const { rn } = soloNode(1);
    const a = rn.status();
    rn.tick();
    expect(rn.status()).toBe(a);
    rn.campaign();
    const b = rn.status();
    expect(b).not.toBe(a);
    expect(b.role).toBe('candidate');
  });

  it('only one conf change may be pending: a second one becomes an empty entry (pendingConfIndex)', () => {
    const { rn, r } = soloNode(1, { voters: [1] });
    rn.campaign();
    readMessages(rn);
    expect(rn.proposeConfChange({ kind: 'add-node', nodeId: 4, context: null })).toBe(true);
    expect(rn.proposeConfChange({ kind: 'add-node', nodeId: 5, context: null })).toBe(true);
    const rd: Ready = rn.ready();
    rn.advance(rd);
    const last2 = [r.log.entry(2)!, r.log.entry(3)!];
    expect(last2.map((e) => e.type)).toEqual(['conf-change', 'normal']);
    expect(last2[1]!.data).toBeNull();
  });
});

describe('restart', () => {
  it('a member restarted from its durable state has the same term, vote and commit, and re-applies committed entries', () => {
    const net = new Network({ size: 3, preVote: true, checkQuorum: true, seed: 'restart' });
    const leader = net.tickUntilLeader()!;
    for (let i = 0; i < 5; i++) net.propose(leader, `v${i}`);
    const follower = net.ids.find((id) => id !== leader)!;
    const before = net.node(follower).status();
    const applied = net.member(follower).applied.map((e) => e.data);
    net.crash(follower);
    net.restart(follower);
    const after = net.node(follower).status();
    expect(after).toMatchObject({ term: before.term, vote: before.vote, lastIndex: before.lastIndex });
    // it re-applied everything it had committed durably (commit is persisted with the entries)
    expect(net.member(follower).applied.map((e) => e.data).slice(0, applied.length)).toEqual(applied);
  });

  it('RaftConfig.applied skips entries applied before the restart', () => {
    const rn = new RawNode(soloConfig(1, { applied: 2 }), {
      hardState: { term: 1, vote: 0, commit: 3 },
      entries: [1, 2, 3].map((i) => ({ term: 1, index: i, type: 'normal' as const, data: i })),
      voters: [1, 2, 3],
    });
    expect(rn.ready().committedEntries.map((e) => e.index)).toEqual([3]);
  });

  it('rejects inconsistent storage and invalid config with clear errors', () => {
    const base = soloConfig(1);
    expect(() => new RawNode(base, { hardState: { term: 1, vote: 0, commit: 2 }, entries: [], voters: [1] })).toThrow(/state.commit 2 is out of range/);
    expect(
      () => new RawNode(base, { hardState: { term: 1, vote: 0, commit: 0 }, entries: [{ term: 1, index: 2, type: 'normal', data: null }], voters: [1] }),
    ).toThrow(/index 2, want 1/);
    expect(() => new RawNode({ ...base, electionTick: 1 }, { hardState: { term: 0, vote: 0, commit: 0 }, entries: [], voters: [1] })).toThrow(
      /election tick must be greater than heartbeat tick/,
    );
    expect(() => new RawNode({ ...base, id: 0 }, { hardState: { term: 0, vote: 0, commit: 0 }, entries: [], voters: [1] })).toThrow(/none as id/);
    expect(() => new RawNode({ ...base, maxInflightMsgs: 0 }, { hardState: { term: 0, vote: 0, commit: 0 }, entries: [], voters: [1] })).toThrow(
      /max inflight messages must be greater than 0/,
    );
  });
});

describe('determinism', () => {
  it('the same seed gives the same history; another seed a different one', () => {
    const run = (seed: string) => {
      const net = new Network({ size: 5, preVote: true, checkQuorum: true, seed });
      net.recordDelivered = true;
      net.tickUntilLeader();
      net.isolate(net.leader()!);
      net.tickAll(40);
      return net.delivered.map((m) => `${m.type}:${m.from}>${m.to}@${m.term}`).join(',');
    };
    expect(run('a')).toBe(run('a'));
    expect(run('a')).not.toBe(run('b'));
  });

  it('draws only from config.random, only on becomeFollower/Candidate/Leader', () => {
    let draws = 0;
    const cfg = { ...soloConfig(1), random: () => (draws++, 0.5) };
    const rn = new RawNode(cfg, { hardState: { term: 0, vote: 0, commit: 0 }, entries: [], voters: [1, 2, 3] });
    const r = raftOf(rn);
    expect(draws).toBe(1); // becomeFollower at start
    expect(r.randomizedElectionTimeout).toBe(15);
    r.becomePreCandidate();
    expect(draws).toBe(1);
    r.becomeCandidate();
    expect(draws).toBe(2);
    r.becomeLeader();
    expect(draws).toBe(3);
    for (let i = 0; i < 50; i++) rn.tick();
    rn.step({ type: 'MsgHeartbeatResp', from: 2, to: 1, term: r.term, context: null });
    expect(draws).toBe(3);
  });

  it('a heartbeat resets electionElapsed only: the randomized timeout is not redrawn', () => {
    let draws = 0;
    const cfg = { ...soloConfig(2), random: () => (draws++, 0.95) };
    const rn = new RawNode(cfg, { hardState: { term: 3, vote: 0, commit: 0 }, entries: [], voters: [1, 2, 3] });
    const r = raftOf(rn);
    rn.step({ type: 'MsgHeartbeat', from: 1, to: 2, term: 3, commit: 0, context: null });
    expect(r.lead).toBe(1);
    const timeout = r.randomizedElectionTimeout;
    expect(timeout).toBe(19);
    for (let round = 0; round < 20; round++) {
      for (let i = 0; i < 18; i++) rn.tick();
      expect(r.electionElapsed).toBe(18);
      rn.step({ type: 'MsgHeartbeat', from: 1, to: 2, term: 3, commit: 0, context: null });
      expect(r.electionElapsed).toBe(0);
    }
    expect(draws).toBe(1);
    expect(r.randomizedElectionTimeout).toBe(timeout);
    expect(r.role).toBe('follower');
  });
});
