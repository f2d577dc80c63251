// The property check behind `kube-ha-sim check`: draws fault plans with fast-check (one per run, swarm-style),
// runs each through the check harness, and on the first failure shrinks the plan to a minimal one that fails the
// same way (same outcome, same checker).
//
// Determinism: fast-check draws from `seed` (each run's simulation seed is drawn too), so `seed` + the failing
// run's `path` replay it; shrinking is our own deterministic delta debugging, so the same (seed, path) always
// shrinks to the same plan. Nothing here reads a clock; the CLI measures time.
import fc from 'fast-check';
import { ScenarioRun } from '../run/runner';
import type { Scenario } from '../scenario/types';
import { runCheck, type CheckOutcome, type CheckRunResult, type WorkloadSettings } from './harness';
import type { InjectedBugs } from './bugs';
import type { CheckViolation } from './checkers/types';
import { planArbitrary, type GeneratedPlan } from './plan/arbitrary';
import type { FaultClass } from './plan/classes';
import { shrinkWindows } from './plan/shrink';
import { faultTargets } from './plan/targets';
import type { FaultWindow } from './plan/window';

export interface PropertyCheckOptions {
  /** The cluster and settings to check (its own faults are replaced by the generated ones). */
  readonly scenario: Scenario;
  /** Runs to try. */
  readonly runs: number;
  /** fast-check seed (32-bit integer): decides every plan and every run's simulation seed. */
  readonly seed: number;
  readonly classes: readonly FaultClass[];
  readonly maxFaults: number;
  /** Safety phase length (faults play in [0, safetyUs)). */
  readonly safetyUs: number;
  /** Convergence bound after the heal. */
  readonly livenessUs: number;
  /** The KV workload (linearizability and acknowledged writes); null for none. */
  readonly workload: WorkloadSettings | null;
  /** Replays the run at this fast-check path (from a previous report) instead of searching. */
  readonly path?: string;
  /** Simulation runs the shrinker may spend. Default 150. */
  readonly shrinkRuns?: number;
  readonly linearizabilitySteps?: number;
  readonly maxEvents?: number;
  /** TEST ONLY: bugs to inject in every run (src/check/bugs.ts). */
  readonly bugs?: InjectedBugs;
  /** Called after every run. */
  readonly onProgress?: (progress: CheckProgress) => void;
}

export interface CheckProgress {
  readonly phase: 'search' | 'shrink';
  /** Search runs done. */
  readonly runs: number;
  readonly totalRuns: number;
  readonly faults: number;
  readonly shrinkRuns: number;
  readonly shrinkBudget: number;
}

export interface FailingRun {
  readonly windows: readonly FaultWindow[];
  readonly result: CheckRunResult;
}

export interface CheckFailure {
  readonly outcome: Exclude<CheckOutcome, 'pass'>;
  readonly violation: CheckViolation;
  /** The failing run's simulation seed. */
  readonly simSeed: number;
  readonly swarm: GeneratedPlan['swarm'];
  /** As found, and after shrinking. */
  readonly found: FailingRun;
  readonly shrunk: FailingRun;
  /** fast-check replay: seed and path of the failing run. */
  readonly seed: number;
  readonly path: string;
  /** Which search run found it (1-based). */
  readonly foundAtRun: number;
  readonly shrinkRuns: number;
  /** Whether the shrunk plan also fails without the KV workload, i.e. as `kube-ha-sim run` plays the scenario. */
  readonly withoutWorkload: boolean;
}

export interface CheckReport {
  /** Search runs done. */
  readonly runs: number;
  /** Fault windows injected over the search runs. */
  readonly faultsInjected: number;
  /** Simulated time and events over the search runs. */
  readonly simulatedUs: number;
  readonly events: number;
  /** Runs whose linearizability check gave up (search budget exhausted). */
  readonly linearizabilityUnknown: number;
  readonly failure: CheckFailure | null;
}

const MAX_SEED = 0x7fffffff;

export function propertyCheck(options: PropertyCheckOptions): CheckReport {
  if (!(options.runs >= 1) || !Number.isInteger(options.runs)) throw new RangeError(`propertyCheck: runs must be a whole number >= 1, got ${options.runs}`);
  // Aim only at processes the cluster really runs: ask a freshly built (never run) copy of it.
  const probe = new ScenarioRun(options.scenario, { record: false, untilUs: 1 });
  const targets = faultTargets(options.scenario.cluster, (host) => probe.cluster.processesOn(host));
  const arbitrary = fc.tuple(fc.integer({ min: 1, max: MAX_SEED }), planArbitrary({ classes: options.classes, maxFaults: options.maxFaults, safetyUs: options.safetyUs }, targets));
  const shrinkBudget = options.shrinkRuns ?? 150;
  let runs = 0;
  let faults = 0;
  let simulatedUs = 0;
  let events = 0;
  let linearizabilityUnknown = 0;
  let failing: { simSeed: number; plan: GeneratedPlan; result: CheckRunResult } | null = null;
  const progress = (phase: CheckProgress['phase'], shrinkRuns: number): void =>
    options.onProgress?.({ phase, runs, totalRuns: options.runs, faults, shrinkRuns, shrinkBudget });

  const runOne = (simSeed: number, windows: readonly FaultWindow[], workload: WorkloadSettings | null): CheckRunResult =>
    runCheck({
      scenario: options.scenario,
      seed: simSeed,
      windows,
      safetyUs: options.safetyUs,
      livenessUs: options.livenessUs,
      workload,
      ...(options.linearizabilitySteps !== undefined ? { linearizabilitySteps: options.linearizabilitySteps } : {}),
      ...(options.maxEvents !== undefined ? { maxEvents: options.maxEvents } : {}),
      ...(options.bugs !== undefined ? { bugs: options.bugs } : {}),
    });

  const details = fc.check(
    fc.property(arbitrary, ([simSeed, plan]) => {
      const result = runOne(simSeed, plan.windows, options.workload);
      runs++;
      faults += result.faultsInjected;
      simulatedUs += result.endUs;
      events += result.events;
      if (result.linearizability?.kind === 'unknown') linearizabilityUnknown++;
      progress('search', 0);
      if (result.outcome === 'pass') return true;
      failing = { simSeed, plan, result };
      return false;
    }),
    { seed: options.seed, numRuns: options.runs, endOnFailure: true, ...(options.path !== undefined ? { path: options.path } : {}) },
  );
  const base = { runs, faultsInjected: faults, simulatedUs, events, linearizabilityUnknown };
  if (!details.failed || failing === null) {
    if (details.failed && details.errorInstance) throw details.errorInstance;
    return { ...base, failure: null };
  }
  const found: { simSeed: number; plan: GeneratedPlan; result: CheckRunResult } = failing;
  const target = found.result;
  const sameFailure = (r: CheckRunResult): boolean => r.outcome === target.outcome && r.violation?.checker === target.violation?.checker;

  // Engine-invariant failures (lease exclusivity, Raft safety) may not need the workload: then shrink without it,
  // so the counterexample replays exactly under `kube-ha-sim run`.
  let workload = options.workload;
  let shrinkRuns = 0;
  let withoutWorkload = options.workload === null;
  if (options.workload !== null && target.outcome === 'safety' && target.violation !== null && !['linearizability', 'acked-write-lost'].includes(target.violation.checker)) {
    shrinkRuns++;
    progress('shrink', shrinkRuns);
    if (sameFailure(runOne(found.simSeed, found.plan.windows, null))) {
      workload = null;
      withoutWorkload = true;
    }
  }
  const shrunk = shrinkWindows(
    found.plan.windows,
    (windows) => {
      shrinkRuns++;
      const r = runOne(found.simSeed, windows, workload);
      progress('shrink', shrinkRuns);
      return sameFailure(r);
    },
    { maxRuns: Math.max(0, shrinkBudget - shrinkRuns) },
  );
  const finalResult = runOne(found.simSeed, shrunk.items, workload);
  shrinkRuns++;
  progress('shrink', shrinkRuns);
  if (!sameFailure(finalResult)) throw new Error('check: the shrunk fault plan no longer fails (the simulation is not deterministic?)');
  return {
    ...base,
    failure: {
      outcome: target.outcome as Exclude<CheckOutcome, 'pass'>,
      violation: finalResult.violation!,
      simSeed: found.simSeed,
      swarm: found.plan.swarm,
      found: { windows: found.plan.windows, result: found.result },
      shrunk: { windows: shrunk.items, result: finalResult },
      seed: options.seed,
      path: details.counterexamplePath ?? '',
      foundAtRun: runs,
      shrinkRuns,
      withoutWorkload,
    },
  };
}
