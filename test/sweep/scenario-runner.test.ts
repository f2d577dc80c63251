import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createScenarioSweepRunner } from '../../src/sweep/scenario-runner';

const FILE = 'scenarios/failover-15s.yaml';
const runner = createScenarioSweepRunner({ file: FILE, text: readFileSync(FILE, 'utf8') });
const param = (key: string) => runner.parameters().find((p) => p.key === key)!;

describe('scenario sweep runner', () => {
  it("offers the scenario's flags under their real names, with the scenario's current values", () => {
    const keys = runner.parameters().map((p) => p.key);
    expect(keys).toEqual(expect.arrayContaining(['kube-scheduler.--leader-elect-lease-duration', 'etcd.--election-timeout', 'haproxy.inter', 'kube-controller-manager.--leader-elect-retry-period']));
    expect(param('kube-scheduler.--leader-elect-lease-duration').current).toBe('15s');
    expect(param('etcd.--election-timeout').current).toBe('1000');
  });

  it("validates values as the scenario's schema does", () => {
    expect(param('kube-scheduler.--leader-elect-lease-duration').validate('30s')).toBeNull();
    expect(param('kube-scheduler.--leader-elect-lease-duration').validate('soon')).toMatch(/expected/);
    expect(param('etcd.--election-timeout').validate('2500')).toBeNull();
    expect(param('etcd.--election-timeout').validate('1s')).toMatch(/expected/);
  });

  it('checks a whole grid point with the cross-flag rules (client-go: lease duration > renew deadline)', () => {
    expect(runner.checkPoint!({ 'kube-scheduler.--leader-elect-lease-duration': '30s' })).toBeNull();
    expect(runner.checkPoint!({ 'kube-scheduler.--leader-elect-renew-deadline': '20s' })).toMatch(/leaseDuration must be greater than renewDeadline/);
  });

  it('identifies the scenario (name, file, digest of its text, run duration) and declares metrics for both leases', () => {
    expect(runner.scenario).toMatchObject({ name: 'failover-15s', file: FILE, durationMs: 60_000 });
    expect(runner.scenario.digest).toMatch(/^[0-9a-f]{14}$/);
    const ids = runner.metrics().map((m) => m.id);
    expect(ids).toEqual(expect.arrayContaining(['failover:kube-system/kube-scheduler', 'failover:kube-system/kube-controller-manager']));
    const longer = createScenarioSweepRunner({ file: FILE, text: readFileSync(FILE, 'utf8'), untilUs: 120_000_000 });
    expect(longer.scenario.durationMs).toBe(120_000);
  });

  it('a run reports exactly the declared metrics and is a pure function of (point, seed)', () => {
    const point = { 'kube-scheduler.--leader-elect-lease-duration': '20s' };
    const a = runner.run(point, 3);
    expect(Object.keys(a.values).sort()).toEqual(runner.metrics().map((m) => m.id).sort());
    const fresh = createScenarioSweepRunner({ file: FILE, text: readFileSync(FILE, 'utf8') });
    expect(fresh.run(point, 3)).toEqual(a);
  });
});
