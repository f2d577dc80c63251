// The pool of worker threads a sweep runs on. Node-only. The run order is cut into small chunks handed out
// as workers become free; results are placed by run index, so neither the number of workers nor the order in
// which they finish can change the result.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { RunnerFactoryRef } from '../../sweep/runner';
import type { RunRecord, SweepSpec } from '../../sweep/types';
import { ownModuleUrl, runsFromBundle } from '../module-url';
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

export const MAX_WORKERS = 256;

const require = createRequire(import.meta.url);

/**
 * Worker threads do not inherit loader hooks registered with tsx's register() (how the TypeScript sources run
 * without the bundle: tests, or a checkout where none can be built), so each such worker registers tsx itself
 * before importing the worker module. The bundle's worker module is plain JavaScript and needs no loader.
 */
const BOOTSTRAP = `
const { workerData } = require('node:worker_threads');
(workerData.tsxApi === null ? Promise.resolve() : import(workerData.tsxApi).then((tsx) => tsx.register()))
  .then(() => import(workerData.entry))
  .catch((err) => { setImmediate(() => { throw err; }); });
`;

/** The ESM build of tsx's register API (its CommonJS build cannot register hooks from a worker). */
function tsxEsmApi(): string {
  const packageJson = require.resolve('tsx/package.json');
  const pkg = JSON.parse(readFileSync(packageJson, 'utf8')) as { exports: Record<string, { import: { default: string } }> };
  const relative = pkg.exports['./esm/api']?.import.default;
  if (relative === undefined) throw new Error(`${packageJson}: no ESM export for tsx/esm/api`);
  return pathToFileURL(join(dirname(packageJson), relative)).href;
}

/** The worker module, and the tsx API to load it with (null when it is the bundle's, plain JavaScript). */
function workerEntry(): { tsxApi: string | null; entry: string } {
  return { tsxApi: runsFromBundle() ? null : tsxEsmApi(), entry: ownModuleUrl('cli/sweep/worker') };
}

export function defaultChunkSize(runs: number, workers: number): number {
  return Math.max(1, Math.min(64, Math.ceil(runs / (workers * 16))));
}

export async function runPool(options: PoolOptions): Promise<RunRecord[]> {
  const { spec, from, to } = options;
  if (!(Number.isInteger(options.workers) && options.workers >= 1 && options.workers <= MAX_WORKERS)) {
    throw new RangeError(`workers must be an integer in 1..${MAX_WORKERS}, got ${options.workers}`);
  }
  const total = to - from;
  if (total <= 0) return [];
  const workerCount = Math.min(options.workers, total);
  const chunkSize = options.chunkSize ?? defaultChunkSize(total, workerCount);
  const records = new Array<RunRecord | undefined>(total);
  let next = from;
  let done = 0;
  const entry = workerEntry();
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
        const data: WorkerData & typeof entry = { runner: options.runner, spec, ...entry };
        const worker = new Worker(BOOTSTRAP, { eval: true, workerData: data });
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
