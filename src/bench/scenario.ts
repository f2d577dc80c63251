// Benchmark suite `scenario`: how fast `kube-ha-sim run` replays the default scenario (scenarios/failover-15s.yaml:
// 3 stacked control-plane hosts each running etcd, kube-apiserver, kube-scheduler, kube-controller-manager and a
// kubelet; an HAProxy LB; two workers; the API probe; a small workload; 60 simulated seconds).
//   - simulated seconds per wall-clock second (target: 10,000x real time), runs per second, events per second,
//     for the run alone (what check and sweep pay per run: no event recording);
//   - the same with the timeline's event recording and rendering (what `kube-ha-sim run` pays);
//   - parse + validate of the scenario file.
// Each repetition runs a different seed, so the figures are a median over seeds, not one lucky schedule.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseScenario } from '../scenario/parse';
import { runScenario } from '../run/runner';
import { runWithOutputs } from '../report/outputs';
import { measureRate, median, timeBoth, type BenchOptions, type BenchResult, type BenchSuite } from './suite';

const FILE = fileURLToPath(new URL('../../scenarios/failover-15s.yaml', import.meta.url));

function runs(options: BenchOptions): BenchResult[] {
  const text = readFileSync(FILE, 'utf8');
  const scenario = parseScenario(text, 'scenarios/failover-15s.yaml');
  const simulatedS = scenario.durationUs / 1e6;
  const perRep = options.quick ? 2 : 5;
  const reps = options.quick ? 2 : 7;
  let seed = 1;
  let events = 0;
  let eventRuns = 0;
  const wallPerRun: number[] = [];
  const cpuPerRun: number[] = [];
  // JIT warm-up: while V8 optimizes, the first run takes ~4x and the first ~40 up to 1.3x as long as later ones;
  // check and sweep, which make thousands of runs, pay that once. The figures are the steady state.
  for (let i = 0; i < (options.quick ? 1 : 50); i++) runScenario(scenario, { seed: 1000 + i, record: false });
  for (let r = 0; r < reps; r++) {
    const t = timeBoth(() => {
      for (let k = 0; k < perRep; k++) {
        events += runScenario(scenario, { seed: seed++, record: false }).events;
        eventRuns++;
      }
    });
    wallPerRun.push(t.wallMs / perRep);
    cpuPerRun.push(t.cpuMs / perRep);
  }
  const msPerRun = median(wallPerRun);
  const cpuMsPerRun = median(cpuPerRun);
  const eventsPerRun = events / eventRuns;
  const speedups = wallPerRun.map((ms) => (simulatedS * 1000) / ms);
  const results: BenchResult[] = [
    {
      name: 'failover-15s: simulated s per wall s',
      value: median(speedups),
      unit: 'x real time',
      samples: speedups,
      perCpuSecond: (simulatedS * 1000) / cpuMsPerRun,
      target: { op: '>=', value: 10_000 },
      note: `${simulatedS} simulated s per run, ${Math.round(eventsPerRun)} events per run, ${msPerRun.toFixed(1)} ms per run; no event recording`,
    },
    {
      name: 'failover-15s: runs per second',
      value: 1000 / msPerRun,
      unit: 'runs/s',
      samples: wallPerRun.map((ms) => 1000 / ms),
      perCpuSecond: 1000 / cpuMsPerRun,
      note: `median of ${reps} x ${perRep} runs, one seed each`,
    },
    {
      name: 'failover-15s: engine events per second',
      value: eventsPerRun / (msPerRun / 1000),
      unit: 'events/s',
      note: 'events of the whole control plane (timers, messages, connections)',
    },
  ];
  const timeline = measureRate(
    () => {
      runWithOutputs(scenario, { seed: seed++ }, ['timeline']);
      return 1;
    },
    options.quick ? 2 : 5,
  );
  results.push({
    name: 'failover-15s: kube-ha-sim run with the timeline',
    value: timeline.median,
    unit: 'runs/s',
    samples: timeline.samples,
    perCpuSecond: timeline.perCpuSecond,
    note: 'event recording and timeline rendering included',
  });
  const parse = measureRate(
    () => {
      for (let k = 0; k < 100; k++) parseScenario(text, 'scenarios/failover-15s.yaml');
      return 100;
    },
    options.quick ? 2 : 5,
  );
  results.push({ name: 'scenario parse + validate', value: parse.median, unit: 'files/s', samples: parse.samples, note: 'YAML parse, zod schema, resolution' });
  return results;
}

export const suite: BenchSuite = {
  name: 'scenario',
  description: 'kube-ha-sim run of failover-15s.yaml: simulated seconds per wall second (target 10,000x), runs/s, events/s, with the timeline; scenario parsing',
  run: async (options) => runs(options),
};
