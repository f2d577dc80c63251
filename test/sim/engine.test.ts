import { describe, expect, it } from 'vitest';
import { Engine, EventLimitError, formatViolation } from '../../src/sim/engine';

describe('Engine ordering', () => {
  it('runs events by time, and events at the same instant in insertion order', () => {
    const engine = new Engine({ seed: 1 });
    const order: string[] = [];
    engine.schedule(20, () => order.push('t20-a'));
    engine.schedule(10, () => order.push('t10-a'));
    engine.schedule(20, () => order.push('t20-b'));
    engine.schedule(10, () => order.push('t10-b'));
    engine.schedule(0, () => order.push('t0'));
    engine.scheduleAt(20, () => order.push('t20-c'));
    expect(engine.runUntil(100)).toBe('idle');
    expect(order).toEqual(['t0', 't10-a', 't10-b', 't20-a', 't20-b', 't20-c']);
  });

  it('keeps insertion order for thousands of ties mixed with other times', () => {
    const engine = new Engine({ seed: 1 });
    const seen: number[] = [];
    // Interleave ties at t=5 with events at other times, so the heap has to reorder them.
    for (let i = 0; i < 2000; i++) {
      engine.schedule(5, () => seen.push(i));
      engine.schedule(i % 2 === 0 ? 3 : 7, () => undefined);
    }
    engine.runUntil(10);
    expect(seen).toEqual(Array.from({ length: 2000 }, (_, i) => i));
  });

  it('orders an event scheduled at delay 0 from inside an event after the events already due at that instant', () => {
    const engine = new Engine({ seed: 1 });
    const order: string[] = [];
    engine.schedule(5, () => {
      order.push('a');
      engine.schedule(0, () => order.push('a-child'));
    });
    engine.schedule(5, () => order.push('b'));
    engine.runUntil(5);
    expect(order).toEqual(['a', 'b', 'a-child']);
  });

  it('passes the argument to the callback and sets nowUs to the event time', () => {
    const engine = new Engine({ seed: 1 });
    const got: Array<[unknown, number]> = [];
    const fn = (arg: unknown): void => {
      got.push([arg, engine.nowUs]);
    };
    engine.schedule(7, fn, 'x');
    engine.schedule(3, fn, 42);
    engine.runUntil(10);
    expect(got).toEqual([
      [42, 3],
      ['x', 7],
    ]);
  });

  it('rejects times in the past and non-integer times', () => {
    const engine = new Engine({ seed: 1 });
    engine.schedule(10, () => undefined);
    engine.runUntil(10);
    expect(() => engine.scheduleAt(9, () => undefined)).toThrow(RangeError);
    expect(() => engine.schedule(-1, () => undefined)).toThrow(/must be an integer not before now/);
    expect(() => engine.schedule(1.5, () => undefined)).toThrow(RangeError);
    expect(() => engine.schedule(Number.NaN, () => undefined)).toThrow(RangeError);
  });
});

describe('Engine cancel', () => {
  it('a cancelled event never runs and does not count', () => {
    const engine = new Engine({ seed: 1 });
    const ran: string[] = [];
    const a = engine.schedule(5, () => ran.push('a'));
    engine.schedule(6, () => ran.push('b'));
    engine.cancel(a);
    engine.runUntil(10);
    expect(ran).toEqual(['b']);
    expect(engine.eventsRun).toBe(1);
  });

  it('cancelling from inside an earlier event at the same instant prevents it', () => {
    const engine = new Engine({ seed: 1 });
    const ran: string[] = [];
    engine.schedule(5, () => {
      ran.push('first');
      engine.cancel(second);
    });
    const second = engine.schedule(5, () => ran.push('second'));
    engine.runUntil(5);
    expect(ran).toEqual(['first']);
  });

  it('cancelling an event that already ran, twice, or null is harmless', () => {
    const engine = new Engine({ seed: 1 });
    let count = 0;
    const e = engine.schedule(1, () => count++);
    engine.runUntil(2);
    engine.cancel(e);
    engine.cancel(e);
    engine.cancel(null);
    engine.cancel(undefined);
    expect(count).toBe(1);
  });

  it('nextEventTimeUs skips cancelled events', () => {
    const engine = new Engine({ seed: 1 });
    const a = engine.schedule(5, () => undefined);
    engine.schedule(9, () => undefined);
    engine.cancel(a);
    expect(engine.nextEventTimeUs()).toBe(9);
    engine.runUntil(9);
    expect(engine.nextEventTimeUs()).toBeNull();
  });
});

describe('Engine runUntil and step', () => {
  it('runs events up to and including untilUs, then sets the clock to untilUs', () => {
    const engine = new Engine({ seed: 1 });
    const ran: number[] = [];
    for (const t of [5, 10, 11]) engine.schedule(t, () => ran.push(engine.nowUs));
    expect(engine.runUntil(10)).toBe('time');
    expect(ran).toEqual([5, 10]);
    expect(engine.nowUs).toBe(10);
    expect(engine.runUntil(20)).toBe('idle');
    expect(ran).toEqual([5, 10, 11]);
    expect(engine.nowUs).toBe(20);
  });

  it('does not run a live event past untilUs when a cancelled event is at the head of the queue', () => {
    const engine = new Engine({ seed: 1 });
    const ran: number[] = [];
    const cancelled = engine.schedule(5, () => ran.push(5));
    engine.schedule(50, () => ran.push(50));
    engine.cancel(cancelled);
    expect(engine.runUntil(10)).toBe('time');
    expect(ran).toEqual([]);
    expect(engine.nowUs).toBe(10);
    engine.runUntil(50);
    expect(ran).toEqual([50]);
  });

  it('runUntil(Infinity) drains the queue and leaves the clock at the last event', () => {
    const engine = new Engine({ seed: 1 });
    engine.schedule(123, () => undefined);
    expect(engine.runUntil(Number.POSITIVE_INFINITY)).toBe('idle');
    expect(engine.nowUs).toBe(123);
    // The engine stays usable.
    engine.schedule(1, () => undefined);
    engine.runUntil(Number.POSITIVE_INFINITY);
    expect(engine.nowUs).toBe(124);
  });

  it('rejects a NaN bound', () => {
    const engine = new Engine({ seed: 1 });
    expect(() => engine.runUntil(Number.NaN)).toThrow(RangeError);
  });

  it('step runs exactly one live event and reports an empty queue', () => {
    const engine = new Engine({ seed: 1 });
    const ran: number[] = [];
    const c = engine.schedule(1, () => ran.push(1));
    engine.schedule(2, () => ran.push(2));
    engine.schedule(3, () => ran.push(3));
    engine.cancel(c);
    expect(engine.step()).toBe(true);
    expect(ran).toEqual([2]);
    expect(engine.nowUs).toBe(2);
    expect(engine.step()).toBe(true);
    expect(engine.step()).toBe(false);
    expect(ran).toEqual([2, 3]);
  });

  it('stop() ends the run after the current event and is reset by the next run', () => {
    const engine = new Engine({ seed: 1 });
    const ran: number[] = [];
    engine.schedule(1, () => {
      ran.push(1);
      engine.stop('enough');
    });
    engine.schedule(2, () => ran.push(2));
    expect(engine.runUntil(10)).toBe('stopped');
    expect(engine.stopReason).toBe('enough');
    expect(engine.nowUs).toBe(1);
    expect(engine.runUntil(10)).toBe('idle');
    expect(ran).toEqual([1, 2]);
  });
});

describe('Engine event limit', () => {
  it('throws EventLimitError with a clear message once maxEvents events ran', () => {
    const engine = new Engine({ seed: 'abc', maxEvents: 100 });
    const loop = (): void => {
      engine.schedule(1_000, loop);
    };
    engine.schedule(0, loop);
    let error: unknown;
    try {
      engine.runUntil(1e12);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(EventLimitError);
    const e = error as EventLimitError;
    expect(e.maxEvents).toBe(100);
    expect(e.seed).toBe('abc');
    expect(engine.eventsRun).toBe(101);
    // The 101st event (at 100 ms) is the one refused.
    expect(e.timeUs).toBe(100_000);
    expect(e.message).toBe(
      'event limit reached: 100 events ran by simulated time 0.100s (seed abc); a component is probably scheduling ' +
        'events in a loop. Raise the limit only if the run is genuinely that busy.',
    );
  });

  it('allows exactly maxEvents events', () => {
    const engine = new Engine({ seed: 1, maxEvents: 10 });
    for (let i = 0; i < 10; i++) engine.schedule(i, () => undefined);
    expect(engine.runUntil(100)).toBe('idle');
    expect(engine.eventsRun).toBe(10);
  });
});

describe('Engine invariants', () => {
  it('stops at the first event that breaks an invariant, with a report naming time, seed and replay command', () => {
    const engine = new Engine({ seed: 7, replayCommand: 'kube-ha-sim run x.yaml --seed 7' });
    let counter = 0;
    for (let i = 1; i <= 10; i++) engine.schedule(i * 1000, () => counter++);
    engine.addInvariant({ name: 'counter-below-4', check: () => (counter < 4 ? null : { message: `counter is ${counter}`, hosts: ['h1'] }) });
    expect(engine.runUntil(1e9)).toBe('violation');
    expect(counter).toBe(4);
    const v = engine.violation!;
    expect(v).toMatchObject({ invariant: 'counter-below-4', message: 'counter is 4', timeUs: 4000, event: 4, seed: '7', hosts: ['h1'] });
    expect(formatViolation(v)).toBe(
      [
        'invariant violated: counter-below-4',
        '  at t=0.004s (event #4)',
        '  counter is 4',
        '  hosts: h1',
        '  seed: 7',
        '  replay: kube-ha-sim run x.yaml --seed 7',
      ].join('\n'),
    );
  });

  it('does not resume a run after a violation', () => {
    const engine = new Engine({ seed: 1 });
    let counter = 0;
    for (let i = 1; i <= 10; i++) engine.schedule(i, () => counter++);
    engine.addInvariant({ name: 'small', check: () => (counter < 2 ? null : { message: 'big' }) });
    expect(engine.runUntil(100)).toBe('violation');
    expect(engine.runUntil(100)).toBe('violation');
    expect(counter).toBe(2);
  });

  it('checks every N events when asked, and once more when the run ends', () => {
    const engine = new Engine({ seed: 1 });
    const checkedAt: number[] = [];
    for (let i = 1; i <= 10; i++) engine.schedule(i, () => undefined);
    engine.addInvariant({ name: 'spy', check: () => (checkedAt.push(engine.eventsRun), null) }, { everyEvents: 3 });
    engine.runUntil(100);
    expect(checkedAt).toEqual([3, 6, 9, 10]);
  });

  it('a violation between periodic checks is still caught at the end of the run', () => {
    const engine = new Engine({ seed: 1 });
    let counter = 0;
    for (let i = 1; i <= 5; i++) engine.schedule(i, () => counter++);
    engine.addInvariant({ name: 'le4', check: () => (counter <= 4 ? null : { message: 'over' }) }, { everyEvents: 100 });
    expect(engine.runUntil(100)).toBe('violation');
    expect(engine.violation?.event).toBe(5);
  });

  it('rejects a bad everyEvents', () => {
    const engine = new Engine({ seed: 1 });
    expect(() => engine.addInvariant({ name: 'x', check: () => null }, { everyEvents: 0 })).toThrow(/positive integer/);
  });
});
