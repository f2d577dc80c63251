import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { defaultClusterSpec } from '../../../src/cluster/spec';
import { planArbitrary } from '../../../src/check/plan/arbitrary';
import { FAULT_CLASSES } from '../../../src/check/plan/classes';
import { faultTargets } from '../../../src/check/plan/targets';
import { toFaultPlan } from '../../../src/check/plan/window';
import { faultHosts, isLeaderRef } from '../../../src/scenario/types';

const spec = defaultClusterSpec();
const targets = faultTargets(spec);
const SAFETY_US = 60_000_000;

describe('planArbitrary', () => {
  it('draws only the allowed classes, at most maxFaults windows, inside the safety phase, on known hosts', () => {
    fc.assert(
      fc.property(planArbitrary({ classes: ['crash', 'partition', 'loss'], maxFaults: 4, safetyUs: SAFETY_US }, targets), (plan) => {
        expect(plan.windows.length).toBeLessThanOrEqual(4);
        expect(plan.windows.length).toBeLessThanOrEqual(plan.swarm.maxFaults);
        for (const w of plan.windows) {
          expect(plan.swarm.classes).toContain(w.kind);
          expect(['crash', 'partition', 'loss']).toContain(w.kind);
          expect(w.atUs).toBeGreaterThanOrEqual(0);
          expect(w.atUs).toBeLessThan(SAFETY_US);
        }
        for (const step of toFaultPlan(plan.windows, SAFETY_US, targets.hosts)) {
          expect(step.atUs).toBeLessThanOrEqual(SAFETY_US);
          for (const host of faultHosts(step.fault)) if (host !== '*' && !isLeaderRef(host)) expect(targets.hosts).toContain(host);
        }
      }),
      { seed: 7, numRuns: 200 },
    );
  });

  it('is swarm-style: runs differ in which classes they use', () => {
    const plans = fc.sample(planArbitrary({ classes: [...FAULT_CLASSES], maxFaults: 6, safetyUs: SAFETY_US }, targets), { seed: 3, numRuns: 100 });
    const classSets = new Set(plans.map((p) => [...p.swarm.classes].sort().join(',')));
    expect(classSets.size).toBeGreaterThan(20);
    const used = new Set(plans.flatMap((p) => p.windows.map((w) => w.kind)));
    expect([...used].sort()).toEqual([...FAULT_CLASSES].sort());
    // some faults aim at a leader, some at plain hosts
    const pauses = plans.flatMap((p) => p.windows).filter((w) => w.kind === 'crash' || w.kind === 'pause');
    expect(pauses.some((w) => (w.kind === 'crash' || w.kind === 'pause') && isLeaderRef(w.target.host))).toBe(true);
    expect(pauses.some((w) => (w.kind === 'crash' || w.kind === 'pause') && !isLeaderRef(w.target.host))).toBe(true);
  });

  it('is deterministic for a seed', () => {
    const arb = planArbitrary({ classes: ['pause', 'clock-drift'], maxFaults: 3, safetyUs: SAFETY_US }, targets);
    expect(fc.sample(arb, { seed: 11, numRuns: 20 })).toEqual(fc.sample(arb, { seed: 11, numRuns: 20 }));
  });

  it('rejects an empty class list', () => {
    expect(() => planArbitrary({ classes: [], maxFaults: 3, safetyUs: SAFETY_US }, targets)).toThrow(/no fault class/);
  });
});
