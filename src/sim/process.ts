// A process on a simulated host: etcd, kube-apiserver, kube-scheduler, haproxy, ...
//
// A process's behaviour is created afresh by its spec at every start, so everything it holds in memory is
// volatile: a crash loses it. What must survive goes on the host's disk (ctx.disk), which outlives crashes.
// Every callback into a process (timer, message, connection event) goes through Process.invoke, which
//   - drops it if it belongs to an earlier incarnation (the process crashed or exited since),
//   - queues it while the process is paused (SIGSTOP, a long GC pause) and replays the queue in order on resume.
import type { Engine, SimEvent } from './engine';
import type { Host } from './host';
import type { Random } from './rng';
import type { ConnHandlers, ListenHandlers, Message, Socket } from './network';
import type { LogLevel, ProcState } from './trace';

export interface ProcessBehavior {
  /** SIGTERM. The default (no handler) exits at once with code 0; a handler calls ctx.exit when done. */
  terminate?(): void;
}

export interface ProcessSpec {
  /** Unique on its host: `etcd`, `kube-apiserver`, `kube-scheduler`, `haproxy`, `kubelet`. */
  readonly name: string;
  /** Builds the process's behaviour at each start; the context is that incarnation's. */
  create(ctx: ProcessContext): ProcessBehavior;
  /** Start when the host boots (a systemd unit enabled, a static pod). Default true. */
  readonly autostart?: boolean;
}

export interface Timer {
  /** Set by the engine event; null once fired or cleared. */
  event: SimEvent | null;
  readonly fn: () => void;
  readonly process: Process;
  readonly incarnation: number;
  cleared: boolean;
  /** When it fires, on its host's monotonic clock (µs): a drift change or a monotonic jump re-times it. */
  deadlineMonoUs: number;
}

/** The engine callback of every process timer (the host finds its timers by it when its clock changes). */
export function fireTimer(arg: unknown): void {
  const timer = arg as Timer;
  timer.event = null;
  if (!timer.cleared) timer.process.invokeTimer(timer);
}

export type ExitKind = 'exit' | 'crash' | 'host-crash';

export interface ExitInfo {
  readonly kind: ExitKind;
  /** Exit status for kind 'exit'; 137 (SIGKILL) for crashes. */
  readonly code: number;
  readonly reason: string;
}

export type ExitListener = (process: Process, info: ExitInfo) => void;

/** What a running process may use. Times are its host's local clocks; nothing else tells it the time. */
export interface ProcessContext {
  readonly host: Host;
  readonly process: Process;
  /** `host/name`, as used in logs and traces. */
  readonly id: string;
  readonly incarnation: number;
  /** This process's random stream; it continues across restarts (a restarted process draws new values). */
  readonly rng: Random;
  /** The host's monotonic clock, microseconds (Go's monotonic reading: timers, elapsed-time comparisons). */
  monoUs(): number;
  /** The host's wall clock, Unix microseconds (timestamps written into objects). */
  wallUs(): number;
  /** Runs fn after delayUs of this host's monotonic clock. Fires only while this incarnation lives. */
  setTimer(delayUs: number, fn: () => void): Timer;
  clearTimer(timer: Timer | null | undefined): void;
  /** Wraps a callback so it runs only in this incarnation, and waits while the process is paused. */
  bind<A extends unknown[]>(fn: (...args: A) => void): (...args: A) => void;
  log(level: LogLevel, msg: string): void;
  /** The process ends itself (os.Exit / klog.Fatal): code 0 for a clean exit. */
  exit(code: number, reason: string): void;
  /** The host's disk: survives crashes of this process and of the host. */
  readonly disk: Map<string, unknown>;
  /** Accepts datagrams and/or connections on a port of this host until the process dies. */
  listen(port: number, handlers: ListenHandlers): void;
  /** Sends a datagram (fire and forget). */
  /**
   * Sends a datagram. With `stream`, the message stands for one carried on a TCP stream (etcd's rafthttp): the
   * network may still lose, delay or reorder it, but never delivers it twice (TCP does not duplicate).
   */
  send<M extends Message>(toAddress: string, port: number, msg: M, fromPort?: number, stream?: boolean): void;
  /** Opens a connection; handlers run in this incarnation only. */
  connect(toAddress: string, port: number, handlers: ConnHandlers, connectTimeoutUs?: number): Socket;
}

const SIGKILL_STATUS = 137;

function noop(): void {}

export class Process {
  state: ProcState = 'exited';
  incarnation = 0;
  behavior: ProcessBehavior | null = null;
  context: ProcessContext | null = null;
  lastExit: ExitInfo | null = null;
  /** Callbacks that arrived while paused (or while that backlog is being replayed), oldest first from deferredHead. */
  private deferred: Array<() => void> = [];
  private deferredHead = 0;
  private drainEvent: SimEvent | null = null;
  private pausedFrom: ProcState = 'running';
  /** SIGTERM arrived while paused: it is handled on resume. */
  private termPending = false;
  private stopKillEvent: SimEvent | null = null;
  private readonly exitListeners: ExitListener[] = [];

  constructor(
    readonly host: Host,
    readonly spec: ProcessSpec,
    private readonly engine: Engine,
  ) {}

  get name(): string {
    return this.spec.name;
  }

  get id(): string {
    return `${this.host.name}/${this.spec.name}`;
  }

  /** True while the process can act (running or stopping gracefully); false when paused, crashed or exited. */
  get active(): boolean {
    return this.state === 'running' || this.state === 'stopping';
  }

  /** True while the process exists (it may be paused). */
  get alive(): boolean {
    return this.state === 'running' || this.state === 'stopping' || this.state === 'paused' || this.state === 'starting';
  }

  onExit(listener: ExitListener): void {
    this.exitListeners.push(listener);
  }

  start(detail = ''): void {
    if (this.alive) throw new Error(`${this.id}: start while ${this.state}`);
    if (!this.host.up) throw new Error(`${this.id}: start while host ${this.host.name} is down`);
    this.incarnation++;
    this.clearDeferred();
    this.state = 'running';
    this.emitState(detail);
    const ctx = this.makeContext();
    this.context = ctx;
    const behavior = this.spec.create(ctx);
    // create() may have ended this incarnation already (a bad flag: exit 2).
    if (this.incarnation === ctx.incarnation) this.behavior = behavior;
  }

  /** Immediate death (SIGKILL, OOM kill, host crash): volatile state is gone, no cleanup runs. */
  crash(kind: 'crash' | 'host-crash' = 'crash', reason = 'killed'): void {
    if (!this.alive) return;
    this.die({ kind, code: SIGKILL_STATUS, reason }, 'crashed');
  }

  /** SIGTERM, then SIGKILL after graceUs if the process has not exited by then (systemctl stop, kubelet). */
  stop(graceUs: number): void {
    if (!this.alive) return;
    if (this.state === 'paused') {
      // A stopped (SIGSTOP) process cannot handle SIGTERM yet: the signal stays pending until it is resumed, and
      // the kill after the grace period ends it if that comes first.
      if (this.pausedFrom === 'running') this.termPending = true;
      this.scheduleKill(graceUs);
      return;
    }
    if (this.state === 'stopping') return;
    this.scheduleKill(graceUs);
    this.deliverTerm();
  }

  private deliverTerm(): void {
    this.state = 'stopping';
    this.emitState('SIGTERM');
    const behavior = this.behavior;
    if (behavior?.terminate) behavior.terminate();
    else this.exit(0, 'terminated');
  }

  /** Freezes the process: timers and messages wait until resume(). */
  pause(): void {
    if (this.state !== 'running' && this.state !== 'stopping') return;
    this.pausedFrom = this.state;
    this.state = 'paused';
    this.emitState('');
  }

  resume(): void {
    if (this.state !== 'paused') return;
    this.state = this.pausedFrom;
    this.emitState('');
    if (this.termPending) {
      this.termPending = false;
      this.deliverTerm();
    }
    // Replay the backlog in arrival order, one callback per event starting at this instant. Until it is empty,
    // newer callbacks queue behind it (see invoke), so nothing overtakes what arrived during the pause.
    if (this.active && this.deferredHead < this.deferred.length) this.scheduleDrain();
  }

  private scheduleDrain(): void {
    if (this.drainEvent === null) this.drainEvent = this.engine.schedule(0, this.drainOne);
  }

  private readonly drainOne = (): void => {
    this.drainEvent = null;
    if (!this.active || this.deferredHead >= this.deferred.length) return; // paused again, or died
    const fn = this.deferred[this.deferredHead]!;
    this.deferred[this.deferredHead++] = noop;
    if (this.deferredHead === this.deferred.length) this.clearDeferred();
    fn();
    if (this.active && this.deferredHead < this.deferred.length) this.scheduleDrain();
  };

  private clearDeferred(): void {
    this.deferred = [];
    this.deferredHead = 0;
    this.engine.cancel(this.drainEvent);
    this.drainEvent = null;
  }

  /** The process ends itself with an exit status. */
  exit(code: number, reason: string): void {
    if (!this.alive) return;
    this.die({ kind: 'exit', code, reason }, 'exited');
  }

  /** Runs fn if `incarnation` is still the live one; queues it while paused; drops it otherwise. */
  invoke(incarnation: number, fn: () => void): void {
    if (incarnation !== this.incarnation) return;
    switch (this.state) {
      case 'running':
      case 'stopping':
        if (this.deferredHead < this.deferred.length) this.deferred.push(fn); // the backlog goes first
        else fn();
        return;
      case 'paused':
        this.deferred.push(fn);
        return;
      default:
        return;
    }
  }

  /**
   * True when a callback of `incarnation` would run at once (live, not paused, no backlog being replayed): a hot
   * path may then call it directly instead of allocating a closure for invoke().
   */
  runsNow(incarnation: number): boolean {
    return incarnation === this.incarnation && (this.state === 'running' || this.state === 'stopping') && this.deferredHead >= this.deferred.length;
  }

  /** Fires a timer in its incarnation; a timer cleared while its firing waited (paused process) stays silent. */
  invokeTimer(timer: Timer): void {
    if (timer.incarnation !== this.incarnation) return;
    if (this.active && this.deferredHead >= this.deferred.length) {
      timer.fn();
      return;
    }
    this.invoke(timer.incarnation, () => {
      if (!timer.cleared) timer.fn();
    });
  }

  private die(info: ExitInfo, state: ProcState): void {
    this.engine.cancel(this.stopKillEvent);
    this.stopKillEvent = null;
    this.state = state;
    this.behavior = null;
    this.context = null;
    this.clearDeferred();
    this.termPending = false;
    this.lastExit = info;
    this.incarnation++; // invalidates every pending callback of the dead incarnation
    this.emitState(info.kind === 'exit' ? `exit ${info.code}: ${info.reason}` : info.reason);
    this.host.network.processDied(this);
    for (const listener of this.exitListeners) listener(this, info);
  }

  private scheduleKill(graceUs: number): void {
    if (this.stopKillEvent) return;
    const incarnation = this.incarnation;
    this.stopKillEvent = this.engine.schedule(graceUs, () => {
      this.stopKillEvent = null;
      if (this.incarnation === incarnation && this.alive) this.crash('crash', 'SIGKILL after grace period');
    });
  }

  private emitState(detail: string): void {
    const trace = this.engine.trace;
    if (trace.wants('proc.state')) trace.emit('proc.state', { host: this.host.name, proc: this.spec.name, state: this.state, detail });
  }

  private makeContext(): ProcessContext {
    const process = this;
    const host = this.host;
    const engine = this.engine;
    const incarnation = this.incarnation;
    const clock = host.clock;
    return {
      host,
      process,
      id: this.id,
      incarnation,
      rng: engine.rng.stream(`proc/${this.id}`),
      monoUs: () => clock.monoUs(),
      wallUs: () => clock.wallUs(),
      setTimer(delayUs: number, fn: () => void): Timer {
        if (!(delayUs >= 0)) throw new RangeError(`${process.id}: timer delay ${delayUs}µs must be >= 0`);
        const localUs = Math.ceil(delayUs);
        const timer: Timer = { event: null, fn, process, incarnation, cleared: false, deadlineMonoUs: clock.monoUs() + localUs };
        timer.event = engine.schedule(clock.engineDelayUs(localUs), fireTimer, timer);
        return timer;
      },
      clearTimer(timer: Timer | null | undefined): void {
        if (!timer) return;
        timer.cleared = true;
        engine.cancel(timer.event);
        timer.event = null;
      },
      bind<A extends unknown[]>(fn: (...args: A) => void): (...args: A) => void {
        return (...args: A) => process.invoke(incarnation, () => fn(...args));
      },
      log(level: LogLevel, msg: string): void {
        const trace = engine.trace;
        if (trace.wants('log')) trace.emit('log', { host: host.name, proc: process.spec.name, level, msg });
      },
      exit(code: number, reason: string): void {
        if (process.incarnation === incarnation) process.exit(code, reason);
      },
      disk: host.disk,
      listen(port: number, handlers: ListenHandlers): void {
        host.network.listen(process, incarnation, port, handlers);
      },
      send<M extends Message>(toAddress: string, port: number, msg: M, fromPort = 0, stream = false): void {
        if (process.incarnation === incarnation && process.active) host.network.sendDatagram(host, fromPort, toAddress, port, msg, stream);
      },
      connect(toAddress: string, port: number, handlers: ConnHandlers, connectTimeoutUs?: number): Socket {
        return host.network.connect(process, incarnation, toAddress, port, handlers, connectTimeoutUs);
      },
    };
  }
}
