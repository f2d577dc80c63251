// Shared fixtures of the sweep tests: a spec over the fake runner, and its runs computed in this thread.
import { runSlice } from '../../src/sweep/execute';
import { runCount } from '../../src/sweep/grid';
import type { RunRecord, SweepSpec } from '../../src/sweep/types';
import { createFakeRunner, type FakeRunnerConfig } from './fake-runner';

export const LEASE = 'kube-scheduler.--leader-elect-lease-duration';

export function fakeSpec(seeds: number, leases: readonly string[] = ['15s', '30s'], firstSeed = 1): SweepSpec {
  const runner = createFakeRunner();
  return { scenario: runner.scenario, axes: [{ key: LEASE, values: [...leases] }], firstSeed, seeds };
}

export function fakeRuns(spec: SweepSpec, config: FakeRunnerConfig = {}): RunRecord[] {
  return runSlice(createFakeRunner(config), spec, 0, runCount(spec));
}

/** A deterministic shuffle (Fisher-Yates on an LCG). */
export function shuffled<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  let state = seed >>> 0;
  for (let i = out.length - 1; i > 0; i--) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    const j = state % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}
