// Benchmark suite `engine`: throughput of the simulation engine (src/sim).
//   - bare heap:        a binary min-heap of plain {timeUs, seq} objects, push/pop loop, no engine at all;
//   - no-op events:     the engine running events that only schedule their successor (same heap size and delays);
//   - overhead factor:  time per no-op engine event / time per bare heap push+pop, measured in pairs in the same run;
//   - datagram ping-pong, process timers, RPC ping-pong (TCP-like connections), and ping-pong with an NDJSON trace.
// Targets (issue 2): >= 2 million no-op events/s on one core, overhead factor < 3.
import { Engine } from '../sim/engine';
import { RpcChannel, serveRpc } from '../sim/rpc';
import { Simulation } from '../sim/simulation';
import { NdjsonSink } from '../sim/trace-ndjson';
import type { Message } from '../sim/network';
import { measureRate, median, timeBoth, type BenchOptions, type BenchResult, type BenchSuite } from './suite';

/** Events pending in the queue during the no-op workloads (a busy cluster has a few hundred to thousands). */
const PENDING = 1024;
/** Delays are drawn from a xorshift sequence in [0, 1000) µs, identical for the bare heap and the engine. */
const MAX_DELAY_US = 1000;

interface BareEvent {
  timeUs: number;
  seq: number;
}

/** N push/pop pairs on a bare binary heap of PENDING plain objects. Returns N. */
function bareHeapLoop(n: number): number {
  const heap: BareEvent[] = [];
  let seq = 0;
  const push = (e: BareEvent): void => {
    let i = heap.length;
    heap.push(e);
    while (i > 0) {
      const parentIndex = (i - 1) >> 1;
      const parent = heap[parentIndex]!;
      if (parent.timeUs < e.timeUs || (parent.timeUs === e.timeUs && parent.seq < e.seq)) break;
      heap[i] = parent;
      i = parentIndex;
    }
    heap[i] = e;
  };
  const pop = (): BareEvent => {
    const top = heap[0]!;
    const last = heap.pop()!;
    const length = heap.length;
    if (length === 0) return top;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= length) break;
      let child = left;
      let childEvent = heap[left]!;
      const right = left + 1;
      if (right < length) {
        const r = heap[right]!;
        if (r.timeUs < childEvent.timeUs || (r.timeUs === childEvent.timeUs && r.seq < childEvent.seq)) {
          child = right;
          childEvent = r;
        }
      }
      if (last.timeUs < childEvent.timeUs || (last.timeUs === childEvent.timeUs && last.seq < childEvent.seq)) break;
      heap[i] = childEvent;
      i = child;
    }
    heap[i] = last;
    return top;
  };
  let x = 2463534242;
  for (let i = 0; i < PENDING; i++) push({ timeUs: i, seq: seq++ });
  let done = 0;
  while (heap.length !== 0) {
    const e = pop();
    done++;
    if (done + heap.length < n) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      push({ timeUs: e.timeUs + ((x >>> 0) % MAX_DELAY_US), seq: seq++ });
    }
  }
  return done;
}

/** N no-op engine events: each schedules its successor with the same delays as bareHeapLoop. Returns N. */
function engineNoopLoop(n: number): number {
  const engine = new Engine({ seed: 1, maxEvents: n + 1 });
  let x = 2463534242;
  let scheduled = PENDING;
  const fn = (): void => {
    if (scheduled >= n) return;
    scheduled++;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    engine.schedule((x >>> 0) % MAX_DELAY_US, fn);
  };
  for (let i = 0; i < PENDING; i++) engine.schedule(i, fn);
  engine.runUntil(Number.POSITIVE_INFINITY);
  return engine.eventsRun;
}

interface Ball extends Message {
  readonly type: 'ball';
}

/** Two hosts throwing `balls` datagrams back and forth over the default LAN link until `messages` were delivered. */
function pingPong(messages: number, balls: number, trace: boolean): { messages: number; events: number } {
  const sim = new Simulation({ seed: 1 });
  if (trace) sim.engine.trace.addSink(new NdjsonSink(() => undefined));
  let delivered = 0;
  const ball: Ball = { type: 'ball' };
  for (const [name, address, peer] of [
    ['a', '10.0.0.1', '10.0.0.2'],
    ['b', '10.0.0.2', '10.0.0.1'],
  ] as const) {
    sim.addHost(name, { address }).addProcess({
      name: 'pinger',
      create(ctx) {
        ctx.listen(7, {
          onDatagram() {
            if (++delivered + balls <= messages) ctx.send(peer, 7, ball);
          },
        });
        // Serve once both hosts listen.
        if (name === 'a') sim.engine.schedule(0, () => {
          for (let i = 0; i < balls; i++) ctx.send(peer, 7, ball);
        });
        return {};
      },
    });
  }
  sim.runUntil(Number.POSITIVE_INFINITY);
  return { messages: delivered, events: sim.engine.eventsRun };
}

/** `processes` processes on one host, each re-arming a timer with a random delay, until `events` timers fired. */
function processTimers(events: number, processes: number): number {
  const sim = new Simulation({ seed: 1 });
  const host = sim.addHost('h', { address: '10.0.0.1' });
  let fired = 0;
  for (let p = 0; p < processes; p++) {
    host.addProcess({
      name: `p${p}`,
      create(ctx) {
        const tick = (): void => {
          if (++fired + processes <= events) ctx.setTimer(1 + ctx.rng.int(10_000), tick);
        };
        ctx.setTimer(ctx.rng.int(10_000), tick);
        return {};
      },
    });
  }
  sim.runUntil(Number.POSITIVE_INFINITY);
  return fired;
}

/** A client keeping `concurrency` RPCs in flight to a server over one connection, until `calls` completed. */
function rpcPingPong(calls: number, concurrency: number): number {
  const sim = new Simulation({ seed: 1 });
  const server = sim.addHost('server', { address: '10.0.0.2' });
  const client = sim.addHost('client', { address: '10.0.0.1' });
  server.addProcess({
    name: 'srv',
    create(ctx) {
      serveRpc(ctx, 2379, (request, respond) => respond.reply(request.body));
      return {};
    },
  });
  let completed = 0;
  client.addProcess({
    name: 'cli',
    create(ctx) {
      const channel = new RpcChannel(ctx, '10.0.0.2', 2379);
      const next = (): void => {
        channel.call('Range', { key: '/registry/leases/kube-system/kube-scheduler' }, 1_000_000, (result) => {
          if (!result.ok) throw new Error(`bench rpc failed: ${JSON.stringify(result.failure)}`);
          if (++completed + concurrency <= calls) next();
        });
      };
      for (let i = 0; i < concurrency; i++) next();
      return {};
    },
  });
  sim.runUntil(Number.POSITIVE_INFINITY);
  return completed;
}

export const suite: BenchSuite = {
  name: 'engine',
  description: 'event engine throughput: no-op events vs a bare heap (overhead factor), datagram ping-pong, timers, RPC, trace cost',
  async run(options: BenchOptions): Promise<BenchResult[]> {
    const reps = options.quick ? 2 : 7;
    const scale = options.quick ? 0.1 : 1;
    const noopEvents = Math.round(2_000_000 * scale);

    // Bare heap and engine measured in alternating pairs, so both see the same machine load.
    bareHeapLoop(noopEvents);
    engineNoopLoop(noopEvents);
    const bare: number[] = [];
    const bareCpu: number[] = [];
    const engine: number[] = [];
    const engineCpu: number[] = [];
    const factors: number[] = [];
    for (let i = 0; i < reps; i++) {
      let n = 0;
      const b = timeBoth(() => (n = bareHeapLoop(noopEvents)));
      bare.push((n / b.wallMs) * 1000);
      bareCpu.push((n / b.cpuMs) * 1000);
      const e = timeBoth(() => (n = engineNoopLoop(noopEvents)));
      engine.push((n / e.wallMs) * 1000);
      engineCpu.push((n / e.cpuMs) * 1000);
      factors.push(e.wallMs / b.wallMs);
    }

    const pingPongMsgs = Math.round(400_000 * scale);
    let pingEvents = 0;
    const ping = measureRate(() => {
      const r = pingPong(pingPongMsgs, 64, false);
      pingEvents = r.events;
      return r.messages;
    }, reps);
    const eventsPerMsg = pingEvents / pingPongMsgs;
    const traced = measureRate(() => pingPong(Math.round(100_000 * scale), 64, true).messages, reps);
    const timers = measureRate(() => processTimers(Math.round(1_000_000 * scale), 256), reps);
    const rpc = measureRate(() => rpcPingPong(Math.round(100_000 * scale), 32), reps);

    const heapNote = `${PENDING} pending, ${noopEvents.toLocaleString('en-US')} events per repetition`;
    return [
      { name: 'bare heap push+pop', value: median(bare), unit: 'ops/s', samples: bare, perCpuSecond: median(bareCpu), note: `plain objects, ${heapNote}` },
      { name: 'no-op events', value: median(engine), unit: 'events/s', samples: engine, perCpuSecond: median(engineCpu), target: { op: '>=', value: 2_000_000 }, note: heapNote },
      { name: 'overhead vs bare heap', value: median(factors), unit: 'x', samples: factors, target: { op: '<', value: 3 }, note: 'time per event / time per bare push+pop, paired' },
      { name: 'datagram ping-pong', value: ping.median, unit: 'msgs/s', samples: ping.samples, perCpuSecond: ping.perCpuSecond, note: `2 hosts, 64 in flight, LAN link; ${eventsPerMsg.toFixed(2)} events/msg` },
      { name: 'datagram ping-pong events', value: ping.median * eventsPerMsg, unit: 'events/s', perCpuSecond: ping.perCpuSecond * eventsPerMsg, note: 'the same run, counted in engine events' },
      { name: 'ping-pong + NDJSON trace', value: traced.median, unit: 'msgs/s', samples: traced.samples, perCpuSecond: traced.perCpuSecond, note: 'every event through pino to a no-op writer' },
      { name: 'process timers', value: timers.median, unit: 'timers/s', samples: timers.samples, perCpuSecond: timers.perCpuSecond, note: '256 processes re-arming random timers' },
      { name: 'RPC ping-pong', value: rpc.median, unit: 'calls/s', samples: rpc.samples, perCpuSecond: rpc.perCpuSecond, note: '1 connection, 32 calls in flight, request+response' },
    ];
  },
};
