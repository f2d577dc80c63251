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
  /** Called after every run (by a parallel search: as results come in, with the runs done so far in order). */
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

/** Everything a search run depends on besides its (seed, plan): what a worker thread needs to run one. */
export type RunSettings = Pick<PropertyCheckOptions, 'scenario' | 'safetyUs' | 'livenessUs' | 'workload' | 'linearizabilitySteps' | 'maxEvents' | 'bugs'>;

/** What the search keeps of a run: enough for the report's totals and to know which run failed first. */
export interface RunSummary {
  readonly outcome: CheckOutcome;
  readonly faultsInjected: number;
  readonly endUs: number;
  readonly events: number;
  readonly linearizabilityUnknown: boolean;
}

/** One run of the search: its simulation seed and the fault plan drawn for it. */
export type SearchCase = readonly [simSeed: number, plan: GeneratedPlan];

function checkRuns(options: PropertyCheckOptions): void {
  if (!(options.runs >= 1) || !Number.isInteger(options.runs)) throw new RangeError(`propertyCheck: runs must be a whole number >= 1, got ${options.runs}`);
}

/**
 * The arbitrary every search run is drawn from: a simulation seed and a plan aimed at what the cluster runs. A
 * parallel search draws from it with the same seed (fast-check draws the same values for the same seed and run
 * index, whatever the property does with them).
 */
export function caseArbitrary(options: PropertyCheckOptions): fc.Arbitrary<SearchCase> {
  // Aim only at processes the cluster really runs: ask a freshly built (never run) copy of it.
  const probe = new ScenarioRun(options.scenario, { record: false, untilUs: 1 });
  const targets = faultTargets(options.scenario.cluster, (host) => probe.cluster.processesOn(host));
  return fc.tuple(fc.integer({ min: 1, max: MAX_SEED }), planArbitrary({ classes: options.classes, maxFaults: options.maxFaults, safetyUs: options.safetyUs }, targets));
}

/** Runs one case with every checker on. */
export function runCase(settings: RunSettings, simSeed: number, windows: readonly FaultWindow[], workload = settings.workload): CheckRunResult {
  return runCheck({
    scenario: settings.scenario,
    seed: simSeed,
    windows,
    safetyUs: settings.safetyUs,
    livenessUs: settings.livenessUs,
    workload,
    ...(settings.linearizabilitySteps !== undefined ? { linearizabilitySteps: settings.linearizabilitySteps } : {}),
    ...(settings.maxEvents !== undefined ? { maxEvents: settings.maxEvents } : {}),
    ...(settings.bugs !== undefined ? { bugs: settings.bugs } : {}),
  });
}

export function summarize(result: CheckRunResult): RunSummary {
  return {
    outcome: result.outcome,
    faultsInjected: result.faultsInjected,
    endUs: result.endUs,
    events: result.events,
    linearizabilityUnknown: result.linearizability?.kind === 'unknown',
  };
}

/** The search's totals, added up run by run in the search's order. */
export class SearchTally {
  runs = 0;
  faultsInjected = 0;
  simulatedUs = 0;
  events = 0;
  linearizabilityUnknown = 0;

  add(s: RunSummary): void {
    this.runs++;
    this.faultsInjected += s.faultsInjected;
    this.simulatedUs += s.endUs;
    this.events += s.events;
    if (s.linearizabilityUnknown) this.linearizabilityUnknown++;
  }

  totals(): Omit<CheckReport, 'failure'> {
    const { runs, faultsInjected, simulatedUs, events, linearizabilityUnknown } = this;
    return { runs, faultsInjected, simulatedUs, events, linearizabilityUnknown };
  }
}

/**
 * Searches the cases in order and shrinks the first failure. With `options.path`, replays that one run (and its
 * shrinking) instead.
 */
export function propertyCheck(options: PropertyCheckOptions): CheckReport {
  checkRuns(options);
  const shrinkBudget = options.shrinkRuns ?? 150;
  const tally = new SearchTally();
  let failing: { simSeed: number; plan: GeneratedPlan; result: CheckRunResult } | null = null;

  const details = fc.check(
    fc.property(caseArbitrary(options), ([simSeed, plan]) => {
      const result = runCase(options, simSeed, plan.windows);
      tally.add(summarize(result));
      options.onProgress?.({ phase: 'search', runs: tally.runs, totalRuns: options.runs, faults: tally.faultsInjected, shrinkRuns: 0, shrinkBudget });
      if (result.outcome === 'pass') return true;
      failing = { simSeed, plan, result };
      return false;
    }),
    { seed: options.seed, numRuns: options.runs, endOnFailure: true, ...(options.path !== undefined ? { path: options.path } : {}) },
  );
  const totals = tally.totals();
  if (!details.failed || failing === null) {
    if (details.failed && details.errorInstance) throw details.errorInstance;
    return { ...totals, failure: null };
  }
  return { ...totals, failure: shrinkFailure(options, failing, details.counterexamplePath ?? '', totals) };
}

/**
 * Shrinks a failing case to a minimal plan that fails the same way (same outcome, same checker). `search` is the
 * search so far (its totals go into the progress reports; the failing run is its last).
 */
export function shrinkFailure(
  options: PropertyCheckOptions,
  found: { readonly simSeed: number; readonly plan: GeneratedPlan; readonly result: CheckRunResult },
  path: string,
  search: Omit<CheckReport, 'failure'>,
): CheckFailure {
  const shrinkBudget = options.shrinkRuns ?? 150;
  const target = found.result;
  const sameFailure = (r: CheckRunResult): boolean => r.outcome === target.outcome && r.violation?.checker === target.violation?.checker;
  let shrinkRuns = 0;
  const progress = (): void =>
    options.onProgress?.({ phase: 'shrink', runs: search.runs, totalRuns: options.runs, faults: search.faultsInjected, shrinkRuns, shrinkBudget });

  // Engine-invariant failures (lease exclusivity, Raft safety) may not need the workload: then shrink without it,
  // so the counterexample replays exactly under `kube-ha-sim run`.
  let workload = options.workload;
  let withoutWorkload = options.workload === null;
  if (options.workload !== null && target.outcome === 'safety' && target.violation !== null && !['linearizability', 'acked-write-lost'].includes(target.violation.checker)) {
    shrinkRuns++;
    progress();
    if (sameFailure(runCase(options, found.simSeed, found.plan.windows, null))) {
      workload = null;
      withoutWorkload = true;
    }
  }
  const shrunk = shrinkWindows(
    found.plan.windows,
    (windows) => {
      shrinkRuns++;
      const r = runCase(options, found.simSeed, windows, workload);
      progress();
      return sameFailure(r);
    },
    { maxRuns: Math.max(0, shrinkBudget - shrinkRuns) },
  );
  const finalResult = runCase(options, found.simSeed, shrunk.items, workload);
  shrinkRuns++;
  progress();
  if (!sameFailure(finalResult)) throw new Error('check: the shrunk fault plan no longer fails (the simulation is not deterministic?)');
  return {
    outcome: target.outcome as Exclude<CheckOutcome, 'pass'>,
    violation: finalResult.violation!,
    simSeed: found.simSeed,
    swarm: found.plan.swarm,
    found: { windows: found.plan.windows, result: found.result },
    shrunk: { windows: shrunk.items, result: finalResult },
    seed: options.seed,
    path,
    foundAtRun: search.runs,
    shrinkRuns,
    withoutWorkload,
  };
}
