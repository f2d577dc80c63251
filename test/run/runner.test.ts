import { describe, expect, it } from 'vitest';
import { parseScenario } from '../../src/scenario/parse';
import { runScenario, ScenarioRun } from '../../src/run/runner';
import { actingAt, actingThrough, firstLeadingAtOrAfter, holderChanges, uncoveredUs } from '../../src/run/intervals';
import type { LeaderInterval } from '../../src/run/result';

const scenario = (spec: string) => parseScenario(`apiVersion: kube-ha-sim/v1\nkind: Scenario\nmetadata:\n  name: t\nspec:\n${spec}`, 't.yaml');

describe('ScenarioRun', () => {
  it('resolves a leader-targeted fault when it fires and reports it as applied', () => {
    const r = runScenario(scenario('  duration: 15s\n  faults:\n    - {at: 10s, action: crash, target: {leaderOf: kube-scheduler, process: kube-scheduler}}\n'));
    const leader = r.leaders.leases['kube-system/kube-scheduler']![0]!;
    expect(r.faults.applied).toEqual([{ atUs: 10_000_000, fault: { kind: 'crash', host: leader.host, process: 'kube-scheduler' } }]);
    expect(leader.toUs).toBe(10_000_000);
  });

  it('skips a leader-targeted fault when nobody leads, and says why', () => {
    const r = runScenario(scenario('  duration: 2s\n  faults:\n    - {at: 0s, action: crash, target: {leaderOf: etcd}}\n'));
    expect(r.faults.applied).toEqual([]);
    expect(r.faults.skipped).toEqual([{ atUs: 0, fault: { kind: 'crash', host: '@leader:etcd' }, reason: 'etcd has no leader at this moment' }]);
  });

  it('options replace the fault plan, override flags, seed and duration, and name them in the replay command', () => {
    const s = scenario('  duration: 30s\n');
    const r = runScenario(s, {
      seed: 7,
      untilUs: 12_000_000,
      faults: [{ atUs: 5_000_000, fault: { kind: 'isolate', host: 'server-2' } }],
      set: { 'kube-scheduler.--leader-elect-retry-period': '1s' },
    });
    expect(r.seed).toBe('7');
    expect(r.endUs).toBe(12_000_000);
    expect(r.faults.applied).toEqual([{ atUs: 5_000_000, fault: { kind: 'isolate', host: 'server-2' } }]);
    expect(r.replay).toBe("kube-ha-sim run t.yaml --seed 7 --until 12s --set kube-scheduler.--leader-elect-retry-period=1s");
  });

  it('runs step by step and exposes the cluster between steps', () => {
    const run = new ScenarioRun(scenario('  duration: 20s\n'));
    run.runUntil(8_000_000);
    const host = run.cluster.leaderHost('kube-system/kube-scheduler');
    expect(host).toMatch(/^server-[012]$/);
    run.sim.faults.apply({ kind: 'crash', host: host! });
    const r = run.finish();
    expect(r.metrics.failovers.map((f) => [f.lease, f.fromHost, f.cause])).toContainEqual(['kube-system/kube-scheduler', host, `crash ${host}`]);
    expect(run.finish()).toBe(r);
  });

  it('expectations decide the outcome; an unexpected violation fails the run', () => {
    const pass = runScenario(scenario('  duration: 10s\n  expectations:\n    - {type: etcd-leader, after: 0s, within: 3s}\n'));
    expect(pass.outcome).toBe('pass');
    const fail = runScenario(scenario('  duration: 10s\n  expectations:\n    - {type: no-etcd-leader, from: 0s, to: 10s}\n'));
    expect(fail.outcome).toBe('fail');
    expect(fail.expectations[0]).toMatchObject({ passed: false });
    expect(fail.expectations[0]!.detail).toMatch(/^server-\d led from t=\d+\.\d+s$/);
  });
});

describe('split brains', () => {
  // The leader's standbys step their clocks (monotonic too) right after polling: they take the leases while the
  // leader still acts, until its renew deadline passes.
  const splitBrain = scenario(
    '  duration: 40s\n  faults:\n' +
      [20, 21.5, 23, 24.5].map((t) => `    - {at: ${t}s, action: clock-jump, target: server-1, by: 1h, monotonic: true}\n    - {at: ${t}s, action: clock-jump, target: server-2, by: 1h, monotonic: true}\n`).join(''),
  );

  it("stop (the default): the run ends where two replicas start acting at once", () => {
    const r = runScenario(splitBrain);
    expect(r.violations.map((v) => v.invariant)).toEqual(['lease-exclusivity']);
    expect(r.endUs).toBe(r.violations[0]!.timeUs);
    expect(r.endUs).toBeLessThan(40_000_000);
  });

  it('measure: the run goes on and the violation gives the whole overlap', () => {
    const stopped = runScenario(splitBrain);
    const r = runScenario(splitBrain, { splitBrain: 'measure' });
    expect(r.endUs).toBe(40_000_000);
    expect(r.violations).toHaveLength(1);
    const v = r.violations[0]!;
    // Measured from the instant the second replica started; 'stop' reports the event at which it was confirmed.
    expect(v.timeUs).toBeLessThanOrEqual(stopped.violations[0]!.timeUs);
    expect(stopped.violations[0]!.timeUs - v.timeUs).toBeLessThan(1_000);
    const m = /from (\d+\.\d+)s until (\d+\.\d+)s/.exec(v.message);
    expect(m, v.message).not.toBeNull();
    expect(Number(m![2])).toBeGreaterThan(Number(m![1]));
    // The overlap ends when the old leader stops acting, as the leader intervals show.
    const lease = /of lease (\S+) from/.exec(v.message)![1]!;
    const endsMs = r.leaders.leases[lease]!.map((i) => (i.toUs === null ? null : Math.round(i.toUs / 1000)));
    expect(endsMs).toContain(Math.round(Number(m![2]) * 1000));
  });
});

describe('interval helpers', () => {
  const i = (holder: string, fromUs: number, toUs: number | null): LeaderInterval => ({ holder, host: holder, fromUs, toUs });
  const intervals = [i('a', 0, 10), i('b', 15, 20), i('c', 20, null)];
  it('answer who acts when, half-open and closed at the end', () => {
    expect(actingAt(intervals, 10, 30)).toEqual([]);
    expect(actingThrough(intervals, 10, 30).map((x) => x.holder)).toEqual(['a']);
    expect(actingAt(intervals, 20, 30).map((x) => x.holder)).toEqual(['c']);
    expect(firstLeadingAtOrAfter(intervals, 11, 30)).toBe(15);
    expect(firstLeadingAtOrAfter([i('a', 0, 5)], 6, 30)).toBeNull();
    expect(uncoveredUs(intervals, 0, 30)).toBe(5);
    expect(holderChanges([...intervals, i('c', 40, null)])).toBe(2);
  });
});
