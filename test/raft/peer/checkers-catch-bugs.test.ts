// The safety checkers are shown to work on real etcd members: with the test-only server bug "vote not persisted
// before replying" (EtcdServerBugs.replyVoteBeforePersist: a voter's MsgVoteResp leaves before the HardState
// recording its vote is fsynced) and a power loss right after voting, the voter forgets its vote, grants another
// one in the same term, and the cluster ends up with two leaders of one term or a leader missing a committed entry.
// The same schedule without the bug is safe.
//
// Schedule (--pre-vote=false, fsync 2 ms): isolate the leader L; the followers time out and one campaigns. The
// first granted vote triggers: power loss of the voter 100 µs later (before its fsync completes), reboot 5 ms later;
// the winner's messages to the voter are cut, and L — still at the old term — is reconnected to the voter only.
// The voter comes back with its old term and no vote: it either follows L (still leading the old term) and helps it
// commit an entry the new leader lacks, or votes for L in the term it had already voted in.
import { describe, expect, it } from 'vitest';
import type { TraceEvent, TraceSink } from '../../../src/sim/trace';
import { runFor, startCluster, waitForStableLeader } from '../server/fixture';

function scenario(seed: number, bug: boolean): { fired: boolean; violation: string | null } {
  const c = startCluster({
    seed,
    flags: { 'pre-vote': false },
    member: { fsyncLatency: { kind: 'constant', us: 2_000 }, serverBugs: { replyVoteBeforePersist: bug } },
  });
  const L = c.sim.host(c.names[waitForStableLeader(c)]!);
  runFor(c, 500_000);
  const net = c.sim.network;
  let fired = false;
  const crashAfterVote: TraceSink = {
    kinds: new Set(['msg.send']),
    write(e: TraceEvent): void {
      if (fired || e.kind !== 'msg.send' || e.type !== 'MsgVoteResp') return;
      const voter = c.observer.member(e.from);
      const winner = c.observer.member(e.to);
      if (voter.node()?.status().vote !== winner.id) return; // a rejection
      fired = true;
      const V = c.sim.host(e.from);
      const W = c.sim.host(e.to);
      c.sim.engine.schedule(100, () => {
        V.crash('power loss right after voting');
        c.sim.engine.schedule(5_000, () => V.boot());
      });
      net.heal();
      net.cut(W, V);
      net.cut(L, W);
      net.cut(W, L);
    },
  };
  c.sim.engine.trace.addSink(crashAfterVote);
  net.isolate(L);
  c.sim.runUntil(c.sim.engine.nowUs + 8_000_000);
  net.heal();
  c.sim.runUntil(c.sim.engine.nowUs + 5_000_000);
  return { fired, violation: c.sim.engine.violation?.message ?? null };
}

describe('the Raft safety checkers catch a vote that is not persisted before replying', () => {
  it('with the bug, every seed ends in an Election Safety or Leader Completeness violation', () => {
    for (let seed = 1; seed <= 6; seed++) {
      const r = scenario(seed, true);
      expect(r.fired, `seed ${seed}`).toBe(true);
      expect(r.violation, `seed ${seed}`).toMatch(/^(Election Safety|Leader Completeness|State Machine Safety|Committed Durability) violated/);
    }
  });

  it('without the bug, the same schedules are safe (the vote survives the power loss)', () => {
    for (let seed = 1; seed <= 6; seed++) {
      const r = scenario(seed, false);
      expect(r.fired, `seed ${seed}`).toBe(true);
      expect(r.violation, `seed ${seed}`).toBeNull();
    }
  });
});
