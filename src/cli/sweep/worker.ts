// A sweep worker thread: builds its own runner from the factory reference, then runs the slices of the run
// order the pool hands it and posts back the raw run records. Node-only (worker_threads).
import { parentPort, workerData } from 'node:worker_threads';
import { runSlice } from '../../sweep/execute';
import { loadRunner } from '../../sweep/runner';
import type { WorkerData, WorkerReply, WorkerRequest } from './protocol';

const port = parentPort;
if (port === null) throw new Error('sweep worker must run in a worker thread');
const data = workerData as WorkerData;
const runner = await loadRunner(data.runner);
port.on('message', (request: WorkerRequest) => {
  switch (request.kind) {
    case 'run': {
      const records = runSlice(runner, data.spec, request.from, request.to);
      const reply: WorkerReply = { kind: 'done', from: request.from, to: request.to, records };
      port.postMessage(reply);
      return;
    }
    case 'close':
      port.close();
      return;
  }
});
const ready: WorkerReply = { kind: 'ready' };
port.postMessage(ready);
