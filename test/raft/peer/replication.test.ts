// Black-box reproductions of the commit/replication peer tests (etcd-io/raft and MIT 6.5840 3B) on etcd members.
import { describe, expect, it } from 'vitest';
import { MemorySink } from '../../../src/sim/trace';
import '../../../src/raft/trace-events';
import { runFor, runUntilTrue, startCluster, type TestCluster } from '../server/fixture';
import { Connectivity, checkOneLeader, expectConverged, one, term } from './helpers';

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

/** Fires writes that are not expected to commit (short client deadline) and runs until they have all given up. */
function submitUncommitted(c: TestCluster, member: number, keys: readonly string[]): void {
  const calls = keys.map((k) => c.client.call(member, 'Put', { key: k, value: 'x' }, 1_000_000));
  runUntilTrue(c, () => calls.every((call) => call.outcome.done), 2_000_000, 10_000);
  for (const call of calls) expect(call.outcome).toMatchObject({ ok: false });
}

describe('etcd-io/raft TestCommitWithoutNewTermEntry / Raft Figure 8: earlier-term entries commit only with a new-term entry', () => {
  it('entries a deposed leader replicated to one follower commit when the new leader commits its empty entry', () => {
    const c = startCluster({ seed: 1 });
    const leader = checkOneLeader(c, range(3));
    runUntilTrue(c, () => c.observer.statuses().every((s) => s.ready), 3_000_000);
    const a = (leader + 1) % 3;
    const b = (leader + 2) % 3;
    const net = c.sim.network;
    // The leader reaches A but never hears its acks, and B hears nothing from the leader.
    net.cut(c.hosts[a]!, c.hosts[leader]!);
    net.cut(c.hosts[leader]!, c.hosts[b]!);
    const oldTerm = term(c, leader);
    const writes = ['e1', 'e2', 'e3'].map((k) => c.client.call(leader, 'Put', { key: k, value: 'old' }, 300_000));
    runFor(c, 300_000);
    const aNode = c.observer.member(c.names[a]!);
    const lastOld = aNode.node()!.status().lastIndex;
    expect(aNode.node()!.log().term(lastOld)).toBe(oldTerm);
    expect(aNode.node()!.status().commit).toBeLessThan(lastOld); // replicated to A, not committed
    expect(writes.every((w) => w.outcome.done && !w.outcome.ok)).toBe(true);

    const sink = new MemorySink(['etcd.apply']);
    c.sim.engine.trace.addSink(sink);
    c.sim.host(c.names[leader]!).crash();
    net.heal();
    const newLeader = checkOneLeader(c, [a, b], 10_000_000);
    expect(newLeader).toBe(a); // B's log is behind: only A can win
    runUntilTrue(c, () => [a, b].every((i) => c.observer.member(c.names[i]!).store()!.get('e3')?.value === 'old'), 5_000_000);
    // On every member, the first apply that covered the old-term entries also covered an entry of the new term.
    for (const i of [a, b]) {
      const first = sink.ofKind('etcd.apply').find((e) => e.member === c.names[i] && e.index >= lastOld)!;
      expect(first.index).toBeGreaterThan(lastOld);
      expect(c.observer.member(c.names[i]!).durableLog().term(first.index)).toBeGreaterThan(oldTerm);
    }
  });
});

describe('etcd-io/raft TestReadOnlyForNewLeader', () => {
  it('a linearizable read on a new leader waits until it has committed an entry of its own term', () => {
    const c = startCluster({ seed: 2 });
    const leader = checkOneLeader(c, range(3));
    runUntilTrue(c, () => c.observer.statuses().every((s) => s.ready), 3_000_000);
    one(c, 'k', 'v1', range(3));
    let read: ReturnType<typeof c.client.call<'Range'>> | null = null;
    let newLeader = -1;
    c.observer.onRoleChange = (m) => {
      if (newLeader >= 0 || m.node()?.status().role !== 'leader') return;
      newLeader = c.names.indexOf(m.name);
      const other = range(3).find((i) => i !== leader && i !== newLeader)!;
      c.sim.network.cut(c.hosts[other]!, c.hosts[newLeader]!); // its acks of the empty entry are lost
      read = c.client.call(newLeader, 'Range', { key: 'k' }, 10_000_000);
    };
    c.sim.host(c.names[leader]!).crash();
    runUntilTrue(c, () => newLeader >= 0, 10_000_000, 1_000);
    runFor(c, 400_000);
    expect(read!.outcome.done).toBe(false);
    const st = c.observer.member(c.names[newLeader]!).node()!.status();
    expect(st.role).toBe('leader');
    expect(c.observer.member(c.names[newLeader]!).node()!.log().term(st.commit)).toBeLessThan(st.term);
    const healUs = c.sim.engine.nowUs;
    c.sim.network.heal();
    runUntilTrue(c, () => read!.outcome.done, 2_000_000, 1_000);
    expect(read!.outcome).toMatchObject({ ok: true, body: { kvs: [{ key: 'k', value: 'v1' }] } });
    expect((read!.outcome as { atUs: number }).atUs).toBeGreaterThan(healUs);
  });
});

describe('MIT 6.5840 TestFailNoAgree3B', () => {
  it('5 members, 3 followers disconnected: nothing commits; after reconnecting, agreement resumes', () => {
    const c = startCluster({ seed: 3, members: 5 });
    const net = new Connectivity(c);
    one(c, 'k10', '10', range(5));
    const leader = checkOneLeader(c, range(5));
    for (let k = 1; k <= 3; k++) net.disconnect((leader + k) % 5);
    const commitBefore = c.observer.member(c.names[leader]!).node()!.status().commit;
    const out = c.client.call(leader, 'Put', { key: 'k20', value: '20' }, 2_000_000);
    runUntilTrue(c, () => out.outcome.done, 3_000_000);
    expect(out.outcome).toMatchObject({ ok: false });
    expect(c.observer.member(c.names[leader]!).node()!.status().commit).toBe(commitBefore);
    net.connectAll();
    checkOneLeader(c, range(5), 20_000_000);
    one(c, 'k30', '30', range(5));
    one(c, 'k1000', '1000', range(5));
    expectConverged(c, range(5));
  });
});

describe('MIT 6.5840 TestRejoin3B', () => {
  it('a partitioned leader\'s uncommitted entries are discarded when it rejoins behind a newer leader', () => {
    const c = startCluster({ seed: 4 });
    const net = new Connectivity(c);
    one(c, 'k101', '101', range(3));
    const leader1 = checkOneLeader(c, range(3));
    net.disconnect(leader1);
    submitUncommitted(c, leader1, ['stale102', 'stale103', 'stale104']);
    const rest = range(3).filter((i) => i !== leader1);
    one(c, 'k103', '103', rest);
    const leader2 = checkOneLeader(c, rest, 10_000_000);
    net.disconnect(leader2);
    net.connect(leader1);
    const third = range(3).find((i) => i !== leader1 && i !== leader2)!;
    one(c, 'k104', '104', [leader1, third]);
    net.connectAll();
    one(c, 'k105', '105', range(3));
    expectConverged(c, range(3));
    for (const i of range(3)) {
      const store = c.observer.member(c.names[i]!).store()!;
      expect(['stale102', 'stale103', 'stale104'].map((k) => store.get(k))).toEqual([undefined, undefined, undefined]);
      expect(['k101', 'k103', 'k104', 'k105'].map((k) => store.get(k)?.value)).toEqual(['101', '103', '104', '105']);
    }
  });
});

describe('MIT 6.5840 TestBackup3B', () => {
  it('leaders back up quickly over 50-entry divergent logs (fast backtracking)', () => {
    const c = startCluster({ seed: 5, members: 5 });
    const net = new Connectivity(c);
    one(c, 'first', 'x', range(5));
    // Put the leader and one follower in a partition.
    const leader1 = checkOneLeader(c, range(5));
    const f1 = (leader1 + 1) % 5;
    net.partition([leader1, f1], [(leader1 + 2) % 5, (leader1 + 3) % 5, (leader1 + 4) % 5]);
    // Lots of commands that won't commit.
    submitUncommitted(
      c,
      leader1,
      range(50).map((i) => `lost-a-${i}`),
    );
    // Allow the other partition to recover, and commit lots of commands there.
    const group2 = [(leader1 + 2) % 5, (leader1 + 3) % 5, (leader1 + 4) % 5];
    net.partition(group2);
    for (let i = 0; i < 50; i++) one(c, `b-${i}`, 'b', group2);
    // Now another partitioned leader and one follower.
    const leader2 = checkOneLeader(c, group2, 10_000_000);
    const other = group2.find((i) => i !== leader2)!;
    net.partition(group2.filter((i) => i !== other));
    submitUncommitted(
      c,
      leader2,
      range(50).map((i) => `lost-c-${i}`),
    );
    // Bring the original leader back to life with the disconnected follower.
    net.partition([leader1, f1, other]);
    for (let i = 0; i < 50; i++) one(c, `d-${i}`, 'd', [leader1, f1, other]);
    // Now everyone.
    net.connectAll();
    one(c, 'last', 'x', range(5));
    expectConverged(c, range(5));
    const store = c.observer.member(c.names[leader2]!).store()!;
    expect(store.get('lost-a-0')).toBeUndefined();
    expect(store.get('lost-c-49')).toBeUndefined();
    expect(store.get('b-49')?.value).toBe('b');
    expect(store.get('d-49')?.value).toBe('d');
  });
});
