// Benchmark suite `events`: where a failover-15s run's time goes, by kind of engine event -- the evidence for
// performance work (docs/performance.md). Each event is timed around the engine's dispatch of it, including the
// work it triggers (a Raft datagram includes stepping the Raft core, persisting and sending what it produced) and
// the invariant checks that run after it.
// Kinds: a Raft datagram; a TCP segment by the process it reaches and the message it carries; a process timer by
// its callback and process; otherwise the engine callback's name.
//
// Measuring instrument, not production code: it wraps the engine's private dispatch method for the duration of the
// suite and reads the shapes of the network's and the processes' event arguments (it falls back to the callback's
// name if they change). Each event's figure includes one clock read (~0.1 µs); the rest of the timing's cost
// (~1 µs an event: naming its kind, the map update) shows in "the loop around them".
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { parseScenario } from '../scenario/parse';
import { ScenarioRun } from '../run/runner';
import { Engine, type SimEvent } from '../sim/engine';
import type { BenchOptions, BenchResult, BenchSuite } from './suite';

const FILE = fileURLToPath(new URL('../../scenarios/failover-15s.yaml', import.meta.url));

type Dispatch = (this: Engine, event: SimEvent, fn: (arg: unknown) => void) => void;
interface Dispatching {
  run: Dispatch;
}

/** A process's name without the pod-name suffix or host prefix a static pod gets (`kube-apiserver`). */
function processName(name: unknown): string {
  return String(name ?? '?')
    .replace(/-[0-9a-z]{5}$/, '')
    .replace(/^[^/]+\//, '');
}

interface ArgShapes {
  readonly msg?: { readonly type?: string };
  readonly kind?: string;
  readonly from?: { readonly peer?: { readonly process?: { readonly name?: string } } };
  readonly fn?: { readonly name?: string };
  readonly process?: { readonly name?: string };
}

function kindOf(fn: (arg: unknown) => void, arg: unknown): string {
  const a = (arg ?? {}) as ArgShapes;
  switch (fn.name) {
    case 'deliverDatagram': {
      const type = a.msg?.type ?? '?';
      return type.startsWith('Msg') ? 'Raft datagram' : `datagram ${type}`;
    }
    case 'segmentArrived':
      return `segment to ${processName(a.from?.peer?.process?.name)}: ${a.kind === 'data' ? (a.msg?.type ?? '?') : a.kind}`;
    case 'fireTimer':
      return `timer ${a.fn?.name || '(anonymous)'} of ${processName(a.process?.name)}`;
    default:
      return fn.name || '(anonymous engine callback)';
  }
}

export const suite: BenchSuite = {
  name: 'events',
  description: 'failover-15s: time per kind of engine event (Raft datagrams, segments by receiver, timers by callback), setup and teardown',
  async run(options: BenchOptions) {
    const scenario = parseScenario(readFileSync(FILE, 'utf8'), 'scenarios/failover-15s.yaml');
    const warmups = options.quick ? 1 : 30;
    const runs = options.quick ? 2 : 30;
    const byKind = new Map<string, { count: number; ms: number }>();
    const proto = Engine.prototype as unknown as Dispatching;
    const dispatch = proto.run;
    let timing = false;
    proto.run = function (this: Engine, event: SimEvent, fn: (arg: unknown) => void): void {
      if (!timing) return dispatch.call(this, event, fn);
      const kind = kindOf(fn, event.arg);
      const start = performance.now();
      dispatch.call(this, event, fn);
      const ms = performance.now() - start;
      const entry = byKind.get(kind);
      if (entry === undefined) byKind.set(kind, { count: 1, ms });
      else {
        entry.count++;
        entry.ms += ms;
      }
    };
    let buildMs = 0;
    let runMs = 0;
    let finishMs = 0;
    try {
      const one = (seed: number, measure: boolean): void => {
        timing = measure;
        const t0 = performance.now();
        const run = new ScenarioRun(scenario, { seed, record: false });
        const t1 = performance.now();
        run.runUntil(scenario.durationUs);
        const t2 = performance.now();
        run.finish();
        if (!measure) return;
        buildMs += t1 - t0;
        runMs += t2 - t1;
        finishMs += performance.now() - t2;
      };
      for (let i = 0; i < warmups; i++) one(1000 + i, false);
      for (let i = 0; i < runs; i++) one(1 + i, true);
    } finally {
      proto.run = dispatch;
      timing = false;
    }
    let eventsMs = 0;
    let events = 0;
    for (const { count, ms } of byKind.values()) {
      eventsMs += ms;
      events += count;
    }
    const perRun = (ms: number): number => ms / runs;
    const results: BenchResult[] = [
      {
        name: 'a run: build / events / finish',
        value: perRun(buildMs + runMs + finishMs),
        unit: 'ms',
        note: `build ${perRun(buildMs).toFixed(2)} ms, ${Math.round(events / runs)} events ${perRun(eventsMs).toFixed(2)} ms (the loop around them, with this suite's timing, ${perRun(runMs - eventsMs).toFixed(2)} ms), finish ${perRun(finishMs).toFixed(2)} ms; timed, so a little slower than npm run bench -- scenario`,
      },
    ];
    const kinds = [...byKind].sort((a, b) => b[1].ms - a[1].ms);
    for (const [kind, { count, ms }] of kinds.slice(0, 20)) {
      results.push({
        name: kind,
        value: (ms / count) * 1000,
        unit: 'µs/event',
        note: `${(count / runs).toFixed(0)} per run, ${((100 * ms) / eventsMs).toFixed(1)}% of the time in events`,
      });
    }
    const rest = kinds.slice(20);
    if (rest.length > 0) {
      const ms = rest.reduce((sum, [, k]) => sum + k.ms, 0);
      const count = rest.reduce((sum, [, k]) => sum + k.count, 0);
      results.push({ name: `${rest.length} other kinds`, value: (ms / count) * 1000, unit: 'µs/event', note: `${(count / runs).toFixed(0)} per run, ${((100 * ms) / eventsMs).toFixed(1)}% of the time in events` });
    }
    return results;
  },
};
