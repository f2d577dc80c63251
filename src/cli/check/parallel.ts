// `kube-ha-sim check --workers N`: the search's runs on N worker threads. Node-only.
//
// The report is the one the single-threaded search (propertyCheck) gives, whatever N. This thread draws the cases
// with fast-check from the same seed, in the search's order (an async property that hands each case out and waits
// while enough are queued, so cases are drawn just ahead of the workers and never all held at once). Workers run
// them in small chunks; results are decided by run index: the first run that does not pass is the failure, the
// totals add up the runs before it, in order. Once a run fails, no later case is drawn or handed out, and results
// of later runs still in flight are dropped. The failing run is then played again in this thread and shrunk exactly
// as the single-threaded search would (shrinking is sequential: each step depends on the previous one's result).
// A run that threw in a worker is played again here too, so the error is the one propertyCheck would throw.
import fc from 'fast-check';
import type { Worker } from 'node:worker_threads';
import {
  caseArbitrary,
  propertyCheck,
  runCase,
  SearchTally,
  shrinkFailure,
  type CheckReport,
  type PropertyCheckOptions,
  type RunSettings,
  type SearchCase,
} from '../../check/property';
import { checkWorkerCount, startWorker } from '../worker-thread';
import type { CaseResult, CheckCase, CheckWorkerData, CheckWorkerReply, CheckWorkerRequest } from './protocol';

export interface ParallelCheckOptions extends PropertyCheckOptions {
  readonly workers: number;
  /** Cases per message; default: about 16 chunks per worker, at most 4 cases each (a failure stops the search soon). */
  readonly chunkSize?: number;
}

export function defaultCheckChunkSize(runs: number, workers: number): number {
  return Math.max(1, Math.min(4, Math.ceil(runs / (workers * 16))));
}

/** The threads a search with these options runs on: no more than its runs, and a replayed path is one run in this thread. */
export function searchThreads(options: Pick<ParallelCheckOptions, 'workers' | 'runs' | 'path'>): number {
  return options.path !== undefined ? 1 : Math.min(options.workers, options.runs);
}

export async function parallelPropertyCheck(options: ParallelCheckOptions): Promise<CheckReport> {
  checkWorkerCount(options.workers);
  const workerCount = searchThreads(options);
  // One worker is this thread.
  if (workerCount <= 1) return propertyCheck(options);
  const chunkSize = options.chunkSize ?? defaultCheckChunkSize(options.runs, workerCount);
  if (!(Number.isInteger(chunkSize) && chunkSize >= 1)) throw new RangeError(`chunkSize must be a whole number >= 1, got ${chunkSize}`);

  const { tally, failure } = await new ParallelSearch(options, workerCount, chunkSize).run();
  const totals = tally.totals();
  if (failure === null) return { ...totals, failure: null };
  const [simSeed, plan] = failure.case;
  const where = `run ${failure.index + 1}`;
  if ('thrown' in failure.result) {
    runCase(options, simSeed, plan.windows); // throws what the worker's run threw, as propertyCheck would
    throw new Error(`check: ${where} threw in a worker (${failure.result.thrown}) but not here (the simulation is not deterministic?)`);
  }
  const result = runCase(options, simSeed, plan.windows);
  if (result.outcome !== failure.result.summary.outcome) {
    throw new Error(`check: ${where} ended ${failure.result.summary.outcome} in a worker but ${result.outcome} here (the simulation is not deterministic?)`);
  }
  return { ...totals, failure: shrinkFailure(options, { simSeed, plan, result }, String(failure.index), totals) };
}

interface SearchOutcome {
  /** The runs up to and including the first failure (all of them when none failed). */
  readonly tally: SearchTally;
  readonly failure: { readonly index: number; readonly case: SearchCase; readonly result: CaseResult } | null;
}

class ParallelSearch {
  private readonly tally = new SearchTally();
  /** Cases drawn and not yet known to pass, by index. */
  private readonly cases = new Map<number, SearchCase>();
  /** Drawn, not yet handed out. */
  private queue: number[] = [];
  /** Results not yet added to the tally (a later run can finish before an earlier one). */
  private readonly results = new Map<number, CaseResult>();
  private readonly idle: Worker[] = [];
  private readonly workers: Worker[] = [];
  private drawn = 0;
  private drawingDone = false;
  /** Runs the search needs: all of them, or up to the first failure known so far. */
  private needed: number;
  /** Leading runs with a result, added to the tally. */
  private prefix = 0;
  private failure: SearchOutcome['failure'] = null;
  private settled = false;
  private room: (() => void) | null = null;
  private resolve: (outcome: SearchOutcome) => void = () => {};
  private reject: (err: unknown) => void = () => {};

  constructor(
    private readonly options: ParallelCheckOptions,
    private readonly workerCount: number,
    private readonly chunkSize: number,
  ) {
    this.needed = options.runs;
  }

  async run(): Promise<SearchOutcome> {
    const done = new Promise<SearchOutcome>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
    try {
      this.startWorkers();
      const drawing = this.draw().then(
        () => {
          this.drawingDone = true;
          this.finishIfDone();
        },
        (err: unknown) => this.fail(err),
      );
      const outcome = await done;
      await drawing;
      return outcome;
    } finally {
      this.settled = true;
      this.releaseRoom();
      await Promise.all(this.workers.map((w) => w.terminate()));
    }
  }

  /** Draws the cases in the search's order, each as soon as there is room for it in the queue. */
  private async draw(): Promise<void> {
    const window = 2 * this.workerCount * this.chunkSize;
    await fc.check(
      fc.asyncProperty(caseArbitrary(this.options), async (c) => {
        if (this.settled || this.drawn >= this.needed) return false; // stop drawing: a failure came before this run
        this.cases.set(this.drawn, c);
        this.queue.push(this.drawn++);
        this.dispatch();
        while (this.queue.length >= window && !this.settled) await new Promise<void>((r) => (this.room = r));
        return true;
      }),
      { seed: this.options.seed, numRuns: this.options.runs, endOnFailure: true },
    );
  }

  private startWorkers(): void {
    const data: CheckWorkerData = { settings: runSettings(this.options) };
    for (let i = 0; i < this.workerCount; i++) {
      const worker = startWorker('cli/check/worker', data);
      this.workers.push(worker);
      worker.on('message', (reply: CheckWorkerReply) => {
        try {
          if (reply.kind === 'done') this.absorb(reply.results);
          this.idle.push(worker);
          this.dispatch();
          this.finishIfDone();
        } catch (err) {
          this.fail(err);
        }
      });
      worker.on('error', (err) => this.fail(err));
      worker.on('messageerror', (err) => this.fail(err));
      worker.on('exit', (code) => {
        if (!this.settled) this.fail(new Error(`check worker exited with code ${code} during the search`));
      });
    }
  }

  /** Hands queued cases to idle workers. */
  private dispatch(): void {
    while (this.idle.length > 0 && this.queue.length > 0) {
      const chunk: CheckCase[] = [];
      while (chunk.length < this.chunkSize && this.queue.length > 0) {
        const index = this.queue.shift()!;
        const c = this.cases.get(index)!;
        chunk.push({ index, simSeed: c[0], windows: c[1].windows });
      }
      this.idle.pop()!.postMessage({ kind: 'run', cases: chunk } satisfies CheckWorkerRequest);
    }
    this.releaseRoom();
  }

  /** Lets the drawing go on (or see that the search is over). */
  private releaseRoom(): void {
    const room = this.room;
    this.room = null;
    room?.();
  }

  private absorb(results: readonly CaseResult[]): void {
    for (const r of results) {
      if (r.index >= this.needed) continue; // after a failure: not part of the search
      if (r.index < this.prefix || this.results.has(r.index) || !this.cases.has(r.index)) throw new Error(`check: a worker returned run ${r.index + 1} twice or unasked`);
      if ('thrown' in r || r.summary.outcome !== 'pass') {
        this.failure = { index: r.index, case: this.cases.get(r.index)!, result: r };
        this.needed = r.index + 1;
        for (const index of this.cases.keys()) if (index > r.index) this.cases.delete(index);
        this.queue = this.queue.filter((index) => index < this.needed);
      } else {
        this.cases.delete(r.index);
      }
      this.results.set(r.index, r);
    }
    while (this.prefix < this.needed && this.results.has(this.prefix)) {
      const r = this.results.get(this.prefix)!;
      this.results.delete(this.prefix++);
      if ('summary' in r) this.tally.add(r.summary);
    }
    const o = this.options;
    o.onProgress?.({ phase: 'search', runs: this.tally.runs, totalRuns: o.runs, faults: this.tally.faultsInjected, shrinkRuns: 0, shrinkBudget: o.shrinkRuns ?? 150 });
  }

  private finishIfDone(): void {
    if (this.settled) return;
    const failed = this.failure !== null && this.prefix === this.needed;
    if (!failed && !(this.drawingDone && this.prefix === this.drawn)) return;
    this.settled = true;
    this.releaseRoom();
    this.resolve({ tally: this.tally, failure: failed ? this.failure : null });
  }

  private fail(err: unknown): void {
    if (this.settled) return;
    this.settled = true;
    this.releaseRoom();
    this.reject(err);
  }
}

function runSettings(options: PropertyCheckOptions): RunSettings {
  return {
    scenario: options.scenario,
    safetyUs: options.safetyUs,
    livenessUs: options.livenessUs,
    workload: options.workload,
    ...(options.linearizabilitySteps !== undefined ? { linearizabilitySteps: options.linearizabilitySteps } : {}),
    ...(options.maxEvents !== undefined ? { maxEvents: options.maxEvents } : {}),
    ...(options.bugs !== undefined ? { bugs: options.bugs } : {}),
  };
}
