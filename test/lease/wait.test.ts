import { describe, expect, it } from 'vitest';
import { Context } from '../../src/lease/go-context';
import { jitterUntil, jitterUs, pollUntilContextTimeout } from '../../src/lease/wait';
import { testProcess } from './fakes';

const S = 1_000_000;

describe('jitterUs (wait.Jitter)', () => {
  it('draws in [d, d + factor*d) and treats a factor <= 0 as 1', () => {
    const { env } = testProcess(7);
    let min = Infinity;
    let max = -Infinity;
    for (let i = 0; i < 5000; i++) {
      const us = jitterUs(2 * S, 1.2, env.rng);
      min = Math.min(min, us);
      max = Math.max(max, us);
      expect(Number.isInteger(us)).toBe(true);
    }
    expect(min).toBeGreaterThanOrEqual(2 * S);
    expect(max).toBeLessThan(4.4 * S);
    // The draws cover the range (not a constant).
    expect(min).toBeLessThan(2.1 * S);
    expect(max).toBeGreaterThan(4.3 * S);
    const z = jitterUs(S, 0, env.rng);
    expect(z).toBeGreaterThanOrEqual(S);
    expect(z).toBeLessThan(2 * S);
  });
});

describe('jitterUntil (wait.JitterUntil, sliding)', () => {
  it('without jitter (wait.Until): waits exactly the period after f returns, f included', () => {
    const { sim, env, ctx: proc } = testProcess();
    const ctx = Context.background().withCancel();
    const starts: number[] = [];
    let stopped = -1;
    jitterUntil(
      env,
      ctx,
      (next) => {
        starts.push(sim.engine.nowUs);
        if (starts.length === 4) ctx.cancel();
        proc.setTimer(S / 2, next); // f takes 0.5 s
      },
      2 * S,
      0,
      () => (stopped = sim.engine.nowUs),
    );
    sim.runUntil(30 * S);
    expect(starts).toEqual([0, 2.5 * S, 5 * S, 7.5 * S]);
    // Cancelled during the 4th f: the loop ends when f returns.
    expect(stopped).toBe(8 * S);
  });

  it('with jitter 1.2: every wait in [2 s, 4.4 s); cancelling while waiting stops at once', () => {
    const { sim, env } = testProcess(3);
    const ctx = Context.background().withCancel();
    const starts: number[] = [];
    let stopped = -1;
    jitterUntil(
      env,
      ctx,
      (next) => {
        starts.push(sim.engine.nowUs);
        next();
      },
      2 * S,
      1.2,
      () => (stopped = sim.engine.nowUs),
    );
    sim.engine.schedule(100 * S + 1, () => ctx.cancel());
    sim.runUntil(200 * S);
    expect(starts[0]).toBe(0);
    for (let i = 1; i < starts.length; i++) {
      const gap = starts[i]! - starts[i - 1]!;
      expect(gap).toBeGreaterThanOrEqual(2 * S);
      expect(gap).toBeLessThan(4.4 * S);
    }
    expect(starts.length).toBeGreaterThan(100 / 4.4);
    expect(stopped).toBe(100 * S + 1);
  });
});

describe('pollUntilContextTimeout', () => {
  /** A condition that answers false after durationUs, or at once with false when its context ends. */
  function slowFalse(proc: ReturnType<typeof testProcess>['ctx'], durationUs: number, calls: number[], now: () => number) {
    return (ctx: Context, result: (ok: boolean) => void): void => {
      calls.push(now());
      let answered = false;
      const answer = (): void => {
        if (answered) return;
        answered = true;
        proc.clearTimer(timer);
        result(false);
      };
      const timer = proc.setTimer(durationUs, answer);
      ctx.onDone(answer);
    };
  }

  it('runs immediately, then at each tick, and ends with "context deadline exceeded" at the timeout', () => {
    const { sim, env, ctx: proc } = testProcess();
    const calls: number[] = [];
    let result: string | null | undefined;
    let endedAt = -1;
    pollUntilContextTimeout(env, Context.background(), 2 * S, 10 * S, slowFalse(proc, 1000, calls, () => sim.engine.nowUs), (err) => {
      result = err;
      endedAt = sim.engine.nowUs;
    });
    sim.runUntil(30 * S);
    expect(calls).toEqual([0, 2 * S, 4 * S, 6 * S, 8 * S]);
    expect(result).toBe('context deadline exceeded');
    expect(endedAt).toBe(10 * S);
  });

  it('is a ticker: a call longer than the interval is followed by the next at once (ticks are not slid)', () => {
    const { sim, env, ctx: proc } = testProcess();
    const calls: number[] = [];
    let result: string | null | undefined;
    let endedAt = -1;
    pollUntilContextTimeout(env, Context.background(), 2 * S, 10 * S, slowFalse(proc, 2.4 * S, calls, () => sim.engine.nowUs), (err) => {
      result = err;
      endedAt = sim.engine.nowUs;
    });
    sim.runUntil(30 * S);
    expect(calls).toEqual([0, 2.4 * S, 4.8 * S, 7.2 * S, 9.6 * S]);
    // The deadline context also ends the call in flight (as it bounds the HTTP request).
    expect(result).toBe('context deadline exceeded');
    expect(endedAt).toBe(10 * S);
  });

  it('drops missed ticks: a 5 s call is followed by one call at once, then the ticker grid resumes', () => {
    const { sim, env, ctx: proc } = testProcess();
    const calls: number[] = [];
    let first = true;
    pollUntilContextTimeout(
      env,
      Context.background(),
      2 * S,
      20 * S,
      (ctx, result) => {
        calls.push(sim.engine.nowUs);
        const d = first ? 5 * S : 1000;
        first = false;
        proc.setTimer(d, () => result(false));
      },
      () => {},
    );
    sim.runUntil(30 * S);
    // ticks at 2 and 4 while busy: one is kept, so a call at 5; then the grid: 6, 8, ...
    expect(calls.slice(0, 4)).toEqual([0, 5 * S, 6 * S, 8 * S]);
  });

  it('returns null when the condition succeeds, and the parent cancellation ends a waiting loop at once', () => {
    const { sim, env, ctx: proc } = testProcess();
    let n = 0;
    let ok: string | null | undefined;
    pollUntilContextTimeout(
      env,
      Context.background(),
      2 * S,
      10 * S,
      (_ctx, result) => proc.setTimer(10, () => result(++n === 3)),
      (err) => (ok = err),
    );
    sim.runUntil(30 * S);
    expect(ok).toBeNull();
    expect(n).toBe(3);

    const parent = Context.background().withCancel();
    let cancelled: string | null | undefined;
    let at = -1;
    const start = sim.engine.nowUs;
    pollUntilContextTimeout(
      env,
      parent,
      2 * S,
      10 * S,
      (_ctx, result) => proc.setTimer(10, () => result(false)),
      (err) => {
        cancelled = err;
        at = sim.engine.nowUs - start;
      },
    );
    sim.engine.schedule(S, () => parent.cancel());
    sim.runUntil(sim.engine.nowUs + 30 * S);
    expect(cancelled).toBe('context canceled');
    expect(at).toBe(S);
  });
});

describe('Context', () => {
  it('WithTimeout fires on the host monotonic clock, propagates to children, and keeps the earlier deadline', () => {
    const { sim, env } = testProcess();
    const parent = Context.background().withTimeout(env, 5 * S);
    const child = parent.withTimeout(env, 10 * S);
    const grandchild = child.withCancel();
    expect(child.deadlineMonoUs).toBe(5 * S);
    let doneAt = -1;
    grandchild.onDone(() => (doneAt = sim.engine.nowUs));
    sim.runUntil(4 * S);
    expect(grandchild.err).toBeNull();
    sim.runUntil(6 * S);
    expect(parent.err).toBe('context deadline exceeded');
    expect(grandchild.err).toBe('context deadline exceeded');
    expect(doneAt).toBe(5 * S);
    // A child of a done context is born done.
    expect(parent.withCancel().err).toBe('context deadline exceeded');
  });

  it('cancel is "context canceled", once; a cancelled child leaves its parent alone', () => {
    const parent = Context.background().withCancel();
    const child = parent.withCancel();
    let calls = 0;
    child.onDone(() => calls++);
    child.cancel();
    child.cancel();
    expect(child.err).toBe('context canceled');
    expect(parent.err).toBeNull();
    parent.cancel();
    expect(calls).toBe(1);
  });

  it('a monotonic clock jump on the host makes a pending deadline due at once', () => {
    const { sim, env } = testProcess();
    const ctx = Context.background().withTimeout(env, 10 * S);
    let at = -1;
    ctx.onDone(() => (at = sim.engine.nowUs));
    sim.engine.schedule(2 * S, () => sim.faults.apply({ kind: 'clock-jump', host: 'node-1', deltaUs: 3600 * S, monotonic: true }));
    sim.runUntil(20 * S);
    expect(ctx.err).toBe('context deadline exceeded');
    expect(at).toBe(2 * S);
  });

  it('a wall-clock-only jump leaves the deadline where it was', () => {
    const { sim, env } = testProcess();
    const ctx = Context.background().withTimeout(env, 10 * S);
    let at = -1;
    ctx.onDone(() => (at = sim.engine.nowUs));
    sim.engine.schedule(2 * S, () => sim.faults.apply({ kind: 'clock-jump', host: 'node-1', deltaUs: 3600 * S }));
    sim.runUntil(20 * S);
    expect(at).toBe(10 * S);
  });
});
