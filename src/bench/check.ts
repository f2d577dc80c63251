// Benchmark suite `check`: property-checking throughput, as `kube-ha-sim check` spends it.
//   - runs/s of `check --faults crash,partition,loss` on the default topology: each run is 60 simulated seconds of
//     faults, then the heal and the liveness phase (up to 60 s, usually ~1 s to converge), every checker on;
//     without and with the KV workload (its linearizability check included);
//   - the same search on every CPU (`check --workers`, worker threads): runs/s of this machine, for what a user
//     waits; the target stays a per-core figure;
//   - the linearizability checker alone: operations checked per second on a KV history recorded from a run.
// Reported per wall-clock second and per CPU second (the target, 100 runs of 60 simulated seconds per second per
// core, is a per-core figure). A search that stops early on a violation (the default topology's kube-scheduler
// lease can split, docs/safety-envelope.md) counts the runs it made; shrinking is off, so only search runs are timed.
import { availableParallelism } from 'node:os';
import { performance } from 'node:perf_hooks';
import { parallelPropertyCheck } from '../cli/check/parallel';
import { MAX_WORKERS } from '../cli/worker-thread';
import { propertyCheck, type PropertyCheckOptions } from '../check/property';
import { defaultScenario } from '../check/session';
import { runCheck } from '../check/harness';
import { checkLinearizability } from '../check/linearizability/checker';
import { kvModel } from '../check/linearizability/kv-model';
import { measureRate, median, type BenchOptions, type BenchResult, type BenchSuite } from './suite';

const S = 1_000_000;

function runsPerSecond(name: string, withWorkload: boolean, options: BenchOptions): BenchResult {
  const scenario = defaultScenario();
  const runs = options.quick ? 5 : 30;
  let simulatedS = 0;
  let events = 0;
  let seed = 1;
  const rate = measureRate(
    () => {
      const report = propertyCheck({
        scenario,
        runs,
        seed: seed++,
        classes: ['crash', 'partition', 'loss'],
        maxFaults: 4,
        safetyUs: 60 * S,
        livenessUs: 60 * S,
        workload: withWorkload ? {} : null,
        shrinkRuns: 0,
      });
      simulatedS = report.simulatedUs / S / report.runs;
      events = report.events / report.runs;
      return report.runs;
    },
    options.quick ? 1 : 3,
  );
  return {
    name,
    value: rate.median,
    unit: 'runs/s',
    samples: rate.samples,
    perCpuSecond: rate.perCpuSecond,
    target: { op: '>=', value: 100 },
    note: `${runs} runs per sample, ${simulatedS.toFixed(1)} simulated s and ${Math.round(events)} events per run; target is per core`,
  };
}

/**
 * Runs/s of one search on every CPU, as `kube-ha-sim check` runs it: fresh worker threads, their start-up and JIT
 * warm-up included (a search that finds nothing, so every run counts).
 */
async function onEveryCpu(options: BenchOptions): Promise<BenchResult> {
  const workers = Math.min(availableParallelism(), MAX_WORKERS);
  const search: PropertyCheckOptions = {
    scenario: defaultScenario(),
    runs: options.quick ? 8 : 120,
    seed: 1,
    classes: ['crash', 'loss'],
    maxFaults: 4,
    safetyUs: 60 * S,
    livenessUs: 60 * S,
    workload: null,
    shrinkRuns: 0,
  };
  const samples: number[] = [];
  for (let i = 0; i < (options.quick ? 1 : 3); i++) {
    const start = performance.now();
    const report = await parallelPropertyCheck({ ...search, workers });
    if (report.failure !== null) throw new Error('check bench: this search should find nothing');
    samples.push((report.runs / (performance.now() - start)) * 1000);
  }
  return {
    name: `check runs (crash,loss), --workers ${workers}`,
    value: median(samples),
    unit: 'runs/s',
    samples,
    note:
      workers > 1
        ? `${search.runs} runs per sample on ${workers} fresh worker threads (start-up and JIT warm-up included, as in a check command); the lines above run warm in one thread`
        : `${search.runs} runs per sample; one CPU, so the search runs in this thread, as check --workers 1 does`,
  };
}

function linearizability(options: BenchOptions): BenchResult {
  // A history recorded from one run with the workload and a few faults.
  const recorded = runCheck({
    scenario: defaultScenario(),
    seed: 11,
    windows: [
      { kind: 'crash', atUs: 10 * S, target: { host: '@leader:etcd' }, downUs: 5 * S },
      { kind: 'partition', atUs: 30 * S, shape: { type: 'isolate', host: '@leader:etcd' }, durationUs: 8 * S },
    ],
    safetyUs: 120 * S,
    livenessUs: 30 * S,
    workload: { clients: 6, keys: 4, thinkUs: [10_000, 200_000] },
  });
  const history = recorded.history;
  const rate = measureRate(
    () => {
      const r = checkLinearizability(kvModel, history);
      if (r.kind !== 'ok') throw new Error(`check bench: the recorded history should be linearizable, got ${r.kind}`);
      return history.length;
    },
    options.quick ? 3 : 10,
  );
  return {
    name: 'linearizability checker (etcd KV history)',
    value: rate.median,
    unit: 'ops/s',
    samples: rate.samples,
    perCpuSecond: rate.perCpuSecond,
    note: `${history.length} operations, 6 clients on 4 keys, ${history.filter((o) => o.output.kind === 'unknown').length} of unknown outcome`,
  };
}

export const suite: BenchSuite = {
  name: 'check',
  description: 'kube-ha-sim check throughput: runs of 60 simulated seconds per second (target 100 per core; and on every CPU), linearizability checker speed',
  async run(options) {
    return [
      runsPerSecond('check runs (crash,partition,loss)', false, options),
      runsPerSecond('check runs (crash,partition,loss) + KV workload', true, options),
      await onEveryCpu(options),
      linearizability(options),
    ];
  },
};
