// What a run returns: the data behind every output format (timeline, json) and what `check` and `sweep` read.
// Times are integer µs of simulated time since the start of the run. docs/json-output.md documents the JSON form.
import type { Violation } from '../sim/engine';
import type { Fault, FaultPlan, FaultStep } from '../sim/faults';
import type { Expectation } from '../scenario/types';

/** One stretch during which a replica acted as leader (OnStartedLeading until it stopped, exited or died). */
export interface LeaderInterval {
  /** The elector's identity, `<hostname>_<uuid>`; for etcd, the member name. */
  readonly holder: string;
  readonly host: string;
  readonly fromUs: number;
  /** null while still leading at the end of the run. */
  readonly toUs: number | null;
}

/** A term during which an etcd member was leader. */
export interface EtcdLeaderInterval extends LeaderInterval {
  readonly term: number;
}

export interface Leaders {
  readonly etcd: readonly EtcdLeaderInterval[];
  /** Keyed by lease `namespace/name`: `kube-system/kube-scheduler`, `kube-system/kube-controller-manager`. */
  readonly leases: Readonly<Record<string, readonly LeaderInterval[]>>;
}

export interface SkippedFault {
  readonly atUs: number;
  readonly fault: Fault;
  readonly reason: string;
}

export interface InspectionOutput {
  readonly atUs: number;
  readonly name: string | null;
  readonly exec: string;
  readonly on: string;
  /** What the command printed (stdout then stderr, as a terminal shows them). */
  readonly output: string;
  readonly exitCode: number;
}

export interface ExpectationResult {
  readonly expectation: Expectation;
  /** One line: what was expected. */
  readonly description: string;
  readonly passed: boolean;
  /** One line: what was observed. */
  readonly detail: string;
}

/** A fault that took an acting leader down, and how long until someone else acted as leader. */
export interface Failover {
  readonly lease: string;
  /** The fault, as the timeline prints it: `crash server-0`. */
  readonly cause: string;
  readonly causeAtUs: number;
  readonly fromHolder: string;
  readonly fromHost: string;
  /** null if nobody took over before the end of the run. */
  readonly toHolder: string | null;
  readonly toHost: string | null;
  /** Fault -> new acting leader; null if none by the end. */
  readonly gapUs: number | null;
}

export interface RunMetrics {
  readonly failovers: readonly Failover[];
  /** Per lease: time with no acting leader, counted from its first acquisition to the end of the run. */
  readonly leaderlessUs: Readonly<Record<string, number>>;
  /** Per lease: number of times the acting leader changed (holder to a different holder). */
  readonly leaderChanges: Readonly<Record<string, number>>;
  /** Time etcd had no leader, after its first election. */
  readonly etcdLeaderlessUs: number;
  /** etcd leader changes after the first election. */
  readonly etcdLeaderChanges: number;
  /** Time the API was unavailable to a client through the load balancer (null when not measured). */
  readonly apiUnavailableUs: number | null;
  /** Restarts per process (`host/process`): starts after the first. */
  readonly restarts: Readonly<Record<string, number>>;
  /** Scheduling delay (creation -> bound) of each pod created during the run, µs; pods never bound are left out. */
  readonly schedulingDelaysUs: readonly number[];
  /** Pods created but never bound by the end. */
  readonly unscheduledPods: number;
  /** Client connections through the load balancer(s) per backend server at the end of the run (HTTP/2 pinning). */
  readonly lbSessions: Readonly<Record<string, number>>;
}

export type RunOutcome =
  /** Every expectation met, no unexpected violation. */
  | 'pass'
  /** An expectation failed or an invariant broke unexpectedly. */
  | 'fail';

export interface RunResult {
  readonly scenario: string;
  readonly file: string | null;
  readonly seed: string;
  /** The run was asked to last this long. */
  readonly untilUs: number;
  /** Simulated time when it ended (earlier than untilUs when stopped by a violation). */
  readonly endUs: number;
  readonly stopReason: string;
  readonly events: number;
  readonly faults: {
    readonly planned: FaultPlan;
    /** As applied, with leader references resolved to hosts. */
    readonly applied: readonly FaultStep[];
    readonly skipped: readonly SkippedFault[];
  };
  readonly violations: readonly Violation[];
  readonly leaders: Leaders;
  readonly inspections: readonly InspectionOutput[];
  readonly expectations: readonly ExpectationResult[];
  readonly metrics: RunMetrics;
  readonly outcome: RunOutcome;
  /** The command that replays this run. */
  readonly replay: string;
}
