// A check worker thread: runs the cases the parallel search hands it, with every checker on, and posts back what
// the search keeps of each (its outcome and totals, or what it threw). A chunk stops at its first case that does
// not pass: the cases after it come after a failure, which the search does not look past. Node-only.
import { parentPort, workerData } from 'node:worker_threads';
import { runCase, summarize } from '../../check/property';
import type { CaseResult, CheckWorkerData, CheckWorkerReply, CheckWorkerRequest } from './protocol';

const port = parentPort;
if (port === null) throw new Error('check worker must run in a worker thread');
const { settings } = workerData as CheckWorkerData;
port.on('message', (request: CheckWorkerRequest) => {
  const results: CaseResult[] = [];
  for (const c of request.cases) {
    try {
      const summary = summarize(runCase(settings, c.simSeed, c.windows));
      results.push({ index: c.index, summary });
      if (summary.outcome !== 'pass') break;
    } catch (err) {
      results.push({ index: c.index, thrown: err instanceof Error ? err.message : String(err) });
      break;
    }
  }
  const reply: CheckWorkerReply = { kind: 'done', results };
  port.postMessage(reply);
});
const ready: CheckWorkerReply = { kind: 'ready' };
port.postMessage(ready);
