// The history of client-visible etcd operations, recorded by the observer (true simulated time, not a host's
// clock) for the linearizability checker.
//
// Outcomes: a response is recorded as it came; a request that failed before reaching any server (clientv3 says so:
// `sent: false`) did not happen and is dropped; any other failure of a write (deadline, broken connection,
// "etcdserver: request timed out", ...) leaves its effect unknown: it returns at +infinity and may or may not have
// taken effect (porcupine's approach). Reads that failed are dropped (they changed nothing). Operations still in
// flight when the history is taken (a crashed client, the end of the run) are unknown likewise.
import { UNKNOWN_RETURN_US, type Operation } from '../linearizability/history';
import type { KvInput, KvOutput } from '../linearizability/kv-model';

interface Pending {
  readonly clientId: number;
  readonly input: KvInput;
  readonly callUs: number;
}

export class KvHistoryRecorder {
  private readonly pending = new Map<number, Pending>();
  private readonly done: Array<Operation<KvInput, KvOutput> & { readonly seq: number }> = [];
  private nextId = 1;
  private nextClient = 0;
  /** Responses recorded (ok), writes of unknown outcome, operations dropped (failed before sending, failed reads). */
  readonly counts = { ok: 0, unknown: 0, dropped: 0 };

  constructor(private readonly clock: { readonly nowUs: number }) {}

  /** A fresh client id (a logical client of one process incarnation). */
  newClient(): number {
    return this.nextClient++;
  }

  /** Records the invocation; returns the id to finish it with. */
  invoke(clientId: number, input: KvInput): number {
    const id = this.nextId++;
    this.pending.set(id, { clientId, input, callUs: this.clock.nowUs });
    return id;
  }

  /** The operation returned `output`. */
  ok(id: number, output: Exclude<KvOutput, { kind: 'unknown' }>): void {
    const p = this.take(id);
    if (p === null) return;
    this.done.push({ clientId: p.clientId, input: p.input, output, callUs: p.callUs, returnUs: this.clock.nowUs, seq: id, tag: id });
    this.counts.ok++;
  }

  /** The operation failed. `sent`: whether some attempt reached a server (then a write may have taken effect). */
  failed(id: number, sent: boolean): void {
    const p = this.take(id);
    if (p === null) return;
    if (!sent || p.input.op === 'get') {
      this.counts.dropped++;
      return;
    }
    this.done.push({ clientId: p.clientId, input: p.input, output: { kind: 'unknown' }, callUs: p.callUs, returnUs: UNKNOWN_RETURN_US, seq: id, tag: id });
    this.counts.unknown++;
  }

  private take(id: number): Pending | null {
    const p = this.pending.get(id);
    if (p === undefined) return null;
    this.pending.delete(id);
    return p;
  }

  /** Operations in flight now. */
  get inFlight(): number {
    return this.pending.size;
  }

  /**
   * The history so far, in invocation order: every finished operation, plus the writes still in flight as
   * unknown outcomes (reads in flight are left out).
   */
  operations(): Array<Operation<KvInput, KvOutput>> {
    const all: Array<Operation<KvInput, KvOutput> & { readonly seq: number }> = [...this.done];
    for (const [id, p] of this.pending) {
      if (p.input.op === 'get') continue;
      all.push({ clientId: p.clientId, input: p.input, output: { kind: 'unknown' }, callUs: p.callUs, returnUs: UNKNOWN_RETURN_US, seq: id, tag: id });
    }
    all.sort((a, b) => a.seq - b.seq);
    return all.map(({ seq: _seq, ...op }) => op);
  }
}
