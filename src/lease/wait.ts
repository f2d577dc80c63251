// The loops of k8s.io/apimachinery/pkg/util/wait that leader election is built from, as callback-driven state
// machines on a process's timers (host monotonic clock), with the same timing:
//
// - jitterUntil = wait.JitterUntil(f, period, jitterFactor, sliding=true, ctx.Done()): f runs at once; after each
//   return the loop waits period + rand*jitterFactor*period (no jitter when jitterFactor <= 0: wait.Until), then
//   runs f again; it stops as soon as ctx is done (while waiting), or after f returns if ctx became done meanwhile.
// - pollUntilContextTimeout = wait.PollUntilContextTimeout(ctx, interval, timeout, immediate=true, condition):
//   a deadline context of `timeout`, a *ticker* of `interval` created before the first call (non-sliding: a call
//   that takes longer than the interval is followed by the next one at once, missed ticks are dropped as Go's
//   time.Ticker drops them), the condition called immediately and then at each tick until it returns true or the
//   deadline context is done; returns null on success, else the context's error.
import type { Random } from '../sim/rng';
import type { Timer } from '../sim/process';
import { Context, type ContextError, type MonoClock, type Timers } from './go-context';

export interface LoopEnv extends Timers, MonoClock {
  readonly rng: Random;
}

/** wait.Jitter(duration, maxFactor): duration + rand*maxFactor*duration (maxFactor <= 0 means 1), floored to µs. */
export function jitterUs(durationUs: number, maxFactor: number, rng: Random): number {
  const factor = maxFactor <= 0 ? 1 : maxFactor;
  return durationUs + Math.floor(rng.float() * factor * durationUs);
}

/**
 * wait.JitterUntil with sliding=true. `f` is called with a continuation it must call exactly once when done.
 * `onStop` runs once, when the loop ends because ctx is done.
 */
export function jitterUntil(env: LoopEnv, ctx: Context, f: (next: () => void) => void, periodUs: number, jitterFactor: number, onStop: () => void): void {
  new UntilLoop(env, ctx, f, periodUs, jitterFactor, onStop).iterate();
}

class UntilLoop {
  private timer: Timer | null = null;
  private stopped = false;
  private running = false;

  constructor(
    private readonly env: LoopEnv,
    private readonly ctx: Context,
    private readonly f: (next: () => void) => void,
    private readonly periodUs: number,
    private readonly jitterFactor: number,
    private readonly onStop: () => void,
  ) {
    ctx.onDone(this.onCtxDone);
  }

  readonly iterate = (): void => {
    this.timer = null;
    if (this.ctx.err !== null) {
      this.stop();
      return;
    }
    this.running = true;
    this.f(this.afterF);
  };

  private readonly afterF = (): void => {
    if (!this.running) throw new Error('wait.JitterUntil: f completed twice');
    this.running = false;
    if (this.ctx.err !== null) {
      this.stop();
      return;
    }
    const delayUs = this.jitterFactor > 0 ? jitterUs(this.periodUs, this.jitterFactor, this.env.rng) : this.periodUs;
    this.timer = this.env.setTimer(delayUs, this.iterate);
  };

  private readonly onCtxDone = (): void => {
    // While f runs, the loop notices the context after f returns (f's own calls see the context first).
    if (this.running || this.timer === null) return;
    this.env.clearTimer(this.timer);
    this.timer = null;
    this.stop();
  };

  private stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.ctx.offDone(this.onCtxDone);
    this.onStop();
  }
}

/** A condition: called with the deadline context; calls back once with true (done) or false (try again). */
export type PollCondition = (ctx: Context, result: (ok: boolean) => void) => void;

/** wait.PollUntilContextTimeout(parent, interval, timeout, immediate=true, condition). */
export function pollUntilContextTimeout(
  env: LoopEnv,
  parent: Context,
  intervalUs: number,
  timeoutUs: number,
  condition: PollCondition,
  done: (err: ContextError | null) => void,
): void {
  new PollLoop(env, parent, intervalUs, timeoutUs, condition, done).start();
}

class PollLoop {
  private ctx: Context | null = null;
  private ticker: Timer | null = null;
  private tickBuffered = false;
  private waiting = false;
  private finished = false;

  constructor(
    private readonly env: LoopEnv,
    private readonly parent: Context,
    private readonly intervalUs: number,
    private readonly timeoutUs: number,
    private readonly condition: PollCondition,
    private readonly done: (err: ContextError | null) => void,
  ) {}

  start(): void {
    const ctx = this.parent.withTimeout(this.env, this.timeoutUs);
    this.ctx = ctx;
    this.ticker = this.env.setTimer(this.intervalUs, this.onTick);
    ctx.onDone(this.onCtxDone);
    // immediate: the condition runs once even if the context is already done.
    this.condition(ctx, this.onResult);
  }

  private readonly onTick = (): void => {
    this.ticker = this.env.setTimer(this.intervalUs, this.onTick);
    if (!this.waiting) {
      this.tickBuffered = true; // a tick while the condition runs waits in the channel; later ones are dropped
      return;
    }
    this.waiting = false;
    this.next();
  };

  private readonly onResult = (ok: boolean): void => {
    if (this.finished) throw new Error('wait.PollUntilContextTimeout: condition completed after the loop ended');
    if (ok) {
      this.finish(null);
      return;
    }
    if (this.ctx!.err !== null) {
      this.finish(this.ctx!.err);
      return;
    }
    if (this.tickBuffered) {
      this.tickBuffered = false;
      this.next();
      return;
    }
    this.waiting = true;
  };

  private readonly onCtxDone = (): void => {
    if (!this.waiting) return; // a running condition sees the context itself; its result ends the loop
    this.waiting = false;
    this.finish(this.ctx!.err);
  };

  private next(): void {
    const ctx = this.ctx!;
    if (ctx.err !== null) {
      this.finish(ctx.err);
      return;
    }
    this.condition(ctx, this.onResult);
  }

  private finish(err: ContextError | null): void {
    this.finished = true;
    this.env.clearTimer(this.ticker);
    this.ticker = null;
    const ctx = this.ctx!;
    ctx.offDone(this.onCtxDone);
    ctx.cancel(); // the deferred deadlineCancel()
    this.done(err);
  }
}
