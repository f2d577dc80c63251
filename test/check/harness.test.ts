import { describe, expect, it } from 'vitest';
import { checkPlan, healSteps, runCheck } from '../../src/check/harness';
import type { FaultWindow } from '../../src/check/plan/window';
import { validateScenarioData } from '../../src/scenario/parse';

const scenario = validateScenarioData({ apiVersion: 'kube-ha-sim/v1', kind: 'Scenario', metadata: { name: 'check' }, spec: {} }, null, null);
const S = 1_000_000;
const pauseSchedulerLeader = (durationUs: number): FaultWindow => ({
  kind: 'pause',
  atUs: 20 * S,
  target: { host: '@leader:kube-system/kube-scheduler', process: 'kube-scheduler' },
  durationUs,
});

describe('healSteps / checkPlan', () => {
  it('heals the network, restores links, resumes paused hosts and stops drift at the end of the safety phase', () => {
    const windows: FaultWindow[] = [
      { kind: 'pause', atUs: 1 * S, target: { host: 'server-1', process: 'etcd' }, durationUs: 5 * S },
      { kind: 'clock-drift', atUs: 2 * S, host: 'server-2', driftPpm: 300 },
      { kind: 'clock-drift', atUs: 99 * S, host: 'server-0', driftPpm: 300 },
    ];
    expect(healSteps(scenario, windows, 30 * S)).toEqual([
      { atUs: 30 * S, fault: { kind: 'heal' } },
      { atUs: 30 * S, fault: { kind: 'clear-link' } },
      { atUs: 30 * S, fault: { kind: 'resume', host: 'server-1' } },
      { atUs: 30 * S, fault: { kind: 'clock-drift', host: 'server-2', driftPpm: 0 } },
    ]);
    const plan = checkPlan(scenario, windows, 30 * S);
    expect(plan.map((s) => s.fault.kind)).toEqual(['pause', 'clock-drift', 'heal', 'clear-link', 'resume', 'clock-drift']);
  });
});

describe('runCheck', () => {
  it('passes a run without faults: the cluster converges after the heal, the KV history is linearizable and every key reads back', () => {
    const r = runCheck({ scenario, seed: 3, windows: [], safetyUs: 20 * S, livenessUs: 30 * S, workload: {} });
    expect(r.outcome).toBe('pass');
    expect(r.violation).toBeNull();
    expect(r.convergedAtUs).not.toBeNull();
    expect(r.convergedAtUs!).toBeGreaterThan(20 * S);
    expect(r.history.length).toBeGreaterThan(20);
    expect(r.history.some((op) => op.input.op === 'cas' && op.output.kind === 'cas' && op.output.succeeded)).toBe(true);
    expect(r.linearizability?.kind).toBe('ok');
    expect(r.faultsInjected).toBe(0);
  });

  it('reports a lease split brain when the scheduler leader is paused longer than the lease duration', () => {
    const r = runCheck({ scenario, seed: 3, windows: [pauseSchedulerLeader(25 * S)], safetyUs: 60 * S, livenessUs: 30 * S, workload: null });
    expect(r.outcome).toBe('safety');
    expect(r.violation?.checker).toBe('lease-exclusivity');
    expect(r.violation!.atUs).toBeGreaterThan(20 * S + 15 * S);
    expect(r.violation!.message).toContain('kube-system/kube-scheduler');
    // the leader reference resolved to a control-plane host
    expect(r.leaderRefs.get('@leader:kube-system/kube-scheduler')).toMatch(/^server-\d$/);
    expect(r.faultsInjected).toBe(1);
  });

  it('passes a pause shorter than the renew deadline', () => {
    const r = runCheck({ scenario, seed: 3, windows: [pauseSchedulerLeader(3 * S)], safetyUs: 40 * S, livenessUs: 30 * S, workload: null });
    expect(r.outcome).toBe('pass');
  });

  it('is deterministic', () => {
    const a = runCheck({ scenario, seed: 9, windows: [{ kind: 'crash', atUs: 5 * S, target: { host: '@leader:etcd' }, downUs: 4 * S }], safetyUs: 20 * S, livenessUs: 30 * S, workload: {} });
    const b = runCheck({ scenario, seed: 9, windows: [{ kind: 'crash', atUs: 5 * S, target: { host: '@leader:etcd' }, downUs: 4 * S }], safetyUs: 20 * S, livenessUs: 30 * S, workload: {} });
    expect(a.outcome).toBe(b.outcome);
    expect(a.events).toBe(b.events);
    expect(a.history).toEqual(b.history);
    expect(a.convergedAtUs).toBe(b.convergedAtUs);
  });

  it('reports a liveness failure when the cluster cannot converge within the bound', () => {
    // every control-plane host is down until the heal; half a second is too little to elect and acquire
    const down: FaultWindow[] = ['server-0', 'server-1', 'server-2'].map((host) => ({ kind: 'crash', atUs: 5 * S, target: { host }, downUs: 60 * S }));
    const r = runCheck({ scenario, seed: 3, windows: down, safetyUs: 10 * S, livenessUs: S / 2, workload: null });
    expect(r.outcome).toBe('liveness');
    expect(r.violation?.checker).toBe('liveness');
    expect(r.violation!.message).toMatch(/did not converge within 500ms/);
    expect(r.violation!.message).toMatch(/etcd has no leader|nobody acts as leader/);
  });

  it('turns a simulator failure into an internal-error outcome instead of throwing', () => {
    const r = runCheck({ scenario, seed: 3, windows: [], safetyUs: 20 * S, livenessUs: 10 * S, workload: null, maxEvents: 1000 });
    expect(r.outcome).toBe('error');
    expect(r.violation?.checker).toBe('internal-error');
    expect(r.violation!.message).toContain('event limit reached');
  });
});
