// MIT 6.5840 TestFigure82C and TestFigure8Unreliable2C on simulated etcd members: leaders are crashed (or cut off)
// right after proposing, over and over, so entries of earlier terms sit replicated on a minority — the Raft paper's
// Figure 8. A leader that committed such an entry by counting replicas would let the checkers (State Machine
// Safety, Leader Completeness, Committed Durability) see a committed entry disappear. Time constants are scaled
// from the lab's (election timeout ~150-300 ms there, 1000-2000 ms in etcd).
import { describe, expect, it } from 'vitest';
import { runFor, runUntilTrue, startCluster, type TestCluster } from '../server/fixture';
import { Connectivity, expectConverged, leadersAmong, one } from './helpers';

const N = 5;
const members = Array.from({ length: N }, (_, i) => i);

/** Sends a Put to every member that believes it leads (the lab's Start on every server); returns the leaders. */
function proposeEverywhere(c: TestCluster, value: string, alive: (i: number) => boolean): number[] {
  const leaders = leadersAmong(
    c,
    members.filter((i) => alive(i)),
  ).map((l) => l.index);
  for (const i of leaders) c.client.call(i, 'Put', { key: `fig8/${value}`, value }, 3_000_000);
  return leaders;
}

function sleep(c: TestCluster, rng: { int(n: number): number }): void {
  // 10% of the time up to half an election timeout, else up to 130 ms (the lab: 0-13 ms against ~200 ms elections).
  runFor(c, rng.int(1000) < 100 ? rng.int(500_000) : rng.int(130_000));
}

describe('MIT 6.5840 TestFigure82C: crash the leader after every proposal', () => {
  for (const seed of [1, 2]) {
    it(`seed ${seed}: no safety violation; after restarting everyone, all 5 agree`, () => {
      const c = startCluster({ seed, members: N });
      const rng = c.sim.engine.rng.stream('test/figure8');
      one(c, 'start', 'x', members);
      const up = members.map(() => true);
      let nup = N;
      for (let iter = 0; iter < 600; iter++) {
        const leaders = proposeEverywhere(c, `${iter}`, (i) => up[i]!);
        sleep(c, rng);
        const leader = leaders[leaders.length - 1];
        if (leader !== undefined && up[leader]) {
          c.sim.host(c.names[leader]!).crash(); // power loss: unsynced writes are lost too
          up[leader] = false;
          nup--;
        }
        if (nup < 3) {
          const s = rng.int(N);
          if (!up[s]) {
            c.sim.host(c.names[s]!).boot();
            up[s] = true;
            nup++;
          }
        }
      }
      for (const i of members) if (!up[i]) c.sim.host(c.names[i]!).boot();
      one(c, 'end', 'x', members, 60_000_000);
      expectConverged(c, members);
      expect(c.sim.engine.violation).toBeNull();
    });
  }
});

describe('MIT 6.5840 TestFigure8Unreliable2C: 10% loss, 0-27 ms delay, then long reordering', () => {
  for (const seed of [1, 2]) {
    it(`seed ${seed}: no safety violation; all 5 agree in the end despite the unreliable network`, () => {
      const c = startCluster({ seed, members: N });
      const net = new Connectivity(c);
      const rng = c.sim.engine.rng.stream('test/figure8-unreliable');
      const setLinks = (patch: Parameters<typeof c.sim.network.setLink>[1]): void => {
        for (const a of c.names) for (const b of c.names) if (a !== b) c.sim.network.setLink({ from: a, to: b }, patch);
      };
      setLinks({ lossRate: 0.1, latency: { kind: 'uniform', minUs: 0, maxUs: 27_000 } });
      one(c, 'start', 'x', members, 60_000_000);
      let nup = N;
      for (let iter = 0; iter < 800; iter++) {
        // Long reordering from iteration 160 of 800 (the lab: 200 of 1000): ~2/3 of messages held 200 ms or more.
        if (iter === 160) setLinks({ reorderRate: 2 / 3, reorderDelay: { kind: 'uniform', minUs: 200_000, maxUs: 1_200_000 } });
        const leaders = proposeEverywhere(c, `${iter}`, (i) => net.isConnected(i));
        sleep(c, rng);
        const leader = leaders[leaders.length - 1];
        if (leader !== undefined && net.isConnected(leader) && rng.int(1000) < 500) {
          net.disconnect(leader);
          nup--;
        }
        if (nup < 3) {
          const s = rng.int(N);
          if (!net.isConnected(s)) {
            net.connect(s);
            nup++;
          }
        }
      }
      net.connectAll();
      one(c, 'end', 'x', members, 120_000_000);
      expect(c.sim.engine.violation).toBeNull();
      c.sim.network.clearLinks();
      runUntilTrue(c, () => members.every((i) => c.observer.member(c.names[i]!).store()?.get('end') !== undefined), 30_000_000);
      expectConverged(c, members);
    });
  }
});
