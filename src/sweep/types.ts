// The data of a parameter sweep: what was asked (the spec), what each run measured, and the per-grid-point
// summaries. Everything here is plain JSON-serialisable data, so a sweep can be split into shards that run on
// different machines and merged back into exactly the result a single run would have produced.

/** One swept flag and the values to try, in the order the user gave them. */
export interface SweepAxis {
  /** The scenario's real flag name, qualified by component: `kube-scheduler.--leader-elect-lease-duration`. */
  readonly key: string;
  readonly values: readonly string[];
}

export interface ScenarioIdentity {
  /** metadata.name of the scenario. */
  readonly name: string;
  /** The scenario file as given on the command line (shards of one sweep must agree on it). */
  readonly file: string;
  /** Digest of the scenario text: shards or baselines of a different scenario text are detected. */
  readonly digest: string;
  /** How long each run lasts (simulated ms): the scenario's duration, or the sweep's --until. */
  readonly durationMs: number;
}

/** What a sweep runs: the grid (cartesian product of the axes, first axis outermost) times the seeds. */
export interface SweepSpec {
  readonly scenario: ScenarioIdentity;
  readonly axes: readonly SweepAxis[];
  /** Seeds `firstSeed`, `firstSeed + 1`, ... `firstSeed + seeds - 1`; the same seeds at every grid point. */
  readonly firstSeed: number;
  readonly seeds: number;
}

/** A grid point: one value per axis, keyed by flag name (in axis order). */
export type ParameterPoint = Readonly<Record<string, string>>;

export type MetricUnit = 'ms' | 'count';

export interface MetricDef {
  /** Stable id, e.g. `failover:kube-system/kube-scheduler`. */
  readonly id: string;
  /** Short human name for tables and charts. */
  readonly label: string;
  readonly unit: MetricUnit;
  readonly description: string;
}

/** What one run measured. A value is null when the metric does not apply to that run (no fail-over happened). */
export interface RunMetrics {
  readonly values: Readonly<Record<string, number | null>>;
  /** Names of the invariants or expectations that failed, in the order they failed. */
  readonly violations: readonly string[];
}

/** One run of the sweep: grid point and seed index locate it; the outcome is metrics or an error. */
export interface RunRecord {
  /** Position in the run order: pointIndex * spec.seeds + seedIndex. */
  readonly index: number;
  readonly seed: number;
  readonly outcome: RunOutcome;
}

export type RunOutcome =
  | { readonly kind: 'ok'; readonly metrics: RunMetrics }
  /** The run itself failed (an exception in the simulator, an event limit): reported, never silently dropped. */
  | { readonly kind: 'error'; readonly message: string };

/** Distribution summary of one metric at one grid point. */
export interface MetricSummary {
  /** Runs in which the metric applied (value not null). */
  readonly n: number;
  readonly min: number | null;
  readonly p50: number | null;
  readonly p90: number | null;
  readonly p99: number | null;
  readonly max: number | null;
  readonly mean: number | null;
  /** 95% confidence interval of the mean (Student t); null with fewer than 2 values. */
  readonly ci95: readonly [number, number] | null;
  /** Seed of the run with the largest value (the one to replay first). */
  readonly maxSeed: number | null;
}

export interface PointResult {
  readonly params: ParameterPoint;
  readonly runs: number;
  readonly summary: Readonly<Record<string, MetricSummary>>;
  /** Per metric, the value of each run in seed order (null where it did not apply or the run failed). */
  readonly samples: Readonly<Record<string, ReadonlyArray<number | null>>>;
  /** Runs with violations, in seed order. */
  readonly violations: ReadonlyArray<{ readonly seed: number; readonly violations: readonly string[] }>;
  /** Runs that failed with an error, in seed order. */
  readonly errors: ReadonlyArray<{ readonly seed: number; readonly message: string }>;
}

export const SWEEP_API_VERSION = 'kube-ha-sim/v1';

export interface SweepResult {
  readonly apiVersion: typeof SWEEP_API_VERSION;
  readonly kind: 'SweepResult';
  readonly spec: SweepSpec;
  readonly metrics: readonly MetricDef[];
  /** How the statistics were computed, stated in the result itself. */
  readonly method: string;
  readonly points: readonly PointResult[];
}

/** The output of one shard (`--shard I/N`): the raw runs of its slice of the run order. */
export interface SweepShard {
  readonly apiVersion: typeof SWEEP_API_VERSION;
  readonly kind: 'SweepShard';
  readonly spec: SweepSpec;
  readonly shard: { readonly index: number; readonly count: number };
  readonly metrics: readonly MetricDef[];
  readonly runs: readonly RunRecord[];
}
