// The pool of worker threads a sweep runs on. Node-only. The run order is cut into small chunks handed out
// as workers become free; results are placed by run index, so neither the number of workers nor the order in
// which they finish can change the result.
import type { Worker } from 'node:worker_threads';
import type { RunnerFactoryRef } from '../../sweep/runner';
import type { RunRecord, SweepSpec } from '../../sweep/types';
import { checkWorkerCount, startWorker } from '../worker-thread';
import type { WorkerData, WorkerReply, WorkerRequest } from './protocol';

export interface PoolOptions {
  readonly runner: RunnerFactoryRef;
  readonly spec: SweepSpec;
  /** The slice [from, to) of the run order to run. */
  readonly from: number;
  readonly to: number;
  readonly workers: number;
  /** Runs per message; default: about 16 chunks per worker, at most 64 runs each. */
  readonly chunkSize?: number;
  /** Called with the number of runs finished so far. */
  readonly onProgress?: (done: number) => void;
}

export function defaultChunkSize(runs: number, workers: number): number {
  return Math.max(1, Math.min(64, Math.ceil(runs / (workers * 16))));
}

export async function runPool(options: PoolOptions): Promise<RunRecord[]> {
  const { spec, from, to } = options;
  checkWorkerCount(options.workers);
  const total = to - from;
  if (total <= 0) return [];
  const workerCount = Math.min(options.workers, total);
  const chunkSize = options.chunkSize ?? defaultChunkSize(total, workerCount);
  const records = new Array<RunRecord | undefined>(total);
  let next = from;
  let done = 0;
  const workers: Worker[] = [];
  try {
    await new Promise<void>((resolve, reject) => {
      let finished = 0;
      const dispatch = (worker: Worker): void => {
        if (next >= to) {
          worker.postMessage({ kind: 'close' } satisfies WorkerRequest);
          if (++finished === workerCount) resolve();
          return;
        }
        const chunkTo = Math.min(to, next + chunkSize);
        worker.postMessage({ kind: 'run', from: next, to: chunkTo } satisfies WorkerRequest);
        next = chunkTo;
      };
      for (let i = 0; i < workerCount; i++) {
        const data: WorkerData = { runner: options.runner, spec };
        const worker = startWorker('cli/sweep/worker', data);
        workers.push(worker);
        worker.on('message', (reply: WorkerReply) => {
          switch (reply.kind) {
            case 'ready':
              dispatch(worker);
              return;
            case 'done':
              for (const record of reply.records) {
                if (record.index < reply.from || record.index >= reply.to) {
                  reject(new Error(`worker returned run ${record.index} outside its chunk ${reply.from}..${reply.to - 1}`));
                  return;
                }
                records[record.index - from] = record;
              }
              done += reply.records.length;
              options.onProgress?.(done);
              dispatch(worker);
              return;
          }
        });
        worker.on('error', reject);
        worker.on('exit', (code) => {
          if (code !== 0) reject(new Error(`sweep worker exited with code ${code}`));
        });
      }
    });
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
  const missing = records.findIndex((r) => r === undefined);
  if (missing >= 0) throw new Error(`sweep pool lost run ${from + missing}`);
  return records as RunRecord[];
}
