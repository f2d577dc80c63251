// A scenario after parsing and resolution: the cluster to build, the fault timeline, inspection steps and
// expectations, all times in integer µs. This is what the runner consumes.
import type { ClusterSpec } from '../cluster/spec';
import type { Fault, FaultPlan } from '../sim/faults';
import type { Seed } from '../sim/rng';

/**
 * Fault targets may name a role instead of a host: `@leader:etcd` (the etcd leader's host) or
 * `@leader:kube-system/kube-scheduler` (the host of the lease's acting leader), resolved when the fault fires.
 * A scenario writes these as `target: {leaderOf: etcd}`.
 */
export const LEADER_REF_PREFIX = '@leader:';

export function isLeaderRef(host: string): boolean {
  return host.startsWith(LEADER_REF_PREFIX);
}

export interface Inspection {
  readonly atUs: number;
  /** The command line, e.g. `etcdctl endpoint status -w table`. */
  readonly exec: string;
  /** Host the command runs on. */
  readonly on: string;
  readonly name: string | null;
}

export type Expectation =
  | { readonly type: 'leader'; readonly lease: string; readonly atUs: number; readonly host: string | null }
  | {
      readonly type: 'failover';
      readonly lease: string;
      readonly afterUs: number;
      readonly withinUs: number;
      readonly notBeforeUs: number | null;
      readonly host: string | null;
    }
  | { readonly type: 'no-leader'; readonly lease: string; readonly fromUs: number; readonly toUs: number }
  | { readonly type: 'etcd-leader'; readonly afterUs: number; readonly withinUs: number }
  | { readonly type: 'etcd-failover'; readonly afterUs: number; readonly withinUs: number; readonly notBeforeUs: number | null }
  | { readonly type: 'no-etcd-leader'; readonly fromUs: number; readonly toUs: number }
  | { readonly type: 'metric'; readonly metric: string; readonly unit: MetricUnit; readonly min: number | null; readonly max: number | null }
  | { readonly type: 'violation'; readonly invariant: string; readonly withinUs: number | null }
  | { readonly type: 'no-violation'; readonly invariant: string | null }
  | { readonly type: 'api-unavailable'; readonly maxUs: number | null; readonly minUs: number | null }
  | { readonly type: 'restarts'; readonly host: string; readonly process: string; readonly min: number | null; readonly max: number | null }
  | { readonly type: 'output'; readonly step: string; readonly contains: string | null; readonly notContains: string | null };

export type ExpectationType = Expectation['type'];

/** 'us' metrics are durations (bounds written as `15s`), 'count' metrics whole numbers. */
export type MetricUnit = 'us' | 'count';

/**
 * Metrics an expectation can bound. `<lease>` is a lease name (kube-scheduler or namespace/name), `<host>/<process>`
 * a process (`*` for every host), `<server>` a load-balancer backend server.
 */
export const METRIC_PATTERNS: ReadonlyArray<{ readonly pattern: string; readonly unit: MetricUnit; readonly doc: string }> = [
  { pattern: 'etcd-leader-changes', unit: 'count', doc: 'etcd leader elections after the first' },
  { pattern: 'etcd-leaderless', unit: 'us', doc: 'time etcd had no leader after its first election' },
  { pattern: 'api-unavailable', unit: 'us', doc: 'time the API did not answer the probe through the load balancer' },
  { pattern: 'leader-changes:<lease>', unit: 'count', doc: 'times the acting leader of the lease changed' },
  { pattern: 'leaderless:<lease>', unit: 'us', doc: 'time the lease had no acting leader after its first acquisition' },
  { pattern: 'restarts:<host>/<process>', unit: 'count', doc: 'restarts of a process (host * sums over hosts)' },
  { pattern: 'lb-sessions:<server>', unit: 'count', doc: 'client connections through the load balancer to a backend server at the end of the run' },
  { pattern: 'lb-servers-used', unit: 'count', doc: 'backend servers with at least one client connection through the load balancer at the end of the run' },
];

export interface Scenario {
  readonly name: string;
  readonly description: string;
  /** Where it was read from; null when built in code. */
  readonly file: string | null;
  /** The seed a run uses unless told otherwise. */
  readonly seed: Seed;
  /** How long a run lasts unless told otherwise (µs). */
  readonly durationUs: number;
  readonly cluster: ClusterSpec;
  /** The fault timeline; hosts may be leader references (see LEADER_REF_PREFIX). */
  readonly faults: FaultPlan;
  readonly inspections: readonly Inspection[];
  readonly expectations: readonly Expectation[];
  /** The document as plain data (YAML parsed), kept so `--set` overrides can be applied and re-validated. */
  readonly document: unknown;
}

export const DEFAULT_SEED = 1;
export const DEFAULT_DURATION_US = 60_000_000;

/** Every host name a fault may mention (leader references resolved at fire time). */
export function faultHosts(fault: Fault): string[] {
  switch (fault.kind) {
    case 'partition':
      return fault.groups.flat();
    case 'cut':
    case 'link':
      return [fault.from, fault.to];
    case 'clear-link':
      return [fault.from ?? '*', fault.to ?? '*'];
    case 'heal':
      return fault.host === undefined ? [] : [fault.host];
    default:
      return [fault.host];
  }
}
