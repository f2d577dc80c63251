// Election timing of simulated etcd members over hundreds of seeds (defaults: --heartbeat-interval 100 ms,
// --election-timeout 1000 ms, PreVote and CheckQuorum on).
//
// Bounds and why:
// - a fresh 3-member cluster elects its first leader at term 2 (term 1 holds the bootstrap ConfChanges; PreVote
//   keeps failed pre-campaigns from bumping the term);
// - after the leader crashes, the new leader is elected within [election timeout - 1 tick, 2 x election timeout +
//   a few ms] of the last heartbeat a follower received: a follower's election clock counts ticks, and the first
//   tick after a heartbeat may come right after it, so a randomized timeout of 10 ticks fires 900 ms + (time to the
//   next tick) after the heartbeat; the largest timeout (19 ticks) fires before 2 s; then a pre-vote round and a vote
//   round (each with an fsync) take a few ms. The delays spread over the whole range (every 100 ms bucket is hit);
// - a leader cut off from all followers steps down within 2 election timeouts (CheckQuorum runs every election
//   timeout; the first check after the cut still sees the followers as recently active).
import { describe, expect, it } from 'vitest';
import type { TraceEvent, TraceSink } from '../../../src/sim/trace';
import '../../../src/raft/trace-events';
import { runUntilTrue, startCluster, waitForStableLeader } from '../server/fixture';
import { Connectivity } from './helpers';

const SEEDS = 250;
const ELECTION_US = 1_000_000;
const TICK_US = 100_000;

describe(`election timing over ${SEEDS} seeds`, () => {
  it('a fresh 3-member cluster has one leader, at term 2, everyone following it', () => {
    for (let seed = 1; seed <= SEEDS; seed++) {
      const c = startCluster({ seed: `fresh-${seed}`, safety: false });
      const leader = waitForStableLeader(c, 3_000_000);
      const st = c.observer.statuses();
      expect(st.map((s) => s.term), `seed fresh-${seed}`).toEqual([2, 2, 2]);
      expect(st.filter((s) => s.role === 'leader').map((s) => s.name)).toEqual([c.names[leader]]);
    }
  });

  it('after the leader crashes, a new leader within [election timeout - 1 tick, 2 x election timeout + latency] of the last heartbeat', () => {
    const delays: number[] = [];
    for (let seed = 1; seed <= SEEDS; seed++) {
      const c = startCluster({ seed: `crash-${seed}`, safety: false });
      const old = c.names[waitForStableLeader(c, 3_000_000)]!;
      let lastHeartbeatUs = -1;
      let electedUs = -1;
      const sink: TraceSink = {
        kinds: new Set(['msg.deliver', 'raft.role']),
        write(e: TraceEvent): void {
          if (e.kind === 'msg.deliver' && e.from === old && (e.type === 'MsgHeartbeat' || e.type === 'MsgApp')) lastHeartbeatUs = e.tUs;
          else if (e.kind === 'raft.role' && e.role === 'leader' && e.member !== old && electedUs < 0) electedUs = e.tUs;
        },
      };
      c.sim.engine.trace.addSink(sink);
      // Crash at a seed-dependent phase of the heartbeat cycle.
      c.sim.runUntil(c.sim.engine.nowUs + 1_000_000 + ((seed * 7919) % 1_000_000));
      c.sim.host(old).crash();
      runUntilTrue(c, () => electedUs >= 0, 10_000_000, 5_000);
      const delayUs = electedUs - lastHeartbeatUs;
      expect(delayUs, `seed crash-${seed}`).toBeGreaterThanOrEqual(ELECTION_US - TICK_US);
      expect(delayUs, `seed crash-${seed}`).toBeLessThanOrEqual(2 * ELECTION_US + 20_000);
      delays.push(delayUs);
    }
    // The randomized timeout spreads elections over the whole window: every 100 ms bucket from 0.9 s to 1.9 s.
    const buckets = new Set(delays.map((d) => Math.floor(d / TICK_US)));
    for (let b = 9; b <= 18; b++) expect(buckets.has(b), `no new leader ${b * 100}-${b * 100 + 99} ms after the last heartbeat`).toBe(true);
  });

  it('a leader partitioned into a minority steps down within 2 election timeouts', () => {
    for (let seed = 1; seed <= SEEDS; seed++) {
      const c = startCluster({ seed: `minority-${seed}`, safety: false, members: seed % 2 === 0 ? 5 : 3 });
      const net = new Connectivity(c);
      const leader = waitForStableLeader(c, 5_000_000);
      c.sim.runUntil(c.sim.engine.nowUs + ((seed * 104729) % 1_000_000));
      const n = c.names.length;
      // The leader keeps fewer than a quorum: alone (3 members) or with one follower (5 members).
      const minority = n === 3 ? [leader] : [leader, (leader + 1) % n];
      net.partition(
        minority,
        c.names.map((_, i) => i).filter((i) => !minority.includes(i)),
      );
      const cutUs = c.sim.engine.nowUs;
      const node = c.observer.member(c.names[leader]!);
      const downUs = runUntilTrue(c, () => node.node()!.status().role !== 'leader', 3 * ELECTION_US, 1_000);
      expect(downUs - cutUs, `seed minority-${seed}`).toBeLessThanOrEqual(2 * ELECTION_US + 5_000);
      expect(downUs - cutUs, `seed minority-${seed}`).toBeGreaterThan(ELECTION_US - TICK_US);
    }
  });
});
