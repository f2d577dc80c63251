// `kube-ha-sim run FILE`: runs a scenario and prints its timeline (or json, ndjson, perfetto).
import { closeSync, openSync, writeFileSync, writeSync } from 'node:fs';
import type { Command } from 'commander';
import { DurationSyntaxError, parseDurationUs } from '../../sim/time';
import { parseSetting, UsageError } from '../../scenario/overrides';
import type { RunResult } from '../../run/result';
import { OUTPUT_FORMATS, runWithOutputs, type OutputFormat } from '../../report/outputs';
import { EXIT, type CliIo } from '../io';
import { loadScenarioFile } from '../load';
import { guarded } from '../errors';

export const RUN_OUTPUTS = OUTPUT_FORMATS;
export type RunOutput = OutputFormat;

export interface RunCommandOptions {
  readonly seed?: string;
  readonly until?: string;
  readonly output: string;
  readonly out?: string;
  readonly set: readonly string[];
}

const EXAMPLES = `
Examples:
  $ kube-ha-sim run scenarios/failover-15s.yaml
  $ kube-ha-sim run scenarios/failover-15s.yaml --seed 42 --until 90s
  $ kube-ha-sim run scenarios/failover-15s.yaml --set kube-scheduler.--leader-elect-lease-duration=30s
  $ kube-ha-sim run scenarios/failover-15s.yaml --output json --out run.json
  $ kube-ha-sim run scenarios/failover-15s.yaml --output perfetto --out trace.json   # open in ui.perfetto.dev
  $ kube-ha-sim run scenarios/failover-15s.yaml --output ndjson | jq 'select(.kind == "fault")'

Outputs: timeline (default) tells the run as a story and ends with a summary; json is the run's result
(leaders, faults, violations, expectations, metrics: docs/json-output.md); ndjson is the full event log,
one JSON object per line stamped with simulated time; perfetto is Chrome trace-event JSON.
Exit status: 0 all expectations met, 1 an expectation failed or an invariant was violated (the seed and the
replay command are printed), 2 bad input, 3 internal error.
`;

/** Buffers writes into large chunks (NDJSON can be millions of lines). */
class ChunkWriter {
  private parts: string[] = [];
  private size = 0;
  constructor(private readonly sink: (text: string) => void) {}
  write(text: string): void {
    this.parts.push(text);
    this.size += text.length;
    if (this.size >= 1 << 16) this.flush();
  }
  flush(): void {
    if (this.parts.length === 0) return;
    this.sink(this.parts.join(''));
    this.parts = [];
    this.size = 0;
  }
}

function parseOutput(text: string): RunOutput {
  if ((RUN_OUTPUTS as readonly string[]).includes(text)) return text as RunOutput;
  throw new UsageError(`--output ${JSON.stringify(text)}: expected one of ${RUN_OUTPUTS.join(', ')}`);
}

function parseSeed(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  if (text.trim() === '' || /\s/.test(text)) throw new UsageError(`--seed ${JSON.stringify(text)}: expected a number (or a word without spaces)`);
  return text.trim();
}

function parseUntil(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  try {
    const us = parseDurationUs(text);
    if (us <= 0) throw new UsageError(`--until ${text}: expected a duration greater than zero`);
    return us;
  } catch (err) {
    if (err instanceof DurationSyntaxError) throw new UsageError(`--until ${JSON.stringify(text)}: expected a duration like 90s or 2m`);
    throw err;
  }
}

export function runCommand(file: string, options: RunCommandOptions, io: CliIo): number {
  const output = parseOutput(options.output);
  const seed = parseSeed(options.seed);
  const untilUs = parseUntil(options.until);
  const settings = options.set.map(parseSetting);
  const scenario = loadScenarioFile(file);

  let fd: number | null = null;
  let writer: ChunkWriter | null = null;
  if (output === 'ndjson') {
    if (options.out !== undefined) {
      try {
        fd = openSync(options.out, 'w');
      } catch (err) {
        throw new UsageError(`cannot write ${options.out}: ${err instanceof Error ? err.message : String(err)}`);
      }
      const target = fd;
      writer = new ChunkWriter((text) => writeSync(target, text));
    } else writer = new ChunkWriter((text) => io.stdout.write(text));
  }
  let result: RunResult;
  let text: string | undefined;
  try {
    const w = writer;
    const rendered = runWithOutputs(
      scenario,
      // A split brain does not end the run: the report gives the whole overlap.
      { ...(seed !== undefined ? { seed } : {}), ...(untilUs !== undefined ? { untilUs } : {}), set: settings, splitBrain: 'measure' },
      [output],
      w !== null ? { ndjsonLine: (line) => w.write(line) } : {},
    );
    result = rendered.result;
    text = rendered.outputs[output];
  } finally {
    writer?.flush();
    if (fd !== null) closeSync(fd);
  }
  if (text !== undefined) {
    if (options.out === undefined) io.stdout.write(text);
    else {
      try {
        writeFileSync(options.out, text);
      } catch (err) {
        throw new UsageError(`cannot write ${options.out}: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  }
  if (options.out !== undefined) io.stderr.write(`kube-ha-sim run: wrote ${output} to ${options.out}\n`);
  if (result.outcome === 'pass') return EXIT.ok;
  const failed = result.expectations.filter((e) => !e.passed);
  const lines = ['kube-ha-sim run: FAIL'];
  for (const v of result.violations) lines.push(`  invariant ${v.invariant} violated at t=${(v.timeUs / 1e6).toFixed(3)}s: ${v.message}`);
  for (const e of failed) lines.push(`  expectation failed: ${e.description}: ${e.detail}`);
  lines.push(`  seed: ${result.seed}`, `  replay: ${result.replay}`);
  io.stderr.write(`${lines.join('\n')}\n`);
  return EXIT.failed;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

export function registerRunCommand(program: Command, io: () => CliIo, setExitCode: (code: number) => void): void {
  program
    .command('run')
    .description('Run a scenario and print its timeline (or json, ndjson, perfetto)')
    .argument('<file>', 'scenario file (YAML); `kube-ha-sim list` shows the bundled ones')
    .option('--seed <n>', "seed of the run (default: the scenario's spec.seed, else 1)")
    .option('--until <duration>', "how long to run, e.g. 90s, 2m (default: the scenario's spec.duration)")
    .option('--output <format>', `output format: ${RUN_OUTPUTS.join(', ')}`, 'timeline')
    .option('--out <path>', 'write the output to a file instead of stdout')
    .option('--set <key=value>', 'override a component flag, e.g. kube-scheduler.--leader-elect-lease-duration=30s (repeatable)', collect, [])
    .addHelpText('after', EXAMPLES)
    .action(async (file: string, options: RunCommandOptions) => setExitCode(await guarded('run', io(), () => runCommand(file, options, io()))));
}
