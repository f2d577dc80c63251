// The programmatic runner: (scenario, seed, overrides) -> RunResult. Used by `kube-ha-sim run`, by `check` and
// `sweep`, and by users' own vitest / fast-check properties:
//
//   const scenario = parseScenario(text, 'my.yaml');
//   const result = runScenario(scenario, { seed: 7, untilUs: 90_000_000 });
//   expect(result.violations).toEqual([]);
//
// or step by step, to look at the cluster between steps:
//
//   const run = new ScenarioRun(scenario, { seed: 7, faults: myPlan });
//   run.runUntil(30_000_000);
//   run.cluster.leaderHost('kube-system/kube-scheduler');
//   const result = run.finish();
//
// A run is a pure function of (scenario, options): same inputs, same result and byte-identical traces.
import type { StopReason, Violation } from '../sim/engine';
import { describeFault, type Fault, type FaultPlan, type FaultStep } from '../sim/faults';
import type { Seed } from '../sim/rng';
import { Simulation } from '../sim/simulation';
import { formatDurationUs } from '../sim/time';
import { MemorySink, type TraceEvent, type TraceKind, type TraceSink } from '../sim/trace';
import '../report/trace-kinds';
import { buildCluster, type Cluster } from '../cluster/build';
import { PROC } from '../cluster/roles';
import { isInspectionProcess } from '../cluster/exec';
import { checkDuplicatedWork } from '../check/checkers/duplicated-work';
import { ActingLeaders } from '../lease/acting';
import { applySettings, checkSetting, type FlagSetting } from '../scenario/overrides';
import { electionLeases } from '../scenario/resolve';
import { LEADER_REF_PREFIX, faultHosts, isLeaderRef, type Scenario } from '../scenario/types';
import { evaluate } from './expectations';
import { computeMetrics } from './metrics';
import type { InspectionOutput, RunResult, SkippedFault } from './result';

export interface RunOptions {
  /** Default: the scenario's spec.seed (1 if it has none). */
  readonly seed?: Seed;
  /** How long to run, µs. Default: the scenario's spec.duration (60 s if it has none). */
  readonly untilUs?: number;
  /** Replaces the scenario's fault timeline (hosts may be leader references, `@leader:etcd`). */
  readonly faults?: FaultPlan;
  /** Faults added to the timeline (the scenario's, or `faults`). */
  readonly addFaults?: FaultPlan;
  /** Flag overrides: parsed settings, or `{'kube-scheduler.--leader-elect-lease-duration': '30s'}`. */
  readonly set?: readonly FlagSetting[] | Readonly<Record<string, string | number | boolean>>;
  /** Extra trace sinks (NDJSON, Perfetto, your own), attached before the cluster is built. */
  readonly sinks?: readonly TraceSink[];
  /**
   * Keep in memory the events the timeline report needs (default true). Sweeps and property checks that only
   * need the RunResult turn it off.
   */
  readonly record?: boolean;
  /** The command printed to replay this run. Default: `kube-ha-sim run FILE --seed N` plus the overrides. */
  readonly replayCommand?: string;
  /** Runaway protection (engine event limit). */
  readonly maxEvents?: number;
  /** Called once the cluster is built, before anything runs (add invariants, hooks, probes). */
  readonly onBuilt?: (run: ScenarioRun) => void;
  /**
   * A split brain (two replicas acting as leader of one lease) stops the run at once ('stop', the default, as every
   * invariant does), or is measured: the run goes on and the violation reports the whole overlap ('measure', what
   * `kube-ha-sim run` does).
   */
  readonly splitBrain?: 'stop' | 'measure';
  /** Called once the simulation exists, before the cluster is built (TEST ONLY: src/check/bugs.ts setInjectedBugs). */
  readonly beforeBuild?: (sim: Simulation) => void;
}

/** Kinds the timeline report reads; recorded when `record` is on. */
export const RECORDED_KINDS: readonly TraceKind[] = ['run.start', 'run.end', 'fault', 'host.state', 'proc.state', 'violation', 'lease.acting',
  'etcd.leader',
  'apiserver.request',
  'lb.server',
  'lb.backend',
  'lb.vrrp',
  'kubelet.static-pod',
  'cluster.api',
  'cluster.start-delay',
  'k8s.event',
];

/** An error inside the simulation (a bug, not bad input): carries what is needed to reproduce it. */
export class RunError extends Error {
  constructor(
    override readonly cause: unknown,
    readonly seed: string,
    readonly replay: string,
    readonly timeUs: number,
  ) {
    super(`internal error at t=${(timeUs / 1e6).toFixed(3)}s: ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = 'RunError';
  }
}

function normaliseSettings(set: RunOptions['set']): FlagSetting[] {
  if (set === undefined) return [];
  if (Array.isArray(set)) return [...(set as readonly FlagSetting[])];
  return Object.entries(set as Record<string, string | number | boolean>).map(([key, value]) => checkSetting(key, value, typeof value === 'string'));
}

export function defaultReplayCommand(scenario: Scenario, seed: string, untilUs: number | undefined, settings: readonly FlagSetting[]): string {
  const parts = ['kube-ha-sim', 'run', scenario.file ?? `${scenario.name}.yaml`, '--seed', seed];
  if (untilUs !== undefined && untilUs !== scenario.durationUs) parts.push('--until', formatDurationUs(untilUs));
  for (const s of settings) parts.push('--set', shellQuote(`${s.component}.${s.flag}=${String(s.value)}`));
  return parts.join(' ');
}

function shellQuote(text: string): string {
  return /^[A-Za-z0-9_.,:/=+@-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}

export class ScenarioRun {
  readonly scenario: Scenario;
  readonly sim: Simulation;
  readonly cluster: Cluster;
  readonly seed: string;
  readonly untilUs: number;
  readonly replay: string;
  readonly plan: FaultPlan;
  /** The recorded events (when `record` is on), for reports. */
  readonly recorder: MemorySink | null;
  private readonly skipped: SkippedFault[] = [];
  private readonly inspectionOutputs: InspectionOutput[] = [];
  private readonly starts = new Map<string, number>();
  private result: RunResult | null = null;
  private lastStop: StopReason | null = null;

  constructor(scenario: Scenario, options: RunOptions = {}) {
    const settings = normaliseSettings(options.set);
    this.scenario = applySettings(scenario, settings);
    this.seed = String(options.seed ?? scenario.seed);
    this.untilUs = options.untilUs ?? this.scenario.durationUs;
    this.replay = options.replayCommand ?? defaultReplayCommand(scenario, this.seed, options.untilUs, settings);
    this.plan = [...(options.faults ?? this.scenario.faults), ...(options.addFaults ?? [])];
    this.sim = new Simulation({ seed: this.seed, replayCommand: this.replay, ...(options.maxEvents !== undefined ? { maxEvents: options.maxEvents } : {}) });
    const trace = this.sim.engine.trace;
    this.recorder = options.record === false ? null : new MemorySink(RECORDED_KINDS);
    if (this.recorder) trace.addSink(this.recorder);
    trace.addSink(this.restartCounter());
    for (const sink of options.sinks ?? []) trace.addSink(sink);
    trace.emit('run.start', { seed: this.seed, scenario: this.scenario.name, faults: this.plan });
    options.beforeBuild?.(this.sim);
    this.cluster = guard(this, () => buildCluster(this.sim, this.scenario.cluster, { splitBrain: options.splitBrain ?? 'stop' }));
    this.scheduleFaults();
    this.scheduleInspections();
    options.onBuilt?.(this);
  }

  get nowUs(): number {
    return this.sim.engine.nowUs;
  }

  /** Runs until `untilUs` (default: the run's end), or until an invariant is violated. */
  runUntil(untilUs: number = this.untilUs): StopReason {
    if (this.result !== null) throw new Error('ScenarioRun.runUntil after finish()');
    this.lastStop = guard(this, () => this.sim.runUntil(Math.min(untilUs, this.untilUs)));
    return this.lastStop;
  }

  /** Runs to the end (if not there yet), closes the trace sinks and returns the result. Idempotent. */
  finish(): RunResult {
    if (this.result !== null) return this.result;
    if (this.lastStop === null || (this.lastStop === 'time' && this.nowUs < this.untilUs)) this.runUntil();
    const engine = this.sim.engine;
    const stopReason = engine.violation ? `violation: ${engine.violation.invariant}` : this.lastStop === 'idle' || this.lastStop === 'time' ? 'end of run' : String(engine.stopReason ?? this.lastStop);
    this.sim.finish(stopReason);
    const endUs = engine.nowUs;
    const leaders = this.cluster.leaders();
    const violations: Violation[] = engine.violation ? [engine.violation] : [];
    // A measured split brain (RunOptions.splitBrain 'measure'): reported with its whole overlap.
    const splitBrain = engine.violation ? null : this.cluster.splitBrain();
    if (splitBrain !== null) {
      violations.push({
        invariant: splitBrain.checker,
        message: `${splitBrain.message}: ${splitBrain.details.split('\n').join(' and ')}`,
        hosts: splitBrain.hosts,
        timeUs: splitBrain.atUs,
        event: engine.eventsRun,
        seed: this.seed,
        replay: this.replay,
      });
    }
    // End-of-run check of what the acting leaders did: a pod bound twice, more pods than a ReplicaSet's replicas.
    if (engine.violation === null) {
      const duplicated = checkDuplicatedWork(ActingLeaders.of(engine).actions, this.scenario.cluster.workload.replicaSets);
      if (duplicated !== null) {
        violations.push({
          invariant: duplicated.checker,
          message: duplicated.message,
          hosts: duplicated.hosts,
          timeUs: duplicated.atUs,
          event: engine.eventsRun,
          seed: this.seed,
          replay: this.replay,
        });
      }
    }
    const leases = electionLeases(this.scenario.cluster);
    const scheduling = this.cluster.scheduling();
    const metrics = computeMetrics({
      leaders,
      applied: this.sim.faults.applied,
      endUs,
      leaseComponents: { [leases.scheduler]: PROC.scheduler, [leases.controllerManager]: PROC.controllerManager },
      apiUnavailableUs: this.cluster.apiUnavailableUs(),
      starts: this.starts,
      schedulingDelaysUs: scheduling.delaysUs,
      unscheduledPods: scheduling.unscheduled,
      lbSessions: this.cluster.lbSessions(),
    });
    const expectations = this.scenario.expectations.map((e) => evaluate(e, { leaders, violations, metrics, inspections: this.inspectionOutputs, endUs }));
    const expectedViolations = new Set(this.scenario.expectations.flatMap((e) => (e.type === 'violation' ? [e.invariant] : [])));
    const unexpected = violations.some((v) => !expectedViolations.has(v.invariant));
    this.result = {
      scenario: this.scenario.name,
      file: this.scenario.file,
      seed: this.seed,
      untilUs: this.untilUs,
      endUs,
      stopReason,
      events: engine.eventsRun,
      faults: { planned: this.plan, applied: [...this.sim.faults.applied], skipped: [...this.skipped] },
      violations,
      leaders,
      inspections: [...this.inspectionOutputs],
      expectations,
      metrics,
      outcome: unexpected || expectations.some((e) => !e.passed) ? 'fail' : 'pass',
      replay: this.replay,
    };
    return this.result;
  }

  /** The recorded events (empty when recording is off). */
  events(): readonly TraceEvent[] {
    return this.recorder?.events ?? [];
  }

  private scheduleFaults(): void {
    const engine = this.sim.engine;
    const ordered = this.plan.map((step, index) => ({ step, index })).sort((a, b) => a.step.atUs - b.step.atUs || a.index - b.index);
    const staticSteps = ordered.filter(({ step }) => !faultHosts(step.fault).some(isLeaderRef)).map(({ step }) => step);
    const problems = this.sim.faults.validate(staticSteps);
    if (problems.length > 0) throw new Error(`invalid fault plan:\n  ${problems.join('\n  ')}`);
    for (const { step } of ordered) engine.scheduleAt(Math.max(step.atUs, engine.nowUs), () => this.fire(step));
  }

  private fire(step: FaultStep): void {
    let fault: Fault = step.fault;
    const refs = faultHosts(fault).filter(isLeaderRef);
    if (refs.length > 0) {
      const resolved = new Map<string, string>();
      for (const ref of refs) {
        const host = this.cluster.leaderHost(ref.slice(LEADER_REF_PREFIX.length));
        if (host === null) {
          const reason = `${ref.slice(LEADER_REF_PREFIX.length)} has no leader at this moment`;
          this.skipped.push({ atUs: this.nowUs, fault, reason });
          const trace = this.sim.engine.trace;
          if (trace.wants('fault')) trace.emit('fault', { action: fault.kind, target: ref, detail: `${describeFault(fault)} skipped: ${reason}` });
          return;
        }
        resolved.set(ref, host);
      }
      fault = substituteHosts(fault, (h) => resolved.get(h) ?? h);
    }
    this.sim.faults.apply(fault);
  }

  private scheduleInspections(): void {
    const engine = this.sim.engine;
    for (const step of this.scenario.inspections) {
      engine.scheduleAt(step.atUs, () => {
        this.cluster.exec(step.on, step.exec, (output, exitCode) => {
          this.inspectionOutputs.push({ atUs: step.atUs, name: step.name, exec: step.exec, on: step.on, output, exitCode });
        });
      });
    }
  }

  /** Counts process starts (a start is a transition to running from a state that was not alive: not a resume). */
  private restartCounter(): TraceSink {
    const last = new Map<string, string>();
    return {
      kinds: new Set(['proc.state']),
      write: (event: TraceEvent) => {
        if (event.kind !== 'proc.state' || isInspectionProcess(event.proc)) return;
        const key = `${event.host}/${event.proc}`;
        const before = last.get(key);
        last.set(key, event.state);
        if (event.state === 'running' && before !== 'paused' && before !== 'stopping' && before !== 'running') this.starts.set(key, (this.starts.get(key) ?? 0) + 1);
      },
    };
  }
}

/** Runs a scenario to its end and returns the result. */
export function runScenario(scenario: Scenario, options: RunOptions = {}): RunResult {
  return new ScenarioRun(scenario, options).finish();
}

function guard<T>(run: ScenarioRun, body: () => T): T {
  try {
    return body();
  } catch (err) {
    if (err instanceof RunError) throw err;
    throw new RunError(err, run.seed, run.replay, run.sim?.engine.nowUs ?? 0);
  }
}

function substituteHosts(fault: Fault, map: (host: string) => string): Fault {
  switch (fault.kind) {
    case 'partition':
      return { ...fault, groups: fault.groups.map((g) => g.map(map)) };
    case 'cut':
    case 'link':
      return { ...fault, from: map(fault.from), to: map(fault.to) };
    case 'clear-link':
      return fault;
    case 'heal':
      return fault.host === undefined ? fault : { ...fault, host: map(fault.host) };
    default:
      return { ...fault, host: map(fault.host) };
  }
}
