// Runs a scenario and renders it in any of the output formats at once, from one run: the CLI uses it for one format,
// the determinism tests for all four (the same run, so every format is checked against the same events).
import { NdjsonSink } from '../sim/trace-ndjson';
import { PerfettoSink } from '../sim/trace-perfetto';
import type { TraceSink } from '../sim/trace';
import { ScenarioRun, type RunOptions } from '../run/runner';
import type { RunResult } from '../run/result';
import type { Scenario } from '../scenario/types';
import { renderJson } from './json';
import { addPerfettoMappers } from './perfetto';
import { renderTimeline } from './timeline';

export const OUTPUT_FORMATS = ['timeline', 'json', 'ndjson', 'perfetto'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

export interface RenderedRun {
  readonly run: ScenarioRun;
  readonly result: RunResult;
  /** The rendered outputs (ndjson only when it was not streamed to `ndjsonLine`). */
  readonly outputs: Partial<Record<OutputFormat, string>>;
}

export interface RenderOptions {
  /** Receives each NDJSON line as it is produced (for streaming to a file); else the lines are kept in memory. */
  readonly ndjsonLine?: (line: string) => void;
}

export function runWithOutputs(scenario: Scenario, options: RunOptions, formats: readonly OutputFormat[], render: RenderOptions = {}): RenderedRun {
  const sinks: TraceSink[] = [...(options.sinks ?? [])];
  const ndjsonLines: string[] = [];
  if (formats.includes('ndjson')) sinks.push(new NdjsonSink(render.ndjsonLine ?? ((line) => ndjsonLines.push(line))));
  let perfetto: string | null = null;
  if (formats.includes('perfetto')) {
    const sink = new PerfettoSink((json) => {
      perfetto = json;
    });
    addPerfettoMappers(sink);
    sinks.push(sink);
  }
  const run = new ScenarioRun(scenario, { ...options, sinks, record: formats.includes('timeline') || options.record === true });
  const result = run.finish();
  const outputs: Partial<Record<OutputFormat, string>> = {};
  for (const format of formats) {
    switch (format) {
      case 'timeline':
        outputs.timeline = renderTimeline(result, run.scenario, run.events());
        break;
      case 'json':
        outputs.json = renderJson(result);
        break;
      case 'ndjson':
        if (render.ndjsonLine === undefined) outputs.ndjson = ndjsonLines.join('');
        break;
      case 'perfetto':
        outputs.perfetto = `${perfetto ?? ''}\n`;
        break;
    }
  }
  return { run, result, outputs };
}
