// Black-box reproductions of etcd-io/raft's and MIT 6.5840's election peer tests on real simulated etcd members
// (PreVote and CheckQuorum on, as etcd runs; every Raft safety checker on as an engine invariant).
import { describe, expect, it } from 'vitest';
import { MemorySink } from '../../../src/sim/trace';
import '../../../src/raft/trace-events';
import { runFor, runUntilTrue, startCluster } from '../server/fixture';
import { Connectivity, checkOneLeader, expectNoLeader, one, term } from './helpers';

const all = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

describe('etcd-io/raft TestLeaderElectionPreVote: 1, 3 and 5 members, with dead members', () => {
  const cases: Array<{ n: number; dead: number[]; leader: boolean }> = [
    { n: 1, dead: [], leader: true },
    { n: 3, dead: [], leader: true },
    { n: 3, dead: [2], leader: true },
    { n: 3, dead: [1, 2], leader: false },
    { n: 4, dead: [2, 3], leader: false },
    { n: 5, dead: [3, 4], leader: true },
    { n: 5, dead: [2, 3, 4], leader: false },
  ];
  for (const { n, dead, leader } of cases) {
    it(`${n} members, ${dead.length} dead: ${leader ? 'a leader at term 2' : 'no leader, and PreVote keeps the term at 1'}`, () => {
      for (const seed of [1, 2, 3]) {
        const c = startCluster({ seed, members: n, down: dead });
        const alive = all(n).filter((i) => !dead.includes(i));
        if (leader) {
          const l = checkOneLeader(c, alive, 10_000_000);
          expect(alive).toContain(l);
          expect(term(c, l)).toBe(2);
        } else {
          runFor(c, 10_000_000);
          expectNoLeader(c, alive);
          for (const i of alive) {
            expect(term(c, i)).toBe(1);
            expect(c.observer.member(c.names[i]!).node()!.status().role).toBe('pre-candidate');
          }
        }
      }
    });
  }
});

describe('etcd-io/raft TestLeaderElectionOverwriteNewerLogs / Raft §5.4.1: a member with an older log cannot win', () => {
  it('after missing committed writes, the stale member never becomes leader while the up-to-date one is reachable', () => {
    for (const seed of [4, 5, 6, 7, 8]) {
      const c = startCluster({ seed });
      const net = new Connectivity(c);
      const leader = checkOneLeader(c, all(3));
      const stale = (leader + 1) % 3;
      const fresh = (leader + 2) % 3;
      net.disconnect(stale);
      for (let i = 0; i < 5; i++) one(c, `k${i}`, `v${i}`, [leader, fresh]);
      const sink = new MemorySink(['raft.role']);
      c.sim.engine.trace.addSink(sink);
      c.sim.host(c.names[leader]!).crash();
      net.connect(stale);
      const winner = checkOneLeader(c, [stale, fresh], 20_000_000);
      expect(winner).toBe(fresh);
      expect(sink.ofKind('raft.role').filter((e) => e.member === c.names[stale] && e.role === 'leader')).toEqual([]);
      one(c, 'after', 'x', [stale, fresh]); // the new leader brings the stale member up to date
      expect(c.observer.member(c.names[stale]!).store()!.get('k4')?.value).toBe('v4');
    }
  });
});

describe('etcd-io/raft TestLeaderCycle: each member can be elected in turn', () => {
  it('moves leadership to every member (MoveLeader, i.e. MsgTimeoutNow) and each leads a new term', () => {
    const c = startCluster({ seed: 9 });
    let leader = checkOneLeader(c, all(3));
    runUntilTrue(c, () => c.observer.statuses().every((s) => s.ready), 3_000_000);
    const seen = new Set<number>([leader]);
    let lastTerm = term(c, leader);
    for (let k = 1; k <= 3; k++) {
      const target = (leader + 1) % 3;
      const move = c.client.call(leader, 'MoveLeader', { targetId: c.observer.member(c.names[target]!).idHex });
      runUntilTrue(c, () => move.outcome.done, 5_000_000, 1_000);
      expect(move.outcome).toMatchObject({ ok: true });
      leader = checkOneLeader(c, all(3));
      expect(leader).toBe(target);
      expect(term(c, leader)).toBe(lastTerm + 1);
      lastTerm = term(c, leader);
      seen.add(leader);
    }
    expect(seen.size).toBe(3);
  });
});

describe('MIT 6.5840 TestInitialElection3A', () => {
  it('one leader is elected and, with no failures, the term and leader stay put', () => {
    for (const seed of [10, 11, 12]) {
      const c = startCluster({ seed });
      const leader = checkOneLeader(c, all(3), 5_000_000);
      const t1 = term(c, leader);
      expect(t1).toBe(2);
      runFor(c, 10_000_000);
      expect(checkOneLeader(c, all(3))).toBe(leader);
      expect(term(c, leader)).toBe(t1);
    }
  });
});

describe('MIT 6.5840 TestReElection3A', () => {
  it('a new leader after the old one is disconnected; the old one rejoins without disturbing; no leader without a quorum', () => {
    const c = startCluster({ seed: 13 });
    const net = new Connectivity(c);
    const leader1 = checkOneLeader(c, all(3));
    // If the leader disconnects, a new one should be elected.
    net.disconnect(leader1);
    const rest = all(3).filter((i) => i !== leader1);
    const leader2 = checkOneLeader(c, rest, 10_000_000);
    // If the old leader rejoins, it shouldn't disturb the new leader.
    net.connect(leader1);
    expect(checkOneLeader(c, all(3), 10_000_000)).toBe(leader2);
    // If there's no quorum, no new leader should be elected.
    const other = (leader2 + 1) % 3;
    net.disconnect(leader2);
    net.disconnect(other);
    runFor(c, 5_000_000);
    expectNoLeader(c, all(3).filter((i) => i !== leader2 && i !== other));
    // If a quorum arises, it should elect a leader.
    net.connect(other);
    checkOneLeader(c, all(3).filter((i) => i !== leader2), 10_000_000);
    // Re-join of the last node shouldn't prevent leaders from existing.
    net.connect(leader2);
    checkOneLeader(c, all(3), 10_000_000);
  });
});

describe('MIT 6.5840 TestManyElections3A', () => {
  it('7 members, 9 rounds of disconnecting 3 at random: the remaining 4 always elect a leader', () => {
    const c = startCluster({ seed: 14, members: 7 });
    const net = new Connectivity(c);
    checkOneLeader(c, all(7));
    const rng = c.sim.engine.rng.stream('test/many-elections');
    for (let round = 0; round < 9; round++) {
      const out = new Set<number>();
      while (out.size < 3) out.add(rng.int(7));
      for (const i of out) net.disconnect(i);
      // Either the current leader is still alive, or the remaining four elect a new one.
      checkOneLeader(c, all(7).filter((i) => !out.has(i)), 15_000_000);
      net.connectAll();
    }
    checkOneLeader(c, all(7), 15_000_000);
  });
});
