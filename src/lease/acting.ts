// Acting-leader ground truth: for every lease, the intervals during which each replica actually acted as leader.
//
// "Acting" is what the component does, not what the Lease object says: an interval opens when client-go would call
// OnStartedLeading (the component starts its leader-only work) and closes when the context handed to that callback
// is done (client-go cancels it when Run returns, i.e. after renew gave up and, with ReleaseOnCancel, after the
// release attempt) or when the process dies (crash, SIGKILL, host crash, exit). A paused process (SIGSTOP, a long
// GC pause) that believed it led stays "acting" during the pause: it resumes believing it leads.
//
// Times are true simulated time (engine.nowUs), never a host's clock: this is the observer's view, the basis of
// the split-brain checker (src/check) and of the run report's `leaders` (src/report).
//
// One recorder per engine: `ActingLeaders.of(engine)`. Components call `start(...)` from OnStartedLeading and
// `ActingHandle.stop(...)` when their leading context is done; process deaths are caught here through
// Process.onExit, so a crashed leader's interval always closes.
import type { Engine } from '../sim/engine';
import type { ExitInfo, Process, ProcessContext } from '../sim/process';

declare module '../sim/trace' {
  interface TraceEventMap {
    /** A replica starts or stops acting as leader of `lease` ("kube-system/kube-scheduler"). */
    'lease.acting': { lease: string; identity: string; host: string; proc: string; state: 'start' | 'stop'; reason: string };
    /** A leader elector's phase: acquiring, leading, releasing (renew gave up: the release runs, still acting), stopped. */
    'lease.elector': { lease: string; identity: string; host: string; proc: string; phase: string; detail: string };
    /** Something an acting leader did (a binding, a pod created or deleted, a node marked NotReady). */
    'leader.action': { lease: string; identity: string; host: string; proc: string; action: string; object: string; outcome: string; detail: string };
  }
}

/** Why an acting interval ended. */
export type ActingEndReason =
  /** The leading context was done: renew gave up (lost lease) or the process was asked to terminate. */
  | 'stopped'
  /** The process exited (os.Exit) without having stopped first. */
  | 'exit'
  /** The process was killed (SIGKILL, OOM kill, crash fault). */
  | 'crash'
  /** The whole host went down. */
  | 'host-crash';

export interface ActingInterval {
  /** `namespace/name` of the Lease, as client-go's LeaseLock.Describe() prints it. */
  readonly lease: string;
  /** The lock identity, `<hostname>_<uuid>`. */
  readonly identity: string;
  readonly host: string;
  readonly proc: string;
  /** True simulated time (µs) at which the replica started acting. */
  readonly startUs: number;
  /** True simulated time at which it stopped; null while it still acts. */
  endUs: number | null;
  endReason: ActingEndReason | null;
  /** Why it stopped, in words (the log line or the exit reason). */
  endDetail: string;
}

/** Two replicas acting as leader of the same lease at once, during [fromUs, toUs) (toUs null: still ongoing). */
export interface LeaderOverlap {
  readonly lease: string;
  readonly first: ActingInterval;
  readonly second: ActingInterval;
  readonly fromUs: number;
  readonly toUs: number | null;
}

/** One action of an acting leader, kept so duplicated work under split brain can be shown. */
export interface LeaderAction {
  readonly tUs: number;
  readonly lease: string;
  readonly identity: string;
  readonly host: string;
  readonly proc: string;
  /** `bind`, `create-pod`, `delete-pod`, `mark-node-unknown`, `taint-node`, ... */
  readonly action: string;
  /** `namespace/name` (or `name` for cluster-scoped objects) of what the action touched. */
  readonly object: string;
  /** `ok`, or the API error that answered it ("409 Conflict", "context deadline exceeded"). */
  readonly outcome: string;
  /** What else matters: the node a pod was bound to, the taint added. */
  readonly detail: string;
}

export interface ActingHandle {
  readonly interval: ActingInterval;
  /** Closes the interval (idempotent). */
  stop(detail: string): void;
  /** Records an action taken while acting (also after stop: then it is recorded as done by a non-acting replica). */
  action(action: string, object: string, outcome: string, detail?: string): void;
}

export type ActingListener = (interval: ActingInterval, state: 'start' | 'stop') => void;

const recorders = new WeakMap<Engine, ActingLeaders>();

export class ActingLeaders {
  private readonly all: ActingInterval[] = [];
  private readonly open = new Map<string, ActingInterval[]>();
  private readonly openByProcess = new Map<Process, ActingInterval[]>();
  private readonly hooked = new WeakSet<Process>();
  private readonly listeners: ActingListener[] = [];
  /** Actions of acting leaders, in order. */
  readonly actions: LeaderAction[] = [];
  /** Largest number of replicas seen acting at once, per lease. */
  private readonly maxConcurrent = new Map<string, number>();
  /** Each elector's last phase (acquiring, leading, releasing, stopped), by lease and identity. */
  private readonly phases = new Map<string, string>();

  private constructor(private readonly engine: Engine) {}

  /** The recorder of this engine's run (created on first use). */
  static of(engine: Engine): ActingLeaders {
    let recorder = recorders.get(engine);
    if (recorder === undefined) {
      recorder = new ActingLeaders(engine);
      recorders.set(engine, recorder);
    }
    return recorder;
  }

  /** An elector's phase changed (the components report it with the lease.elector trace). */
  notePhase(lease: string, identity: string, phase: string): void {
    this.phases.set(`${lease}\u0000${identity}`, phase);
  }

  /** The last phase `identity`'s elector reported for `lease`, if any. */
  phaseOf(lease: string, identity: string): string | undefined {
    return this.phases.get(`${lease}\u0000${identity}`);
  }

  /** Called from OnStartedLeading: `ctx` is the acting process's context. */
  start(lease: string, identity: string, ctx: ProcessContext): ActingHandle {
    const process = ctx.process;
    const interval: ActingInterval = {
      lease,
      identity,
      host: ctx.host.name,
      proc: process.name,
      startUs: this.engine.nowUs,
      endUs: null,
      endReason: null,
      endDetail: '',
    };
    this.all.push(interval);
    pushTo(this.open, lease, interval);
    pushTo(this.openByProcess, process, interval);
    const concurrent = this.open.get(lease)!.length;
    if (concurrent > (this.maxConcurrent.get(lease) ?? 0)) this.maxConcurrent.set(lease, concurrent);
    if (!this.hooked.has(process)) {
      this.hooked.add(process);
      process.onExit((p, info) => this.processExited(p, info));
    }
    this.emit(interval, 'start', 'OnStartedLeading');
    const recorder = this;
    return {
      interval,
      stop(detail: string): void {
        recorder.close(interval, 'stopped', detail);
      },
      action(action: string, object: string, outcome: string, detail = ''): void {
        recorder.recordAction(interval, action, object, outcome, detail);
      },
    };
  }

  /** Registers a listener called at every start and stop (e.g. a live split-brain invariant). */
  onChange(listener: ActingListener): void {
    this.listeners.push(listener);
  }

  /** Every interval so far (closed and open), in start order; only those of `lease` if given. */
  intervals(lease?: string): readonly ActingInterval[] {
    return lease === undefined ? this.all : this.all.filter((i) => i.lease === lease);
  }

  /** The replicas acting as leader of `lease` right now. */
  actingNow(lease: string): readonly ActingInterval[] {
    return this.open.get(lease) ?? EMPTY;
  }

  /** How many replicas act as leader of `lease` right now (O(1); for invariants checked after every event). */
  concurrentNow(lease: string): number {
    return this.open.get(lease)?.length ?? 0;
  }

  /** The largest number of replicas that acted as leader of `lease` at once so far. */
  maxConcurrentSeen(lease: string): number {
    return this.maxConcurrent.get(lease) ?? 0;
  }

  /** Every lease some replica acted on, sorted. */
  leases(): string[] {
    return [...new Set(this.all.map((i) => i.lease))].sort();
  }

  /** The interval acting at true time tUs for `lease` (intervals are half-open: [startUs, endUs)). */
  actingAt(lease: string, tUs: number): ActingInterval[] {
    return this.all.filter((i) => i.lease === lease && i.startUs <= tUs && (i.endUs === null || tUs < i.endUs));
  }

  /** Every pair of intervals of the same lease that overlap in time, with the overlap, ordered by its start. */
  overlaps(lease?: string): LeaderOverlap[] {
    const out: LeaderOverlap[] = [];
    const byLease = new Map<string, ActingInterval[]>();
    for (const i of this.all) if (lease === undefined || i.lease === lease) pushTo(byLease, i.lease, i);
    for (const [name, list] of byLease) {
      // `all` is in start order, so list is too.
      for (let a = 0; a < list.length; a++) {
        const first = list[a]!;
        for (let b = a + 1; b < list.length; b++) {
          const second = list[b]!;
          if (first.endUs !== null && second.startUs >= first.endUs) break;
          const toUs = first.endUs === null ? second.endUs : second.endUs === null ? first.endUs : Math.min(first.endUs, second.endUs);
          if (toUs !== null && toUs <= second.startUs) continue;
          out.push({ lease: name, first, second, fromUs: second.startUs, toUs });
        }
      }
    }
    return out.sort((x, y) => x.fromUs - y.fromUs);
  }

  /** The actions recorded for `lease` (all if omitted). */
  actionsOf(lease?: string): readonly LeaderAction[] {
    return lease === undefined ? this.actions : this.actions.filter((a) => a.lease === lease);
  }

  private recordAction(interval: ActingInterval, action: string, object: string, outcome: string, detail: string): void {
    const entry: LeaderAction = {
      tUs: this.engine.nowUs,
      lease: interval.lease,
      identity: interval.identity,
      host: interval.host,
      proc: interval.proc,
      action,
      object,
      outcome,
      detail,
    };
    this.actions.push(entry);
    const trace = this.engine.trace;
    if (trace.wants('leader.action')) {
      trace.emit('leader.action', { lease: entry.lease, identity: entry.identity, host: entry.host, proc: entry.proc, action, object, outcome, detail });
    }
  }

  private close(interval: ActingInterval, reason: ActingEndReason, detail: string): void {
    if (interval.endUs !== null) return;
    interval.endUs = this.engine.nowUs;
    interval.endReason = reason;
    interval.endDetail = detail;
    removeFrom(this.open, interval.lease, interval);
    for (const [process, list] of this.openByProcess) {
      if (list.includes(interval)) {
        removeFrom(this.openByProcess, process, interval);
        break;
      }
    }
    this.emit(interval, 'stop', detail === '' ? reason : `${reason}: ${detail}`);
  }

  private processExited(process: Process, info: ExitInfo): void {
    const list = this.openByProcess.get(process);
    if (list === undefined) return;
    for (const interval of [...list]) {
      this.close(interval, info.kind, info.kind === 'exit' ? `exit ${info.code}: ${info.reason}` : info.reason);
    }
  }

  private emit(interval: ActingInterval, state: 'start' | 'stop', reason: string): void {
    const trace = this.engine.trace;
    if (trace.wants('lease.acting')) {
      trace.emit('lease.acting', { lease: interval.lease, identity: interval.identity, host: interval.host, proc: interval.proc, state, reason });
    }
    for (const listener of this.listeners) listener(interval, state);
  }
}

const EMPTY: readonly ActingInterval[] = [];

function pushTo<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else list.push(value);
}

function removeFrom<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list === undefined) return;
  const index = list.indexOf(value);
  if (index >= 0) list.splice(index, 1);
  if (list.length === 0) map.delete(key);
}
