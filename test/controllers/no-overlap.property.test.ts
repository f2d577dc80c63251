// Lease exclusivity as a property (fast-check over fault plans and seeds).
//
// 1. With no clock faults, no process pauses and no network faults — crashes, restarts, graceful stops and host
//    power cycles only — no two replicas ever act as leader of the same lease.
// 2. With network faults too (partitions, isolations, one-way cuts), client-go's algorithm allows one overlap,
//    which the simulation shows: a ReleaseOnCancel component (kube-scheduler) keeps its leading context — and so
//    acts — until Run returns, i.e. until release() has finished; a leader cut off from the API gives up renewing
//    at RetryPeriod + RenewDeadline after its last success, then spends up to the lock client's 5 s timeout on the
//    release's GET, while a standby may take over from LeaseDuration (15 s) after its observation of that last
//    success: an overlap of at most 2 + 10 + 5 - 15 = 2 s, during the old leader's release. The
//    controller-manager (no release) never overlaps. (Upstream is moving to release only after OnStartedLeading
//    returns: kubernetes/kubernetes#139504, #139991.)
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Fault } from '../../src/sim/faults';
import type { LeaderOverlap } from '../../src/lease/acting';
import { harness } from './harness';
import { realCluster, KCM_LEASE, SCHEDULER_LEASE } from './real-cluster';

const S = 1_000_000;
const HOSTS = ['server-0', 'server-1', 'server-2'] as const;
const PROCS = ['kube-scheduler', 'kube-controller-manager'] as const;

type Step = { readonly atUs: number; readonly fault: Fault };

const atUs = fc.integer({ min: 3 * S, max: 60 * S });
const host = fc.constantFrom(...HOSTS);
const proc = fc.constantFrom(...PROCS);

/** Crashes, restarts, graceful stops, starts and host power cycles. */
const processFault: fc.Arbitrary<Step[]> = fc.oneof(
  fc.record({ atUs, host, process: proc }).map(({ atUs, host, process }) => [{ atUs, fault: { kind: 'crash', host, process } as Fault }, { atUs: atUs + 5 * S, fault: { kind: 'start', host, process } as Fault }]),
  fc.record({ atUs, host, process: proc, downUs: fc.integer({ min: 0, max: 20 * S }) }).map(({ atUs, host, process, downUs }) => [{ atUs, fault: { kind: 'restart', host, process, downUs } as Fault }]),
  fc.record({ atUs, host, process: proc }).map(({ atUs, host, process }) => [{ atUs, fault: { kind: 'stop', host, process, graceUs: 30 * S } as Fault }, { atUs: atUs + 8 * S, fault: { kind: 'start', host, process } as Fault }]),
  fc.record({ atUs, host, downUs: fc.integer({ min: 1 * S, max: 30 * S }) }).map(({ atUs, host, downUs }) => [{ atUs, fault: { kind: 'restart', host, downUs } as Fault }]),
);

/** Isolations and one-way cuts, healed after a while. */
function networkFault(others: readonly string[]): fc.Arbitrary<Step[]> {
  return fc.oneof(
    fc.record({ atUs, host, forUs: fc.integer({ min: 1 * S, max: 40 * S }) }).map(({ atUs, host, forUs }) => [
      { atUs, fault: { kind: 'partition', groups: [[host], [...HOSTS.filter((h) => h !== host), ...others]] } as Fault },
      { atUs: atUs + forUs, fault: { kind: 'heal' } as Fault },
    ]),
    fc.record({ atUs, from: fc.constantFrom(...HOSTS, ...others), to: fc.constantFrom(...HOSTS, ...others), forUs: fc.integer({ min: 1 * S, max: 40 * S }) })
      .filter(({ from, to }) => from !== to)
      .map(({ atUs, from, to, forUs }) => [
        { atUs, fault: { kind: 'cut', from, to } as Fault },
        { atUs: atUs + forUs, fault: { kind: 'heal' } as Fault },
      ]),
  );
}

function plan(steps: Step[][]): Step[] {
  return steps.flat().sort((a, b) => a.atUs - b.atUs);
}

/** The overlap happened while the old leader was releasing (its renew had given up), and lasted at most 2 s. */
function isReleaseWindowOverlap(o: LeaderOverlap, phases: ReadonlyArray<{ tUs: number; identity: string; phase: string }>): boolean {
  if (o.lease !== SCHEDULER_LEASE) return false;
  const before = phases.filter((p) => p.identity === o.first.identity && p.tUs <= o.fromUs).at(-1);
  return before?.phase === 'releasing' && o.toUs !== null && o.toUs - o.fromUs <= 2 * S + 50_000;
}

describe('lease exclusivity (property)', () => {
  it('in-memory API: crashes, restarts, stops and power cycles never make two replicas act at once', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1_000_000 }), fc.array(processFault, { minLength: 1, maxLength: 6 }), (seed, steps) => {
        const h = harness({ seed, staticPods: true });
        h.sim.faults.schedule(plan(steps));
        h.sim.runUntil(100 * S);
        expect(h.acting.overlaps()).toEqual([]);
      }),
      { numRuns: 150, seed: 42 },
    );
  });

  it('in-memory API: with partitions and cuts, only the scheduler overlaps, only during its release, at most 2 s', () => {
    let releaseOverlaps = 0;
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1_000_000 }), fc.array(fc.oneof(processFault, networkFault(['api'])), { minLength: 1, maxLength: 6 }), (seed, steps) => {
        const h = harness({ seed, staticPods: true, trace: ['lease.elector'] });
        h.sim.faults.schedule(plan(steps));
        h.sim.runUntil(100 * S);
        const phases = h.sink.ofKind('lease.elector');
        for (const o of h.acting.overlaps()) {
          expect(isReleaseWindowOverlap(o, phases), `unexpected overlap ${JSON.stringify({ lease: o.lease, from: o.fromUs, to: o.toUs, first: o.first.identity, second: o.second.identity })}`).toBe(true);
          releaseOverlaps++;
        }
      }),
      { numRuns: 150, seed: 43 },
    );
    console.log(`release-window overlaps of kube-scheduler found: ${releaseOverlaps}`);
  });

  it('full control plane: crashes, restarts, stops and power cycles never make two replicas act at once', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1_000_000 }), fc.array(processFault, { minLength: 1, maxLength: 4 }), (seed, steps) => {
        const r = realCluster({ seed });
        r.sim.faults.schedule(plan(steps));
        const stop = r.sim.runUntil(90 * S);
        expect(stop === 'violation' ? r.sim.engine.violation : null).toBeNull();
        expect(r.acting.overlaps(SCHEDULER_LEASE)).toEqual([]);
        expect(r.acting.overlaps(KCM_LEASE)).toEqual([]);
      }),
      { numRuns: 12, seed: 44 },
    );
  });
});
