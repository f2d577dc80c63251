// HTTP/2 connection pinning (kubernetes/kubernetes#48610): client-go multiplexes everything over one connection
// and a TCP load balancer routes connections, not requests, so after a rolling restart of the apiservers every
// client can sit on one backend. --goaway-chance makes apiservers send GOAWAY now and then; clients reconnect
// through the LB and spread again. Shown by per-backend request counts.
import { describe, expect, it } from 'vitest';
import { newPlane, startClient, LB_ADDRESS, type Plane } from '../apiserver/harness';
import { LEASES } from '../../src/apiserver/objects';

const CLIENTS = 12;
const POLL_US = 50_000;

/** A fast rolling restart: each apiserver is stopped once the previous one is ready again (locally), before the
 * LB has seen it come back (rise 2). */
function rollingRestart(plane: Plane): void {
  const stops = [20_000_000, 31_000_000, 42_000_000];
  stops.forEach((atUs, i) => {
    const process = plane.apiHosts[i]!.process('kube-apiserver');
    plane.sim.engine.schedule(atUs, () => process.stop(30_000_000));
    plane.sim.engine.schedule(atUs + 10_000_000, () => process.start('restart'));
  });
}

function run(goawayChance: number): { shares: number[]; goaways: number; dials: number } {
  const plane = newPlane({ lb: true, latencyUs: 250, apiserver: { goawayChance } });
  const handles = Array.from({ length: CLIENTS }, (_, k) =>
    startClient(
      plane.clientHost,
      `c${k}`,
      LB_ADDRESS,
      (client, ctx) => {
        const poll = (): void => {
          client.get(LEASES, 'kube-system', 'kube-scheduler', { timeoutUs: 5_000_000 }, () => ctx.setTimer(POLL_US, poll));
        };
        ctx.setTimer(8_000_000 + k * 1000, poll);
      },
      { qps: -1, timeoutUs: 5_000_000 },
    ),
  );
  rollingRestart(plane);
  plane.sim.runUntil(300_000_000);
  const before = plane.apiservers.map((s) => s.stats.apiRequests);
  plane.sim.runUntil(360_000_000);
  const counts = plane.apiservers.map((s, i) => s.stats.apiRequests - before[i]!);
  const total = counts.reduce((a, b) => a + b, 0);
  return {
    shares: counts.map((c) => c / total),
    goaways: plane.apiservers.reduce((a, s) => a + s.stats.goaways, 0),
    dials: handles.reduce((a, h) => a + h.transport!.dials, 0),
  };
}

describe('connection pinning', () => {
  it('after a rolling restart every client sits on one apiserver; --goaway-chance 0.001 spreads them again', () => {
    const pinned = run(0);
    // One backend serves (nearly) everything; the shutdown GOAWAYs were the only ones.
    expect(Math.max(...pinned.shares)).toBeGreaterThan(0.99);
    expect(pinned.goaways).toBeLessThanOrEqual(3 * CLIENTS + 3);

    const spread = run(0.001);
    for (const share of spread.shares) {
      expect(share).toBeGreaterThan(0.2);
      expect(share).toBeLessThan(0.5);
    }
    expect(spread.goaways).toBeGreaterThan(pinned.goaways + 50);
    expect(spread.dials).toBeGreaterThan(pinned.dials + 50);
  });
});
