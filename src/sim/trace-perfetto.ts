// Chrome trace-event JSON sink (opens in ui.perfetto.dev and chrome://tracing): a process track per host, a
// thread track per process, process lifetimes and pauses as slices, faults and violations as global instants.
// Components register mappers for their own kinds (e.g. leadership as slices on the leader's track).
import type { TraceEvent, TraceKind, TraceSink } from './trace';

export interface ChromeTraceEvent {
  name: string;
  cat?: string;
  ph: 'B' | 'E' | 'X' | 'i' | 'C' | 'M';
  ts?: number;
  dur?: number;
  pid: number;
  tid?: number;
  s?: 'g' | 'p' | 't';
  args?: Record<string, unknown>;
}

/** What a mapper may do: open and close named slices on a (host, track) pair, mark instants, set counters. */
export interface PerfettoApi {
  begin(host: string, track: string, name: string, tUs: number, args?: Record<string, unknown>): void;
  /** Ends the open slice on (host, track), if any. */
  end(host: string, track: string, tUs: number): void;
  instant(host: string | null, track: string | null, name: string, tUs: number, args?: Record<string, unknown>): void;
  counter(host: string, name: string, tUs: number, values: Record<string, number>): void;
}

export type PerfettoMapper = (event: TraceEvent, api: PerfettoApi) => void;

export class PerfettoSink implements TraceSink, PerfettoApi {
  readonly kinds: ReadonlySet<string>;
  private readonly events: ChromeTraceEvent[] = [];
  private readonly pids = new Map<string, number>();
  private readonly tids = new Map<string, number>();
  private readonly open = new Map<string, string>();
  private readonly mappers = new Map<string, PerfettoMapper[]>();
  private lastUs = 0;

  /** `write` receives the whole JSON document when the run ends. */
  constructor(private readonly output: (json: string) => void) {
    // 'run.end' has no mapper: it only tells the sink when the run ended, where open slices close.
    this.kinds = new Set<string>(['proc.state', 'host.state', 'fault', 'violation', 'run.end']);
    this.addMapper('proc.state', (e, api) => {
      if (e.kind !== 'proc.state') return;
      api.end(e.host, e.proc, e.tUs);
      if (e.state === 'running' || e.state === 'paused' || e.state === 'stopping') api.begin(e.host, e.proc, e.state, e.tUs, e.detail ? { detail: e.detail } : undefined);
      else api.instant(e.host, e.proc, e.state, e.tUs, e.detail ? { detail: e.detail } : undefined);
    });
    this.addMapper('host.state', (e, api) => {
      if (e.kind === 'host.state') api.instant(e.host, null, e.up ? 'host up' : 'host down', e.tUs);
    });
    this.addMapper('fault', (e, api) => {
      if (e.kind === 'fault') api.instant(null, null, `fault: ${e.detail}`, e.tUs, { action: e.action, target: e.target });
    });
    this.addMapper('violation', (e, api) => {
      if (e.kind === 'violation') api.instant(null, null, `VIOLATION ${e.invariant}`, e.tUs, { message: e.message });
    });
  }

  /** Adds a mapper for a kind; the sink then records that kind too. Register before the run starts. */
  addMapper(kind: TraceKind, mapper: PerfettoMapper): void {
    (this.kinds as Set<string>).add(kind);
    const list = this.mappers.get(kind);
    if (list) list.push(mapper);
    else this.mappers.set(kind, [mapper]);
  }

  write(event: TraceEvent): void {
    this.lastUs = event.tUs;
    const list = this.mappers.get(event.kind);
    if (list) for (const mapper of list) mapper(event, this);
  }

  begin(host: string, track: string, name: string, tUs: number, args?: Record<string, unknown>): void {
    this.end(host, track, tUs);
    const e: ChromeTraceEvent = { name, ph: 'B', ts: tUs, pid: this.pid(host), tid: this.tid(host, track) };
    if (args) e.args = args;
    this.events.push(e);
    this.open.set(`${host}\u0000${track}`, name);
  }

  end(host: string, track: string, tUs: number): void {
    const key = `${host}\u0000${track}`;
    if (!this.open.has(key)) return;
    this.open.delete(key);
    this.events.push({ name: '', ph: 'E', ts: tUs, pid: this.pid(host), tid: this.tid(host, track) });
  }

  instant(host: string | null, track: string | null, name: string, tUs: number, args?: Record<string, unknown>): void {
    const e: ChromeTraceEvent =
      host === null
        ? { name, ph: 'i', ts: tUs, pid: 0, s: 'g' }
        : track === null
          ? { name, ph: 'i', ts: tUs, pid: this.pid(host), s: 'p' }
          : { name, ph: 'i', ts: tUs, pid: this.pid(host), tid: this.tid(host, track), s: 't' };
    if (args) e.args = args;
    this.events.push(e);
  }

  counter(host: string, name: string, tUs: number, values: Record<string, number>): void {
    this.events.push({ name, ph: 'C', ts: tUs, pid: this.pid(host), args: values });
  }

  close(): void {
    for (const key of [...this.open.keys()]) {
      const [host, track] = key.split('\u0000') as [string, string];
      this.end(host, track, this.lastUs);
    }
    const metadata: ChromeTraceEvent[] = [{ name: 'process_name', ph: 'M', pid: 0, args: { name: 'cluster' } }];
    for (const [host, pid] of this.pids) metadata.push({ name: 'process_name', ph: 'M', pid, args: { name: host } });
    for (const [key, tid] of this.tids) {
      const [host, track] = key.split('\u0000') as [string, string];
      metadata.push({ name: 'thread_name', ph: 'M', pid: this.pid(host), tid, args: { name: track } });
    }
    this.output(JSON.stringify({ traceEvents: [...metadata, ...this.events], displayTimeUnit: 'ms' }));
  }

  private pid(host: string): number {
    let pid = this.pids.get(host);
    if (pid === undefined) {
      pid = this.pids.size + 1;
      this.pids.set(host, pid);
    }
    return pid;
  }

  private tid(host: string, track: string): number {
    const key = `${host}\u0000${track}`;
    let tid = this.tids.get(key);
    if (tid === undefined) {
      tid = this.tids.size + 1;
      this.tids.set(key, tid);
    }
    return tid;
  }
}
