// `kube-ha-sim check [SCENARIO]`: property-checks split-brain safety. Draws random fault plans (swarm-style) from
// the seed, runs the full control plane under each with every checker on, heals and demands convergence; on the
// first failure shrinks the plan and writes it as a scenario file that replays it.
import { writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import { runCheck, DEFAULT_LIVENESS_US } from '../../check/harness';
import { CheckInputError, FAULT_CLASSES, FAULT_CLASS_DOCS, FAULT_CLASS_GROUPS, parseFaultClasses } from '../../check/plan/classes';
import type { CheckProgress, CheckReport } from '../../check/property';
import { CHECK_EXIT, checkCommandLine, counterexampleHeader, exitStatus, formatFailure, summaryLine, type CheckSettings } from '../../check/report/format';
import { counterexampleYaml } from '../../check/report/scenario-yaml';
import { formatCheckViolation } from '../../check/checkers/types';
import { UsageError } from '../../scenario/overrides';
import { validateScenarioData } from '../../scenario/parse';
import type { Scenario } from '../../scenario/types';
import { DurationSyntaxError, formatDurationUs, parseDurationUs } from '../../sim/time';
import { parallelPropertyCheck, searchThreads } from '../check/parallel';
import { MAX_WORKERS } from '../worker-thread';
import { guarded } from '../errors';
import type { CliIo } from '../io';
import { loadScenarioFile } from '../load';

export interface CheckCommandOptions {
  readonly runs: string;
  readonly seed: string;
  readonly faults: string;
  readonly maxFaults: string;
  readonly until: string;
  readonly liveness: string;
  readonly workload: string;
  readonly path?: string;
  readonly replay?: string;
  readonly shrinkRuns: string;
  readonly out?: string;
  readonly output: string;
  readonly workers?: string;
}

const EXAMPLES = `
Examples:
  $ kube-ha-sim check --runs 500 --faults crash,loss                # the default topology: no violation
  $ kube-ha-sim check --runs 500 --faults crash,partition,loss      # finds kube-scheduler's ReleaseOnCancel window (client-go)
  $ kube-ha-sim check --faults pause                               # finds a lease split brain, shrinks it
  $ kube-ha-sim check my-cluster.yaml --faults clock --max-faults 2 --until 90s
  $ kube-ha-sim check --seed 1 --path 14 --faults pause             # replays run 15 of seed 1 (and its shrinking)
  $ kube-ha-sim run counterexample-672317857.yaml                   # replays a written counterexample

Fault classes: ${FAULT_CLASSES.map((c) => `\n  ${c.padEnd(12)} ${FAULT_CLASS_DOCS[c]}`).join('')}
  groups: ${Object.entries(FAULT_CLASS_GROUPS)
    .map(([g, cs]) => `${g} = ${g === 'all' ? 'every class' : cs.join(',')}`)
    .join('; ')}

Each run draws its own options within the allowed classes (which classes, how many faults up to --max-faults,
how long, how large, how often aimed at the current leader), plays them during the safety phase (--until),
then heals every fault and requires the cluster to converge within --liveness: one etcd leader, every lease
held, the API reachable through the load balancer, the KV workload's keys readable.
Checkers: lease exclusivity, Raft safety (Election Safety, Log Matching, Leader Completeness, State Machine
Safety, committed-is-durable), linearizability of the KV workload's etcd operations, no acknowledged write lost.

Exit status: 0 no violation in any run; 1 safety violation; 2 bad input; 3 internal error (a simulator bug);
4 liveness failure. A failure prints the seed and path that replay it and writes the shrunk plan as a scenario.
`;

function parseCount(text: string, flag: string, min: number): number {
  if (!/^\d+$/.test(text.trim())) throw new UsageError(`${flag} ${JSON.stringify(text)}: expected a whole number`);
  const n = Number(text.trim());
  if (!Number.isSafeInteger(n) || n < min) throw new UsageError(`${flag} ${text}: must be at least ${min}`);
  return n;
}

function parseDuration(text: string, flag: string): number {
  try {
    const us = parseDurationUs(text);
    if (us <= 0) throw new UsageError(`${flag} ${text}: expected a duration greater than zero`);
    return us;
  } catch (err) {
    if (err instanceof DurationSyntaxError) throw new UsageError(`${flag} ${JSON.stringify(text)}: expected a duration like 60s or 2m`);
    throw err;
  }
}

function parseWorkload(text: string): boolean {
  if (text === 'kv') return true;
  if (text === 'none') return false;
  throw new UsageError(`--workload ${JSON.stringify(text)}: expected kv or none`);
}

/** The scenario to check: a file, or the default topology. */
function baseScenario(file: string | undefined): Scenario {
  if (file !== undefined) return loadScenarioFile(file);
  return validateScenarioData({ apiVersion: 'kube-ha-sim/v1', kind: 'Scenario', metadata: { name: 'check', description: 'the default topology' }, spec: {} }, null, null);
}

interface Progress {
  update(p: CheckProgress): void;
  stop(): void;
}

function createProgress(stream: NodeJS.WriteStream | null, total: number): Progress {
  if (stream === null || !stream.isTTY) return { update: () => {}, stop: () => {} };
  const bar = new cliProgress.SingleBar(
    {
      stream,
      format: 'check [{bar}] {value}/{total} runs | {faults} faults | {phase} | {duration_formatted}',
      hideCursor: true,
      clearOnComplete: true,
      fps: 5,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, 0, { faults: 0, phase: 'searching' });
  return {
    update: (p) => bar.update(p.runs, { faults: p.faults, phase: p.phase === 'search' ? 'searching' : `shrinking ${p.shrinkRuns}/${p.shrinkBudget}` }),
    stop: () => bar.stop(),
  };
}

function replayCommand(file: string, options: CheckCommandOptions, io: CliIo): number {
  const scenario = loadScenarioFile(file);
  const workload = parseWorkload(options.workload);
  const heals = scenario.faults.filter((s) => s.fault.kind === 'heal');
  const safetyUs = heals.length > 0 ? heals[heals.length - 1]!.atUs : scenario.durationUs;
  const livenessUs = Math.max(1_000_000, scenario.durationUs - safetyUs);
  const started = performance.now();
  const result = runCheck({ scenario, seed: scenario.seed, plan: scenario.faults, safetyUs, livenessUs, workload: workload ? {} : null, replayCommand: `kube-ha-sim check --replay ${file}` });
  const ms = performance.now() - started;
  const head = `kube-ha-sim check --replay ${file}: seed ${String(scenario.seed)}, safety phase ${formatDurationUs(safetyUs)}, liveness bound ${formatDurationUs(livenessUs)}`;
  if (result.violation === null) {
    io.stdout.write(`${head}\n  no violation; converged at t=${((result.convergedAtUs ?? 0) / 1e6).toFixed(3)}s (${(ms / 1000).toFixed(1)}s)\n`);
    return CHECK_EXIT.ok;
  }
  io.stdout.write(`${head}\n${formatCheckViolation(result.violation).replace(/^/gm, '  ')}\n`);
  return result.outcome === 'liveness' ? CHECK_EXIT.liveness : result.outcome === 'error' ? CHECK_EXIT.internal : CHECK_EXIT.safety;
}

/** Runs per worker below which another worker costs more (its start-up and JIT warm-up) than it saves. */
const MIN_RUNS_PER_WORKER = 8;

/** Every CPU, but no more workers than there are runs to share out. */
function defaultWorkers(runs: number): number {
  return Math.max(1, Math.min(availableParallelism(), MAX_WORKERS, Math.floor(runs / MIN_RUNS_PER_WORKER)));
}

export async function checkCommand(file: string | undefined, options: CheckCommandOptions, io: CliIo): Promise<number> {
  if (options.output !== 'text' && options.output !== 'json') throw new UsageError(`--output ${JSON.stringify(options.output)}: expected text or json`);
  if (options.replay !== undefined) {
    if (file !== undefined) throw new UsageError('--replay FILE replays one scenario file: give no SCENARIO argument with it');
    return replayCommand(options.replay, options, io);
  }
  let classes;
  try {
    classes = parseFaultClasses(options.faults);
  } catch (err) {
    if (err instanceof CheckInputError) throw new UsageError(err.message);
    throw err;
  }
  const seed = parseCount(options.seed, '--seed', 0);
  if (seed > 0x7fffffff) throw new UsageError(`--seed ${options.seed}: must be at most ${0x7fffffff}`);
  const settings: CheckSettings = {
    scenarioFile: file ?? null,
    runs: parseCount(options.runs, '--runs', 1),
    seed,
    classes,
    maxFaults: parseCount(options.maxFaults, '--max-faults', 0),
    safetyUs: parseDuration(options.until, '--until'),
    livenessUs: parseDuration(options.liveness, '--liveness'),
    workload: parseWorkload(options.workload),
  };
  if (options.path !== undefined && !/^\d+(:\d+)*$/.test(options.path)) throw new UsageError(`--path ${JSON.stringify(options.path)}: expected the path a failure printed, e.g. 14 or 14:0:2`);
  const shrinkRuns = parseCount(options.shrinkRuns, '--shrink-runs', 0);
  const workers = options.workers === undefined ? defaultWorkers(settings.runs) : parseCount(options.workers, '--workers', 1);
  if (workers > MAX_WORKERS) throw new UsageError(`--workers ${options.workers}: must be at most ${MAX_WORKERS}`);
  const threads = searchThreads({ workers, runs: settings.runs, ...(options.path !== undefined ? { path: options.path } : {}) });
  const scenario = baseScenario(file);

  const progress = createProgress(io.progress, settings.runs);
  const started = performance.now();
  let report: CheckReport;
  try {
    report = await parallelPropertyCheck({
      workers: threads,
      scenario,
      runs: settings.runs,
      seed: settings.seed,
      classes: settings.classes,
      maxFaults: settings.maxFaults,
      safetyUs: settings.safetyUs,
      livenessUs: settings.livenessUs,
      workload: settings.workload ? {} : null,
      shrinkRuns,
      ...(options.path !== undefined ? { path: options.path } : {}),
      onProgress: (p) => progress.update(p),
    });
  } finally {
    progress.stop();
  }
  const elapsedMs = performance.now() - started;
  const failure = report.failure;
  let written: string | null = null;
  if (failure !== null) {
    written = options.out ?? `counterexample-${failure.simSeed}.yaml`;
    const text = counterexampleYaml(scenario, {
      name: `counterexample-${failure.simSeed}`,
      description: `${failure.violation.checker} violated (found by kube-ha-sim check)`,
      seed: failure.simSeed,
      durationUs: settings.safetyUs + settings.livenessUs,
      plan: failure.shrunk.result.plan,
      expectViolation: failure.withoutWorkload && failure.outcome === 'safety' ? failure.violation.checker : null,
      header: counterexampleHeader(report, settings),
    });
    try {
      writeFileSync(written, text);
    } catch (err) {
      io.stderr.write(`kube-ha-sim check: cannot write ${written}: ${err instanceof Error ? err.message : String(err)}\n`);
      written = null;
    }
  }
  if (options.output === 'json') {
    io.stdout.write(`${JSON.stringify(jsonReport(report, settings, elapsedMs, threads, written), null, 2)}\n`);
    return exitStatus(report);
  }
  const settingsLine = `faults: ${settings.classes.join(',')}; at most ${settings.maxFaults} per run; ${formatDurationUs(settings.safetyUs)} with faults, then up to ${formatDurationUs(settings.livenessUs)} to converge; seed ${settings.seed}`;
  if (failure === null) {
    io.stdout.write(`kube-ha-sim check: no violation in ${report.runs} runs\n  ${settingsLine}\n`);
    if (report.linearizabilityUnknown > 0) io.stdout.write(`  linearizability undecided (search budget) in ${report.linearizabilityUnknown} run(s)\n`);
  } else {
    io.stdout.write(`${formatFailure(report, settings, { scenario: written })}\n  ${settingsLine}\n`);
  }
  io.stdout.write(`${summaryLine(report, elapsedMs, threads)}\n`);
  return exitStatus(report);
}

function jsonReport(report: CheckReport, settings: CheckSettings, elapsedMs: number, workers: number, written: string | null): unknown {
  const f = report.failure;
  return {
    settings: { ...settings, command: checkCommandLine(settings) },
    runs: report.runs,
    faultsInjected: report.faultsInjected,
    simulatedUs: report.simulatedUs,
    events: report.events,
    elapsedMs: Math.round(elapsedMs),
    workers,
    linearizabilityUnknown: report.linearizabilityUnknown,
    failure:
      f === null
        ? null
        : {
            outcome: f.outcome,
            violation: f.violation,
            simSeed: f.simSeed,
            path: f.path,
            foundAtRun: f.foundAtRun,
            shrinkRuns: f.shrinkRuns,
            found: f.found.windows,
            shrunk: f.shrunk.windows,
            plan: f.shrunk.result.plan,
            scenarioFile: written,
            replay: written !== null && f.withoutWorkload ? `kube-ha-sim run ${written}` : written !== null ? `kube-ha-sim check --replay ${written}` : checkCommandLine(settings, f.path),
          },
  };
}

export function registerCheckCommand(program: Command, io: () => CliIo, setExitCode: (code: number) => void): void {
  program
    .command('check')
    .description('Property-check split-brain safety under random fault plans; shrink and write any counterexample')
    .argument('[scenario]', 'scenario file whose cluster and settings to check (default: the default topology); its own faults are replaced')
    .option('--runs <n>', 'runs (fault plans) to try', '100')
    .option('--seed <n>', 'seed of the search: decides every plan and every run\'s simulation seed', '1')
    .option('--faults <classes>', `fault classes to draw from, comma-separated (${FAULT_CLASSES.join(', ')}; groups clock, network, all)`, 'crash,partition,loss')
    .option('--max-faults <k>', 'at most this many faults per run', '4')
    .option('--until <duration>', 'length of the safety phase, during which faults play', '60s')
    .option('--liveness <duration>', 'after the heal, how long the cluster has to converge', formatDurationUs(DEFAULT_LIVENESS_US))
    .option('--workload <kind>', 'client workload for the linearizability and acknowledged-write checks: kv or none', 'kv')
    .option('--path <path>', 'replay one run of a previous search (the path its failure printed) with its --seed')
    .option('--replay <file>', 'run one scenario file (a written counterexample) with every checker on')
    .option('--shrink-runs <n>', 'simulation runs the shrinker may spend', '150')
    .option('--out <file>', 'where to write the counterexample scenario (default counterexample-<seed>.yaml)')
    .option('--output <format>', 'text or json', 'text')
    .option('--workers <n>', `worker threads for the search (default: the CPUs, at most one per ${MIN_RUNS_PER_WORKER} runs); the report is the same whatever the number`)
    .addHelpText('after', EXAMPLES)
    .action(async (file: string | undefined, options: CheckCommandOptions) => setExitCode(await guarded('check', io(), () => checkCommand(file, options, io()))));
}
