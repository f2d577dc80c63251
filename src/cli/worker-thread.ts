// Starting one of our modules in a worker thread (a sweep's or a check's workers). Node-only.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { ownModuleUrl, runsFromBundle } from './module-url';

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

/**
 * Starts `module` (a path under src/ without the extension, an entry of scripts/bundle.js) in a worker thread,
 * from the bundle when this process runs from it, else from the sources through tsx. `data` reaches the module as
 * `workerData` (structured-cloned).
 */
export function startWorker(module: string, data: object): Worker {
  const workerData = { ...data, tsxApi: runsFromBundle() ? null : tsxEsmApi(), entry: ownModuleUrl(module) };
  return new Worker(BOOTSTRAP, { eval: true, workerData });
}

export function checkWorkerCount(workers: number): void {
  if (!(Number.isInteger(workers) && workers >= 1 && workers <= MAX_WORKERS)) {
    throw new RangeError(`workers must be an integer in 1..${MAX_WORKERS}, got ${workers}`);
  }
}
