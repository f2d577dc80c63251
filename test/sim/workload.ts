// A small but non-trivial workload for whole-simulation tests (determinism, isolation of random streams):
// a few hosts exchanging datagrams and RPCs with random latency, loss, duplication and reordering, each running
// two processes that set random timers, read their clocks and keep a counter on disk; plus an arbitrary
// (fast-check) generator of fault plans over those hosts covering every fault kind.
import fc from 'fast-check';
import type { Fault, FaultPlan } from '../../src/sim/faults';
import { RpcChannel, serveRpc } from '../../src/sim/rpc';
import { Simulation } from '../../src/sim/simulation';
import type { Random } from '../../src/sim/rng';
import { NdjsonSink } from '../../src/sim/trace-ndjson';
import { US_PER_MS, US_PER_S } from '../../src/sim/time';
import type { Host } from '../../src/sim/host';

export const WORKLOAD_HOSTS = ['h0', 'h1', 'h2', 'h3'] as const;
export const WORKLOAD_PROCESSES = ['node', 'aux'] as const;
export const WORKLOAD_DURATION_US = 3 * US_PER_S;

const address = (i: number): string => `10.0.0.${i + 1}`;

interface Ping {
  readonly type: 'ping' | 'pong';
  readonly n: number;
}

/** Adds the workload's processes to a host; `peers` are the addresses it talks to. */
function addWorkloadProcesses(host: Host, peers: readonly string[]): void {
  host.addProcess({
    name: 'node',
    create(ctx) {
      let n = (ctx.disk.get('n') as number | undefined) ?? 0;
      ctx.listen(7, {
        onDatagram(msg, from) {
          const ping = msg as Ping;
          if (ping.type === 'ping') ctx.send(from.address, 7, { type: 'pong', n: ping.n } satisfies Ping);
          else ctx.log('debug', `pong ${ping.n} from ${from.address}`);
        },
      });
      serveRpc(ctx, 2379, (request, respond) => {
        ctx.setTimer(ctx.rng.int(20 * US_PER_MS), () => respond.reply({ n: (request.body as { n: number }).n, at: ctx.wallUs() }));
      });
      const channels = new Map<string, RpcChannel>();
      const channel = (peer: string): RpcChannel => {
        let ch = channels.get(peer);
        if (ch === undefined) {
          ch = new RpcChannel(ctx, peer, 2379, { connectTimeoutUs: 300 * US_PER_MS, pingIdleUs: 500 * US_PER_MS, pingTimeoutUs: 200 * US_PER_MS });
          channels.set(peer, ch);
        }
        return ch;
      };
      const tick = (): void => {
        n++;
        ctx.disk.set('n', n);
        if (peers.length > 0) {
          const peer = ctx.rng.pick(peers);
          if (ctx.rng.chance(0.5)) ctx.send(peer, 7, { type: 'ping', n } satisfies Ping);
          else {
            const sentN = n;
            channel(peer).call<{ n: number }, { n: number; at: number }>('Get', { n }, 50 * US_PER_MS + ctx.rng.int(200 * US_PER_MS), (r) =>
              ctx.log('info', r.ok ? `rpc ${sentN} to ${peer}: ok ${r.body.at}` : `rpc ${sentN} to ${peer}: ${r.failure.kind} sent=${r.failure.sent}`),
            );
          }
        }
        if (n % 10 === 0) ctx.log('info', `tick ${n} mono=${ctx.monoUs()} wall=${ctx.wallUs()}`);
        ctx.setTimer(5 * US_PER_MS + ctx.rng.int(50 * US_PER_MS), tick);
      };
      tick();
      return {
        terminate() {
          for (const ch of channels.values()) ch.close();
          ctx.setTimer(ctx.rng.int(100 * US_PER_MS), () => ctx.exit(0, 'drained'));
        },
      };
    },
  });
  host.addProcess({
    name: 'aux',
    create(ctx) {
      const loop = (): void => {
        ctx.log('debug', `aux mono=${ctx.monoUs()}`);
        ctx.setTimer(ctx.rng.intBetween(10 * US_PER_MS, 200 * US_PER_MS), loop);
      };
      ctx.setTimer(ctx.rng.int(100 * US_PER_MS), loop);
      return {};
    },
  });
}

export interface WorkloadOptions {
  readonly seed: number | string;
  readonly plan: FaultPlan;
  /** Adds host `x` (first, so every other host's index shifts) running the same processes, talking only to itself. */
  readonly extraHost?: boolean;
  /** Records every value drawn, per stream name. */
  readonly recordDraws?: Map<string, number[]>;
}

export interface WorkloadRun {
  readonly ndjson: string;
  readonly sim: Simulation;
}

/** Runs the workload under a fault plan and returns its NDJSON trace (every kind). */
export function runWorkload(options: WorkloadOptions): WorkloadRun {
  const sim = new Simulation({ seed: options.seed });
  const record = options.recordDraws;
  if (record !== undefined) {
    const root = sim.engine.rng;
    const stream = root.stream.bind(root);
    const wrapped = new Set<Random>();
    root.stream = (name: string): Random => {
      const r = stream(name);
      if (!wrapped.has(r)) {
        wrapped.add(r);
        const values: number[] = [];
        record.set(name, values);
        const float = r.float.bind(r);
        r.float = () => {
          const v = float();
          values.push(v);
          return v;
        };
      }
      return r;
    };
  }
  const lines: string[] = [];
  sim.engine.trace.addSink(new NdjsonSink((line) => lines.push(line)));
  sim.network.defaultLink = {
    latency: { kind: 'lognormal', medianUs: 300, sigma: 0.5, floorUs: 100 },
    lossRate: 0.02,
    duplicateRate: 0.01,
    reorderRate: 0.05,
    reorderDelay: { kind: 'uniform', minUs: 100, maxUs: 2 * US_PER_MS },
  };
  // Loopback with a random latency too, so the extra host's own traffic draws from its network stream.
  sim.network.loopbackLink = { ...sim.network.loopbackLink, latency: { kind: 'lognormal', medianUs: 20, sigma: 0.2, floorUs: 5 } };
  if (options.extraHost) {
    const x = sim.addHost('x', { address: '10.0.1.1' });
    addWorkloadProcesses(x, ['10.0.1.1']);
  }
  const hosts = WORKLOAD_HOSTS.map((name, i) => sim.addHost(name, { address: address(i) }));
  hosts.forEach((host, i) => addWorkloadProcesses(host, WORKLOAD_HOSTS.map((_, j) => address(j)).filter((_, j) => j !== i)));
  sim.start(options.plan, 'workload');
  sim.runUntil(WORKLOAD_DURATION_US);
  sim.finish('time');
  return { ndjson: lines.join(''), sim };
}

// ---------------------------------------------------------------- fault plans

const hostArb = fc.constantFrom(...WORKLOAD_HOSTS);
const processArb = fc.option(fc.constantFrom(...WORKLOAD_PROCESSES), { nil: undefined });
const shortUs = fc.integer({ min: 0, max: US_PER_S });

/** The fault aimed at one process of the host, or at the whole host when `process` is undefined. */
function withProcess<F extends Fault>(fault: F, process: string | undefined): Fault {
  return process === undefined ? fault : ({ ...fault, process } as Fault);
}

const faultArb: fc.Arbitrary<Fault> = fc.oneof(
  fc.tuple(hostArb, processArb).map(([host, p]) => withProcess({ kind: 'crash', host }, p)),
  fc.tuple(hostArb, processArb, shortUs).map(([host, p, downUs]) => withProcess({ kind: 'restart', host, downUs }, p)),
  fc.tuple(hostArb, processArb, shortUs).map(([host, p, graceUs]) => withProcess({ kind: 'stop', host, graceUs }, p)),
  fc.tuple(hostArb, processArb).map(([host, p]) => withProcess({ kind: 'start', host }, p)),
  fc.tuple(hostArb, processArb, fc.option(shortUs, { nil: undefined })).map(([host, p, durationUs]) =>
    withProcess(durationUs === undefined ? { kind: 'pause', host } : { kind: 'pause', host, durationUs }, p),
  ),
  fc.tuple(hostArb, processArb).map(([host, p]) => withProcess({ kind: 'resume', host }, p)),
  fc.shuffledSubarray([...WORKLOAD_HOSTS], { minLength: 2 }).chain((hosts) =>
    fc.integer({ min: 1, max: hosts.length - 1 }).map((split): Fault => ({ kind: 'partition', groups: [hosts.slice(0, split), hosts.slice(split)] })),
  ),
  fc.tuple(hostArb, hostArb).filter(([a, b]) => a !== b).map(([from, to]): Fault => ({ kind: 'cut', from, to })),
  hostArb.map((host): Fault => ({ kind: 'isolate', host })),
  fc.option(hostArb, { nil: undefined }).map((host): Fault => (host === undefined ? { kind: 'heal' } : { kind: 'heal', host })),
  fc
    .tuple(fc.constantFrom<string>('*', ...WORKLOAD_HOSTS), fc.constantFrom<string>('*', ...WORKLOAD_HOSTS), fc.double({ min: 0, max: 0.5, noNaN: true }), fc.integer({ min: 50, max: 20_000 }))
    .map(([from, to, lossRate, medianUs]): Fault => ({ kind: 'link', from, to, lossRate, duplicateRate: lossRate / 5, latency: { kind: 'lognormal', medianUs, sigma: 0.3, floorUs: 10 } })),
  fc.constant<Fault>({ kind: 'clear-link' }),
  fc.tuple(hostArb, fc.integer({ min: -10 * US_PER_S, max: 10 * US_PER_S })).map(([host, offsetUs]): Fault => ({ kind: 'clock-skew', host, offsetUs })),
  fc.tuple(hostArb, fc.integer({ min: -10 * US_PER_S, max: 10 * US_PER_S }), fc.boolean()).map(([host, deltaUs, monotonic]): Fault => ({ kind: 'clock-jump', host, deltaUs, monotonic })),
  fc.tuple(hostArb, fc.integer({ min: -200_000, max: 200_000 })).map(([host, driftPpm]): Fault => ({ kind: 'clock-drift', host, driftPpm })),
);

/** Random fault plans over the workload's hosts: up to 12 steps within the run. */
export const faultPlanArb: fc.Arbitrary<FaultPlan> = fc.array(
  fc.record({ atUs: fc.integer({ min: 0, max: WORKLOAD_DURATION_US - 1 }), fault: faultArb }),
  { maxLength: 12 },
);
