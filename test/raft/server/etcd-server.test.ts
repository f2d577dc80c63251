import { describe, expect, it } from 'vitest';
import { MemorySink } from '../../../src/sim/trace';
import type { WatchResponse } from '../../../src/raft/etcd-api';
import '../../../src/raft/trace-events';
import { runFor, runUntilTrue, startCluster, waitForStableLeader, type TestCluster } from './fixture';

function others(c: TestCluster, i: number): number[] {
  return c.names.map((_, k) => k).filter((k) => k !== i);
}

describe('etcd member: bootstrap', () => {
  it('elects a first leader at term 2 after the ConfChange entries of term 1, publishes every member, raft index 8', () => {
    const c = startCluster({ seed: 11 });
    const leader = waitForStableLeader(c, 3_000_000);
    runUntilTrue(c, () => c.observer.statuses().every((s) => s.ready && s.applied === 8), 3_000_000);
    const statuses = c.observer.statuses();
    expect(statuses.map((s) => s.term)).toEqual([2, 2, 2]);
    expect(statuses.filter((s) => s.role === 'leader').map((s) => s.name)).toEqual([c.names[leader]]);
    // 3 ConfChanges (term 1) + the leader's empty entry + 3 member publications + the cluster version.
    const log = c.observer.members[0]!.durableLog();
    expect([1, 2, 3].map((i) => log.entry(i)?.type)).toEqual(['conf-change', 'conf-change', 'conf-change']);
    expect([1, 2, 3].map((i) => log.term(i))).toEqual([1, 1, 1]);
    expect(log.term(4)).toBe(2);
    expect(log.entry(4)?.data).toBeNull();
  });
});

describe('etcd member: requests', () => {
  it('a write through one member is seen by a linearizable read on another, with MVCC revisions', () => {
    const c = startCluster({ seed: 12 });
    waitForStableLeader(c);
    runUntilTrue(c, () => c.observer.statuses().every((s) => s.ready), 3_000_000);
    const put = c.client.call(0, 'Put', { key: '/registry/pods/default/a', value: '{"v":1}' });
    runUntilTrue(c, () => put.outcome.done, 1_000_000, 1_000);
    const get = c.client.call(2, 'Range', { key: '/registry/pods/', rangeEnd: '/registry/pods0' });
    runUntilTrue(c, () => get.outcome.done, 1_000_000, 1_000);
    expect(put.outcome).toMatchObject({ ok: true, body: { header: { revision: 2, raftTerm: 2 } } });
    expect(get.outcome).toMatchObject({ ok: true, body: { count: 1, kvs: [{ key: '/registry/pods/default/a', createRevision: 2, modRevision: 2, version: 1 }] } });
    const txn = c.client.call(1, 'Txn', {
      compare: [{ key: '/registry/pods/default/a', target: 'mod', result: 'equal', operand: 2 }],
      success: [{ op: 'put', request: { key: '/registry/pods/default/a', value: '{"v":2}' } }],
      failure: [{ op: 'range', request: { key: '/registry/pods/default/a' } }],
    });
    runUntilTrue(c, () => txn.outcome.done, 1_000_000, 1_000);
    expect(txn.outcome).toMatchObject({ ok: true, body: { succeeded: true, header: { revision: 3 } } });
  });

  it('a write takes at least one fsync (followers acknowledge only after persisting)', () => {
    const c = startCluster({ seed: 13, member: { fsyncLatency: { kind: 'constant', us: 5_000 } } });
    const leader = waitForStableLeader(c);
    runUntilTrue(c, () => c.observer.statuses().every((s) => s.ready), 3_000_000);
    const startUs = c.sim.engine.nowUs;
    const put = c.client.call(leader, 'Put', { key: 'k', value: 'v' });
    runUntilTrue(c, () => put.outcome.done, 1_000_000, 100);
    const tookUs = (put.outcome as { atUs: number }).atUs - startUs;
    expect(tookUs).toBeGreaterThanOrEqual(5_000);
    expect(tookUs).toBeLessThan(15_000);
  });

  it('with no leader a write blocks until the client deadline; beyond 7 s the server answers "context deadline exceeded"', () => {
    const c = startCluster({ seed: 14 });
    waitForStableLeader(c);
    runUntilTrue(c, () => c.observer.statuses().every((s) => s.ready), 3_000_000);
    c.sim.host('etcd-1').crash();
    c.sim.host('etcd-2').crash();
    runUntilTrue(c, () => c.observer.member('etcd-0').server!.lead === 0, 5_000_000);
    const t0 = c.sim.engine.nowUs;
    const short = c.client.call(0, 'Put', { key: 'a', value: '1' }, 2_000_000);
    const long = c.client.call(0, 'Put', { key: 'b', value: '1' }, 10_000_000);
    runFor(c, 100_000);
    expect(c.observer.member('etcd-0').server!.blockedProposals).toBe(2);
    runUntilTrue(c, () => long.outcome.done, 9_000_000);
    expect(short.outcome).toMatchObject({ ok: false, code: 'client', error: 'context deadline exceeded' });
    expect((short.outcome as { atUs: number }).atUs - t0).toBe(2_000_000);
    expect(long.outcome).toMatchObject({ ok: false, code: 'DeadlineExceeded', error: 'context deadline exceeded' });
    const longAt = (long.outcome as { atUs: number }).atUs - t0;
    expect(longAt).toBeGreaterThanOrEqual(7_000_000);
    expect(longAt).toBeLessThan(7_010_000);
  });

  it('a write accepted by a leader that loses its quorum times out with "etcdserver: request timed out"', () => {
    const c = startCluster({ seed: 15 });
    const leader = waitForStableLeader(c);
    runUntilTrue(c, () => c.observer.statuses().every((s) => s.ready), 3_000_000);
    for (const k of others(c, leader)) c.sim.host(c.names[k]!).crash();
    const put = c.client.call(leader, 'Put', { key: 'a', value: '1' }, 10_000_000);
    runUntilTrue(c, () => put.outcome.done, 9_000_000);
    expect(put.outcome).toMatchObject({ ok: false, code: 'Unavailable', error: 'etcdserver: request timed out' });
  });

  it('after a leader failure, the new leader reports "possibly due to previous leader failure"; the other follower plain "request timed out"', () => {
    const c = startCluster({ seed: 16 });
    const leader = waitForStableLeader(c);
    runUntilTrue(c, () => c.observer.statuses().every((s) => s.ready), 3_000_000);
    c.sim.host(c.names[leader]!).crash();
    const [a, b] = others(c, leader) as [number, number];
    const putA = c.client.call(a, 'Put', { key: 'a', value: '1' }, 10_000_000);
    const putB = c.client.call(b, 'Put', { key: 'b', value: '1' }, 10_000_000);
    runUntilTrue(c, () => putA.outcome.done && putB.outcome.done, 9_000_000);
    const newLeader = waitForStableLeader(c);
    const [onNew, onOther] = newLeader === a ? [putA, putB] : [putB, putA];
    expect(onNew.outcome).toMatchObject({ ok: false, error: 'etcdserver: request timed out, possibly due to previous leader failure' });
    expect(onOther.outcome).toMatchObject({ ok: false, error: 'etcdserver: request timed out' });
  });

  it('a linearizable read cut short by a leader change fails with "etcdserver: leader changed"; a serializable one is served locally', () => {
    const c = startCluster({ seed: 17 });
    const leader = waitForStableLeader(c);
    runUntilTrue(c, () => c.observer.statuses().every((s) => s.ready), 3_000_000);
    const follower = others(c, leader)[0]!;
    c.sim.host(c.names[leader]!).crash();
    const read = c.client.call(follower, 'Range', { key: 'a' }, 10_000_000);
    const local = c.client.call(follower, 'Range', { key: 'a', serializable: true }, 10_000_000);
    runUntilTrue(c, () => read.outcome.done, 5_000_000);
    expect(local.outcome).toMatchObject({ ok: true });
    expect(read.outcome).toMatchObject({ ok: false, code: 'Unavailable', error: 'etcdserver: leader changed' });
    // A retry after the change succeeds.
    const again = c.client.call(follower, 'Range', { key: 'a' }, 10_000_000);
    runUntilTrue(c, () => again.outcome.done, 5_000_000);
    expect(again.outcome).toMatchObject({ ok: true });
  });
});

describe('etcd member: watches', () => {
  it('streams created, catch-up from a revision and live events', () => {
    const c = startCluster({ seed: 18 });
    waitForStableLeader(c);
    runUntilTrue(c, () => c.observer.statuses().every((s) => s.ready), 3_000_000);
    const put1 = c.client.call(0, 'Put', { key: '/w/a', value: '1' });
    runUntilTrue(c, () => put1.outcome.done, 1_000_000, 1_000);
    const watch = c.client.call(1, 'Watch', { key: '/w/', rangeEnd: '/w0', startRevision: 2, prevKv: true, requireLeader: true }, null);
    runFor(c, 50_000);
    const put2 = c.client.call(2, 'Put', { key: '/w/a', value: '2' });
    runUntilTrue(c, () => put2.outcome.done, 1_000_000, 1_000);
    runFor(c, 50_000);
    const pushes = watch.pushes as WatchResponse[];
    expect(pushes[0]).toMatchObject({ created: true, events: [] });
    expect(pushes.slice(1).flatMap((p) => p.events.map((e) => [e.type, e.kv.value, e.kv.modRevision, e.prevKv?.value]))).toEqual([
      ['PUT', '1', 2, undefined],
      ['PUT', '2', 3, '1'],
    ]);
  });

  it('require-leader: refused without a leader; an open stream is cancelled after 3 leaderless election timeouts', () => {
    const c = startCluster({ seed: 19 });
    const leader = waitForStableLeader(c);
    runUntilTrue(c, () => c.observer.statuses().every((s) => s.ready), 3_000_000);
    const follower = others(c, leader)[0]!;
    const watch = c.client.call(follower, 'Watch', { key: 'x', requireLeader: true }, null);
    runFor(c, 50_000);
    expect(watch.pushes).toHaveLength(1);
    for (const k of others(c, follower)) c.sim.host(c.names[k]!).crash();
    const crashUs = c.sim.engine.nowUs;
    const server = c.observer.member(c.names[follower]!).server!;
    const lostUs = runUntilTrue(c, () => server.lead === 0, 3_000_000, 1_000);
    runUntilTrue(c, () => watch.outcome.done, 6_000_000, 1_000);
    expect(watch.outcome).toMatchObject({ ok: false, code: 'Unavailable', error: 'etcdserver: no leader' });
    const cancelledUs = (watch.outcome as { atUs: number }).atUs;
    expect(cancelledUs - lostUs).toBeGreaterThanOrEqual(2_000_000);
    expect(cancelledUs - crashUs).toBeLessThanOrEqual(5_100_000);
    const refused = c.client.call(follower, 'Watch', { key: 'x', requireLeader: true }, null);
    runUntilTrue(c, () => refused.outcome.done, 100_000, 1_000);
    expect(refused.outcome).toMatchObject({ ok: false, error: 'etcdserver: no leader' });
    // Without require-leader the stream is accepted.
    const plain = c.client.call(follower, 'Watch', { key: 'x' }, null);
    runFor(c, 50_000);
    expect(plain.pushes).toHaveLength(1);
  });
});

describe('etcd member: durability and restarts', () => {
  for (const kind of ['process', 'host'] as const) {
    it(`every member recovers its committed data from the WAL after a ${kind} crash of all members`, () => {
      const c = startCluster({ seed: 20 });
      waitForStableLeader(c);
      runUntilTrue(c, () => c.observer.statuses().every((s) => s.ready), 3_000_000);
      const puts = Array.from({ length: 20 }, (_, i) => c.client.call(i % 3, 'Put', { key: `k${i}`, value: `v${i}` }));
      runUntilTrue(c, () => puts.every((p) => p.outcome.done), 2_000_000, 1_000);
      expect(puts.every((p) => p.outcome.done && p.outcome.ok)).toBe(true);
      runFor(c, 200_000);
      const before = c.observer.members.map((m) => m.store()!.hashKV());
      const revision = c.observer.members[0]!.store()!.revision;
      for (const name of c.names) {
        if (kind === 'host') c.sim.host(name).crash();
        else c.sim.host(name).process('etcd').crash();
      }
      runFor(c, 100_000);
      for (const name of c.names) {
        if (kind === 'host') c.sim.host(name).boot();
        else c.sim.host(name).process('etcd').start();
      }
      runUntilTrue(c, () => c.observer.statuses().every((s) => s.ready && s.revision === revision), 10_000_000);
      expect(c.observer.members.map((m) => m.store()!.hashKV())).toEqual(before);
      expect(c.observer.members.map((m) => m.starts)).toEqual([2, 2, 2]);
      // The client's old connection died with the host (its first call there gets a reset); then it redials.
      let get = c.client.call(1, 'Range', { key: 'k', rangeEnd: 'l' });
      runUntilTrue(c, () => get.outcome.done, 3_000_000, 1_000);
      if (kind === 'host') {
        expect(get.outcome).toMatchObject({ ok: false, code: 'client', error: 'connection: connection' });
        get = c.client.call(1, 'Range', { key: 'k', rangeEnd: 'l' });
        runUntilTrue(c, () => get.outcome.done, 1_000_000, 1_000);
      }
      expect(get.outcome).toMatchObject({ ok: true, body: { count: 20 } });
    });
  }

  it('a restarted member serves clients only once it has published itself through Raft', () => {
    const c = startCluster({ seed: 21 });
    waitForStableLeader(c);
    runUntilTrue(c, () => c.observer.statuses().every((s) => s.ready), 3_000_000);
    for (const name of c.names) c.sim.host(name).crash();
    c.sim.host('etcd-0').boot();
    runFor(c, 3_000_000);
    const status = c.client.call(0, 'Status', {}, 2_000_000);
    runUntilTrue(c, () => status.outcome.done, 3_000_000);
    expect(status.outcome).toMatchObject({ ok: false, code: 'client', error: 'context deadline exceeded' });
    c.sim.host('etcd-1').boot();
    runUntilTrue(c, () => c.observer.member('etcd-0').status().ready, 10_000_000);
    const again = c.client.call(0, 'Status', {}, 2_000_000);
    runUntilTrue(c, () => again.outcome.done, 1_000_000, 1_000);
    expect(again.outcome).toMatchObject({ ok: true });
  });
});

describe('etcd member: leadership', () => {
  it('SIGTERM on the leader transfers leadership before exiting (no election timeout)', () => {
    const c = startCluster({ seed: 22 });
    const leader = waitForStableLeader(c);
    runUntilTrue(c, () => c.observer.statuses().every((s) => s.ready), 3_000_000);
    const proc = c.sim.host(c.names[leader]!).process('etcd');
    const t0 = c.sim.engine.nowUs;
    proc.stop(30_000_000);
    const movedUs = runUntilTrue(
      c,
      () => {
        const l = c.observer.leader();
        return l !== null && l.name !== c.names[leader];
      },
      5_000_000,
      1_000,
    );
    expect(movedUs - t0).toBeLessThan(200_000);
    runFor(c, 300_000);
    expect(proc.lastExit).toMatchObject({ kind: 'exit', code: 0 });
  });

  it('MoveLeader moves leadership to the target; a follower answers "etcdserver: not leader"', () => {
    const c = startCluster({ seed: 23 });
    const leader = waitForStableLeader(c);
    runUntilTrue(c, () => c.observer.statuses().every((s) => s.ready), 3_000_000);
    const target = others(c, leader)[1]!;
    const targetId = c.observer.member(c.names[target]!).idHex;
    const wrong = c.client.call(target, 'MoveLeader', { targetId });
    const move = c.client.call(leader, 'MoveLeader', { targetId });
    runUntilTrue(c, () => move.outcome.done && wrong.outcome.done, 3_000_000, 1_000);
    expect(wrong.outcome).toMatchObject({ ok: false, code: 'FailedPrecondition', error: 'etcdserver: not leader' });
    expect(move.outcome).toMatchObject({ ok: true });
    expect(waitForStableLeader(c)).toBe(target);
  });
});

describe('etcd member: trace', () => {
  it('raft.role is emitted on changes only; etcd.leader names the elected leader', () => {
    const c = startCluster({ seed: 24 });
    const sink = new MemorySink(['raft.role', 'etcd.leader']);
    c.sim.engine.trace.addSink(sink);
    const leader = waitForStableLeader(c);
    runFor(c, 5_000_000);
    const roles = sink.ofKind('raft.role');
    for (const name of c.names) {
      const mine = roles.filter((e) => e.member === name);
      for (let i = 1; i < mine.length; i++) {
        const [p, q] = [mine[i - 1]!, mine[i]!];
        expect(p.role !== q.role || p.term !== q.term || p.lead !== q.lead).toBe(true);
      }
    }
    const elected = sink.ofKind('etcd.leader').filter((e) => e.elected);
    expect(elected.map((e) => [e.member, e.term])).toEqual([[c.names[leader], 2]]);
  });
});
