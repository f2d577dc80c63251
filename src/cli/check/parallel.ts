// `kube-ha-sim check --workers N`: the search's runs on N worker threads. Node-only.
//
// The report is the one the single-threaded search (propertyCheck) gives, whatever N: the cases are drawn up front
// in the search's order (searchCases), workers run them in small chunks, and the result is decided by run index --
// the first failing run is the failure, the totals cover the runs up to it. Once a run fails, no later case is
// handed out, and runs after it still in flight are discarded. The failing run is then played again in this
// thread and shrunk exactly as the single-threaded search would (shrinking is sequential: each step depends on
// the previous one's result).
import type { Worker } from 'node:worker_threads';
import { propertyCheck, runCase, searchCases, searchTotals, shrinkFailure, type CheckReport, type PropertyCheckOptions, type RunSettings, type RunSummary } from '../../check/property';
import { checkWorkerCount, startWorker } from '../worker-thread';
import type { CheckCase, CheckWorkerData, CheckWorkerReply, CheckWorkerRequest } from './protocol';

export interface ParallelCheckOptions extends PropertyCheckOptions {
  readonly workers: number;
  /** Cases per message; default: about 16 chunks per worker, at most 4 cases each (a failure stops the search soon). */
  readonly chunkSize?: number;
}

export function defaultCheckChunkSize(runs: number, workers: number): number {
  return Math.max(1, Math.min(4, Math.ceil(runs / (workers * 16))));
}

export async function parallelPropertyCheck(options: ParallelCheckOptions): Promise<CheckReport> {
  checkWorkerCount(options.workers);
  const workerCount = Math.min(options.workers, options.runs);
  // A replay is one run; one worker is this thread.
  if (workerCount <= 1 || options.path !== undefined) return propertyCheck(options);
  const cases = searchCases(options);
  const summaries = await runCases(options, cases, workerCount);
  const failIndex = summaries.findIndex((s) => s.outcome !== 'pass');
  if (failIndex < 0) return { ...searchTotals(summaries), failure: null };

  const totals = searchTotals(summaries.slice(0, failIndex + 1));
  const [simSeed, plan] = cases[failIndex]!;
  const result = runCase(options, simSeed, plan.windows);
  if (result.outcome !== summaries[failIndex]!.outcome) {
    throw new Error(`check: run ${failIndex + 1} ended ${summaries[failIndex]!.outcome} in a worker but ${result.outcome} here (the simulation is not deterministic?)`);
  }
  options.onProgress?.({ phase: 'search', runs: totals.runs, totalRuns: options.runs, faults: totals.faultsInjected, shrinkRuns: 0, shrinkBudget: options.shrinkRuns ?? 150 });
  return { ...totals, failure: shrinkFailure(options, { simSeed, plan, result }, String(failIndex), totals) };
}

/** Runs cases on the workers until every case before the first failure (and it) has a result; returns that prefix. */
async function runCases(options: ParallelCheckOptions, cases: ReturnType<typeof searchCases>, workerCount: number): Promise<RunSummary[]> {
  const chunkSize = options.chunkSize ?? defaultCheckChunkSize(cases.length, workerCount);
  const settings: RunSettings = {
    scenario: options.scenario,
    safetyUs: options.safetyUs,
    livenessUs: options.livenessUs,
    workload: options.workload,
    ...(options.linearizabilitySteps !== undefined ? { linearizabilitySteps: options.linearizabilitySteps } : {}),
    ...(options.maxEvents !== undefined ? { maxEvents: options.maxEvents } : {}),
    ...(options.bugs !== undefined ? { bugs: options.bugs } : {}),
  };
  const results = new Array<RunSummary | undefined>(cases.length);
  /** Runs needed: every case up to the first failure known so far. */
  let needed = cases.length;
  let next = 0;
  /** Leading cases with a result. */
  let prefix = 0;
  let faults = 0;
  const workers: Worker[] = [];
  try {
    await new Promise<void>((resolve, reject) => {
      const dispatch = (worker: Worker): void => {
        if (next >= needed) return;
        const chunk: CheckCase[] = [];
        for (const end = Math.min(needed, next + chunkSize); next < end; next++) chunk.push({ index: next, simSeed: cases[next]![0], windows: cases[next]![1].windows });
        worker.postMessage({ kind: 'run', cases: chunk } satisfies CheckWorkerRequest);
      };
      const data: CheckWorkerData = { settings };
      for (let i = 0; i < workerCount; i++) {
        const worker = startWorker('cli/check/worker', data);
        workers.push(worker);
        worker.on('message', (reply: CheckWorkerReply) => {
          if (reply.kind === 'ready') {
            dispatch(worker);
            return;
          }
          for (const { index, summary } of reply.results) {
            if (index >= needed) continue; // after a failure: not part of the search
            results[index] = summary;
            if (summary.outcome !== 'pass') needed = index + 1;
          }
          while (prefix < needed && results[prefix] !== undefined) faults += results[prefix++]!.faultsInjected;
          options.onProgress?.({ phase: 'search', runs: prefix, totalRuns: options.runs, faults, shrinkRuns: 0, shrinkBudget: options.shrinkRuns ?? 150 });
          if (prefix === needed) resolve();
          else dispatch(worker);
        });
        worker.on('error', reject);
        worker.on('exit', (code) => {
          if (code !== 0) reject(new Error(`check worker exited with code ${code}`));
        });
      }
    });
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
  return results.slice(0, needed) as RunSummary[];
}
