import { describe, expect, it } from 'vitest';
import { describeFault, formatPlan, type Fault, type FaultPlan } from '../../src/sim/faults';
import { DEFAULT_EPOCH_UNIX_US } from '../../src/sim/clock';
import { MemorySink } from '../../src/sim/trace';
import { US_PER_MS, US_PER_S } from '../../src/sim/time';
import { addProc, newSim, type TestMessage } from './helpers';

/** Hosts a and b, each running `p` (which records SIGTERMs and exits 1 s after one) and `q`. */
function cluster() {
  const sim = newSim(1, US_PER_MS);
  const log: string[] = [];
  for (const [name, address] of [
    ['a', '10.0.0.1'],
    ['b', '10.0.0.2'],
  ] as const) {
    const host = sim.addHost(name, { address });
    addProc(host, 'p', (ctx) => {
      ctx.listen(7, { onDatagram: (msg) => log.push(`${sim.engine.nowUs} ${name}/p got ${(msg as TestMessage).text}`) });
      return {
        terminate() {
          log.push(`${sim.engine.nowUs} ${name}/p SIGTERM`);
          ctx.setTimer(US_PER_S, () => ctx.exit(0, 'bye'));
        },
      };
    });
    addProc(host, 'q', () => ({}));
  }
  const trace = new MemorySink(['fault', 'proc.state', 'host.state', 'run.start']);
  sim.engine.trace.addSink(trace);
  const states = (): string[] =>
    trace.events.map((e) => {
      switch (e.kind) {
        case 'proc.state':
          return `${e.tUs} ${e.host}/${e.proc} ${e.state}`;
        case 'host.state':
          return `${e.tUs} ${e.host} ${e.up ? 'up' : 'down'}`;
        case 'fault':
          return `${e.tUs} fault ${e.detail}`;
        default:
          return `${e.tUs} ${e.kind}`;
      }
    });
  return { sim, log, trace, states };
}

describe('fault plan validation', () => {
  it('accepts a valid plan', () => {
    const { sim } = cluster();
    const plan: FaultPlan = [
      { atUs: 0, fault: { kind: 'crash', host: 'a', process: 'p' } },
      { atUs: 1, fault: { kind: 'link', from: '*', to: 'b', lossRate: 0.5, latency: { kind: 'uniform', minUs: 1, maxUs: 2 } } },
      { atUs: 2, fault: { kind: 'partition', groups: [['a'], ['b']] } },
      { atUs: 3, fault: { kind: 'clock-drift', host: 'a', driftPpm: -200 } },
    ];
    expect(sim.faults.validate(plan)).toEqual([]);
  });

  it('names every problem: unknown hosts and processes, bad times, rates, latencies, durations, drifts, groups', () => {
    const { sim } = cluster();
    const plan = [
      { atUs: -1, fault: { kind: 'crash', host: 'a' } },
      { atUs: 1.5, fault: { kind: 'crash', host: 'zz' } },
      { atUs: 0, fault: { kind: 'restart', host: 'a', process: 'etcd', downUs: -5 } },
      { atUs: 0, fault: { kind: 'cut', from: '*', to: 'b' } },
      { atUs: 0, fault: { kind: 'cut', from: 'a', to: 'a' } },
      { atUs: 0, fault: { kind: 'link', from: 'a', to: 'b', lossRate: 1.5, reorderDelay: { kind: 'uniform', minUs: 5, maxUs: 1 } } },
      { atUs: 0, fault: { kind: 'partition', groups: [['a', 'b'], ['b']] } },
      { atUs: 0, fault: { kind: 'clock-drift', host: 'a', driftPpm: -1e6 } },
      { atUs: 0, fault: { kind: 'pause', host: 'b', durationUs: Number.NaN } },
      { atUs: 0, fault: { kind: 'explode', host: 'a' } },
    ] as unknown as FaultPlan;
    expect(sim.faults.validate(plan)).toEqual([
      'fault #1 (crash): time must be a non-negative integer of µs, got -1',
      'fault #2 (crash): time must be a non-negative integer of µs, got 1.5',
      'fault #2 (crash): no host named "zz"',
      'fault #3 (restart): host a runs no process "etcd" (it runs: p, q)',
      'fault #3 (restart): downUs must be a non-negative integer of µs, got -5',
      'fault #4 (cut): "*" (every host) is allowed only in link and clear-link faults',
      'fault #5 (cut): a host cannot be cut from itself (a)',
      'fault #6 (link): lossRate must be a probability in [0, 1], got 1.5',
      'fault #6 (link): reorderDelay: uniform latency needs 0 <= min <= max, got [5, 1]µs',
      'fault #7 (partition): host b is in more than one group',
      'fault #8 (clock-drift): driftPpm must be a number above -1000000 (a clock cannot stop or run backwards), got -1000000',
      'fault #9 (pause): durationUs must be a non-negative integer of µs, got NaN',
      'fault #10 (explode): unknown fault kind "explode" (expected one of: crash, restart, stop, start, pause, resume, partition, cut, isolate, heal, link, clear-link, clock-skew, clock-jump, clock-drift)',
    ]);
  });

  it('schedule refuses an invalid plan with every problem listed, and schedules nothing', () => {
    const { sim } = cluster();
    expect(() => sim.faults.schedule([{ atUs: 0, fault: { kind: 'isolate', host: 'c' } }])).toThrow('invalid fault plan:\n  fault #1 (isolate): no host named "c"');
    expect(sim.engine.pendingEvents).toBe(0);
  });
});

describe('fault plan application', () => {
  it('is logged at the start of the run and applied at its times, ties in plan order', () => {
    const { sim, trace } = cluster();
    const plan: FaultPlan = [
      { atUs: 2 * US_PER_S, fault: { kind: 'heal' } },
      { atUs: US_PER_S, fault: { kind: 'isolate', host: 'a' } },
      { atUs: US_PER_S, fault: { kind: 'cut', from: 'b', to: 'a' } },
    ];
    sim.start(plan, 'test');
    sim.runUntil(3 * US_PER_S);
    expect(trace.events[0]).toEqual({ kind: 'run.start', tUs: 0, seed: '1', scenario: 'test', faults: plan });
    expect(trace.ofKind('fault').map((e) => `${e.tUs} ${e.action} ${e.target}`)).toEqual([
      `${US_PER_S} isolate a`,
      `${US_PER_S} cut b -> a`,
      `${2 * US_PER_S} heal all`,
    ]);
    expect(sim.faults.applied.map((s) => s.fault.kind)).toEqual(['isolate', 'cut', 'heal']);
  });

  it('crash and restart: a process, and a whole host (power cycle)', () => {
    const { sim, states } = cluster();
    sim.start([
      { atUs: 10, fault: { kind: 'crash', host: 'a', process: 'q' } },
      { atUs: 20, fault: { kind: 'restart', host: 'a', process: 'p', downUs: 5 } },
      { atUs: 30, fault: { kind: 'restart', host: 'b', downUs: 100 } },
      { atUs: 200, fault: { kind: 'start', host: 'a', process: 'q' } },
    ]);
    sim.runUntil(1_000);
    expect(states().filter((l) => !l.includes('fault'))).toEqual([
      '0 run.start',
      '10 a/q crashed',
      '20 a/p crashed',
      '25 a/p running',
      '30 b/p crashed',
      '30 b/q crashed',
      '30 b down',
      '130 b up',
      '130 b/p running',
      '130 b/q running',
      '200 a/q running',
    ]);
  });

  it('stop: SIGTERM with a grace period; for a host, then power off; start boots it', () => {
    const { sim, log, states } = cluster();
    sim.start([
      { atUs: 0, fault: { kind: 'stop', host: 'a', process: 'p', graceUs: 10 * US_PER_S } },
      { atUs: 0, fault: { kind: 'stop', host: 'b', graceUs: 500 * US_PER_MS } },
      { atUs: 5 * US_PER_S, fault: { kind: 'start', host: 'b' } },
    ]);
    sim.runUntil(10 * US_PER_S);
    expect(log).toEqual(['0 a/p SIGTERM', '0 b/p SIGTERM']);
    expect(states().filter((l) => !l.includes('fault') && !l.includes('run.start'))).toEqual([
      '0 a/p stopping',
      '0 b/p stopping',
      '0 b/q stopping',
      '0 b/q exited', // no handler: exits at once
      '500000 b/p crashed', // SIGKILL after the grace period (its handler wanted 1 s)
      '500000 b down',
      `${US_PER_S} a/p exited`,
      `${5 * US_PER_S} b up`,
      `${5 * US_PER_S} b/p running`,
      `${5 * US_PER_S} b/q running`,
    ]);
  });

  it('pause with a duration resumes by itself; pause of a host freezes all its processes', () => {
    const { sim, states } = cluster();
    sim.start([
      { atUs: 10, fault: { kind: 'pause', host: 'a', process: 'p', durationUs: 90 } },
      { atUs: 20, fault: { kind: 'pause', host: 'b' } },
      { atUs: 50, fault: { kind: 'resume', host: 'b' } },
    ]);
    sim.runUntil(1_000);
    expect(states().filter((l) => !l.includes('fault') && !l.includes('run.start'))).toEqual([
      '10 a/p paused',
      '20 b/p paused',
      '20 b/q paused',
      '50 b/p running',
      '50 b/q running',
      '100 a/p running',
    ]);
  });

  it('link degrades matching links until cleared', () => {
    const { sim, log } = cluster();
    const send = (atUs: number, text: string): void => {
      sim.engine.scheduleAt(atUs, () => sim.host('a').process('q').context!.send('10.0.0.2', 7, { type: 'test', text }));
    };
    sim.start([
      { atUs: 10, fault: { kind: 'link', from: 'a', to: '*', lossRate: 1 } },
      { atUs: 30, fault: { kind: 'clear-link', from: 'a', to: '*' } },
      { atUs: 40, fault: { kind: 'link', from: '*', to: '*', latency: { kind: 'constant', us: 5 * US_PER_MS } } },
      { atUs: 50, fault: { kind: 'clear-link' } },
    ]);
    send(0, 'before');
    send(20, 'lost');
    send(35, 'after clear');
    send(45, 'slow');
    send(60, 'fast again');
    sim.runUntil(US_PER_S);
    expect(log).toEqual(['1000 b/p got before', '1035 b/p got after clear', '1060 b/p got fast again', '5045 b/p got slow']);
  });

  it('clock faults set skew, step the wall clock (and the monotonic one if asked), and change drift', () => {
    const { sim } = cluster();
    const a = sim.host('a').clock;
    sim.start([
      { atUs: US_PER_S, fault: { kind: 'clock-skew', host: 'a', offsetUs: -3 * US_PER_S } },
      { atUs: 2 * US_PER_S, fault: { kind: 'clock-jump', host: 'a', deltaUs: 60 * US_PER_S } },
      { atUs: 3 * US_PER_S, fault: { kind: 'clock-jump', host: 'a', deltaUs: 7 * US_PER_S, monotonic: true } },
      { atUs: 4 * US_PER_S, fault: { kind: 'clock-drift', host: 'a', driftPpm: 1_000 } },
    ]);
    sim.runUntil(5 * US_PER_S);
    expect(a.wallUs() - DEFAULT_EPOCH_UNIX_US).toBe(5 * US_PER_S - 3 * US_PER_S + 60 * US_PER_S + 7 * US_PER_S + 1_000);
    expect(a.monoUs()).toBe(5 * US_PER_S + 7 * US_PER_S + 1_000);
    expect(sim.host('b').clock.wallUs() - DEFAULT_EPOCH_UNIX_US).toBe(5 * US_PER_S);
  });
});

describe('fault descriptions', () => {
  it('prints one line per step, as timelines show them', () => {
    const plan: FaultPlan = [
      { atUs: 0, fault: { kind: 'crash', host: 'server-0' } },
      { atUs: 1_500_000, fault: { kind: 'restart', host: 'server-0', process: 'etcd', downUs: 2 * US_PER_S } },
      { atUs: 2 * US_PER_S, fault: { kind: 'partition', groups: [['server-0'], ['server-1', 'server-2']] } },
      { atUs: 3 * US_PER_S, fault: { kind: 'clock-jump', host: 'server-1', deltaUs: 3_600 * US_PER_S, monotonic: true } },
      { atUs: 4 * US_PER_S, fault: { kind: 'clock-skew', host: 'server-1', offsetUs: -250 * US_PER_MS } },
      { atUs: 5 * US_PER_S, fault: { kind: 'pause', host: 'server-2', process: 'kube-apiserver', durationUs: 10 * US_PER_S } },
      { atUs: 6 * US_PER_S, fault: { kind: 'link', from: '*', to: 'server-2', lossRate: 0.1, latency: { kind: 'constant', us: 1 } } },
      { atUs: 7 * US_PER_S, fault: { kind: 'heal' } },
    ];
    expect(formatPlan(plan)).toBe(
      [
        't=0.000s crash server-0',
        't=1.500s restart server-0/etcd (down 2s)',
        't=2.000s partition {server-0} | {server-1,server-2}',
        't=3.000s clock-jump server-1 +1h0m0s (monotonic too)',
        't=4.000s clock-skew server-1 -250ms',
        't=5.000s pause server-2/kube-apiserver for 10s',
        't=6.000s link * -> server-2 loss 0.1, latency changed',
        't=7.000s heal all',
      ].join('\n'),
    );
    const drift: Fault = { kind: 'clock-drift', host: 'h', driftPpm: 50 };
    expect(describeFault(drift)).toBe('clock-drift h 50ppm');
  });
});
