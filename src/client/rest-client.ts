// The client-go REST client model used by every component (scheduler, controller-manager, kubelets, leader
// election's LeaseLock, kubectl).
//
// RestTransport = client-go's cached http.Transport: ONE long-lived HTTP/2 connection to the kubeconfig server
// (the load balancer's VIP), shared by every RestClient of the process (client-go caches transports by TLS config,
// so a component's clientsets, including its leader-election client, multiplex over one connection). It is dialled
// lazily, re-dialled after a failure or a GOAWAY, and health-checked with HTTP/2 PINGs (ReadIdleTimeout 30 s,
// PingTimeout 15 s: k8s.io/apimachinery/pkg/util/net). A TCP load balancer routes the connection once, so the
// client stays on one apiserver until the connection breaks ("HTTP/2 pinning").
//
// RestClient = a clientset over that transport with its rest.Config: Timeout (applied as a context deadline per
// request and sent as `?timeout=`), QPS/Burst token bucket (client-go defaults 5/10), user agent. Request
// semantics follow client-go rest/request.go and with_retry.go:
// - the deadline is the earlier of the caller's context and Timeout; it covers retries;
// - GETs (no body) are retried up to 10 times, 1 s apart, after connection reset / EOF / unexpected EOF /
//   GOAWAY-closed / "http2: client connection lost", and after a 429 or 5xx carrying Retry-After (its delay);
//   writes are never retried;
// - the final error wraps the previous attempt's (" - error from a previous attempt: EOF").
// Results come back through callbacks (the simulation is event-driven); a cancelled request calls back never.
import type { ProcessContext, Timer } from '../sim/process';
import { RpcChannel, type CallHandle, type RpcResult } from '../sim/rpc';
import {
  APISERVER_PORT,
  formatUrl,
  resourcePath,
  verbOp,
  type HttpQuery,
  type HttpRequest,
  type HttpResponse,
  type HttpVerb,
  type ServerAddress,
} from '../apiserver/http';
import type { Binding, KubeList, KubeObject, ResourceType, Status, WatchEvent } from '../apiserver/objects';
import { causeOfFailure, genericServerResponse, isRetryableCause, transportInnerText, type ApiError, type ApiResult, type TransportCause } from './errors';
import type { Endpoint } from '../sim/network';
import './trace-events';

export type { ApiError, ApiResult } from './errors';

const US_PER_S = 1_000_000;

export interface RestTransportConfig {
  /** The kubeconfig server: the load balancer VIP, or one apiserver (`kubectl --server`). Port default 6443. */
  readonly server: { readonly address: string; readonly port?: number };
  /** net.Dialer Timeout; default 30 s (client-go's dialer). */
  readonly dialTimeoutUs?: number;
  /** HTTP/2 ReadIdleTimeout: ping a connection idle this long; default 30 s. 0 disables the health check. */
  readonly readIdleTimeoutUs?: number;
  /** HTTP/2 PingTimeout: close the connection if the ping is unanswered; default 15 s. */
  readonly pingTimeoutUs?: number;
}

/** One process's shared HTTP/2 connection to the API server. */
export class RestTransport {
  readonly channel: RpcChannel;
  readonly server: ServerAddress;
  /** Requests written to a connection so far (all attempts). */
  requestsSent = 0;

  constructor(
    readonly ctx: ProcessContext,
    config: RestTransportConfig,
  ) {
    this.server = { address: config.server.address, port: config.server.port ?? APISERVER_PORT };
    const readIdleUs = config.readIdleTimeoutUs ?? 30 * US_PER_S;
    this.channel = new RpcChannel(ctx, this.server.address, this.server.port, {
      connectTimeoutUs: config.dialTimeoutUs ?? 30 * US_PER_S,
      ...(readIdleUs > 0 ? { pingIdleUs: readIdleUs, pingTimeoutUs: config.pingTimeoutUs ?? 15 * US_PER_S } : {}),
    });
  }

  /** Whether a connection is open now. */
  get connected(): boolean {
    return this.channel.connected;
  }

  /** Connections dialled so far. */
  get dials(): number {
    return this.channel.dials;
  }

  /** Closes the connection (in-flight requests fail with "http2: client conn is closed"). */
  close(): void {
    this.channel.close();
  }
}

export interface RestClientConfig {
  /** rest.Config.Timeout: per-request deadline (also sent as `?timeout=`). Default 0: none. */
  readonly timeoutUs?: number;
  /** Default `kube-ha-sim/v1.31.0 (linux/amd64) kubernetes/0000000`. */
  readonly userAgent?: string;
  /** rest.Config.QPS: default 5 (client-go DefaultQPS); a negative value disables client-side rate limiting. */
  readonly qps?: number;
  /** rest.Config.Burst: default 10. */
  readonly burst?: number;
}

/** The caller's context.Context: a deadline (absolute on the host's monotonic clock, or relative). */
export interface RequestOptions {
  readonly deadlineMonoUs?: number;
  readonly timeoutUs?: number;
}

export interface ListOptions extends RequestOptions {
  readonly resourceVersion?: string;
  readonly labelSelector?: string;
  readonly fieldSelector?: string;
  readonly limit?: number;
}

export interface WatchOptions extends ListOptions {
  readonly timeoutSeconds?: number;
  readonly allowWatchBookmarks?: boolean;
}

export interface RequestHandle {
  /** Cancels the caller's context: nothing is called back afterwards; the server is told (RST_STREAM). */
  cancel(): void;
}

export type RawResult = { readonly ok: true; readonly code: number; readonly text: string } | { readonly ok: false; readonly error: ApiError };

export const DEFAULT_USER_AGENT = 'kube-ha-sim/v1.31.0 (linux/amd64) kubernetes/0000000';
/** client-go rest.Request maxRetries. */
const MAX_RETRIES = 10;
/** client-go retries a retryable connection error after "Retry-After: 1". */
const RETRY_WAIT_US = US_PER_S;

/** How a successful HTTP response is turned into the caller's result. */
type Decode = (response: HttpResponse) => unknown;

const decodeObject: Decode = (response) => (response.kind === 'object' ? response.body : null);
const decodeText: Decode = (response) => (response.kind === 'text' ? response.text : JSON.stringify(response.kind === 'object' ? response.body : response.event));

export class RestClient {
  readonly userAgent: string;
  readonly timeoutUs: number;
  private readonly qps: number;
  private readonly burst: number;
  private tokens: number;
  private tokensAtUs: number;

  constructor(
    readonly transport: RestTransport,
    config: RestClientConfig = {},
  ) {
    this.userAgent = config.userAgent ?? DEFAULT_USER_AGENT;
    this.timeoutUs = config.timeoutUs ?? 0;
    if (!(this.timeoutUs >= 0)) throw new RangeError(`rest client timeout must be >= 0, got ${this.timeoutUs}µs`);
    this.qps = config.qps ?? 5;
    this.burst = config.burst ?? 10;
    if (this.qps > 0 && !(this.burst >= 1)) throw new RangeError(`rest client burst must be >= 1 when qps > 0, got ${this.burst}`);
    this.tokens = this.burst;
    this.tokensAtUs = transport.ctx.monoUs();
  }

  get server(): ServerAddress {
    return this.transport.server;
  }

  // ---------------------------------------------------------------------------------------------- typed verbs

  get<T extends KubeObject>(resource: ResourceType<T>, namespace: string | null, name: string, options: RequestOptions, callback: (result: ApiResult<T>) => void): RequestHandle {
    return this.send('GET', resourcePath(resource, namespace, name), this.query(null), null, options, decodeObject, callback as (r: ApiResult<unknown>) => void);
  }

  list<T extends KubeObject>(resource: ResourceType<T>, namespace: string | null, options: ListOptions, callback: (result: ApiResult<KubeList<T>>) => void): RequestHandle {
    const query = this.query({
      ...(options.resourceVersion !== undefined ? { resourceVersion: options.resourceVersion } : {}),
      ...(options.labelSelector !== undefined ? { labelSelector: options.labelSelector } : {}),
      ...(options.fieldSelector !== undefined ? { fieldSelector: options.fieldSelector } : {}),
      ...(options.limit !== undefined ? { limit: options.limit } : {}),
    });
    return this.send('GET', resourcePath(resource, namespace, null), query, null, options, decodeObject, callback as (r: ApiResult<unknown>) => void);
  }

  create<T extends KubeObject>(resource: ResourceType<T>, namespace: string | null, object: T, options: RequestOptions, callback: (result: ApiResult<T>) => void): RequestHandle {
    return this.send('POST', resourcePath(resource, namespace, null), this.query(null), object, options, decodeObject, callback as (r: ApiResult<unknown>) => void);
  }

  /** PUT of the whole object (namespace and name from its metadata); send metadata.resourceVersion for optimistic concurrency. */
  update<T extends KubeObject>(resource: ResourceType<T>, object: T, options: RequestOptions, callback: (result: ApiResult<T>) => void): RequestHandle {
    const path = resourcePath(resource, object.metadata.namespace ?? null, object.metadata.name);
    return this.send('PUT', path, this.query(null), object, options, decodeObject, callback as (r: ApiResult<unknown>) => void);
  }

  /** PUT to the /status subresource: only status changes are kept. */
  updateStatus<T extends KubeObject>(resource: ResourceType<T>, object: T, options: RequestOptions, callback: (result: ApiResult<T>) => void): RequestHandle {
    const path = resourcePath(resource, object.metadata.namespace ?? null, object.metadata.name, 'status');
    return this.send('PUT', path, this.query(null), object, options, decodeObject, callback as (r: ApiResult<unknown>) => void);
  }

  /** DELETE; the result is the deleted object (or a Success Status). */
  delete<T extends KubeObject>(resource: ResourceType<T>, namespace: string | null, name: string, options: RequestOptions, callback: (result: ApiResult<T | Status>) => void): RequestHandle {
    // client-go sends DeleteOptions as the body, so deletes are never retried.
    return this.send('DELETE', resourcePath(resource, namespace, name), this.query(null), {}, options, decodeObject, callback as (r: ApiResult<unknown>) => void);
  }

  /** The scheduler's binding: POST pods/<name>/binding. */
  bind(namespace: string, podName: string, nodeName: string, options: RequestOptions, callback: (result: ApiResult<Status>) => void): RequestHandle {
    const binding: Binding = { apiVersion: 'v1', kind: 'Binding', metadata: { name: podName, namespace }, target: { kind: 'Node', name: nodeName } };
    const path = `/api/v1/namespaces/${namespace}/pods/${podName}/binding`;
    return this.send('POST', path, this.query(null), binding, options, decodeObject, callback as (r: ApiResult<unknown>) => void);
  }

  /** `GET <path>` returning the body text (kubectl get --raw, rest.Request.DoRaw). */
  getRaw(path: string, query: HttpQuery | null, options: RequestOptions, callback: (result: RawResult) => void): RequestHandle {
    return this.send('GET', path, this.query(query), null, options, decodeText, (r) =>
      callback(r.ok ? { ok: true, code: r.code, text: r.object as string } : { ok: false, error: r.error }),
    );
  }

  /**
   * WATCH from a resourceVersion: events arrive through onEvent; onEnd is called once when the stream ends (null:
   * the server closed it normally, e.g. at timeoutSeconds; else the error). Not rate limited, no Timeout (as client-go).
   */
  watch<T extends KubeObject>(
    resource: ResourceType<T>,
    namespace: string | null,
    options: WatchOptions,
    onEvent: (event: WatchEvent<T>) => void,
    onEnd: (error: ApiError | null) => void,
  ): RequestHandle {
    const query: HttpQuery = {
      watch: true,
      ...(options.resourceVersion !== undefined ? { resourceVersion: options.resourceVersion } : {}),
      ...(options.labelSelector !== undefined ? { labelSelector: options.labelSelector } : {}),
      ...(options.fieldSelector !== undefined ? { fieldSelector: options.fieldSelector } : {}),
      ...(options.timeoutSeconds !== undefined ? { timeoutSeconds: options.timeoutSeconds } : {}),
      ...(options.allowWatchBookmarks !== undefined ? { allowWatchBookmarks: options.allowWatchBookmarks } : {}),
    };
    const path = resourcePath(resource, namespace, null);
    const request: HttpRequest = { verb: 'GET', path, query, body: null, userAgent: this.userAgent };
    const transport = this.transport;
    const deadlineUs = this.deadlineOf(options, false);
    const timeoutUs = deadlineUs === null ? null : Math.max(0, deadlineUs - transport.ctx.monoUs());
    transport.requestsSent++;
    let ended = false;
    const handle = transport.channel.call<HttpRequest, HttpResponse>('GET', request, timeoutUs, (result) => {
      if (ended) return;
      if (result.ok) {
        const response = result.body;
        if (result.more && response.kind === 'event') {
          onEvent(response.event as WatchEvent<T>);
          return;
        }
        ended = true;
        if (response.code >= 200 && response.code < 300) onEnd(null);
        else onEnd(this.statusError('GET', response));
        return;
      }
      ended = true;
      const cause = causeOfFailure(result.failure);
      const local = result.failure.kind === 'connection' ? result.failure.local : undefined;
      onEnd(this.transportError('GET', path, query, cause, result.failure.sent, local, null));
    });
    return {
      cancel: () => {
        ended = true;
        handle.cancel();
      },
    };
  }

  // ---------------------------------------------------------------------------------------------- the request loop

  private query(query: HttpQuery | null): HttpQuery | null {
    if (this.timeoutUs === 0) return query;
    return query === null ? { timeoutUs: this.timeoutUs } : { ...query, timeoutUs: this.timeoutUs };
  }

  /** The request's deadline on the monotonic clock: the caller's context, and Timeout if `withTimeout`. */
  deadlineOf(options: RequestOptions, withTimeout: boolean): number | null {
    const now = this.transport.ctx.monoUs();
    let deadline: number | null = options.deadlineMonoUs ?? null;
    if (options.timeoutUs !== undefined) deadline = deadline === null ? now + options.timeoutUs : Math.min(deadline, now + options.timeoutUs);
    if (withTimeout && this.timeoutUs > 0) deadline = deadline === null ? now + this.timeoutUs : Math.min(deadline, now + this.timeoutUs);
    return deadline;
  }

  private send(
    verb: HttpVerb,
    path: string,
    query: HttpQuery | null,
    body: unknown,
    options: RequestOptions,
    decode: Decode,
    callback: (result: ApiResult<unknown>) => void,
  ): RequestHandle {
    const request = new PendingRequest(this, { verb, path, query, body, userAgent: this.userAgent }, decode, callback);
    request.start(options);
    return request;
  }

  /**
   * client-go's token bucket (flowcontrol.NewTokenBucketRateLimiter over x/time/rate): the wait before the next
   * request may go, reserving its token; -1 (and nothing reserved) if that wait would pass `deadlineUs`.
   */
  reserveToken(deadlineUs: number | null): number {
    if (this.qps < 0 || this.qps === Infinity) return 0;
    const now = this.transport.ctx.monoUs();
    const tokens = Math.min(this.burst, this.tokens + ((now - this.tokensAtUs) * this.qps) / US_PER_S);
    const after = tokens - 1;
    const waitUs = after >= 0 ? 0 : Math.ceil((-after / this.qps) * US_PER_S);
    if (deadlineUs !== null && now + waitUs > deadlineUs) return -1;
    this.tokens = after;
    this.tokensAtUs = now;
    return waitUs;
  }

  /** A *StatusError from a non-2xx response. */
  statusError(verb: HttpVerb, response: HttpResponse): ApiError {
    if (response.kind === 'object' && response.body.kind === 'Status') {
      const status = response.body as Status;
      return { kind: 'status', code: response.code, status, message: status.message ?? '' };
    }
    const text = response.kind === 'text' ? response.text.trim() : 'unknown';
    const status = genericServerResponse(response.code, verb, text, 0);
    return { kind: 'status', code: response.code, status, message: status.message ?? '' };
  }

  /** A *url.Error, possibly wrapped with the previous attempt's error. */
  transportError(
    verb: HttpVerb,
    path: string,
    query: HttpQuery | null,
    cause: TransportCause,
    sent: boolean,
    local: Endpoint | undefined,
    previous: string | null,
  ): ApiError {
    const url = formatUrl(this.transport.server, path, query);
    const inner = transportInnerText(cause, this.transport.server, local);
    const base = `${verbOp(verb)} "${url}": ${inner}`;
    const message = previous === null || previous === inner ? base : `${base} - error from a previous attempt: ${previous}`;
    return { kind: 'transport', cause, sent, inner, url, message };
  }
}

/** One request with its retries (client-go's Request.request loop). */
class PendingRequest implements RequestHandle {
  private deadlineUs: number | null = null;
  private attempts = 0;
  private call: CallHandle | null = null;
  private timer: Timer | null = null;
  private done = false;
  /** Some attempt was written to a connection (the request may have been executed). */
  private everSent = false;
  /** client-go withRetry's previousErr/currentErr, as inner texts (url.Error unwrapped). */
  private previousErr: string | null = null;
  private currentErr: string | null = null;

  constructor(
    private readonly client: RestClient,
    private readonly request: HttpRequest,
    private readonly decode: Decode,
    private readonly callback: (result: ApiResult<unknown>) => void,
  ) {}

  start(options: RequestOptions): void {
    // The first throttle happens before Timeout is applied: only the caller's context bounds it.
    const contextDeadline = this.client.deadlineOf(options, false);
    const waitUs = this.client.reserveToken(contextDeadline);
    this.deadlineUs = this.client.deadlineOf(options, true);
    if (waitUs < 0) {
      this.fail(this.client.transportError(this.request.verb, this.request.path, this.request.query, 'rate-limited', false, undefined, null));
      return;
    }
    if (waitUs === 0) this.attempt();
    else this.timer = this.client.transport.ctx.setTimer(waitUs, () => this.attempt());
  }

  cancel(): void {
    this.done = true;
    this.client.transport.ctx.clearTimer(this.timer);
    this.timer = null;
    this.call?.cancel();
    this.call = null;
  }

  private remainingUs(): number | null {
    return this.deadlineUs === null ? null : this.deadlineUs - this.client.transport.ctx.monoUs();
  }

  private attempt(): void {
    this.timer = null;
    if (this.done) return;
    const remaining = this.remainingUs();
    if (remaining !== null && remaining <= 0) {
      this.failDeadlineBeforeAttempt();
      return;
    }
    this.client.transport.requestsSent++;
    this.call = this.client.transport.channel.call<HttpRequest, HttpResponse>(this.request.verb, this.request, remaining, this.onResult);
  }

  private readonly onResult = (result: RpcResult<HttpResponse>): void => {
    this.call = null;
    if (this.done) return;
    const verb = this.request.verb;
    if (result.ok) {
      this.everSent = true;
      const response = result.body;
      if (response.code >= 200 && response.code < 300) {
        this.done = true;
        this.callback({ ok: true, code: response.code, object: this.decode(response) });
        return;
      }
      const error = this.client.statusError(verb, response);
      // with_retry.checkWait: a 429 or 5xx with Retry-After is retried (requests without a body only).
      const retryAfter = error.kind === 'status' ? (error.status.details?.retryAfterSeconds ?? 0) : 0;
      this.track(null);
      if (this.request.body === null && retryAfter > 0 && (response.code === 429 || response.code >= 500) && this.retryAfter(retryAfter * US_PER_S)) return;
      this.fail(error);
      return;
    }
    const failure = result.failure;
    if (failure.sent) this.everSent = true;
    const cause = causeOfFailure(failure);
    const local = failure.kind === 'connection' ? failure.local : undefined;
    const inner = transportInnerText(cause, this.client.server, local);
    this.track(inner);
    if (verb === 'GET' && this.request.body === null && isRetryableCause(cause) && this.retryAfter(RETRY_WAIT_US)) return;
    this.fail(this.client.transportError(verb, this.request.path, this.request.query, cause, this.everSent, local, this.previousErr));
  };

  /** withRetry.trackPreviousError. */
  private track(err: string | null): void {
    if (this.currentErr !== null) this.previousErr = this.currentErr;
    this.currentErr = err;
  }

  /** Schedules the next attempt after waitUs if retries remain; false otherwise. */
  private retryAfter(waitUs: number): boolean {
    this.attempts++;
    if (this.attempts > MAX_RETRIES) return false;
    const remaining = this.remainingUs();
    const ctx = this.client.transport.ctx;
    if (remaining !== null && remaining <= waitUs) {
      // The backoff sleep is cut short by the context; Before() then reports the context's error.
      this.timer = ctx.setTimer(Math.max(0, remaining), () => {
        this.timer = null;
        if (!this.done) this.failDeadlineBeforeAttempt();
      });
      return true;
    }
    this.timer = ctx.setTimer(waitUs, () => {
      this.timer = null;
      if (this.done) return;
      const tokenWait = this.client.reserveToken(this.deadlineUs);
      if (tokenWait < 0) {
        this.failDeadlineBeforeAttempt();
        return;
      }
      if (tokenWait === 0) this.attempt();
      else this.timer = ctx.setTimer(tokenWait, () => this.attempt());
    });
    return true;
  }

  /** Before() found the context expired: `context deadline exceeded - error from a previous attempt: EOF`. */
  private failDeadlineBeforeAttempt(): void {
    this.track('context deadline exceeded');
    const previous = this.previousErr;
    const inner = 'context deadline exceeded';
    const message = previous === null || previous === inner ? inner : `${inner} - error from a previous attempt: ${previous}`;
    const url = formatUrl(this.client.server, this.request.path, this.request.query);
    this.fail({ kind: 'transport', cause: 'deadline', sent: this.everSent, inner, url, message });
  }

  private fail(error: ApiError): void {
    this.done = true;
    const ctx = this.client.transport.ctx;
    const trace = ctx.host.engine.trace;
    if (trace.wants('client.error')) {
      trace.emit('client.error', {
        host: ctx.host.name,
        proc: ctx.process.name,
        userAgent: this.request.userAgent,
        verb: this.request.verb,
        code: error.kind === 'status' ? error.code : 0,
        message: error.message,
      });
    }
    this.callback({ ok: false, error });
  }
}
