import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { caseArbitrary, propertyCheck, type CheckReport, type PropertyCheckOptions } from '../../src/check/property';
import { counterexampleYaml } from '../../src/check/report/scenario-yaml';
import { runScenario } from '../../src/run/runner';
import { parseScenario, validateScenarioData } from '../../src/scenario/parse';

const scenario = validateScenarioData({ apiVersion: 'kube-ha-sim/v1', kind: 'Scenario', metadata: { name: 'check' }, spec: {} }, null, null);
const S = 1_000_000;
const pauseSearch: PropertyCheckOptions = { scenario, runs: 40, seed: 1, classes: ['pause'], maxFaults: 4, safetyUs: 60 * S, livenessUs: 30 * S, workload: null };
let pauseReport: CheckReport | null = null;
/** The pause search, run once for the tests that look at it. */
const searchPauses = (): CheckReport => (pauseReport ??= propertyCheck(pauseSearch));

describe('propertyCheck', () => {
  it('finds a lease split brain under process pauses, shrinks it to at most 3 faults, and the scenario it writes replays it', () => {
    const report = searchPauses();
    const f = report.failure;
    expect(f).not.toBeNull();
    expect(f!.outcome).toBe('safety');
    expect(f!.violation.checker).toBe('lease-exclusivity');
    expect(f!.foundAtRun).toBeLessThanOrEqual(40);
    expect(report.runs).toBe(f!.foundAtRun);
    expect(f!.shrunk.windows.length).toBeGreaterThanOrEqual(1);
    expect(f!.shrunk.windows.length).toBeLessThanOrEqual(3);
    expect(f!.shrunk.windows.length).toBeLessThanOrEqual(f!.found.windows.length);
    expect(f!.shrunk.windows.every((w) => w.kind === 'pause')).toBe(true);
    expect(f!.withoutWorkload).toBe(true);

    // The counterexample, as `check` writes it, replays through the scenario runner (what `kube-ha-sim run` uses).
    const text = counterexampleYaml(scenario, {
      name: 'counterexample',
      description: 'test',
      seed: f!.simSeed,
      durationUs: 90 * S,
      plan: f!.shrunk.result.plan,
      expectViolation: 'lease-exclusivity',
    });
    const replay = runScenario(parseScenario(text, 'counterexample.yaml'), { record: false });
    expect(replay.violations.map((v) => v.invariant)).toEqual(['lease-exclusivity']);
    expect(replay.violations[0]!.timeUs).toBe(f!.violation.atUs);
    expect(replay.outcome).toBe('pass');
  });

  it('replays a failing run from its seed and path, shrinking it to the same plan', () => {
    const first = searchPauses().failure!;
    const again = propertyCheck({ ...pauseSearch, path: first.path }).failure!;
    expect(again.foundAtRun).toBe(1);
    expect(again.simSeed).toBe(first.simSeed);
    expect(again.found.windows).toEqual(first.found.windows);
    expect(again.shrunk.windows).toEqual(first.shrunk.windows);
    expect(again.violation).toEqual(first.violation);
  });

  it('counts runs and faults and finds nothing when process crashes are the only faults', () => {
    const progress: number[] = [];
    const report = propertyCheck({ ...pauseSearch, runs: 6, classes: ['crash'], safetyUs: 30 * S, workload: {}, onProgress: (p) => progress.push(p.runs) });
    expect(report.failure).toBeNull();
    expect(report.runs).toBe(6);
    expect(report.faultsInjected).toBeGreaterThan(0);
    expect(report.simulatedUs).toBeGreaterThanOrEqual(6 * 30 * S);
    expect(progress).toEqual([1, 2, 3, 4, 5, 6]);
  });
});

describe('caseArbitrary', () => {
  it('gives the same cases, in the same order, to an async property as to the search (what a parallel search relies on)', async () => {
    const options: PropertyCheckOptions = { ...pauseSearch, runs: 60, seed: 77, classes: ['crash', 'partition', 'loss', 'clock-jump', 'pause'] };
    const visited: unknown[] = [];
    fc.check(fc.property(caseArbitrary(options), (c) => (visited.push(c), true)), { seed: options.seed, numRuns: options.runs });
    const drawn: Array<readonly [number, unknown]> = [];
    await fc.check(
      fc.asyncProperty(caseArbitrary(options), async (c) => {
        drawn.push(c);
        await new Promise((r) => setTimeout(r, 0));
        return true;
      }),
      { seed: options.seed, numRuns: options.runs },
    );
    expect(drawn).toHaveLength(60);
    expect(drawn).toEqual(visited);
    expect(new Set(drawn.map((c) => c[0])).size).toBeGreaterThan(50);
  });
});
