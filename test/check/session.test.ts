// The programmatic API as a user's own tests would use it.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CheckSession, defaultScenario, faultTargets, planArbitrary, toFaultPlan } from '../../src/check';

const S = 1_000_000;

describe('CheckSession', () => {
  it('runs a scenario under a fault plan and answers queries about leaders and the KV history', () => {
    const session = new CheckSession({
      scenario: defaultScenario(),
      seed: 4,
      untilUs: 40 * S,
      faults: [{ atUs: 15 * S, fault: { kind: 'restart', host: '@leader:kube-system/kube-scheduler', process: 'kube-scheduler', downUs: 30 * S } }],
      workload: {},
    });
    session.runUntil(40 * S);
    const scheduler = session.actingIntervals('kube-system/kube-scheduler');
    expect(scheduler.length).toBe(2); // the first leader, crashed at 15 s, then its successor
    expect(scheduler[0]!.toUs).toBe(15 * S);
    expect(scheduler[1]!.fromUs).toBeGreaterThan(15 * S + 13 * S); // standbys wait LeaseDuration from their own observation
    expect(scheduler[1]!.identity).not.toBe(scheduler[0]!.identity); // a new incarnation (the kubelet restarts the crashed one) or another host
    expect(session.leaseOverlaps()).toEqual([]);
    expect(session.etcdLeaders().length).toBeGreaterThanOrEqual(1);
    expect(session.kvHistory().length).toBeGreaterThan(10);
    expect(session.linearizability().kind).toBe('ok');
    const result = session.finish();
    expect(result.violations).toEqual([]);
  });

  it('injects faults on the fly, leader references resolved to the current leader', () => {
    const session = new CheckSession({ scenario: defaultScenario(), seed: 2, untilUs: 60 * S });
    session.runUntil(10 * S);
    const leaderHost = session.actingIntervals('kube-system/kube-controller-manager').at(-1)!.host;
    session.inject({ kind: 'pause', host: '@leader:kube-system/kube-controller-manager', process: 'kube-controller-manager', durationUs: 30 * S });
    session.runUntil(60 * S);
    const overlaps = session.leaseOverlaps();
    expect(overlaps.length).toBeGreaterThan(0);
    expect(overlaps[0]!.first.host).toBe(leaderHost);
    expect(session.violations()[0]?.invariant).toBe('lease-exclusivity');
  });

  it('serves a user-written fast-check property over fault plans', () => {
    const scenario = defaultScenario();
    const targets = faultTargets(scenario.cluster);
    // Crashes of worker hosts never break lease exclusivity.
    const plans = planArbitrary({ classes: ['crash'], maxFaults: 2, safetyUs: 20 * S }, targets).filter((p) =>
      p.windows.every((w) => w.kind === 'crash' && w.target.host.startsWith('worker-')),
    );
    fc.assert(
      fc.property(plans, (plan) => {
        const session = new CheckSession({ scenario, seed: 1, untilUs: 20 * S, faults: toFaultPlan(plan.windows, 20 * S) });
        session.runUntil(20 * S);
        return session.leaseOverlaps().length === 0;
      }),
      { seed: 3, numRuns: 4 },
    );
  });
});
