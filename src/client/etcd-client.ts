// The etcd v3 client (go.etcd.io/etcd/client/v3) as the kube-apiserver uses it, over the wire types of
// src/raft/etcd-api.ts.
//
// Behaviour ported (client/v3/client.go, retry_interceptor.go, retry.go, options.go; grpc-go round_robin):
// - one gRPC subchannel (connection) per endpoint of --etcd-servers, all connected eagerly and reconnected with
//   gRPC's backoff (1 s x1.6, jitter 0.2, max 120 s) after a failed dial; a subchannel that loses its connection
//   reconnects at once;
// - round_robin: each RPC goes to the next READY subchannel; with none READY the RPC waits (WaitForReady(true))
//   until one is, or its deadline passes ("context deadline exceeded");
// - unary retries (max 100): reads (Range, Status, MemberList...) are "repeatable" and retried on any Unavailable
//   error (etcd's server errors "etcdserver: leader changed", "request timed out" ... are Unavailable, and so is a
//   connection that broke with the call in flight); writes (Put, DeleteRange, Txn) are "nonRepeatable" and retried
//   only when they never reached a server; the wait before attempt n is 25 ms +-10 % when n is a multiple of the
//   quorum size (roundRobinQuorumBackoff), else 0;
// - errors: etcd server errors surface with their own text ("etcdserver: request timed out"); the caller's
//   deadline as "context deadline exceeded"; other gRPC failures as
//   "rpc error: code = Unavailable desc = error reading from server: EOF";
// - watches: one stream per watch on a READY subchannel; a broken stream is resumed on another subchannel from the
//   last revision received; `requireLeader` (clientv3.WithRequireLeader, set by the apiserver) makes a leaderless
//   member refuse or cancel it with "etcdserver: no leader", which ends the watch.
// Simplifications: one watch per gRPC stream (clientv3 multiplexes watchers of one context on one stream); no
// auth, no leases, no balancer health-checking beyond connection state.
import type { ProcessContext, Timer } from '../sim/process';
import { RpcChannel, type CallHandle, type RpcFailure, type RpcResult } from '../sim/rpc';
import type { Random } from '../sim/rng';
import {
  ETCD_CLIENT_PORT,
  isEtcdError,
  type EtcdMethod,
  type EtcdMethods,
  type GrpcCode,
  type RangeRequest,
  type RangeResponse,
  type PutRequest,
  type PutResponse,
  type DeleteRangeRequest,
  type DeleteRangeResponse,
  type TxnRequest,
  type TxnResponse,
  type WatchCreateRequest,
  type WatchResponse,
  type StatusResponse,
} from '../raft/etcd-api';

export interface EtcdClientConfig {
  /** --etcd-servers: `https://10.0.0.10:2379`, `http://...`, `10.0.0.10:2379` or `10.0.0.10` (port 2379). */
  readonly endpoints: readonly string[];
  /** Names this client's random stream (several clients per process: storage, healthz, readyz). */
  readonly name: string;
  /** DialTimeout: 20 s in the kube-apiserver (storagebackend dialTimeout); also gRPC's MinConnectTimeout. */
  readonly dialTimeoutUs?: number;
  /** DialKeepAliveTime: ping after this idle time; 30 s in the kube-apiserver. 0 disables. */
  readonly keepaliveTimeUs?: number;
  /** DialKeepAliveTimeout: 10 s in the kube-apiserver. */
  readonly keepaliveTimeoutUs?: number;
  /** MaxUnaryRetries: default 100. */
  readonly maxUnaryRetries?: number;
  /** BackoffWaitBetween: default 25 ms. */
  readonly backoffWaitBetweenUs?: number;
  /** BackoffJitterFraction: default 0.10. */
  readonly backoffJitterFraction?: number;
}

/** An RPC error as the caller sees it (Go's err.Error() in `message`). */
export interface EtcdClientError {
  readonly code: GrpcCode;
  readonly message: string;
  /** Whether some attempt reached a server (a write may have been applied). */
  readonly sent: boolean;
}

export type EtcdCallResult<R> = { readonly ok: true; readonly response: R } | { readonly ok: false; readonly error: EtcdClientError };

/** The caller's context: an absolute deadline on the host's monotonic clock, and/or a relative timeout. */
export interface EtcdCallOptions {
  readonly deadlineMonoUs?: number;
  readonly timeoutUs?: number;
}

export interface EtcdCallHandle {
  cancel(): void;
}

type SubConnState = 'idle' | 'connecting' | 'ready' | 'transient-failure';

/** A call or watch waiting for a READY subchannel. */
interface Waiter {
  dispatch(): void;
  fail(error: EtcdClientError): void;
}

const US_PER_S = 1_000_000;
const GRPC_BACKOFF_BASE_US = US_PER_S;
const GRPC_BACKOFF_MULTIPLIER = 1.6;
const GRPC_BACKOFF_JITTER = 0.2;
const GRPC_BACKOFF_MAX_US = 120 * US_PER_S;

/** Reads: retried on Unavailable (clientv3 withRepeatablePolicy). */
const REPEATABLE: ReadonlySet<EtcdMethod> = new Set<EtcdMethod>(['Range', 'Status', 'MemberList', 'MoveLeader']);

export const CONTEXT_DEADLINE_EXCEEDED = 'context deadline exceeded';

export function parseEtcdEndpoint(endpoint: string): { address: string; port: number } {
  const m = /^(?:(?:https?|unix):\/\/)?([^:/]+)(?::(\d+))?\/?$/.exec(endpoint.trim());
  if (m === null) throw new Error(`invalid etcd endpoint "${endpoint}": expected https://<address>:<port>`);
  return { address: m[1]!, port: m[2] === undefined ? ETCD_CLIENT_PORT : Number(m[2]) };
}

class SubConn {
  state: SubConnState = 'idle';
  readonly channel: RpcChannel;
  private backoffUs = GRPC_BACKOFF_BASE_US;
  private retryTimer: Timer | null = null;

  constructor(
    private readonly client: EtcdClient,
    readonly endpoint: string,
    readonly index: number,
  ) {
    const { address, port } = parseEtcdEndpoint(endpoint);
    const keepaliveUs = client.keepaliveTimeUs;
    this.channel = new RpcChannel(client.ctx, address, port, {
      connectTimeoutUs: client.dialTimeoutUs,
      // grpc-go sets TCP_USER_TIMEOUT to the keepalive timeout whenever keepalive is on (http2_client.go), so a
      // request sent to a powered-off member fails its connection after that long, not after tcp_retries2.
      ...(keepaliveUs > 0 ? { pingIdleUs: keepaliveUs, pingTimeoutUs: client.keepaliveTimeoutUs, userTimeoutUs: client.keepaliveTimeoutUs } : {}),
    });
    this.channel.onConnectionChange = (open) => {
      if (open) {
        this.state = 'ready';
        this.backoffUs = GRPC_BACKOFF_BASE_US;
        client.subConnReady();
      } else {
        // Lost a READY connection (or GOAWAY): reconnect at once, as round_robin does with an IDLE subchannel.
        this.state = 'idle';
        this.connect();
      }
    };
    this.channel.onConnectFailed = () => {
      this.state = 'transient-failure';
      const jitter = 1 + GRPC_BACKOFF_JITTER * (client.rng.float() * 2 - 1);
      const delayUs = Math.round(this.backoffUs * jitter);
      this.backoffUs = Math.min(GRPC_BACKOFF_MAX_US, this.backoffUs * GRPC_BACKOFF_MULTIPLIER);
      this.retryTimer = client.ctx.setTimer(delayUs, () => {
        this.retryTimer = null;
        this.connect();
      });
    };
  }

  connect(): void {
    if (this.client.closed || this.state === 'connecting' || this.state === 'ready') return;
    this.state = 'connecting';
    this.channel.connect();
  }

  close(): void {
    this.client.ctx.clearTimer(this.retryTimer);
    this.retryTimer = null;
    this.state = 'idle';
    this.channel.close();
  }
}

export class EtcdClient {
  readonly endpoints: readonly string[];
  readonly dialTimeoutUs: number;
  readonly keepaliveTimeUs: number;
  readonly keepaliveTimeoutUs: number;
  readonly rng: Random;
  closed = false;
  private readonly subConns: SubConn[];
  private readonly maxRetries: number;
  private readonly backoffWaitUs: number;
  private readonly backoffJitter: number;
  private readonly quorum: number;
  private next = 0;
  /** Calls waiting for a READY subchannel, oldest first. */
  private waiters: Waiter[] = [];

  constructor(
    readonly ctx: ProcessContext,
    config: EtcdClientConfig,
  ) {
    if (config.endpoints.length === 0) throw new Error('etcd client: no endpoints (--etcd-servers must list at least one)');
    this.endpoints = config.endpoints;
    this.dialTimeoutUs = config.dialTimeoutUs ?? 20 * US_PER_S;
    this.keepaliveTimeUs = config.keepaliveTimeUs ?? 30 * US_PER_S;
    this.keepaliveTimeoutUs = config.keepaliveTimeoutUs ?? 10 * US_PER_S;
    this.maxRetries = config.maxUnaryRetries ?? 100;
    this.backoffWaitUs = config.backoffWaitBetweenUs ?? 25_000;
    this.backoffJitter = config.backoffJitterFraction ?? 0.1;
    this.quorum = Math.floor(config.endpoints.length / 2) + 1;
    this.rng = ctx.host.engine.rng.stream(`proc/${ctx.id}/etcd-client/${config.name}`);
    this.subConns = config.endpoints.map((endpoint, i) => new SubConn(this, endpoint, i));
    for (const sc of this.subConns) sc.connect();
  }

  /** Subchannel states, in endpoint order (for observation and tests). */
  get states(): readonly SubConnState[] {
    return this.subConns.map((sc) => sc.state);
  }

  /** True when some subchannel is READY (clientv3's ActiveConnection state). */
  get ready(): boolean {
    for (const sc of this.subConns) if (sc.state === 'ready') return true;
    return false;
  }

  close(): void {
    this.closed = true;
    for (const sc of this.subConns) sc.close();
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w.fail({ code: 'Canceled', message: 'grpc: the client connection is closing', sent: false });
  }

  range(request: RangeRequest, options: EtcdCallOptions, callback: (result: EtcdCallResult<RangeResponse>) => void): EtcdCallHandle {
    return this.unary('Range', request, options, callback);
  }
  put(request: PutRequest, options: EtcdCallOptions, callback: (result: EtcdCallResult<PutResponse>) => void): EtcdCallHandle {
    return this.unary('Put', request, options, callback);
  }
  deleteRange(request: DeleteRangeRequest, options: EtcdCallOptions, callback: (result: EtcdCallResult<DeleteRangeResponse>) => void): EtcdCallHandle {
    return this.unary('DeleteRange', request, options, callback);
  }
  txn(request: TxnRequest, options: EtcdCallOptions, callback: (result: EtcdCallResult<TxnResponse>) => void): EtcdCallHandle {
    return this.unary('Txn', request, options, callback);
  }
  status(options: EtcdCallOptions, callback: (result: EtcdCallResult<StatusResponse>) => void): EtcdCallHandle {
    return this.unary('Status', {} as Record<string, never>, options, callback);
  }

  /** A unary RPC with clientv3's retry policy. */
  unary<M extends Exclude<EtcdMethod, 'Watch'>>(
    method: M,
    request: EtcdMethods[M][0],
    options: EtcdCallOptions,
    callback: (result: EtcdCallResult<EtcdMethods[M][1]>) => void,
  ): EtcdCallHandle {
    const now = this.ctx.monoUs();
    let deadline: number | null = options.deadlineMonoUs ?? null;
    if (options.timeoutUs !== undefined) deadline = deadline === null ? now + options.timeoutUs : Math.min(deadline, now + options.timeoutUs);
    const call = new Attempt(this, method, request, deadline, REPEATABLE.has(method), callback as (result: EtcdCallResult<unknown>) => void);
    call.start();
    return call;
  }

  /**
   * Opens a watch. onResponse gets every WatchResponse (the first has created: true); onEnd is called once when
   * the watch ends for good (a cancel by the server, e.g. "etcdserver: no leader" or a compacted revision, or
   * close()). A broken connection does not end it: it resumes from the last revision seen.
   */
  watch(request: WatchCreateRequest, onResponse: (response: WatchResponse) => void, onEnd: (error: EtcdClientError | null) => void): EtcdCallHandle {
    const watch = new WatchStream(this, request, onResponse, onEnd);
    watch.open();
    return watch;
  }

  // ---------------------------------------------------------------------------------------------- picking

  /** round_robin: the next READY subchannel, or null. */
  pick(): SubConn | null {
    const n = this.subConns.length;
    for (let k = 0; k < n; k++) {
      const i = (this.next + k) % n;
      const sc = this.subConns[i]!;
      if (sc.state === 'ready' && sc.channel.connected) {
        this.next = (i + 1) % n;
        return sc;
      }
    }
    return null;
  }

  /** Queues an attempt until a subchannel is READY (WaitForReady). */
  waitForReady(waiter: Waiter): void {
    this.waiters.push(waiter);
  }

  unwait(waiter: Waiter): void {
    const i = this.waiters.indexOf(waiter);
    if (i >= 0) this.waiters.splice(i, 1);
  }

  subConnReady(): void {
    if (this.waiters.length === 0) return;
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w.dispatch();
  }

  /** roundRobinQuorumBackoff: 25 ms +-10 % before attempts that are multiples of the quorum size, else 0. */
  backoffUs(attempt: number): number {
    if (attempt === 0 || attempt % this.quorum !== 0) return 0;
    const multiplier = this.backoffJitter * (this.rng.float() * 2 - 1);
    return Math.round(this.backoffWaitUs * (1 + multiplier));
  }

  get retryLimit(): number {
    return this.maxRetries;
  }
}

/** gRPC's text for a connection that broke with the call in flight. */
function transportErrorText(failure: RpcFailure & { kind: 'connection' }): string {
  switch (failure.reason) {
    case 'eof':
      return 'rpc error: code = Unavailable desc = error reading from server: EOF';
    case 'reset':
      return `rpc error: code = Unavailable desc = error reading from server: read tcp ${failure.local ? `${failure.local.address}:${failure.local.port}` : ''}->: read: connection reset by peer`;
    case 'timeout':
      return 'rpc error: code = Unavailable desc = error reading from server: read: connection timed out';
    case 'keepalive-timeout':
      return 'rpc error: code = Unavailable desc = keepalive ping failed to receive ACK within timeout';
    case 'closed':
      return 'rpc error: code = Canceled desc = grpc: the client connection is closing';
    case 'refused':
      return 'rpc error: code = Unavailable desc = connection refused';
  }
}

/** One unary call and its retries. */
class Attempt implements EtcdCallHandle, Waiter {
  private attempt = 0;
  private rpc: CallHandle | null = null;
  private timer: Timer | null = null;
  private deadlineTimer: Timer | null = null;
  private waiting = false;
  private done = false;
  private sent = false;

  constructor(
    private readonly client: EtcdClient,
    private readonly method: EtcdMethod,
    private readonly request: unknown,
    private readonly deadlineUs: number | null,
    private readonly repeatable: boolean,
    private readonly callback: (result: EtcdCallResult<unknown>) => void,
  ) {}

  start(): void {
    if (this.client.closed) {
      this.fail({ code: 'Canceled', message: 'grpc: the client connection is closing', sent: false });
      return;
    }
    this.dispatch();
  }

  /**
   * The caller's deadline while no RPC is in flight (waiting for a READY subchannel, or between retries). An
   * in-flight RPC carries the deadline itself, so the common path arms no timer of its own.
   */
  private armDeadline(): void {
    if (this.deadlineUs === null || this.deadlineTimer !== null) return;
    const remaining = this.deadlineUs - this.client.ctx.monoUs();
    this.deadlineTimer = this.client.ctx.setTimer(Math.max(0, remaining), () => {
      this.deadlineTimer = null;
      if (this.rpc === null) this.fail({ code: 'DeadlineExceeded', message: CONTEXT_DEADLINE_EXCEEDED, sent: this.sent });
    });
  }

  cancel(): void {
    if (this.done) return;
    this.done = true;
    this.cleanup();
  }

  private ctx(): ProcessContext {
    return this.client.ctx;
  }

  private cleanup(): void {
    const ctx = this.client.ctx;
    ctx.clearTimer(this.timer);
    ctx.clearTimer(this.deadlineTimer);
    this.timer = null;
    this.deadlineTimer = null;
    if (this.waiting) this.client.unwait(this);
    this.waiting = false;
    this.rpc?.cancel();
    this.rpc = null;
  }

  /** Sends on the next READY subchannel, or waits for one. */
  dispatch(): void {
    this.waiting = false;
    if (this.done) return;
    const sc = this.client.pick();
    if (sc === null) {
      this.waiting = true;
      this.client.waitForReady(this);
      this.armDeadline();
      return;
    }
    const remaining = this.deadlineUs === null ? null : this.deadlineUs - this.client.ctx.monoUs();
    if (remaining !== null && remaining <= 0) {
      this.fail({ code: 'DeadlineExceeded', message: CONTEXT_DEADLINE_EXCEEDED, sent: this.sent });
      return;
    }
    this.ctx().clearTimer(this.deadlineTimer);
    this.deadlineTimer = null;
    this.rpc = sc.channel.call(this.method, this.request, remaining, this.onResult);
  }

  private readonly onResult = (result: RpcResult): void => {
    this.rpc = null;
    if (this.done) return;
    if (result.ok) {
      this.sent = true;
      const body = result.body;
      if (!isEtcdError(body)) {
        this.done = true;
        this.cleanup();
        this.callback({ ok: true, response: body });
        return;
      }
      const error: EtcdClientError = { code: body.error.code, message: body.error.message, sent: true };
      // isSafeRetryImmutableRPC: a server error retried only if Unavailable; mutable: never (it was sent).
      if (this.repeatable && error.code === 'Unavailable') this.retry(error);
      else this.fail(error);
      return;
    }
    const failure = result.failure;
    switch (failure.kind) {
      case 'deadline':
        if (failure.sent) this.sent = true;
        this.fail({ code: 'DeadlineExceeded', message: CONTEXT_DEADLINE_EXCEEDED, sent: this.sent });
        return;
      case 'connect':
        // Never left the client: gRPC's transparent retry picks again (not an interceptor attempt).
        this.dispatch();
        return;
      case 'connection': {
        this.sent = true;
        const error: EtcdClientError = { code: failure.reason === 'closed' ? 'Canceled' : 'Unavailable', message: transportErrorText(failure), sent: true };
        if (this.repeatable && error.code === 'Unavailable') this.retry(error);
        else this.fail(error);
        return;
      }
    }
  };

  private retry(error: EtcdClientError): void {
    this.attempt++;
    if (this.attempt >= this.client.retryLimit) {
      this.fail(error);
      return;
    }
    const waitUs = this.client.backoffUs(this.attempt);
    if (waitUs === 0) {
      this.dispatch();
      return;
    }
    this.armDeadline();
    this.timer = this.client.ctx.setTimer(waitUs, () => {
      this.timer = null;
      this.dispatch();
    });
  }

  fail(error: EtcdClientError): void {
    if (this.done) return;
    this.done = true;
    this.cleanup();
    this.callback({ ok: false, error });
  }
}

/** One watch: a server stream, resumed after a broken connection. */
class WatchStream implements EtcdCallHandle, Waiter {
  private rpc: CallHandle | null = null;
  private ended = false;
  private waiting = false;
  /** The revision to resume from (last event's revision + 1), or the request's start. */
  private nextRevision: number | undefined;
  private createdOnce = false;

  constructor(
    private readonly client: EtcdClient,
    private readonly request: WatchCreateRequest,
    private readonly onResponse: (response: WatchResponse) => void,
    private readonly onEnd: (error: EtcdClientError | null) => void,
  ) {
    this.nextRevision = request.startRevision;
  }

  open(): void {
    this.waiting = false;
    if (this.ended) return;
    if (this.client.closed) {
      this.end({ code: 'Canceled', message: 'grpc: the client connection is closing', sent: false });
      return;
    }
    const sc = this.client.pick();
    if (sc === null) {
      this.waiting = true;
      this.client.waitForReady(this);
      return;
    }
    const request: WatchCreateRequest = this.nextRevision === this.request.startRevision ? this.request : { ...this.request, startRevision: this.nextRevision };
    this.rpc = sc.channel.call('Watch', request, null, this.onResult);
  }

  /** Used by the client's waiter list. */
  dispatch(): void {
    this.open();
  }

  fail(error: EtcdClientError): void {
    this.end(error);
  }

  cancel(): void {
    if (this.ended) return;
    this.ended = true;
    if (this.waiting) this.client.unwait(this);
    this.rpc?.cancel();
    this.rpc = null;
  }

  private end(error: EtcdClientError | null): void {
    if (this.ended) return;
    this.ended = true;
    this.rpc?.cancel();
    this.rpc = null;
    this.onEnd(error);
  }

  private readonly onResult = (result: RpcResult): void => {
    if (this.ended) return;
    if (result.ok) {
      const body = result.body;
      if (isEtcdError(body)) {
        this.rpc = null;
        this.end({ code: body.error.code, message: body.error.message, sent: true });
        return;
      }
      const response = body as WatchResponse;
      if (response.canceled) {
        this.rpc = null;
        this.onDeliver(response);
        this.end({ code: 'Unavailable', message: response.cancelReason === '' ? 'watch canceled' : response.cancelReason, sent: true });
        return;
      }
      if (response.created && this.createdOnce) {
        // A resumed stream's creation is internal to clientv3.
      } else {
        if (response.created) this.createdOnce = true;
        this.onDeliver(response);
      }
      if (!result.more) {
        this.rpc = null;
        this.resume();
      }
      return;
    }
    this.rpc = null;
    // The stream broke: clientv3 resumes it from the next revision.
    this.resume();
  };

  private onDeliver(response: WatchResponse): void {
    const events = response.events;
    if (response.created && this.nextRevision === undefined) this.nextRevision = response.header.revision + 1;
    if (events.length > 0) this.nextRevision = events[events.length - 1]!.kv.modRevision + 1;
    else if (!response.created && response.header.revision > 0 && (this.nextRevision === undefined || this.nextRevision <= response.header.revision)) {
      // A progress notification: nothing below header.revision is still to come.
      this.nextRevision = response.header.revision + 1;
    }
    this.onResponse(response);
  }

  private resume(): void {
    if (this.ended) return;
    this.open();
  }
}
