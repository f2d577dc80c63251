// A checked run you drive yourself, for your own vitest / fast-check properties: build the cluster of a scenario,
// give it a fault plan, run it step by step, and query what happened -- who acted as leader of each lease and
// when, etcd's leader terms, the KV workload's history and its linearizability.
//
//   const session = new CheckSession({ scenario: defaultScenario(), seed: 7, faults: plan, workload: {} });
//   session.runUntil(60_000_000);
//   expect(session.leaseOverlaps()).toEqual([]);
//   expect(session.linearizability().kind).not.toBe('illegal');
//   session.finish();
//
// Built on the scenario runner (src/run/runner.ts): the same run `kube-ha-sim run` would make of the scenario with
// these faults, plus the KV workload when asked.
import { ActingLeaders, type ActingInterval as RecordedInterval } from '../lease/acting';
import { PROC } from '../cluster/roles';
import { ScenarioRun } from '../run/runner';
import type { EtcdLeaderInterval, RunResult } from '../run/result';
import { parseScenario, validateScenarioData } from '../scenario/parse';
import { faultHosts, isLeaderRef, LEADER_REF_PREFIX, type Scenario } from '../scenario/types';
import type { StopReason, Violation } from '../sim/engine';
import type { Fault, FaultPlan } from '../sim/faults';
import type { Seed } from '../sim/rng';
import type { Simulation } from '../sim/simulation';
import type { TraceSink } from '../sim/trace';
import { setInjectedBugs, type InjectedBugs } from './bugs';
import { findLeaseOverlaps, type ActingInterval, type LeaseOverlap } from './checkers/lease-exclusivity';
import { checkLinearizability, type CheckOptions, type LinearizabilityResult } from './linearizability/checker';
import { kvModel, type KvInput, type KvOutput, type KvState } from './linearizability/kv-model';
import type { Operation } from './linearizability/history';
import type { WorkloadSettings } from './harness';
import { KvHistoryRecorder } from './workload/kv-history';
import { KvWorkloadControl, kvWorkloadProcess } from './workload/kv-workload';

/** The default topology (3 stacked control-plane hosts, an HAProxy LB, 2 workers, the API probe's client). */
export function defaultScenario(name = 'check'): Scenario {
  return validateScenarioData({ apiVersion: 'kube-ha-sim/v1', kind: 'Scenario', metadata: { name }, spec: {} }, null, null);
}

export interface CheckSessionOptions {
  /** A parsed scenario, or the YAML text of one. */
  readonly scenario: Scenario | string;
  /** Default: the scenario's seed. */
  readonly seed?: Seed;
  /** Replaces the scenario's fault timeline; hosts may be leader references (`@leader:etcd`). Default: the scenario's. */
  readonly faults?: FaultPlan;
  /** How long the run may last at most (µs). Default: the scenario's duration. */
  readonly untilUs?: number;
  /** Adds the KV workload (its history is then available). Default: none. */
  readonly workload?: WorkloadSettings | null;
  /** TEST ONLY: injected bugs (src/check/bugs.ts). */
  readonly bugs?: InjectedBugs;
  readonly sinks?: readonly TraceSink[];
}

export class CheckSession {
  readonly run: ScenarioRun;
  private readonly recorder: KvHistoryRecorder | null = null;
  /** The workload's mode switch and final reads (null without a workload). */
  readonly workload: KvWorkloadControl | null = null;

  constructor(options: CheckSessionOptions) {
    const scenario = typeof options.scenario === 'string' ? parseScenario(options.scenario, '<session>') : options.scenario;
    let recorder: KvHistoryRecorder | null = null;
    let control: KvWorkloadControl | null = null;
    const bugs = options.bugs;
    this.run = new ScenarioRun(scenario, {
      record: false,
      ...(options.seed !== undefined ? { seed: options.seed } : {}),
      ...(options.faults !== undefined ? { faults: options.faults } : {}),
      ...(options.untilUs !== undefined ? { untilUs: options.untilUs } : {}),
      ...(options.sinks !== undefined ? { sinks: options.sinks } : {}),
      ...(bugs !== undefined ? { beforeBuild: (sim: Simulation) => setInjectedBugs(sim.engine, bugs) } : {}),
      onBuilt: (r) => {
        const settings = options.workload ?? null;
        if (settings === null) return;
        const etcdHosts = r.scenario.cluster.etcdHosts.filter((h) => r.cluster.processesOn(h.name).includes(PROC.etcd));
        if (etcdHosts.length === 0) throw new Error('CheckSession: this cluster runs no etcd, so it cannot run the KV workload');
        recorder = new KvHistoryRecorder(r.sim.engine);
        control = new KvWorkloadControl(r.sim.engine);
        const spec = r.scenario.cluster;
        const { host: chosen, ...rest } = settings;
        const host = chosen ?? spec.workers[0]?.name ?? spec.controlPlane[0]!.name;
        r.sim.host(host).addProcess(kvWorkloadProcess({ ...rest, endpoints: etcdHosts.map((h) => `https://${h.address}:2379`), recorder, control }));
      },
    });
    this.recorder = recorder;
    this.workload = control;
  }

  get nowUs(): number {
    return this.run.nowUs;
  }

  /** Runs until `untilUs` (capped at the run's end) or an invariant violation. */
  runUntil(untilUs: number): StopReason {
    return this.run.runUntil(untilUs);
  }

  /** Applies a fault now (leader references resolve to the current leader; a role without leader throws). */
  inject(fault: Fault): void {
    let resolved = fault;
    for (const ref of faultHosts(fault).filter(isLeaderRef)) {
      const host = this.run.cluster.leaderHost(ref.slice(LEADER_REF_PREFIX.length));
      if (host === null) throw new Error(`CheckSession.inject: ${ref.slice(LEADER_REF_PREFIX.length)} has no leader now`);
      resolved = JSON.parse(JSON.stringify(resolved).split(JSON.stringify(ref)).join(JSON.stringify(host))) as Fault;
    }
    this.run.sim.faults.apply(resolved);
  }

  /** Who acted as leader of each lease and when (all leases, or one `namespace/name`). */
  actingIntervals(lease?: string): ActingInterval[] {
    return ActingLeaders.of(this.run.sim.engine)
      .intervals(lease)
      .map((i: RecordedInterval) => ({ lease: i.lease, identity: i.identity, host: i.host, fromUs: i.startUs, toUs: i.endUs }));
  }

  /** Every instant two replicas acted as leader of one lease (empty when lease exclusivity held). */
  leaseOverlaps(): LeaseOverlap[] {
    return findLeaseOverlaps(this.actingIntervals());
  }

  /** etcd leader terms so far. */
  etcdLeaders(): EtcdLeaderInterval[] {
    return this.run.cluster.leaders().etcd.map((i) => ({ ...i }));
  }

  /** The engine invariants' violation, if one stopped the run. */
  violations(): Violation[] {
    const v = this.run.sim.engine.violation;
    return v === null ? [] : [v];
  }

  /** The KV workload's history so far (writes in flight count as unknown outcomes). Empty without a workload. */
  kvHistory(): Array<Operation<KvInput, KvOutput>> {
    return this.recorder?.operations() ?? [];
  }

  /** Checks the KV workload's history for linearizability. */
  linearizability(options: CheckOptions = {}): LinearizabilityResult<KvState, KvInput, KvOutput> {
    return checkLinearizability(kvModel, this.kvHistory(), options);
  }

  /** Ends the run (running to its end if not there yet) and returns the runner's result. */
  finish(): RunResult {
    return this.run.finish();
  }
}
