import { describe, expect, it } from 'vitest';
import { counterexampleYaml } from '../../../src/check/report/scenario-yaml';
import { parseScenario } from '../../../src/scenario/parse';
import type { FaultPlan } from '../../../src/sim/faults';

const base = parseScenario(
  `apiVersion: kube-ha-sim/v1
kind: Scenario
metadata:
  name: base
spec:
  seed: 3
  duration: 30s
  components:
    kube-scheduler:
      --leader-elect-lease-duration: 20s
  faults:
    - {at: 1s, action: crash, target: server-0}
`,
  'base.yaml',
);

const plan: FaultPlan = [
  { atUs: 0, fault: { kind: 'clock-drift', host: 'server-2', driftPpm: -500 } },
  { atUs: 1_000_000, fault: { kind: 'restart', host: 'server-1', process: 'etcd', downUs: 2_500_000 } },
  { atUs: 2_000_000, fault: { kind: 'link', from: 'server-2', to: '*', lossRate: 0.3 } },
  { atUs: 2_000_000, fault: { kind: 'link', from: '*', to: 'lb', latency: { kind: 'constant', us: 150_000 } } },
  { atUs: 3_000_000, fault: { kind: 'clear-link', from: 'server-2', to: '*' } },
  { atUs: 4_000_000, fault: { kind: 'pause', host: '@leader:kube-system/kube-scheduler', process: 'kube-scheduler', durationUs: 20_000_000 } },
  { atUs: 5_000_000, fault: { kind: 'isolate', host: '@leader:etcd' } },
  { atUs: 5_500_000, fault: { kind: 'partition', groups: [['server-0', 'lb'], ['server-1', 'server-2', 'worker-0', 'worker-1']] } },
  { atUs: 6_000_000, fault: { kind: 'cut', from: 'server-0', to: 'server-1' } },
  { atUs: 8_000_000, fault: { kind: 'heal' } },
  { atUs: 9_000_000, fault: { kind: 'clock-jump', host: 'server-0', deltaUs: -3_600_000_000, monotonic: true } },
  { atUs: 9_000_000, fault: { kind: 'clock-skew', host: 'server-1', offsetUs: 1_500 } },
  { atUs: 10_000_000, fault: { kind: 'resume', host: 'server-0' } },
];

describe('counterexampleYaml', () => {
  it('writes a scenario that parses back to the same plan, seed and duration, keeping the base settings', () => {
    const text = counterexampleYaml(base, {
      name: 'check-counterexample',
      description: 'lease-exclusivity violated',
      seed: '12345',
      durationUs: 75_000_000,
      plan,
      expectViolation: 'lease-exclusivity',
      header: ['found by kube-ha-sim check --seed 1', ''],
    });
    expect(text.startsWith('# found by kube-ha-sim check --seed 1\n#\napiVersion: kube-ha-sim/v1\n')).toBe(true);
    const back = parseScenario(text, 'counterexample.yaml');
    expect(back.faults).toEqual(plan);
    expect(back.seed).toBe(12345);
    expect(back.durationUs).toBe(75_000_000);
    expect(back.name).toBe('check-counterexample');
    expect(back.cluster.flags['kube-scheduler']?.['--leader-elect-lease-duration']).toBe('20s');
    expect(back.expectations).toEqual([{ type: 'violation', invariant: 'lease-exclusivity', withinUs: null }]);
  });

  it('writes no expectation unless asked, and drops the base scenario\'s faults', () => {
    const back = parseScenario(counterexampleYaml(base, { name: 'x', description: 'y', seed: 'abc', durationUs: 1_000_000, plan: [] }), 'x.yaml');
    expect(back.faults).toEqual([]);
    expect(back.expectations).toEqual([]);
    expect(back.seed).toBe('abc');
  });
});
