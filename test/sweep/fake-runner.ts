// A test double of the scenario runner: a cheap stochastic stand-in with the shape of the real metrics, so the
// sweep machinery (grid, workers, shards, merge, statistics, baselines, outputs) is tested on its own.
// It models nothing faithfully and is never used outside tests.
import seedrandom from 'seedrandom';
import { parseDurationUs } from '../../src/sim/time';
import type { ParameterDef } from '../../src/sweep/parameters';
import type { SweepRunner } from '../../src/sweep/runner';
import type { MetricDef, ParameterPoint, RunMetrics } from '../../src/sweep/types';

export interface FakeRunnerConfig {
  /** Seeds whose run throws. */
  readonly failSeeds?: readonly number[];
  /** Seeds whose run reports a violation. */
  readonly violationSeeds?: readonly number[];
  /** Busy work per run (loop iterations), to make throughput measurable. */
  readonly busyIterations?: number;
  /** Extra fail-over added to every run (ms): a "worse build". */
  readonly extraFailoverMs?: number;
}

const DURATION_KEYS: Record<string, string> = {
  'kube-scheduler.--leader-elect-lease-duration': '15s',
  'kube-scheduler.--leader-elect-renew-deadline': '10s',
  'kube-scheduler.--leader-elect-retry-period': '2s',
  'haproxy.inter': '2s',
};

export const FAKE_METRICS: readonly MetricDef[] = [
  { id: 'failover:kube-system/kube-scheduler', label: 'fail-over kube-scheduler', unit: 'ms', description: 'fake fail-over gap' },
  { id: 'api-unavailable', label: 'API unavailable', unit: 'ms', description: 'fake unavailability' },
  { id: 'restarts', label: 'restarts', unit: 'count', description: 'fake restart count' },
  { id: 'violations', label: 'violations', unit: 'count', description: 'violations' },
];

function validateDuration(value: string): string | null {
  let us: number;
  try {
    us = parseDurationUs(value);
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
  return us > 0 ? null : 'must be greater than zero';
}

export function createFakeRunner(config: unknown = {}): SweepRunner {
  const c = (config ?? {}) as FakeRunnerConfig;
  const failSeeds = new Set(c.failSeeds ?? []);
  const violationSeeds = new Set(c.violationSeeds ?? []);
  return {
    scenario: { name: 'fake-failover', file: 'scenarios/fake.yaml', digest: '00000000000001', durationMs: 60_000 },
    parameters(): ParameterDef[] {
      return [
        ...Object.entries(DURATION_KEYS).map(([key, current]) => ({ key, current, validate: validateDuration })),
        {
          key: 'kube-scheduler.--leader-elect',
          current: 'true',
          validate: (v: string) => (v === 'true' || v === 'false' ? null : `expected true or false, got ${JSON.stringify(v)}`),
        },
      ];
    },
    metrics: () => FAKE_METRICS,
    run(point: ParameterPoint, seed: number): RunMetrics {
      if (failSeeds.has(seed)) throw new Error(`fake failure at seed ${seed}`);
      const rng = seedrandom.alea(`fake|${seed}`);
      let busy = 0;
      for (let i = 0; i < (c.busyIterations ?? 0); i++) busy += Math.sqrt(i);
      const ms = (key: string) => parseDurationUs(point[key] ?? DURATION_KEYS[key]!) / 1000;
      const lease = ms('kube-scheduler.--leader-elect-lease-duration');
      const retry = ms('kube-scheduler.--leader-elect-retry-period');
      const noFailover = rng() < 0.05;
      const failover = lease - retry + rng() * 2.2 * retry + (c.extraFailoverMs ?? 0) + busy * 0;
      const violated = violationSeeds.has(seed);
      return {
        values: {
          'failover:kube-system/kube-scheduler': noFailover ? null : Math.round(failover * 1000) / 1000,
          'api-unavailable': Math.round(rng() * 3 * ms('haproxy.inter')),
          restarts: Math.floor(rng() * 3),
          violations: violated ? 1 : 0,
        },
        violations: violated ? ['lease-exclusivity'] : [],
      };
    },
  };
}
