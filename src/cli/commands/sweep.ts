// `kube-ha-sim sweep` and `kube-ha-sim merge`: parameter sweeps over seeds, on worker threads, optionally
// sharded over independent jobs and merged; reports as table, json, csv or a self-contained html page;
// baseline gating for CI.
import { readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import type { Command } from 'commander';
import { compareWithBaseline, DEFAULT_TOLERANCE, parseTolerance } from '../../sweep/baseline';
import { parseResult, parseShard, serialize } from '../../sweep/documents';
import { parseShard as parseShardSelector, type ShardSelector } from '../../sweep/grid';
import { mergeShards } from '../../sweep/merge';
import { parseSetArgument, SweepInputError } from '../../sweep/parameters';
import { parseSweepOutput, renderResult, SWEEP_OUTPUTS, type SweepOutput } from '../../sweep/output';
import type { RunnerFactoryRef } from '../../sweep/runner';
import type { ScenarioSweepConfig } from '../../sweep/scenario-runner';
import { parseDurationUs } from '../../sim/time';
import type { SweepResult } from '../../sweep/types';
import { guarded } from '../errors';
import { processCliIo, type CliIo } from '../io';
import { chartJsSource } from '../sweep/assets';
import { createProgress, QUIET_PROGRESS, type SweepProgress } from '../sweep/progress';
import { executeSweep } from '../sweep/run-sweep';
import { ownModuleUrl } from '../module-url';
import { MAX_WORKERS } from '../worker-thread';

/** Where the commands write (the CLI's io: process streams, or buffers in tests). */
export type SweepIo = CliIo;

export const processIo = processCliIo;

export interface SweepCommandOptions {
  readonly set: readonly string[];
  readonly seeds: string;
  readonly firstSeed: string;
  readonly workers?: string;
  readonly until?: string;
  readonly output: string;
  readonly out?: string;
  readonly baseline?: string;
  readonly tolerance?: string;
  readonly shard?: string;
}

export interface MergeCommandOptions {
  readonly output: string;
  readonly out?: string;
  readonly baseline?: string;
  readonly tolerance?: string;
}

/** The runner a sweep of a scenario file uses: the scenario runner, in every worker. */
export type RunnerResolver = (scenarioFile: string, options: { readonly untilUs?: number }) => RunnerFactoryRef;

export const scenarioRunnerRef: RunnerResolver = (scenarioFile, options) => {
  const config: ScenarioSweepConfig = { file: scenarioFile, text: readText(scenarioFile, 'scenario'), ...options };
  return { moduleUrl: ownModuleUrl('sweep/scenario-runner'), exportName: 'createScenarioSweepRunner', config };
};

function parseUntil(text: string): number {
  let us: number;
  try {
    us = parseDurationUs(text);
  } catch {
    throw new SweepInputError(`--until ${JSON.stringify(text)}: expected a duration such as 90s or 2m`);
  }
  if (us <= 0) throw new SweepInputError(`--until ${text}: must be greater than zero`);
  return us;
}

function readText(file: string, what: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new SweepInputError(`cannot read ${what} ${file}${code === 'ENOENT' ? ': no such file' : `: ${err instanceof Error ? err.message : String(err)}`}`);
  }
}

function parseCount(text: string, flag: string, min: number): number {
  if (!/^\d+$/.test(text.trim())) throw new SweepInputError(`${flag} ${JSON.stringify(text)}: expected a whole number`);
  const n = Number(text.trim());
  if (!Number.isSafeInteger(n) || n < min) throw new SweepInputError(`${flag} ${text}: must be at least ${min}`);
  return n;
}

function emit(text: string, out: string | undefined, io: SweepIo): void {
  if (out === undefined) {
    io.stdout.write(text);
    return;
  }
  try {
    writeFileSync(out, text);
  } catch (err) {
    throw new SweepInputError(`cannot write ${out}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

interface Gate {
  readonly baseline: SweepResult;
  readonly tolerance: number;
}

function readGate(baseline: string | undefined, tolerance: string | undefined): Gate | null {
  if (baseline === undefined) {
    if (tolerance !== undefined) throw new SweepInputError('--tolerance applies only with --baseline FILE');
    return null;
  }
  return {
    baseline: parseResult(baseline, readText(baseline, 'baseline')),
    tolerance: tolerance === undefined ? DEFAULT_TOLERANCE : parseTolerance(tolerance),
  };
}

/** Writes the report, then compares with the baseline: exit 1 when something regressed beyond the tolerance. */
function finish(result: SweepResult, output: SweepOutput, out: string | undefined, gate: Gate | null, io: SweepIo): number {
  emit(renderResult(result, output, chartJsSource), out, io);
  if (gate === null) return 0;
  const comparison = compareWithBaseline(result, gate.baseline, gate.tolerance);
  io.stderr.write(`${comparison.text}\n`);
  return comparison.regressions.length > 0 ? 1 : 0;
}

export async function sweepCommand(
  scenarioFile: string,
  options: SweepCommandOptions,
  io: SweepIo,
  resolveRunner: RunnerResolver = scenarioRunnerRef,
): Promise<number> {
  return guarded('sweep', io, async () => {
    const axes = options.set.map(parseSetArgument);
    const seeds = parseCount(options.seeds, '--seeds', 1);
    const firstSeed = parseCount(options.firstSeed, '--first-seed', 0);
    const workers = options.workers === undefined ? Math.min(availableParallelism(), MAX_WORKERS) : parseCount(options.workers, '--workers', 1);
    const output = parseSweepOutput(options.output);
    const shard: ShardSelector | undefined = options.shard === undefined ? undefined : parseShardSelector(options.shard);
    if (shard !== undefined && output !== 'json') {
      throw new SweepInputError(`--shard writes the shard's raw runs as json for merge; --output ${output} applies to merge`);
    }
    if (shard !== undefined && options.baseline !== undefined) throw new SweepInputError('--baseline applies to merge, not to one shard');
    const gate = readGate(options.baseline, options.tolerance);
    const runner = resolveRunner(scenarioFile, options.until === undefined ? {} : { untilUs: parseUntil(options.until) });
    let progress: SweepProgress = QUIET_PROGRESS;
    const outcome = await executeSweep({
      runner,
      axes,
      seeds,
      firstSeed,
      workers,
      ...(shard === undefined ? {} : { shard }),
      onStart: (runs) => {
        if (io.progress !== null) progress = createProgress(runs, io.progress, shard === undefined ? 'sweep' : `shard ${shard.index}/${shard.count}`);
      },
      onProgress: (done) => progress.update(done),
    }).finally(() => progress.stop());
    if (outcome.kind === 'shard') {
      emit(serialize(outcome.shard), options.out, io);
      return 0;
    }
    return finish(outcome.result, output, options.out, gate, io);
  });
}

export async function mergeCommand(files: readonly string[], options: MergeCommandOptions, io: SweepIo): Promise<number> {
  return guarded('merge', io, async () => {
    const output = parseSweepOutput(options.output);
    const gate = readGate(options.baseline, options.tolerance);
    const shards = files.map((file) => ({ file, shard: parseShard(file, readText(file, 'shard')) }));
    return finish(mergeShards(shards), output, options.out, gate, io);
  });
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

const SWEEP_EXAMPLES = `
Examples:
  # fail-over of the scheduler lease for three lease durations, 1000 seeds each
  $ kube-ha-sim sweep scenarios/failover-15s.yaml --set kube-scheduler.--leader-elect-lease-duration=15s,30s,60s --seeds 1000

  # a grid of two flags, as an html report
  $ kube-ha-sim sweep scenarios/failover-15s.yaml --set etcd.--election-timeout=1000,2500 \\
      --set haproxy.inter=1s,2s --seeds 200 --output html --out sweep.html

  # CI gate: save a baseline once, then fail (exit 1) when a change makes fail-over 5% worse
  $ kube-ha-sim sweep scenarios/failover-15s.yaml --seeds 500 --output json --out baseline.json
  $ kube-ha-sim sweep scenarios/failover-15s.yaml --seeds 500 --baseline baseline.json --tolerance 5%

  # three independent jobs (e.g. a Kubernetes Indexed Job), then one merge
  $ kube-ha-sim sweep scenarios/failover-15s.yaml --seeds 3000 --shard 0/3 --out shard-0.json   # ... 1/3, 2/3
  $ kube-ha-sim merge shard-0.json shard-1.json shard-2.json --output table

Keys are the scenario's flags as component.flag (kube-scheduler.--leader-elect-lease-duration, etcd.--election-timeout,
haproxy.inter, ...); an unknown key is an error that lists the valid ones. Every grid point runs the same seeds, and the
result is the same byte for byte whatever --workers or --shard. Exit codes: 0 ok, 1 regression against --baseline,
2 bad input. See docs/sweeps.md.
`;

export function registerSweepCommands(program: Command, io: () => SweepIo, setExitCode: (code: number) => void): void {
  program
    .command('sweep')
    .description('Run a scenario over a grid of flag values and many seeds; report fail-over and availability distributions')
    .argument('<scenario>', 'scenario file (YAML)')
    .option('--set <KEY=V1,V2,...>', 'a flag to sweep and its values (repeat for a grid)', collect, [])
    .option('--seeds <n>', 'seeds per grid point', '100')
    .option('--first-seed <n>', 'the first seed (seeds are first-seed .. first-seed+n-1)', '1')
    .option('--workers <n>', 'worker threads (default: available CPUs)')
    .option('--until <duration>', "how long each run lasts (default: the scenario's spec.duration)")
    .option('--output <format>', `report format: ${SWEEP_OUTPUTS.join(', ')}`, 'table')
    .option('--out <path>', 'write the report (or the shard) to a file instead of stdout')
    .option('--baseline <file>', 'a saved --output json result to compare with: exit 1 on regression')
    .option('--tolerance <x>', `allowed relative worsening with --baseline, as 0.05 or 5% (default ${DEFAULT_TOLERANCE * 100}%)`)
    .option('--shard <I/N>', 'run only shard I (0-based) of N and write its raw runs as json, for merge')
    .addHelpText('after', SWEEP_EXAMPLES)
    .action(async (scenario: string, options: SweepCommandOptions) => {
      setExitCode(await sweepCommand(scenario, options, io()));
    });
  program
    .command('merge')
    .description('Merge the shard files of a sweep (sweep --shard I/N) into the result a single sweep gives')
    .argument('<files...>', 'the shard files, one per shard, in any order')
    .option('--output <format>', `report format: ${SWEEP_OUTPUTS.join(', ')}`, 'table')
    .option('--out <path>', 'write the report to a file instead of stdout')
    .option('--baseline <file>', 'a saved --output json result to compare with: exit 1 on regression')
    .option('--tolerance <x>', `allowed relative worsening with --baseline (default ${DEFAULT_TOLERANCE * 100}%)`)
    .addHelpText('after', '\nExample:\n  $ kube-ha-sim merge shard-*.json --output html --out sweep.html\n')
    .action(async (files: string[], options: MergeCommandOptions) => {
      setExitCode(await mergeCommand(files, options, io()));
    });
}
