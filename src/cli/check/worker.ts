// A check worker thread: runs the cases the parallel search hands it, with every checker on, and posts back what
// the search keeps of each (its outcome and totals). Node-only (worker_threads).
import { parentPort, workerData } from 'node:worker_threads';
import { runCase, summarize } from '../../check/property';
import type { CheckWorkerData, CheckWorkerReply, CheckWorkerRequest } from './protocol';

const port = parentPort;
if (port === null) throw new Error('check worker must run in a worker thread');
const { settings } = workerData as CheckWorkerData;
port.on('message', (request: CheckWorkerRequest) => {
  switch (request.kind) {
    case 'run': {
      const results = request.cases.map((c) => ({ index: c.index, summary: summarize(runCase(settings, c.simSeed, c.windows)) }));
      const reply: CheckWorkerReply = { kind: 'done', results };
      port.postMessage(reply);
      return;
    }
    case 'close':
      port.close();
      return;
  }
});
const ready: CheckWorkerReply = { kind: 'ready' };
port.postMessage(ready);
