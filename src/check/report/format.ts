// What `kube-ha-sim check` prints: the summary (runs, faults injected, time taken) and, for a failure, the
// violation, the plan as found and as shrunk, and how to replay it. Pure text; the CLI adds the elapsed time.
import { formatDurationUs, formatSimTime } from '../../sim/time';
import { formatCheckViolation } from '../checkers/types';
import { FAULT_CLASSES, type FaultClass } from '../plan/classes';
import { describeWindow } from '../plan/window';
import type { CheckFailure, CheckReport } from '../property';

/** Exit statuses of `kube-ha-sim check`. */
export const CHECK_EXIT = {
  /** Every run passed: no checker failed and the cluster always converged. */
  ok: 0,
  /** A safety property was violated (lease exclusivity, Raft safety, linearizability, an acknowledged write lost, ...). */
  safety: 1,
  /** Bad input (options, scenario file). */
  usage: 2,
  /** A bug in the simulator (an exception inside a run). */
  internal: 3,
  /** Liveness: after every fault healed, the cluster did not converge within the bound. */
  liveness: 4,
} as const;

export interface CheckSettings {
  readonly scenarioFile: string | null;
  readonly runs: number;
  readonly seed: number;
  readonly classes: readonly FaultClass[];
  readonly maxFaults: number;
  readonly safetyUs: number;
  readonly livenessUs: number;
  readonly workload: boolean;
}

/** The `kube-ha-sim check ...` command line that repeats these settings (with a path: replays one run). */
export function checkCommandLine(s: CheckSettings, path?: string): string {
  const parts = ['kube-ha-sim', 'check'];
  if (s.scenarioFile !== null) parts.push(s.scenarioFile);
  parts.push('--seed', String(s.seed));
  if (path !== undefined) parts.push('--path', path);
  else parts.push('--runs', String(s.runs));
  const all = FAULT_CLASSES.every((c) => s.classes.includes(c));
  parts.push('--faults', all ? 'all' : s.classes.join(','), '--max-faults', String(s.maxFaults), '--until', formatDurationUs(s.safetyUs));
  if (s.livenessUs !== 60_000_000) parts.push('--liveness', formatDurationUs(s.livenessUs));
  if (!s.workload) parts.push('--workload', 'none');
  return parts.join(' ');
}

export function exitStatus(report: CheckReport): number {
  const f = report.failure;
  if (f === null) return CHECK_EXIT.ok;
  switch (f.outcome) {
    case 'safety':
      return CHECK_EXIT.safety;
    case 'liveness':
      return CHECK_EXIT.liveness;
    case 'error':
      return CHECK_EXIT.internal;
  }
}

/** One line: runs, faults injected, time taken (and throughput); `workers`: the threads the search ran on (named when more than one). */
export function summaryLine(report: CheckReport, elapsedMs: number, workers = 1): string {
  const seconds = elapsedMs / 1000;
  const on = workers > 1 ? ` on ${workers} workers` : '';
  const rate = seconds > 0 ? ` (${(report.runs / seconds).toFixed(1)} runs/s, ${formatDurationUs(Math.round(report.simulatedUs / 1000) * 1000)} simulated)` : '';
  return `runs: ${report.runs}, faults injected: ${report.faultsInjected}, time: ${seconds.toFixed(1)}s${on}${rate}`;
}

function title(f: CheckFailure): string {
  switch (f.outcome) {
    case 'safety':
      return 'SAFETY VIOLATION';
    case 'liveness':
      return 'LIVENESS FAILURE';
    case 'error':
      return 'INTERNAL ERROR';
  }
}

export interface FailureFiles {
  /** Where the counterexample scenario was written (null if it was not). */
  readonly scenario: string | null;
}

/** The failure report. */
export function formatFailure(report: CheckReport, settings: CheckSettings, files: FailureFiles): string {
  const f = report.failure!;
  const lines = [`kube-ha-sim check: ${title(f)} found at run ${f.foundAtRun} of ${settings.runs} (seed ${settings.seed}, path ${f.path})`];
  lines.push(...formatCheckViolation(f.violation).split('\n').map((l) => `  ${l}`));
  const found = f.found.windows;
  lines.push(`  fault plan as found (${found.length} fault${found.length === 1 ? '' : 's'}, simulation seed ${f.simSeed}):`);
  for (const w of found) lines.push(`    ${describeWindow(w)}`);
  const shrunk = f.shrunk.windows;
  lines.push(`  shrunk in ${f.shrinkRuns} runs to ${shrunk.length} fault${shrunk.length === 1 ? '' : 's'}:`);
  for (const w of shrunk) lines.push(`    ${describeWindow(w)}`);
  if (shrunk.length === 0) lines.push('    (none: the failure happens without any fault)');
  lines.push(`    then every fault heals at ${formatSimTime(settings.safetyUs)}`);
  if (files.scenario !== null) {
    lines.push(`  counterexample written to ${files.scenario}`);
    if (f.withoutWorkload) lines.push(`  replay: kube-ha-sim run ${files.scenario}`);
    else lines.push(`  replay: kube-ha-sim check --replay ${files.scenario}   (needs the KV workload, which \`run\` does not start)`);
  }
  lines.push(`  replay the search: ${checkCommandLine(settings, f.path)}`);
  return lines.join('\n');
}

/** Header comment lines of the counterexample scenario file. */
export function counterexampleHeader(report: CheckReport, settings: CheckSettings): string[] {
  const f = report.failure!;
  return [
    `Counterexample found by: ${checkCommandLine(settings, f.path)}`,
    `${f.violation.checker} violated at t=${formatSimTime(f.violation.atUs)}: ${f.violation.message}`.replace(/\n/g, ' '),
    `Shrunk from ${f.found.windows.length} to ${f.shrunk.windows.length} fault(s); every fault heals at ${formatSimTime(settings.safetyUs)}.`,
    f.withoutWorkload ? 'Replay: kube-ha-sim run THIS-FILE' : 'Replay: kube-ha-sim check --replay THIS-FILE (the failure needs the KV workload)',
    '',
  ];
}
