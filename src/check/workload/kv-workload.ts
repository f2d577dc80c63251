// A small KV workload client: logical clients that read, write and compare-and-swap a few etcd keys through the
// etcd client (src/client/etcd-client.ts, clientv3's retry and balancing behaviour), recording every operation
// in a KvHistoryRecorder for the linearizability and acknowledged-write checkers.
//
// Each logical client runs its operations one after another, with a random think time between them:
// - get: a linearizable Range of one key;
// - put: a Put of a value unique in the run (`<client>-<n>`);
// - cas on mod_revision: Txn(If mod_revision(key) == the revision this client last saw, Then Put, Else Range) --
//   the kube-apiserver's optimistic concurrency;
// - cas on value: Txn(If value(key) == the value this client last saw, Then Put, Else Range).
// Every request has a client-side deadline (etcdctl's --command-timeout, 5 s).
//
// In 'verify' mode (the liveness phase) the clients stop writing and read every key until each read succeeds:
// the final state the acknowledged-write checker compares with what was acknowledged.
import { EtcdClient, type EtcdCallResult } from '../../client/etcd-client';
import type { KeyValue, RangeResponse, TxnResponse } from '../../raft/etcd-api';
import type { ProcessBehavior, ProcessContext, ProcessSpec } from '../../sim/process';
import type { KvCompare, KvInput, KvOutput } from '../linearizability/kv-model';
import type { KvHistoryRecorder } from './kv-history';

export interface KvWorkloadMix {
  readonly get: number;
  readonly put: number;
  readonly casMod: number;
  readonly casValue: number;
}

export interface KvWorkloadOptions {
  /** etcd client URLs (`https://10.0.0.10:2379`). */
  readonly endpoints: readonly string[];
  readonly recorder: KvHistoryRecorder;
  /** Shared with the harness: switch to 'verify' for the final reads, 'stop' to go quiet. */
  readonly control: KvWorkloadControl;
  /** Process name. Default `kv-workload`. */
  readonly name?: string;
  /** Concurrent logical clients. Default 3. */
  readonly clients?: number;
  /** Keys used. Default 3. */
  readonly keys?: number;
  /** Key prefix. Default `/kv-workload/`. */
  readonly keyPrefix?: string;
  /** Think time between a client's operations, uniform in [min, max] µs. Default 100 ms .. 1 s. */
  readonly thinkUs?: readonly [number, number];
  /** Per-request deadline. Default 5 s (etcdctl --command-timeout). */
  readonly requestTimeoutUs?: number;
  /** Relative weights of the operations. Default get 4, put 2, casMod 2, casValue 1. */
  readonly mix?: KvWorkloadMix;
}

export type KvWorkloadMode = 'run' | 'verify' | 'stop';

/** The harness's handle on a workload: its mode and, after verify, the final value of each key. */
export class KvWorkloadControl {
  private modeValue: KvWorkloadMode = 'run';
  /** Engine time 'verify' was entered (null before). */
  verifySinceUs: number | null = null;

  constructor(private readonly clock: { readonly nowUs: number }) {}

  get mode(): KvWorkloadMode {
    return this.modeValue;
  }

  set mode(mode: KvWorkloadMode) {
    if (mode === 'verify' && this.modeValue !== 'verify') this.verifySinceUs = this.clock.nowUs;
    this.modeValue = mode;
  }

  /** Key -> its final read (value null: absent), filled in 'verify' mode. */
  readonly finalReads = new Map<string, { readonly value: string | null; readonly modRevision: number; readonly atUs: number }>();
}

export const DEFAULT_KV_WORKLOAD = {
  name: 'kv-workload',
  clients: 3,
  keys: 3,
  keyPrefix: '/kv-workload/',
  thinkUs: [100_000, 1_000_000] as const,
  requestTimeoutUs: 5_000_000,
  mix: { get: 4, put: 2, casMod: 2, casValue: 1 },
} as const;

function validate(o: KvWorkloadOptions): void {
  const problems: string[] = [];
  if (o.endpoints.length === 0) problems.push('endpoints: at least one etcd endpoint is needed');
  if (o.clients !== undefined && !(Number.isInteger(o.clients) && o.clients >= 1)) problems.push(`clients must be a whole number >= 1, got ${o.clients}`);
  if (o.keys !== undefined && !(Number.isInteger(o.keys) && o.keys >= 1)) problems.push(`keys must be a whole number >= 1, got ${o.keys}`);
  if (o.thinkUs !== undefined && !(o.thinkUs[0] >= 0 && o.thinkUs[1] >= o.thinkUs[0])) problems.push(`thinkUs must be [min, max] with 0 <= min <= max, got [${o.thinkUs.join(', ')}]`);
  if (o.requestTimeoutUs !== undefined && !(o.requestTimeoutUs > 0)) problems.push(`requestTimeoutUs must be > 0, got ${o.requestTimeoutUs}`);
  if (o.mix !== undefined && !(o.mix.get >= 0 && o.mix.put >= 0 && o.mix.casMod >= 0 && o.mix.casValue >= 0 && o.mix.get + o.mix.put + o.mix.casMod + o.mix.casValue > 0)) {
    problems.push('mix: weights must be >= 0 and not all 0');
  }
  if (problems.length > 0) throw new Error(`kv workload: ${problems.join('; ')}`);
}

/** The workload as a process to add to a host. */
export function kvWorkloadProcess(options: KvWorkloadOptions): ProcessSpec {
  validate(options);
  return { name: options.name ?? DEFAULT_KV_WORKLOAD.name, create: (ctx) => new KvWorkload(ctx, options) };
}

interface Seen {
  value: string | null;
  modRevision: number;
}

class KvWorkload implements ProcessBehavior {
  private readonly etcd: EtcdClient;
  private readonly keys: string[];
  private readonly thinkUs: readonly [number, number];
  private readonly timeoutUs: number;
  private readonly mix: KvWorkloadMix;
  private readonly mixTotal: number;
  private writes = 0;

  constructor(
    private readonly ctx: ProcessContext,
    private readonly o: KvWorkloadOptions,
  ) {
    this.etcd = new EtcdClient(ctx, { endpoints: o.endpoints, name: 'kv-workload' });
    const prefix = o.keyPrefix ?? DEFAULT_KV_WORKLOAD.keyPrefix;
    this.keys = Array.from({ length: o.keys ?? DEFAULT_KV_WORKLOAD.keys }, (_, i) => `${prefix}k${i}`);
    this.thinkUs = o.thinkUs ?? DEFAULT_KV_WORKLOAD.thinkUs;
    this.timeoutUs = o.requestTimeoutUs ?? DEFAULT_KV_WORKLOAD.requestTimeoutUs;
    this.mix = o.mix ?? DEFAULT_KV_WORKLOAD.mix;
    this.mixTotal = this.mix.get + this.mix.put + this.mix.casMod + this.mix.casValue;
    for (let i = 0; i < (o.clients ?? DEFAULT_KV_WORKLOAD.clients); i++) {
      const client = { id: o.recorder.newClient(), seen: new Map<string, Seen>() };
      this.think(client);
    }
  }

  terminate(): void {
    this.etcd.close();
    this.ctx.exit(0, 'terminated');
  }

  private think(client: Client): void {
    const [lo, hi] = this.thinkUs;
    this.ctx.setTimer(lo + Math.floor(this.ctx.rng.float() * (hi - lo + 1)), () => this.next(client));
  }

  private next(client: Client): void {
    switch (this.o.control.mode) {
      case 'stop':
        return;
      case 'verify':
        this.verify(client);
        return;
      case 'run':
        break;
    }
    const key = this.keys[this.ctx.rng.int(this.keys.length)]!;
    let pick = this.ctx.rng.float() * this.mixTotal;
    const seen = client.seen.get(key);
    if ((pick -= this.mix.get) < 0 || seen === undefined) {
      this.get(client, key, () => this.think(client));
      return;
    }
    const value = `${client.id}-${++this.writes}`;
    if ((pick -= this.mix.put) < 0) {
      this.put(client, key, value);
      return;
    }
    if ((pick -= this.mix.casMod) < 0 || seen.value === null) {
      this.cas(client, key, { target: 'mod', modRevision: seen.modRevision }, value);
      return;
    }
    this.cas(client, key, { target: 'value', value: seen.value }, value);
  }

  /**
   * Final reads: each key once, retried until it succeeds -- but only once every request sent before 'verify' has
   * finished (a request's deadline has passed since), so each final read follows every acknowledged write.
   */
  private verify(client: Client): void {
    const control = this.o.control;
    const readyAtUs = (control.verifySinceUs ?? 0) + this.timeoutUs;
    const nowUs = this.ctx.host.engine.nowUs;
    if (nowUs < readyAtUs) {
      this.ctx.setTimer(readyAtUs - nowUs, () => this.next(client));
      return;
    }
    const key = this.keys.find((k) => !control.finalReads.has(k));
    if (key === undefined) return;
    this.get(client, key, (kv) => {
      if (kv !== undefined && !control.finalReads.has(key) && control.mode === 'verify') {
        control.finalReads.set(key, { value: kv === null ? null : kv.value, modRevision: kv === null ? 0 : kv.modRevision, atUs: this.ctx.host.engine.nowUs });
      }
      this.think(client);
    });
  }

  /** Range of one key; `done` gets the kv (null: absent) or undefined on failure. */
  private get(client: Client, key: string, done: (kv: KeyValue | null | undefined) => void): void {
    const input: KvInput = { op: 'get', key };
    const id = this.o.recorder.invoke(client.id, input);
    this.etcd.range({ key }, { timeoutUs: this.timeoutUs }, (r: EtcdCallResult<RangeResponse>) => {
      if (!r.ok) {
        this.o.recorder.failed(id, r.error.sent);
        done(undefined);
        return;
      }
      const kv = r.response.kvs[0] ?? null;
      this.o.recorder.ok(id, { kind: 'get', value: kv === null ? null : kv.value, modRevision: kv === null ? 0 : kv.modRevision });
      client.seen.set(key, { value: kv === null ? null : kv.value, modRevision: kv === null ? 0 : kv.modRevision });
      done(kv);
    });
  }

  private put(client: Client, key: string, value: string): void {
    const id = this.o.recorder.invoke(client.id, { op: 'put', key, value });
    this.etcd.put({ key, value }, { timeoutUs: this.timeoutUs }, (r) => {
      if (!r.ok) {
        this.o.recorder.failed(id, r.error.sent);
        client.seen.delete(key);
      } else {
        this.o.recorder.ok(id, { kind: 'put', revision: r.response.header.revision });
        client.seen.set(key, { value, modRevision: r.response.header.revision });
      }
      this.think(client);
    });
  }

  private cas(client: Client, key: string, compare: KvCompare, value: string): void {
    const id = this.o.recorder.invoke(client.id, { op: 'cas', key, compare, value });
    const request = {
      compare: [
        compare.target === 'mod'
          ? { key, target: 'mod' as const, result: 'equal' as const, operand: compare.modRevision }
          : { key, target: 'value' as const, result: 'equal' as const, operand: compare.value },
      ],
      success: [{ op: 'put' as const, request: { key, value } }],
      failure: [{ op: 'range' as const, request: { key } }],
    };
    this.etcd.txn(request, { timeoutUs: this.timeoutUs }, (r: EtcdCallResult<TxnResponse>) => {
      if (!r.ok) {
        this.o.recorder.failed(id, r.error.sent);
        client.seen.delete(key);
        this.think(client);
        return;
      }
      const header = r.response.header;
      let output: Exclude<KvOutput, { kind: 'unknown' }>;
      if (r.response.succeeded) {
        output = { kind: 'cas', succeeded: true, revision: header.revision };
        client.seen.set(key, { value, modRevision: header.revision });
      } else {
        const range = r.response.responses[0];
        const kv = range !== undefined && range.op === 'range' ? (range.response.kvs[0] ?? null) : null;
        output = { kind: 'cas', succeeded: false, value: kv === null ? null : kv.value, modRevision: kv === null ? 0 : kv.modRevision };
        client.seen.set(key, { value: output.value, modRevision: output.modRevision });
      }
      this.o.recorder.ok(id, output);
      this.think(client);
    });
  }
}

interface Client {
  readonly id: number;
  readonly seen: Map<string, Seen>;
}
