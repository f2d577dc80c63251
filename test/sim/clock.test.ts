import { describe, expect, it } from 'vitest';
import { DEFAULT_EPOCH_UNIX_US, HostClock } from '../../src/sim/clock';
import { Engine } from '../../src/sim/engine';
import { US_PER_S } from '../../src/sim/time';
import { addProc, newSim } from './helpers';

function clockAt(options: ConstructorParameters<typeof HostClock>[1] = {}): { engine: Engine; clock: HostClock; advance(us: number): void } {
  const engine = new Engine({ seed: 1 });
  const clock = new HostClock(engine, options);
  return {
    engine,
    clock,
    advance(us: number) {
      engine.runUntil(engine.nowUs + us);
    },
  };
}

describe('HostClock', () => {
  it('starts at the epoch (wall) and at zero (monotonic), and follows engine time without drift', () => {
    const { clock, advance } = clockAt();
    expect(clock.wallUs()).toBe(DEFAULT_EPOCH_UNIX_US);
    expect(DEFAULT_EPOCH_UNIX_US).toBe(1_735_689_600_000_000); // 2025-01-01T00:00:00Z
    expect(clock.monoUs()).toBe(0);
    advance(1_500_000);
    expect(clock.wallUs()).toBe(DEFAULT_EPOCH_UNIX_US + 1_500_000);
    expect(clock.monoUs()).toBe(1_500_000);
  });

  it('skew (offset) moves the wall clock only', () => {
    const { clock, advance } = clockAt({ offsetUs: -2 * US_PER_S });
    advance(US_PER_S);
    expect(clock.wallUs()).toBe(DEFAULT_EPOCH_UNIX_US - US_PER_S);
    expect(clock.monoUs()).toBe(US_PER_S);
    clock.setOffsetUs(5 * US_PER_S);
    expect(clock.wallUs()).toBe(DEFAULT_EPOCH_UNIX_US + 6 * US_PER_S);
    expect(clock.monoUs()).toBe(US_PER_S);
  });

  it('setOffsetUs keeps a custom epoch', () => {
    const epochUnixUs = 1_600_000_000_000_000;
    const { clock, advance } = clockAt({ epochUnixUs });
    advance(10);
    clock.setOffsetUs(1_000);
    expect(clock.wallUs()).toBe(epochUnixUs + 10 + 1_000);
  });

  it('drift makes both clocks run fast or slow from the moment it is set', () => {
    const { clock, advance } = clockAt();
    advance(US_PER_S);
    clock.setDriftPpm(100_000); // 10% fast
    advance(10 * US_PER_S);
    expect(clock.monoUs()).toBe(US_PER_S + 11 * US_PER_S);
    expect(clock.wallUs()).toBe(DEFAULT_EPOCH_UNIX_US + 12 * US_PER_S);
    clock.setDriftPpm(-500_000); // half speed
    advance(2 * US_PER_S);
    expect(clock.monoUs()).toBe(13 * US_PER_S);
    expect(clock.driftPpm).toBe(-500_000);
    expect(() => clock.setDriftPpm(-1_000_000)).toThrow(/stop or reverse/);
  });

  it('a wall-clock jump leaves the monotonic clock alone unless declared monotonic', () => {
    const { clock, advance } = clockAt();
    advance(US_PER_S);
    clock.jump(3_600 * US_PER_S);
    expect(clock.wallUs()).toBe(DEFAULT_EPOCH_UNIX_US + 3_601 * US_PER_S);
    expect(clock.monoUs()).toBe(US_PER_S);
    clock.jump(-60 * US_PER_S);
    expect(clock.wallUs()).toBe(DEFAULT_EPOCH_UNIX_US + 3_541 * US_PER_S);
    clock.jump(5 * US_PER_S, true);
    expect(clock.monoUs()).toBe(6 * US_PER_S);
    advance(US_PER_S);
    expect(clock.monoUs()).toBe(7 * US_PER_S);
    expect(clock.wallUs()).toBe(DEFAULT_EPOCH_UNIX_US + 3_547 * US_PER_S);
  });

  it('engineDelayUs is the engine time the local clock needs to advance by a local duration', () => {
    const { clock } = clockAt({ driftPpm: 250_000 });
    expect(clock.engineDelayUs(1_000_000)).toBe(800_000);
    const slow = clockAt({ driftPpm: -1 }).clock;
    // Rounded up, so a timer never fires before its local deadline.
    expect(slow.engineDelayUs(1_000_000)).toBe(1_000_002);
  });
});

describe('process timers follow their host monotonic clock', () => {
  it('a timer on a drifting host fires when the local monotonic clock reaches its deadline', () => {
    const sim = newSim();
    const host = sim.addHost('h', { address: '10.0.0.1', clock: { driftPpm: 1_000 } });
    const fired: Array<[number, number]> = [];
    addProc(host, 'p', (ctx) => {
      ctx.setTimer(10 * US_PER_S, () => fired.push([sim.engine.nowUs, ctx.monoUs()]));
    });
    sim.runUntil(20 * US_PER_S);
    expect(fired).toHaveLength(1);
    expect(fired[0]![1]).toBeGreaterThanOrEqual(10 * US_PER_S);
    expect(fired[0]![0]).toBe(Math.ceil((10 * US_PER_S) / 1.001));
  });

  it('a wall-clock jump does not move timers (Go timers use the monotonic clock)', () => {
    const sim = newSim();
    const host = sim.addHost('h', { address: '10.0.0.1' });
    const fired: number[] = [];
    addProc(host, 'p', (ctx) => {
      ctx.setTimer(10 * US_PER_S, () => fired.push(sim.engine.nowUs));
    });
    sim.start([{ atUs: US_PER_S, fault: { kind: 'clock-jump', host: 'h', deltaUs: 3_600 * US_PER_S } }]);
    sim.runUntil(20 * US_PER_S);
    expect(fired).toEqual([10 * US_PER_S]);
  });

  it('a monotonic jump forward fires due timers at once, and later timers that much earlier', () => {
    const sim = newSim();
    const host = sim.addHost('h', { address: '10.0.0.1' });
    const fired: Array<[string, number]> = [];
    addProc(host, 'p', (ctx) => {
      ctx.setTimer(10 * US_PER_S, () => fired.push(['10s', sim.engine.nowUs]));
      ctx.setTimer(30 * US_PER_S, () => fired.push(['30s', sim.engine.nowUs]));
      ctx.setTimer(5 * US_PER_S, () => fired.push(['5s', sim.engine.nowUs]));
    });
    sim.start([{ atUs: US_PER_S, fault: { kind: 'clock-jump', host: 'h', deltaUs: 20 * US_PER_S, monotonic: true } }]);
    sim.runUntil(40 * US_PER_S);
    expect(fired).toEqual([
      ['5s', US_PER_S],
      ['10s', US_PER_S],
      ['30s', 10 * US_PER_S],
    ]);
  });

  it('a drift change re-times pending timers', () => {
    const sim = newSim();
    const host = sim.addHost('h', { address: '10.0.0.1' });
    const fired: number[] = [];
    addProc(host, 'p', (ctx) => {
      ctx.setTimer(10 * US_PER_S, () => fired.push(sim.engine.nowUs));
    });
    // From t=2s the clock runs at half speed: the remaining 8 local seconds take 16 engine seconds.
    sim.start([{ atUs: 2 * US_PER_S, fault: { kind: 'clock-drift', host: 'h', driftPpm: -500_000 } }]);
    sim.runUntil(40 * US_PER_S);
    expect(fired).toEqual([18 * US_PER_S]);
  });

  it('clock faults on one host leave other hosts timers alone', () => {
    const sim = newSim();
    const h1 = sim.addHost('h1', { address: '10.0.0.1' });
    const h2 = sim.addHost('h2', { address: '10.0.0.2' });
    const fired: string[] = [];
    addProc(h1, 'p', (ctx) => void ctx.setTimer(10 * US_PER_S, () => fired.push(`h1@${sim.engine.nowUs}`)));
    addProc(h2, 'p', (ctx) => void ctx.setTimer(10 * US_PER_S, () => fired.push(`h2@${sim.engine.nowUs}`)));
    sim.start([{ atUs: US_PER_S, fault: { kind: 'clock-jump', host: 'h1', deltaUs: 5 * US_PER_S, monotonic: true } }]);
    sim.runUntil(20 * US_PER_S);
    expect(fired).toEqual([`h1@${5 * US_PER_S}`, `h2@${10 * US_PER_S}`]);
  });

  it('a cleared timer stays cleared across a re-timing', () => {
    const sim = newSim();
    const host = sim.addHost('h', { address: '10.0.0.1' });
    const fired: number[] = [];
    addProc(host, 'p', (ctx) => {
      const t = ctx.setTimer(10 * US_PER_S, () => fired.push(1));
      ctx.setTimer(US_PER_S / 2, () => ctx.clearTimer(t));
    });
    sim.start([{ atUs: US_PER_S, fault: { kind: 'clock-jump', host: 'h', deltaUs: 20 * US_PER_S, monotonic: true } }]);
    sim.runUntil(40 * US_PER_S);
    expect(fired).toEqual([]);
  });
});
