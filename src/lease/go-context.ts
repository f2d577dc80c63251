// A model of Go's context.Context as client-go's leader election uses it: a tree of cancellable contexts, some with
// a deadline (context.WithTimeout) measured on the host's monotonic clock, whose Err() becomes "context canceled"
// or "context deadline exceeded" once, and whose cancellation reaches every descendant.
//
// Deadlines are process timers (ProcessContext.setTimer), so they fire on the host's monotonic clock as Go's
// runtime timers do, and die with the process incarnation that set them.
import type { Timer } from '../sim/process';

export type ContextError = 'context canceled' | 'context deadline exceeded';

/** The timer half of a ProcessContext. */
export interface Timers {
  setTimer(delayUs: number, fn: () => void): Timer;
  clearTimer(timer: Timer | null | undefined): void;
}

/** The clock half of a ProcessContext. */
export interface MonoClock {
  monoUs(): number;
}

export class Context {
  /** Null while the context is live; set once, when it is done. */
  err: ContextError | null = null;
  /** The deadline on the host's monotonic clock (µs); Infinity when there is none. */
  readonly deadlineMonoUs: number;
  private listeners: Array<() => void> | null = null;
  private timer: Timer | null = null;
  private timers: Timers | null = null;
  private readonly parent: Context | null;
  private readonly onParentDone: (() => void) | null;

  private constructor(parent: Context | null, deadlineMonoUs: number) {
    this.parent = parent;
    this.deadlineMonoUs = deadlineMonoUs;
    if (parent === null) {
      this.onParentDone = null;
      return;
    }
    if (parent.err !== null) {
      this.onParentDone = null;
      this.err = parent.err;
      return;
    }
    this.onParentDone = () => this.finish(parent.err ?? 'context canceled');
    parent.onDone(this.onParentDone);
  }

  /** context.Background(): never done. */
  static background(): Context {
    return new Context(null, Infinity);
  }

  get done(): boolean {
    return this.err !== null;
  }

  /** context.WithCancel(ctx). */
  withCancel(): Context {
    return new Context(this, this.deadlineMonoUs);
  }

  /**
   * context.WithTimeout(ctx, timeoutUs): done with "context deadline exceeded" after timeoutUs of the host's
   * monotonic clock, or earlier if this context's own deadline comes first (then with its error).
   */
  withTimeout(timers: Timers & MonoClock, timeoutUs: number): Context {
    const deadline = timers.monoUs() + timeoutUs;
    if (deadline >= this.deadlineMonoUs) return new Context(this, this.deadlineMonoUs);
    const ctx = new Context(this, deadline);
    if (ctx.err === null) {
      ctx.timers = timers;
      if (timeoutUs <= 0) ctx.finish('context deadline exceeded');
      else ctx.timer = timers.setTimer(timeoutUs, () => ctx.finish('context deadline exceeded'));
    }
    return ctx;
  }

  /** The time left before the deadline, µs (Infinity without a deadline; <= 0 once it passed). */
  remainingUs(clock: MonoClock): number {
    return this.deadlineMonoUs === Infinity ? Infinity : this.deadlineMonoUs - clock.monoUs();
  }

  /** The CancelFunc: done with "context canceled" unless already done. */
  cancel(): void {
    this.finish('context canceled');
  }

  /** Calls fn once when the context becomes done (never if it already is: check `done` first). */
  onDone(fn: () => void): void {
    if (this.err !== null) return;
    if (this.listeners === null) this.listeners = [fn];
    else this.listeners.push(fn);
  }

  /** Removes a listener added with onDone. */
  offDone(fn: () => void): void {
    const list = this.listeners;
    if (list === null) return;
    const index = list.lastIndexOf(fn);
    if (index < 0) return;
    const last = list.pop()!;
    if (index < list.length) list[index] = last;
  }

  private finish(err: ContextError): void {
    if (this.err !== null) return;
    this.err = err;
    if (this.timer !== null) {
      this.timers!.clearTimer(this.timer);
      this.timer = null;
    }
    if (this.parent !== null && this.onParentDone !== null) this.parent.offDone(this.onParentDone);
    const list = this.listeners;
    this.listeners = null;
    if (list !== null) for (const fn of list) fn();
  }
}
