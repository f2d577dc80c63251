// The port between a sweep and whatever runs one simulation. The sweep never builds a cluster itself: it
// asks a SweepRunner to run (grid point, seed) and gets the run's metrics back. The binding to the scenario
// runner is in scenario-runner.ts; tests use their own double.
import type { ParameterDef } from './parameters';
import type { MetricDef, ParameterPoint, RunMetrics, ScenarioIdentity } from './types';

export interface SweepRunner {
  readonly scenario: ScenarioIdentity;
  /** The flags a sweep may set for this scenario, with the scenario's own validation. */
  parameters(): readonly ParameterDef[];
  /**
   * Checks a whole grid point (cross-flag rules, e.g. lease duration > renew deadline) before anything runs;
   * returns the problem or null.
   */
  checkPoint?(point: ParameterPoint): string | null;
  /** The metrics every run reports (the same list for every point and seed). */
  metrics(): readonly MetricDef[];
  /** Runs the scenario with the point's flag overrides and this seed. Must be a pure function of its inputs. */
  run(point: ParameterPoint, seed: number): RunMetrics;
}

/**
 * How a worker thread builds its own runner: the URL of a module, the name of an exported factory, and a
 * structured-cloneable config (e.g. the scenario path). Every worker calls the same factory with the same
 * config, so all of them run the same scenario.
 */
export interface RunnerFactoryRef {
  readonly moduleUrl: string;
  readonly exportName: string;
  readonly config: unknown;
}

export type RunnerFactory = (config: unknown) => SweepRunner | Promise<SweepRunner>;

export async function loadRunner(ref: RunnerFactoryRef): Promise<SweepRunner> {
  const module = (await import(/* @vite-ignore */ ref.moduleUrl)) as Record<string, unknown>;
  const factory = module[ref.exportName];
  if (typeof factory !== 'function') throw new Error(`${ref.moduleUrl} does not export a runner factory named ${ref.exportName}`);
  return await (factory as RunnerFactory)(ref.config);
}
