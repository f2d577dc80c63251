// Black-box reproductions of etcd-io/raft's PreVote and CheckQuorum peer tests on simulated etcd members.
import { describe, expect, it } from 'vitest';
import { runFor, runUntilTrue, startCluster } from '../server/fixture';
import { Connectivity, checkOneLeader, leadersAmong, term } from './helpers';

const all = [0, 1, 2];

function role(c: ReturnType<typeof startCluster>, i: number): string {
  return c.observer.member(c.names[i]!).node()!.status().role;
}

describe('etcd-io/raft TestDuelingCandidates (--pre-vote=false): a rejoining member with a higher term disrupts the leader', () => {
  it('the isolated member campaigns at ever higher terms; on rejoin the leader steps down and the term jumps', () => {
    for (const seed of [1, 2, 3]) {
      const c = startCluster({ seed, flags: { 'pre-vote': false } });
      const net = new Connectivity(c);
      const leader = checkOneLeader(c, all);
      const t0 = term(c, leader);
      const loner = (leader + 1) % 3;
      net.disconnect(loner);
      runFor(c, 5_000_000);
      expect(role(c, loner)).toBe('candidate');
      const lonerTerm = term(c, loner);
      expect(lonerTerm).toBeGreaterThan(t0 + 1);
      expect(term(c, leader)).toBe(t0); // the majority side is undisturbed while the loner is away
      net.connect(loner);
      const after = checkOneLeader(c, all, 20_000_000);
      expect(term(c, after)).toBeGreaterThan(lonerTerm - 1);
    }
  });
});

describe('etcd-io/raft TestDuelingPreCandidates (--pre-vote=true, etcd\'s default): no disruption', () => {
  it('the isolated member stays a pre-candidate at the old term; on rejoin it follows the same leader at the same term', () => {
    for (const seed of [1, 2, 3]) {
      const c = startCluster({ seed });
      const net = new Connectivity(c);
      const leader = checkOneLeader(c, all);
      const t0 = term(c, leader);
      const loner = (leader + 1) % 3;
      net.disconnect(loner);
      runFor(c, 5_000_000);
      expect(role(c, loner)).toBe('pre-candidate');
      expect(term(c, loner)).toBe(t0);
      net.connect(loner);
      expect(checkOneLeader(c, all, 5_000_000)).toBe(leader);
      expect(all.map((i) => term(c, i))).toEqual([t0, t0, t0]);
      runFor(c, 5_000_000);
      expect(leadersAmong(c, all)).toEqual([{ index: leader, term: t0 }]);
    }
  });
});

describe('etcd-io/raft TestFreeStuckCandidateWithCheckQuorum', () => {
  it('a candidate stuck at a higher term is freed: the leader learns the term from its reply and the cluster re-elects', () => {
    const c = startCluster({ seed: 4, flags: { 'pre-vote': false } });
    const net = new Connectivity(c);
    const leader = checkOneLeader(c, all);
    const stuck = (leader + 2) % 3;
    net.disconnect(stuck);
    runFor(c, 4_000_000);
    const stuckTerm = term(c, stuck);
    expect(stuckTerm).toBeGreaterThan(term(c, leader));
    net.connect(stuck);
    checkOneLeader(c, all, 20_000_000);
    expect(role(c, stuck) === 'follower' || role(c, stuck) === 'leader').toBe(true);
    expect(all.map((i) => term(c, i)).every((t) => t >= stuckTerm)).toBe(true);
  });
});

describe('etcd-io/raft TestDisruptiveFollowerPreVote', () => {
  it('a follower that stops hearing the leader (one-way cut) cannot disrupt it with PreVote: the others are in lease', () => {
    const c = startCluster({ seed: 5 });
    const leader = checkOneLeader(c, all);
    const t0 = term(c, leader);
    const follower = (leader + 1) % 3;
    c.sim.network.cut(c.hosts[leader]!, c.hosts[follower]!); // leader -> follower only
    runFor(c, 6_000_000);
    expect(role(c, follower)).toBe('pre-candidate');
    expect(leadersAmong(c, all)).toEqual([{ index: leader, term: t0 }]);
    expect(term(c, (leader + 2) % 3)).toBe(t0);
    c.sim.network.heal();
    expect(checkOneLeader(c, all, 5_000_000)).toBe(leader);
    expect(term(c, leader)).toBe(t0);
  });
});

describe('etcd-io/raft TestLeaderStepdownWhenQuorumLost / TestLeaderStepdownWhenQuorumActive (CheckQuorum)', () => {
  it('a leader cut off from every follower steps down within two election timeouts', () => {
    for (const seed of [6, 7, 8]) {
      const c = startCluster({ seed });
      const net = new Connectivity(c);
      const leader = checkOneLeader(c, all);
      const cutUs = c.sim.engine.nowUs;
      net.disconnect(leader);
      const downUs = runUntilTrue(c, () => role(c, leader) !== 'leader', 3_000_000, 1_000);
      expect(downUs - cutUs).toBeLessThanOrEqual(2_000_000);
      expect(downUs - cutUs).toBeGreaterThan(0);
    }
  });

  it('a leader that still hears a quorum keeps leading', () => {
    const c = startCluster({ seed: 9 });
    const net = new Connectivity(c);
    const leader = checkOneLeader(c, all);
    const t0 = term(c, leader);
    net.disconnect((leader + 1) % 3);
    runFor(c, 10_000_000);
    expect(leadersAmong(c, all)).toEqual([{ index: leader, term: t0 }]);
  });
});
