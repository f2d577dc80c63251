// One property-checking run: the full control plane of a scenario under a fault plan, every checker on, in two
// phases (as TigerBeetle's VOPR does):
// 1. safety: the faults of the plan play during [0, safetyUs); the engine invariants (lease exclusivity, Raft
//    safety, whatever the cluster builder registers) stop the run at the first violation;
// 2. liveness: at safetyUs every fault is healed (network healed, links restored, processes resumed, clock drift
//    stopped) and the cluster must converge within livenessUs: one etcd leader, every lease held by one acting
//    leader, the API answering through the load balancer, the workload's final reads done.
// Then the end-of-run checks: no acknowledged write lost, linearizability of the workload's history.
//
// The heal steps are part of the fault plan, so the plan written to a scenario file replays the same run.
import { ActingLeaders } from '../lease/acting';
import { PROC } from '../cluster/roles';
import { allHosts } from '../cluster/spec';
import { RunError, ScenarioRun } from '../run/runner';
import { electionLeases } from '../scenario/resolve';
import { faultHosts, isLeaderRef, type Scenario } from '../scenario/types';
import type { Fault, FaultPlan, FaultStep } from '../sim/faults';
import type { Seed } from '../sim/rng';
import { formatDurationUs } from '../sim/time';
import type { TraceSink } from '../sim/trace';
import type { Simulation } from '../sim/simulation';
import { setInjectedBugs, type InjectedBugs } from './bugs';
import { checkAckedWrites } from './checkers/acked-writes';
import { checkDuplicatedWork } from './checkers/duplicated-work';
import { ETCD_AVAILABILITY, EtcdAvailabilityMonitor, type EtcdMemberProbe } from './checkers/etcd-availability';
import { LB_HEALTH, LbHealthMonitor, lbDetectionBoundsUs, type LbBackendProbe, type LbProbe } from './checkers/lb-health';
import { parseHaproxyTimeUs } from '../scenario/flags';
import { flagValue } from '../cluster/spec';
import { CHECKER_NAMES, type CheckViolation } from './checkers/types';
import { checkLinearizability, type LinearizabilityResult } from './linearizability/checker';
import { kvModel, type KvInput, type KvOutput, type KvState } from './linearizability/kv-model';
import type { Operation } from './linearizability/history';
import { toFaultPlan, type FaultWindow } from './plan/window';
import { KvHistoryRecorder } from './workload/kv-history';
import { DEFAULT_KV_WORKLOAD, KvWorkloadControl, kvWorkloadProcess, type KvWorkloadOptions } from './workload/kv-workload';

/** Settings of the KV workload a check run adds (null: none). */
export type WorkloadSettings = Omit<KvWorkloadOptions, 'endpoints' | 'recorder' | 'control'> & {
  /** The host it runs on. Default: the first worker, else the first control-plane host. */
  readonly host?: string;
};

export interface CheckRunConfig {
  readonly scenario: Scenario;
  readonly seed: Seed;
  /** The fault windows (their steps and the heal steps make the plan)... */
  readonly windows?: readonly FaultWindow[];
  /** ...or a plan as is (a scenario file's faults, heal steps included). */
  readonly plan?: FaultPlan;
  /** Length of the safety phase (faults play in [0, safetyUs)). */
  readonly safetyUs: number;
  /** Bound on convergence after the heal at safetyUs. */
  readonly livenessUs: number;
  /** The KV workload for the linearizability and acknowledged-write checks; null for none. */
  readonly workload: WorkloadSettings | null;
  /** Search budget of the linearizability check (steps per key). Default 1,000,000. */
  readonly linearizabilitySteps?: number;
  /** Runaway protection. Default 50,000,000 events. */
  readonly maxEvents?: number;
  readonly sinks?: readonly TraceSink[];
  /** The command printed to replay this run. */
  readonly replayCommand?: string;
  /** TEST ONLY: bugs to inject (src/check/bugs.ts). */
  readonly bugs?: InjectedBugs;
}

export type CheckOutcome =
  /** Every checker passed and the cluster converged. */
  | 'pass'
  /** A safety property broke (lease exclusivity, Raft, linearizability, acknowledged write lost, ...). */
  | 'safety'
  /** The cluster did not converge within the bound after the faults healed. */
  | 'liveness'
  /** The simulation itself failed (a bug: an exception, the event limit). */
  | 'error';

export interface CheckRunResult {
  readonly outcome: CheckOutcome;
  readonly violation: CheckViolation | null;
  /** The fault plan as run: the windows' steps, then the heal steps at safetyUs. */
  readonly plan: FaultPlan;
  /** Fault windows that started within the safety phase. */
  readonly faultsInjected: number;
  /** Leader references of the plan and the hosts they resolved to when they fired. */
  readonly leaderRefs: ReadonlyMap<string, string>;
  /** Simulated time at the end of the run. */
  readonly endUs: number;
  /** When the cluster converged after the heal (null if it did not, or the run stopped before). */
  readonly convergedAtUs: number | null;
  readonly events: number;
  readonly linearizability: LinearizabilityResult<KvState, KvInput, KvOutput> | null;
  readonly history: ReadonlyArray<Operation<KvInput, KvOutput>>;
  /** The run, for queries (cluster, acting leaders, ...). */
  readonly run: ScenarioRun | null;
}

export const DEFAULT_LIVENESS_US = 60_000_000;
export const DEFAULT_MAX_EVENTS = 50_000_000;
const SAMPLE_US = 500_000;

/** The steps that heal every fault at `atUs`: heal the network, restore links, resume processes, stop drift. */
export function healSteps(scenario: Scenario, windows: readonly FaultWindow[], atUs: number): FaultStep[] {
  const hosts = allHosts(scenario.cluster).map((h) => h.name);
  const steps: FaultStep[] = [
    { atUs, fault: { kind: 'heal' } },
    { atUs, fault: { kind: 'clear-link' } },
  ];
  const paused = new Set<string>();
  const drifting = new Set<string>();
  for (const w of windows) {
    if (w.atUs >= atUs) continue;
    if (w.kind === 'pause') {
      if (isLeaderRef(w.target.host)) for (const h of hosts) paused.add(h);
      else paused.add(w.target.host);
    }
    if (w.kind === 'clock-drift') {
      if (isLeaderRef(w.host)) for (const h of hosts) drifting.add(h);
      else drifting.add(w.host);
    }
  }
  for (const host of hosts) if (paused.has(host)) steps.push({ atUs, fault: { kind: 'resume', host } });
  for (const host of hosts) if (drifting.has(host)) steps.push({ atUs, fault: { kind: 'clock-drift', host, driftPpm: 0 } });
  return steps;
}

/** The whole plan of a check run: the windows' steps within the safety phase, then the heal. */
export function checkPlan(scenario: Scenario, windows: readonly FaultWindow[], safetyUs: number): FaultPlan {
  return [...toFaultPlan(windows, safetyUs, allHosts(scenario.cluster).map((h) => h.name)), ...healSteps(scenario, windows, safetyUs)];
}

function sameExceptHosts(planned: Fault, applied: Fault): boolean {
  return planned.kind === applied.kind;
}

/** Leader references of the plan -> hosts they resolved to, read from the faults as applied. */
function resolvedLeaderRefs(plan: FaultPlan, applied: readonly FaultStep[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const step of plan) {
    const refs = faultHosts(step.fault).filter(isLeaderRef);
    if (refs.length === 0) continue;
    const match = applied.find((a) => a.atUs === step.atUs && sameExceptHosts(step.fault, a.fault));
    if (match === undefined) continue;
    const plannedHosts = faultHosts(step.fault);
    const appliedHosts = faultHosts(match.fault);
    plannedHosts.forEach((h, i) => {
      if (isLeaderRef(h) && appliedHosts[i] !== undefined && !out.has(h)) out.set(h, appliedHosts[i]!);
    });
  }
  return out;
}

interface Convergence {
  readonly converged: boolean;
  /** What has not converged, for the report. */
  readonly pending: readonly string[];
}

/** Runs one check run. Never throws for a failure of the system under test; an internal error is outcome 'error'. */
export function runCheck(config: CheckRunConfig): CheckRunResult {
  const { scenario, safetyUs, livenessUs } = config;
  if (!(safetyUs > 0) || !(livenessUs > 0)) throw new RangeError(`runCheck: safetyUs and livenessUs must be > 0 (got ${safetyUs}, ${livenessUs})`);
  if ((config.windows === undefined) === (config.plan === undefined)) throw new Error('runCheck: give either windows or plan');
  const plan = config.plan ?? checkPlan(scenario, config.windows!, safetyUs);
  const faultsInjected = config.windows !== undefined ? config.windows.filter((w) => w.atUs < safetyUs).length : plan.filter((s) => s.atUs < safetyUs).length;
  const workload: { recorder: KvHistoryRecorder | null; control: KvWorkloadControl | null } = { recorder: null, control: null };
  let run: ScenarioRun | null = null;
  // Whether the API answers through the load balancer right now, as the cluster's probe last saw it.
  const api: { available: boolean | null } = { available: null };
  const apiSink: TraceSink = {
    kinds: new Set(['cluster.api']),
    write: (event) => {
      if (event.kind === 'cluster.api') api.available = event.available;
    },
  };
  const base = { plan, faultsInjected, linearizability: null, history: [] as Array<Operation<KvInput, KvOutput>> };
  try {
    run = new ScenarioRun(scenario, {
      seed: config.seed,
      untilUs: safetyUs + livenessUs,
      faults: plan,
      record: false,
      maxEvents: config.maxEvents ?? DEFAULT_MAX_EVENTS,
      sinks: [apiSink, ...(config.sinks ?? [])],
      ...(config.replayCommand !== undefined ? { replayCommand: config.replayCommand } : {}),
      ...(config.bugs !== undefined ? { beforeBuild: (sim: Simulation) => setInjectedBugs(sim.engine, config.bugs!) } : {}),
      onBuilt: (r) => {
        watchEtcdAvailability(r);
        watchLbHealth(r);
        if (config.workload === null) return;
        const etcdHosts = r.scenario.cluster.etcdHosts.filter((h) => r.cluster.processesOn(h.name).includes(PROC.etcd));
        if (etcdHosts.length === 0) return; // no etcd in this build: nothing to check
        const recorder = new KvHistoryRecorder(r.sim.engine);
        const control = new KvWorkloadControl(r.sim.engine);
        workload.recorder = recorder;
        workload.control = control;
        const spec = r.scenario.cluster;
        const host = config.workload.host ?? spec.workers[0]?.name ?? spec.controlPlane[0]!.name;
        const { host: _host, ...settings } = config.workload;
        r.sim.host(host).addProcess(kvWorkloadProcess({ ...settings, endpoints: etcdHosts.map((h) => `https://${h.address}:2379`), recorder, control }));
      },
    });
    const engine = run.sim.engine;
    const finishWith = (outcome: CheckOutcome, violation: CheckViolation | null, convergedAtUs: number | null, lin: CheckRunResult['linearizability'] = null): CheckRunResult => {
      run!.sim.finish(violation === null ? 'end of check run' : `${violation.checker} violated`);
      return {
        ...base,
        outcome,
        violation,
        leaderRefs: resolvedLeaderRefs(plan, run!.sim.faults.applied),
        endUs: engine.nowUs,
        convergedAtUs,
        events: engine.eventsRun,
        linearizability: lin,
        history: workload.recorder?.operations() ?? [],
        run,
      };
    };
    const invariantOutcome = (): CheckOutcome => (engine.violation !== null && LIVENESS_INVARIANTS.has(engine.violation.invariant) ? 'liveness' : 'safety');
    const invariantViolation = (): CheckViolation | null => {
      const v = engine.violation;
      return v === null ? null : { checker: v.invariant, atUs: v.timeUs, hosts: v.hosts, message: v.message, details: '' };
    };

    // Phase 1: safety.
    if (run.runUntil(safetyUs) === 'violation') return finishWith(invariantOutcome(), invariantViolation(), null);

    // Phase 2: liveness (the heal steps are in the plan at safetyUs).
    const { recorder, control } = workload;
    if (control !== null) control.mode = 'verify';
    const converge = convergenceProbe(run, control, config.workload?.keys ?? DEFAULT_KV_WORKLOAD.keys, api);
    let convergedAtUs: number | null = null;
    let last: Convergence = { converged: false, pending: [] };
    for (let t = safetyUs + SAMPLE_US; t <= safetyUs + livenessUs; t += SAMPLE_US) {
      if (run.runUntil(t) === 'violation') return finishWith(invariantOutcome(), invariantViolation(), null);
      last = converge();
      if (last.converged) {
        convergedAtUs = engine.nowUs;
        break;
      }
    }
    if (control !== null) control.mode = 'stop';

    // End-of-run safety checks: duplicated work of acting leaders, and the workload's history. The earliest
    // violation is reported.
    const found: CheckViolation[] = [];
    const duplicated = checkDuplicatedWork(ActingLeaders.of(engine).actions, run.scenario.cluster.workload.replicaSets);
    if (duplicated !== null) found.push(duplicated);
    const history = recorder === null ? [] : recorder.operations();
    if (control !== null) {
      const acked = checkAckedWrites(history, control.finalReads);
      if (acked.violation !== null) found.push(acked.violation);
    }
    let lin: CheckRunResult['linearizability'] = null;
    if (recorder !== null) {
      lin = checkLinearizability(kvModel, history, { maxStepsPerPartition: config.linearizabilitySteps ?? 1_000_000 });
      if (lin.kind === 'illegal') {
        found.push({
          checker: CHECKER_NAMES.linearizability,
          atUs: lin.illegal.blocking.callUs,
          hosts: [],
          message: `etcd operations seen by the KV workload are not linearizable (${lin.illegal.partition})`,
          details: lin.explanation,
        });
      }
    }
    if (found.length > 0) return finishWith('safety', found.sort((a, b) => a.atUs - b.atUs)[0]!, convergedAtUs, lin);
    if (convergedAtUs === null) {
      return finishWith(
        'liveness',
        {
          checker: CHECKER_NAMES.liveness,
          atUs: safetyUs,
          hosts: [],
          message: `the cluster did not converge within ${formatDurationUs(livenessUs)} after the faults healed at ${formatDurationUs(safetyUs)}: ${last.pending.join('; ')}`,
          details: '',
        },
        null,
        lin,
      );
    }
    return finishWith('pass', null, convergedAtUs, lin);
  } catch (err) {
    if (!(err instanceof RunError)) throw err;
    return {
      ...base,
      outcome: 'error',
      violation: { checker: 'internal-error', atUs: err.timeUs, hosts: [], message: err.message, details: err.cause instanceof Error && err.cause.stack ? err.cause.stack : '' },
      leaderRefs: new Map(),
      endUs: err.timeUs,
      convergedAtUs: null,
      events: run?.sim.engine.eventsRun ?? 0,
      history: [],
      run,
    };
  }
}

/** Invariants that are liveness properties checked during the faults: a violation is a liveness failure. */
export const LIVENESS_INVARIANTS: ReadonlySet<string> = new Set([ETCD_AVAILABILITY, LB_HEALTH]);

/** Registers the load-balancer health monitor over the HAProxies and their apiserver backends. */
function watchLbHealth(r: ScenarioRun): void {
  const spec = r.scenario.cluster;
  const haproxies = [...r.cluster.loadBalancer.haproxies.entries()];
  if (haproxies.length === 0) return;
  const lbs: LbProbe[] = haproxies.map(([hostName, haproxy]) => {
    const host = r.sim.host(hostName);
    const process = host.process(haproxy.name);
    return {
      host,
      running: () => process.active,
      isUp: (server) => haproxy.current()?.serverStates().find((s) => s.name === server)?.state === 'UP',
    };
  });
  const backends: LbBackendProbe[] = spec.controlPlane
    .filter((h) => r.cluster.processesOn(h.name).includes(PROC.apiserver))
    .map((h) => {
      const host = r.sim.host(h.name);
      const apiserver = host.process(PROC.apiserver);
      return { name: h.name, host, state: () => (apiserver.active ? 'running' : apiserver.state === 'paused' ? 'paused' : 'gone') };
    });
  const time = (key: string): number => parseHaproxyTimeUs(flagValue(spec, 'haproxy', key) as string | number) ?? 0;
  const fall = Number(flagValue(spec, 'haproxy', 'fall'));
  const interUs = time('inter');
  const bounds = lbDetectionBoundsUs({ interUs, fall, timeoutConnectUs: time('timeout connect'), timeoutCheckUs: time('timeout check') });
  const monitor = new LbHealthMonitor(r.sim.engine, r.sim.network, lbs, backends, bounds);
  r.sim.engine.addInvariant(monitor.invariant);
  monitor.start();
}

/** Registers the etcd availability monitor over the cluster's members (when it runs etcd). */
function watchEtcdAvailability(r: ScenarioRun): void {
  const hosts = r.scenario.cluster.etcdHosts.filter((h) => r.cluster.processesOn(h.name).includes(PROC.etcd));
  if (hosts.length === 0) return;
  const observer = r.cluster.etcd.observer;
  const members: EtcdMemberProbe[] = hosts.map((h) => {
    const host = r.sim.host(h.name);
    const process = host.process(PROC.etcd);
    return {
      name: h.name,
      host,
      running: () => process.state === 'running',
      leading: () => observer.members.find((m) => m.name === h.name)?.node()?.status().role === 'leader',
    };
  });
  const monitor = new EtcdAvailabilityMonitor(r.sim.engine, r.sim.network, members);
  r.sim.engine.addInvariant(monitor.invariant);
  monitor.start();
}

/** What "converged" means for this cluster, as a function evaluated between steps of the liveness phase. */
function convergenceProbe(run: ScenarioRun, control: KvWorkloadControl | null, keyCount: number, api: { readonly available: boolean | null }): () => Convergence {
  const cluster = run.cluster;
  const spec = run.scenario.cluster;
  const acting = ActingLeaders.of(run.sim.engine);
  const has = (process: string): boolean => allHosts(spec).some((h) => cluster.processesOn(h.name).includes(process));
  const leases = electionLeases(spec);
  const elected: Array<[string, string]> = [];
  if (has(PROC.scheduler) && spec.flags['kube-scheduler']?.['--leader-elect'] !== false) elected.push([leases.scheduler, PROC.scheduler]);
  if (has(PROC.controllerManager) && spec.flags['kube-controller-manager']?.['--leader-elect'] !== false) elected.push([leases.controllerManager, PROC.controllerManager]);
  const withEtcd = has(PROC.etcd);
  const probed = spec.client !== null;
  return () => {
    const pending: string[] = [];
    if (withEtcd && cluster.leaderHost('etcd') === null) pending.push('etcd has no leader');
    for (const [lease] of elected) {
      const n = acting.concurrentNow(lease);
      if (n !== 1) pending.push(n === 0 ? `nobody acts as leader of ${lease}` : `${n} replicas act as leader of ${lease}`);
    }
    if (probed && api.available !== true) pending.push('the API does not answer through the load balancer');
    if (control !== null && control.finalReads.size < keyCount) pending.push(`the KV workload read back ${control.finalReads.size} of its ${keyCount} keys`);
    return { converged: pending.length === 0, pending };
  };
}
