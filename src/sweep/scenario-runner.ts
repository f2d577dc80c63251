// The sweep's binding to the scenario runner (src/run): a SweepRunner that runs a scenario file with a grid
// point's `--set` overrides and a seed, and reads the sweep metrics from the RunResult. Browser-safe: it takes
// the scenario's text, not a path. Each worker thread builds its own from the same config.
import { flagValue } from '../cluster/spec';
import { defaultReplayCommand, runScenario } from '../run/runner';
import { allFlagKeys, applySettings, checkSetting, electionLeases, parseScenario, type FlagSetting, type Scenario } from '../scenario';
import { digestText } from './digest';
import type { ParameterDef } from './parameters';
import type { SweepRunner } from './runner';
import { runMetricDefs, runMetricsOf } from './run-metrics';
import type { MetricDef, ParameterPoint, RunMetrics } from './types';

export interface ScenarioSweepConfig {
  /** The scenario file as the user named it (for messages, the replay command and the result). */
  readonly file: string;
  /** Its contents. */
  readonly text: string;
  /** How long each run lasts (µs); default: the scenario's spec.duration. */
  readonly untilUs?: number;
}

function settingsOf(point: ParameterPoint): FlagSetting[] {
  return Object.entries(point).map(([key, value]) => checkSetting(key, value, true));
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Factory named in the sweep command's RunnerFactoryRef. Throws ScenarioError on a bad scenario. */
export function createScenarioSweepRunner(config: unknown): SweepRunner {
  const { file, text, untilUs } = config as ScenarioSweepConfig;
  const scenario = parseScenario(text, file);
  const leases = [...new Set(Object.values(electionLeases(scenario.cluster)))];
  const metrics = runMetricDefs(leases);
  const runUs = untilUs ?? scenario.durationUs;
  // A grid point's scenario is built (and re-validated) once, not once per seed.
  const applied = new Map<string, { scenario: Scenario; settings: FlagSetting[] }>();
  const scenarioFor = (point: ParameterPoint) => {
    const key = JSON.stringify(point);
    let entry = applied.get(key);
    if (entry === undefined) {
      const settings = settingsOf(point);
      entry = { scenario: applySettings(scenario, settings), settings };
      applied.set(key, entry);
    }
    return entry;
  };
  return {
    scenario: { name: scenario.name, file, digest: digestText(text), durationMs: runUs / 1000 },
    parameters(): ParameterDef[] {
      return allFlagKeys().map((key) => {
        const dot = key.indexOf('.');
        const current = flagValue(scenario.cluster, key.slice(0, dot) as Parameters<typeof flagValue>[1], key.slice(dot + 1));
        return {
          key,
          ...(current === undefined ? {} : { current: String(current) }),
          validate(value: string): string | null {
            try {
              checkSetting(key, value, true);
              return null;
            } catch (err) {
              // checkSetting's message starts with the key, which the sweep's message already names.
              return messageOf(err).replace(`${key}: `, '');
            }
          },
        };
      });
    },
    checkPoint(point: ParameterPoint): string | null {
      try {
        scenarioFor(point);
        return null;
      } catch (err) {
        return messageOf(err);
      }
    },
    metrics(): MetricDef[] {
      return metrics;
    },
    run(point: ParameterPoint, seed: number): RunMetrics {
      const { scenario: pointScenario, settings } = scenarioFor(point);
      const result = runScenario(pointScenario, {
        seed,
        untilUs: runUs,
        record: false,
        replayCommand: defaultReplayCommand(scenario, String(seed), untilUs, settings),
      });
      return runMetricsOf(result, leases);
    },
  };
}
