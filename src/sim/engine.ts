// The deterministic discrete-event engine. One queue of events ordered by (time, insertion sequence), one
// simulated clock in integer microseconds, one seed. Nothing here reads the wall clock.
import { EventQueue, type EventFn, type SimEvent } from './event-queue';
import { RngRoot, type Seed } from './rng';
import { Trace } from './trace';
import { formatSimTime } from './time';

export type { SimEvent, EventFn } from './event-queue';

/** A checker run by the engine between events. Returns null while the property holds, else what broke. */
export interface Invariant {
  readonly name: string;
  check(): InvariantFailure | null;
}

export interface InvariantFailure {
  readonly message: string;
  /** Hosts involved, for the report. */
  readonly hosts?: readonly string[];
}

export interface Violation {
  readonly invariant: string;
  readonly message: string;
  readonly hosts: readonly string[];
  readonly timeUs: number;
  readonly event: number;
  readonly seed: string;
  readonly replay: string;
}

export interface EngineOptions {
  readonly seed: Seed;
  /** Runaway protection: the run fails with EventLimitError after this many events. */
  readonly maxEvents?: number;
  /** The command that replays this run, printed with every violation. */
  readonly replayCommand?: string;
}

export const DEFAULT_MAX_EVENTS = 200_000_000;

export class EventLimitError extends Error {
  constructor(
    readonly maxEvents: number,
    readonly timeUs: number,
    readonly seed: string,
  ) {
    super(
      `event limit reached: ${maxEvents} events ran by simulated time ${formatSimTime(timeUs)} (seed ${seed}); ` +
        'a component is probably scheduling events in a loop. Raise the limit only if the run is genuinely that busy.',
    );
    this.name = 'EventLimitError';
  }
}

export type StopReason = 'time' | 'idle' | 'stopped' | 'violation';

interface RegisteredInvariant {
  readonly invariant: Invariant;
  readonly everyEvents: number;
  countdown: number;
}

export class Engine {
  /** Simulated time now, in microseconds since the start of the run. */
  nowUs = 0;
  /** Events run so far (cancelled events are not counted). */
  eventsRun = 0;
  readonly seed: string;
  readonly rng: RngRoot;
  readonly trace: Trace;
  readonly maxEvents: number;
  readonly replayCommand: string;
  violation: Violation | null = null;

  private readonly queue = new EventQueue();
  private seq = 0;
  private stopRequested: string | null = null;
  private readonly invariants: RegisteredInvariant[] = [];

  constructor(options: EngineOptions) {
    this.seed = String(options.seed);
    this.rng = new RngRoot(options.seed);
    this.trace = new Trace(this);
    this.maxEvents = options.maxEvents ?? DEFAULT_MAX_EVENTS;
    this.replayCommand = options.replayCommand ?? `seed ${this.seed}`;
  }

  /** Runs `fn(arg)` after `delayUs` (>= 0, integer). Returns a handle for cancel(). */
  schedule(delayUs: number, fn: EventFn, arg?: unknown): SimEvent {
    return this.scheduleAt(this.nowUs + delayUs, fn, arg);
  }

  /** Runs `fn(arg)` at simulated time `timeUs` (integer, not in the past). */
  scheduleAt(timeUs: number, fn: EventFn, arg?: unknown): SimEvent {
    if (!(timeUs >= this.nowUs) || !Number.isInteger(timeUs)) {
      throw new RangeError(`Engine.scheduleAt: time ${timeUs}µs must be an integer not before now (${this.nowUs}µs)`);
    }
    const event: SimEvent = { timeUs, seq: this.seq++, fn, arg, index: -1 };
    this.queue.push(event);
    return event;
  }

  /** Cancels a scheduled event (it leaves the queue); cancelling one that already ran or was cancelled does nothing. */
  cancel(event: SimEvent | null | undefined): void {
    if (event) {
      if (event.fn !== null) this.queue.remove(event);
      event.fn = null;
    }
  }

  /** Events still queued. */
  get pendingEvents(): number {
    return this.queue.size;
  }

  /**
   * The live queued events that match `predicate`, in the order they would run. O(queue size): for rare
   * operations (re-timing a host's timers after a clock fault), never for hot paths.
   */
  findEvents(predicate: (event: SimEvent) => boolean): SimEvent[] {
    return this.queue
      .toArray()
      .filter((event) => event.fn !== null && predicate(event))
      .sort((a, b) => a.timeUs - b.timeUs || a.seq - b.seq);
  }

  /** Time of the next live event, or null when none is queued. */
  nextEventTimeUs(): number | null {
    for (;;) {
      const head = this.queue.peek();
      if (head === undefined) return null;
      if (head.fn !== null) return head.timeUs;
      this.queue.pop();
    }
  }

  /** Runs the next live event. Returns false when the queue is empty. */
  step(): boolean {
    const queue = this.queue;
    for (;;) {
      const event = queue.pop();
      if (event === undefined) return false;
      const fn = event.fn;
      if (fn === null) continue;
      this.run(event, fn);
      return true;
    }
  }

  private run(event: SimEvent, fn: EventFn): void {
    event.fn = null;
    this.nowUs = event.timeUs;
    if (++this.eventsRun > this.maxEvents) throw new EventLimitError(this.maxEvents, this.nowUs, this.seed);
    fn(event.arg);
    if (this.invariants.length !== 0) this.tickInvariants();
  }

  /**
   * Runs events up to and including time `untilUs`, then sets the clock to `untilUs` (with an infinite bound, the
   * clock stays at the last event). Stops early on stop() or on an invariant violation; after a violation, further
   * calls run nothing and return 'violation'.
   */
  runUntil(untilUs: number): StopReason {
    if (Number.isNaN(untilUs)) throw new RangeError('Engine.runUntil: the bound is NaN');
    if (this.violation) return 'violation';
    const queue = this.queue;
    this.stopRequested = null;
    let reason: StopReason = 'time';
    while (this.stopRequested === null) {
      const head = queue.peek();
      if (head === undefined) {
        reason = 'idle';
        break;
      }
      if (head.timeUs > untilUs) break;
      queue.pop();
      const fn = head.fn;
      if (fn !== null) this.run(head, fn); // a cancelled event is dropped without looking further
    }
    if (this.stopRequested !== null) return this.violation ? 'violation' : 'stopped';
    if (untilUs > this.nowUs && untilUs !== Number.POSITIVE_INFINITY) this.nowUs = untilUs;
    this.checkAllInvariants();
    return this.violation ? 'violation' : reason;
  }

  /** Asks the running loop to stop after the current event. */
  stop(reason: string): void {
    this.stopRequested = reason;
  }

  get stopReason(): string | null {
    return this.stopRequested;
  }

  /** Registers a checker run after every `everyEvents` events (default 1) and once more when a run ends. */
  addInvariant(invariant: Invariant, options: { everyEvents?: number } = {}): void {
    const everyEvents = options.everyEvents ?? 1;
    if (!(everyEvents >= 1) || !Number.isInteger(everyEvents)) throw new RangeError(`everyEvents must be a positive integer, got ${everyEvents}`);
    this.invariants.push({ invariant, everyEvents, countdown: everyEvents });
  }

  private tickInvariants(): void {
    for (const entry of this.invariants) {
      if (--entry.countdown !== 0) continue;
      entry.countdown = entry.everyEvents;
      if (this.runInvariant(entry.invariant)) return;
    }
  }

  /** Runs every checker now (used at the end of a run so nothing between checks is missed). */
  checkAllInvariants(): void {
    if (this.violation) return;
    for (const entry of this.invariants) if (this.runInvariant(entry.invariant)) return;
  }

  private runInvariant(invariant: Invariant): boolean {
    if (this.violation) return true;
    const failure = invariant.check();
    if (failure === null) return false;
    this.violation = {
      invariant: invariant.name,
      message: failure.message,
      hosts: failure.hosts ?? [],
      timeUs: this.nowUs,
      event: this.eventsRun,
      seed: this.seed,
      replay: this.replayCommand,
    };
    this.trace.emit('violation', { invariant: invariant.name, message: failure.message });
    this.stop(`invariant ${invariant.name} violated`);
    return true;
  }
}

/** The report printed for a violation: what broke first, when, and how to replay it. */
export function formatViolation(v: Violation): string {
  const lines = [
    `invariant violated: ${v.invariant}`,
    `  at t=${formatSimTime(v.timeUs)} (event #${v.event})`,
    `  ${v.message}`,
  ];
  if (v.hosts.length > 0) lines.push(`  hosts: ${v.hosts.join(', ')}`);
  lines.push(`  seed: ${v.seed}`, `  replay: ${v.replay}`);
  return lines.join('\n');
}
