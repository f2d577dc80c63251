// The typed event log of a run. Every message send/deliver/drop, process and host state change, fault and
// component log line is a TraceEvent with the simulated time at which it happened.
//
// Components add their own kinds by augmenting TraceEventMap:
//   declare module '../sim/trace' { interface TraceEventMap { 'raft.role': { member: string; role: string } } }
//
// Cost: a sink declares which kinds it wants; `trace.wants(kind)` is one property read, and hot paths build an
// event only when it returns true, so an ignored kind costs nothing but that check.

export type ProcState = 'starting' | 'running' | 'paused' | 'crashed' | 'stopping' | 'exited';
export type DropReason = 'loss' | 'partition' | 'host-down' | 'no-listener' | 'closed' | 'deadline';
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface TraceEventMap {
  'run.start': { seed: string; scenario: string | null; faults: readonly unknown[] };
  'run.end': { reason: string; events: number };
  'msg.send': { id: number; from: string; to: string; type: string };
  'msg.deliver': { id: number; from: string; to: string; type: string };
  'msg.drop': { id: number; from: string; to: string; type: string; reason: DropReason };
  fault: { action: string; target: string; detail: string };
  'host.state': { host: string; up: boolean };
  'proc.state': { host: string; proc: string; state: ProcState; detail: string };
  'conn.state': { conn: number; from: string; to: string; state: 'open' | 'refused' | 'reset' | 'timeout' | 'closed' };
  log: { host: string; proc: string; level: LogLevel; msg: string };
  violation: { invariant: string; message: string };
}

export type TraceKind = keyof TraceEventMap;

export type TraceEvent<K extends TraceKind = TraceKind> = K extends TraceKind
  ? { readonly kind: K; readonly tUs: number } & Readonly<TraceEventMap[K]>
  : never;

export interface TraceSink {
  /** The kinds this sink records; 'all' for every kind, including ones added by components. */
  readonly kinds: ReadonlySet<string> | 'all';
  write(event: TraceEvent): void;
  /** Called once when the run ends. */
  close?(): void;
}

export class Trace {
  private readonly allKindSinks: TraceSink[] = [];
  private readonly sinksByKind = new Map<string, TraceSink[]>();
  private anyAll = false;

  constructor(private readonly clock: { readonly nowUs: number }) {}

  addSink(sink: TraceSink): void {
    if (sink.kinds === 'all') {
      this.allKindSinks.push(sink);
      this.anyAll = true;
      return;
    }
    for (const kind of sink.kinds) {
      const list = this.sinksByKind.get(kind);
      if (list === undefined) this.sinksByKind.set(kind, [sink]);
      else list.push(sink);
    }
  }

  /** True when some sink records `kind`. Guard event construction on hot paths with it. */
  wants(kind: TraceKind): boolean {
    return this.anyAll || this.sinksByKind.has(kind);
  }

  /** Records an event stamped with the current simulated time. */
  emit<K extends TraceKind>(kind: K, fields: TraceEventMap[K]): void {
    if (!this.anyAll && !this.sinksByKind.has(kind)) return;
    const event = { kind, tUs: this.clock.nowUs, ...fields } as unknown as TraceEvent;
    for (const sink of this.allKindSinks) sink.write(event);
    const list = this.sinksByKind.get(kind);
    if (list !== undefined) for (const sink of list) sink.write(event);
  }

  close(): void {
    const seen = new Set<TraceSink>();
    for (const sink of [...this.allKindSinks, ...[...this.sinksByKind.values()].flat()]) {
      if (seen.has(sink)) continue;
      seen.add(sink);
      sink.close?.();
    }
  }
}

/** Keeps events in memory, all kinds or only the listed ones. */
export class MemorySink implements TraceSink {
  readonly events: TraceEvent[] = [];
  readonly kinds: ReadonlySet<string> | 'all';

  constructor(kinds: readonly TraceKind[] | 'all' = 'all') {
    this.kinds = kinds === 'all' ? 'all' : new Set(kinds);
  }

  write(event: TraceEvent): void {
    this.events.push(event);
  }

  ofKind<K extends TraceKind>(kind: K): Array<TraceEvent<K>> {
    return this.events.filter((e) => e.kind === kind) as Array<TraceEvent<K>>;
  }
}
