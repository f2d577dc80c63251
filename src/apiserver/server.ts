// The kube-apiserver process: active-active (each instance has its own etcd clients and serves everything),
// listening on --secure-port, one handler per HTTP request carried by src/sim/rpc.ts.
//
// Request path: route (cached) -> deadline (?timeout= capped by --request-timeout; writes further capped at 34 s,
// the handlers' requestTimeoutUpperBound; watches are long-running) -> registry over etcd -> response. A request
// whose deadline passes answers 504: reads "Timeout: request did not complete within the allotted timeout" (the
// timeout filter), writes "Timeout: request did not complete within requested timeout - context deadline exceeded"
// (the finisher).
// --goaway-chance: after each non-watch request, with that probability, a GOAWAY on its connection (closed once its
// other streams finish), so HTTP/2 clients reconnect and the LB spreads them again.
// Graceful shutdown (SIGTERM): /readyz fails at once ("[-]shutdown failed"); requests keep being served for
// --shutdown-delay-duration; then the listener closes, every connection gets GOAWAY, idle ones close, the rest
// close when their requests finish (watches end at once), and the process exits 0. A crash just dies (the kernel
// sends FIN on a live host; a crashed host sends nothing).
import type { ProcessBehavior, ProcessContext, ProcessSpec } from '../sim/process';
import type { Socket } from '../sim/network';
import { serveRpc, type RpcResponder, type RpcServerRequest } from '../sim/rpc';
import type { Random } from '../sim/rng';
import { EtcdClient } from '../client/etcd-client';
import type { HttpRequest, HttpResponse } from './http';
import { resolveApiserverConfig, type ApiserverConfig, type ResolvedApiserverConfig } from './config';
import { EtcdCheck, LOG_CHECK, PING_CHECK, POST_START_HOOKS, namedCheck, runHealthChecks, runSingleCheck, type HealthCheck, type HealthEndpoint, type HealthResult } from './healthz';
import { Registry, type SelectorFilter, type StoreResult } from './registry';
import { Router } from './router';
import { serveWatch, type ServedWatch } from './watch';
import type { KubeList, KubeObject, ResourceType, Status } from './objects';
import { badRequest, methodNotSupported, timeoutError } from './status';
import { jsonCopy } from './json-copy';
import './trace-events';
import { injectedBugs } from '../check/bugs';

const US_PER_S = 1_000_000;
/** The HTTP/2 server connection preface (a SETTINGS frame); clients ignore it but learn the connection is up. */
const SERVER_PREFACE = { type: 'SETTINGS', kind: 'ctl', id: 0 } as const;
/** k8s.io/apiserver pkg/endpoints/handlers requestTimeoutUpperBound. */
const WRITE_TIMEOUT_UPPER_BOUND_US = 34 * US_PER_S;

/** Cumulative counters of one apiserver (across restarts of its process). */
export interface ApiserverStats {
  /** Requests received (health checks included). */
  requests: number;
  /** Requests to the API (not health endpoints): the per-backend load. */
  apiRequests: number;
  healthRequests: number;
  connectionsAccepted: number;
  goaways: number;
  watchesOpened: number;
  readonly byCode: Map<number, number>;
}

export function newApiserverStats(): ApiserverStats {
  return { requests: 0, apiRequests: 0, healthRequests: 0, connectionsAccepted: 0, goaways: 0, watchesOpened: 0, byCode: new Map() };
}

export interface ApiserverProcessSpec extends ProcessSpec {
  readonly config: ResolvedApiserverConfig;
  /** Counters over every incarnation. */
  readonly stats: ApiserverStats;
  /** The running incarnation, if any (tests, observation). */
  current(): KubeApiserver | null;
}

/** The kube-apiserver static pod / systemd unit for one control-plane host. Throws ApiserverConfigError on bad flags. */
export function apiserverProcessSpec(config: ApiserverConfig, options: { readonly name?: string; readonly autostart?: boolean } = {}): ApiserverProcessSpec {
  const resolved = resolveApiserverConfig(config);
  const stats = newApiserverStats();
  let current: KubeApiserver | null = null;
  return {
    name: options.name ?? 'kube-apiserver',
    ...(options.autostart !== undefined ? { autostart: options.autostart } : {}),
    config: resolved,
    stats,
    current: () => (current !== null && current.ctx.process.incarnation === current.ctx.incarnation ? current : null),
    create(ctx: ProcessContext): ProcessBehavior {
      const server = new KubeApiserver(ctx, resolved, stats);
      current = server;
      return { terminate: () => server.terminate() };
    },
  };
}

interface ConnState {
  inflight: number;
  goingAway: boolean;
  readonly watches: Set<ServedWatch>;
}

type Phase = 'running' | 'shutdown-delay' | 'draining';

export class KubeApiserver {
  readonly registry: Registry;
  readonly storage: EtcdClient;
  private readonly healthEtcd: EtcdClient;
  private readonly readyEtcd: EtcdClient;
  private readonly etcdCheck: EtcdCheck;
  private readonly etcdReadyCheck: EtcdCheck;
  private readonly router = new Router();
  private readonly goawayRng: Random;
  private readonly watchRng: Random;
  private readonly connections = new Map<Socket, ConnState>();
  private readonly rpc: { goAway(socket: Socket): void };
  private readonly startedUs: number;
  private phase: Phase = 'running';
  /** Post-start hooks and informers done. */
  private started = false;
  private readonly healthChecks: readonly HealthCheck[];
  private readonly livezChecks: readonly HealthCheck[];
  private readonly readyzChecks: readonly HealthCheck[];
  private readonly lastHealth = new Map<HealthEndpoint, string>();

  constructor(
    readonly ctx: ProcessContext,
    readonly config: ResolvedApiserverConfig,
    readonly stats: ApiserverStats,
  ) {
    this.startedUs = ctx.monoUs();
    const engine = ctx.host.engine;
    this.goawayRng = engine.rng.stream(`proc/${ctx.id}/goaway`);
    this.watchRng = engine.rng.stream(`proc/${ctx.id}/watch`);
    this.storage = new EtcdClient(ctx, { endpoints: config.etcdServers, name: 'storage' });
    this.healthEtcd = new EtcdClient(ctx, { endpoints: config.etcdServers, name: 'healthz' });
    this.readyEtcd = new EtcdClient(ctx, { endpoints: config.etcdServers, name: 'readyz' });
    const healthKey = `${config.etcdPrefix.replace(/\/+$/, '')}/health`.replace(/^(?!\/)/, '/');
    this.etcdCheck = new EtcdCheck('etcd', ctx, this.healthEtcd, config.etcdHealthcheckTimeoutUs, healthKey);
    this.etcdReadyCheck = new EtcdCheck('etcd-readiness', ctx, this.readyEtcd, config.etcdReadycheckTimeoutUs, healthKey);
    this.registry = new Registry(this.storage, engine.rng.stream(`proc/${ctx.id}/registry`), () => ctx.wallUs(), injectedBugs(engine).apiserver);

    const hooks = POST_START_HOOKS.map((name) => namedCheck(name, () => (this.started ? null : 'not finished')));
    const livezHooks = POST_START_HOOKS.map((name) =>
      namedCheck(name, () => (this.started || this.ctx.monoUs() - this.startedUs < this.config.livezGracePeriodUs ? null : 'not finished')),
    );
    const informerSync = namedCheck('informer-sync', () => (this.started ? null : '1 informers not started yet: [*v1.Secret]'));
    const shutdown = namedCheck('shutdown', () => (this.phase === 'running' ? null : 'process is shutting down'));
    this.healthChecks = [PING_CHECK, LOG_CHECK, this.etcdCheck, ...hooks];
    this.livezChecks = [PING_CHECK, LOG_CHECK, this.etcdCheck, ...livezHooks];
    this.readyzChecks = [PING_CHECK, LOG_CHECK, this.etcdCheck, this.etcdReadyCheck, informerSync, ...hooks, shutdown];

    this.rpc = serveRpc(ctx, config.securePort, this.onRequest, {
      onConnect: (socket) => {
        this.stats.connectionsAccepted++;
        this.connections.set(socket, { inflight: 0, goingAway: false, watches: new Set() });
        // The TLS handshake and the HTTP/2 server preface (SETTINGS): the client now knows the connection is up
        // end to end, so a later close reads "unexpected EOF" rather than a handshake's "EOF".
        socket.send(SERVER_PREFACE);
      },
      onDisconnect: (socket) => {
        const conn = this.connections.get(socket);
        if (conn === undefined) return;
        this.connections.delete(socket);
        for (const w of conn.watches) w.stop();
        if (this.phase === 'draining') this.maybeExit();
      },
    });
    this.lifecycle('started');
    this.awaitStartup();
  }

  /** Connections open now (observation). */
  get openConnections(): number {
    return this.connections.size;
  }

  get shuttingDown(): boolean {
    return this.phase !== 'running';
  }

  get ready(): boolean {
    return this.started && this.phase === 'running';
  }

  // ---------------------------------------------------------------------------------------------- startup

  /** Post-start hooks finish `startupUs` after the storage client first reads from etcd. */
  private awaitStartup(): void {
    const probe = (): void => {
      this.storage.range({ key: `${this.config.etcdPrefix}/ranges/serviceips`, countOnly: true }, { timeoutUs: 10 * US_PER_S }, (r) => {
        if (!r.ok) {
          this.ctx.setTimer(US_PER_S, probe);
          return;
        }
        this.ctx.setTimer(this.config.startupUs, () => {
          this.started = true;
          this.lifecycle('ready');
        });
      });
    };
    probe();
  }

  // ---------------------------------------------------------------------------------------------- shutdown

  terminate(): void {
    if (this.phase !== 'running') return;
    this.phase = 'shutdown-delay';
    this.lifecycle('shutdown-initiated');
    this.ctx.log('info', '"[graceful-termination] shutdown event" name="ShutdownInitiated"');
    this.ctx.setTimer(this.config.shutdownDelayDurationUs, () => this.startDrain());
  }

  private startDrain(): void {
    this.phase = 'draining';
    const host = this.ctx.host;
    host.network.unlisten(host, this.config.securePort);
    this.lifecycle('listener-closed');
    this.etcdCheck.shutDown();
    this.etcdReadyCheck.shutDown();
    for (const [socket, conn] of this.connections) {
      for (const w of conn.watches) w.stop();
      conn.watches.clear();
      this.goAway(socket, conn, 'shutdown');
    }
    this.maybeExit();
  }

  private maybeExit(): void {
    if (this.phase !== 'draining' || this.connections.size !== 0) return;
    this.lifecycle('drained');
    this.storage.close();
    this.healthEtcd.close();
    this.readyEtcd.close();
    this.ctx.exit(0, 'terminated');
  }

  private goAway(socket: Socket, conn: ConnState, reason: 'goaway-chance' | 'shutdown'): void {
    if (conn.goingAway) return;
    conn.goingAway = true;
    this.stats.goaways++;
    const trace = this.ctx.host.engine.trace;
    if (trace.wants('apiserver.goaway')) trace.emit('apiserver.goaway', { host: this.ctx.host.name, reason, remote: `${socket.remote.address}:${socket.remote.port}` });
    this.rpc.goAway(socket);
    if (conn.inflight === 0) this.closeConn(socket);
  }

  private closeConn(socket: Socket): void {
    this.connections.delete(socket);
    socket.close();
    if (this.phase === 'draining') this.maybeExit();
  }

  // ---------------------------------------------------------------------------------------------- requests

  private readonly onRequest = (rpcRequest: RpcServerRequest, respond: RpcResponder): void => {
    const request = rpcRequest.body as HttpRequest;
    const socket = rpcRequest.socket;
    const conn = this.connections.get(socket);
    const startUs = this.ctx.monoUs();
    this.stats.requests++;
    if (conn !== undefined) conn.inflight++;
    let finished = false;
    const reply = (response: HttpResponse): void => {
      if (finished) return;
      finished = true;
      this.stats.byCode.set(response.code, (this.stats.byCode.get(response.code) ?? 0) + 1);
      respond.reply(response);
      const trace = this.ctx.host.engine.trace;
      if (trace.wants('apiserver.request')) {
        trace.emit('apiserver.request', {
          host: this.ctx.host.name,
          verb: request.verb,
          path: request.path,
          code: response.code,
          userAgent: request.userAgent,
          latencyUs: this.ctx.monoUs() - startUs,
        });
      }
      this.afterRequest(socket, conn, request);
    };
    const route = this.router.route(request.path);
    switch (route.kind) {
      case 'health':
        this.stats.healthRequests++;
        if (request.verb !== 'GET') return reply(statusResponse(methodNotAllowedText()));
        return this.serveHealth(route.endpoint, route.check, request, reply);
      case 'version':
        this.stats.apiRequests++;
        return reply({ code: 200, kind: 'text', text: JSON.stringify({ major: '1', minor: this.config.version.split('.')[1] ?? '', gitVersion: this.config.version }) });
      case 'not-found':
        this.stats.apiRequests++;
        return reply(statusResponse(notFoundStatus()));
      case 'resource':
        this.stats.apiRequests++;
        return this.serveResource(route.resource, route.namespace, route.name, route.subresource, request, rpcRequest, respond, conn, reply);
    }
  };

  private afterRequest(socket: Socket, conn: ConnState | undefined, request: HttpRequest): void {
    if (conn === undefined) return;
    conn.inflight--;
    if (conn.goingAway) {
      if (conn.inflight === 0 && this.connections.has(socket)) this.closeConn(socket);
      return;
    }
    // WithProbabilisticGoaway: not for watches (long-running).
    if (this.config.goawayChance > 0 && request.query?.watch !== true && this.goawayRng.chance(this.config.goawayChance)) {
      this.goAway(socket, conn, 'goaway-chance');
    }
  }

  private serveHealth(endpoint: HealthEndpoint, checkName: string | null, request: HttpRequest, reply: (r: HttpResponse) => void): void {
    const checks = endpoint === 'healthz' ? this.healthChecks : endpoint === 'livez' ? this.livezChecks : this.readyzChecks;
    const respond = (result: HealthResult): void => {
      this.observeHealth(endpoint, result);
      reply({ code: result.code, kind: 'text', text: result.text });
    };
    if (checkName !== null) {
      const check = checks.find((c) => c.name === checkName);
      if (check === undefined) return reply({ code: 404, kind: 'text', text: '404 page not found\n' });
      return runSingleCheck(check, (result) => reply({ code: result.code, kind: 'text', text: result.text }));
    }
    runHealthChecks(endpoint, checks, request.query, respond);
  }

  /** Emits 'apiserver.health' when an endpoint's verdict changes. */
  private observeHealth(endpoint: HealthEndpoint, result: HealthResult): void {
    const key = result.failed.length === 0 ? '' : result.failed.map(([n]) => n).join(',');
    if (this.lastHealth.get(endpoint) === key) return;
    this.lastHealth.set(endpoint, key);
    if (result.failed.length > 0) {
      this.ctx.log('info', `${key} check failed: ${endpoint}\n${result.failed.map(([n, e]) => `[-]${n} failed: ${e}`).join('\n')}`);
    }
    const trace = this.ctx.host.engine.trace;
    if (trace.wants('apiserver.health')) {
      trace.emit('apiserver.health', { host: this.ctx.host.name, endpoint, code: result.code, failed: result.failed.map(([n, e]) => `${n}: ${e}`) });
    }
  }

  private serveResource(
    resource: ResourceType,
    namespace: string | null,
    name: string | null,
    subresource: string | null,
    request: HttpRequest,
    rpcRequest: RpcServerRequest,
    respond: RpcResponder,
    conn: ConnState | undefined,
    reply: (r: HttpResponse) => void,
  ): void {
    const query = request.query;
    const isWatch = query?.watch === true && request.verb === 'GET' && name === null;
    if (isWatch) return this.serveWatchRequest(resource, namespace, request, rpcRequest, respond, conn, reply);

    // WithRequestDeadline: ?timeout= (if smaller) else --request-timeout.
    const now = this.ctx.monoUs();
    const userTimeoutUs = query?.timeoutUs;
    let timeoutUs = userTimeoutUs !== undefined && userTimeoutUs > 0 && userTimeoutUs < this.config.requestTimeoutUs ? userTimeoutUs : this.config.requestTimeoutUs;
    const isWrite = request.verb !== 'GET';
    if (isWrite) timeoutUs = Math.min(timeoutUs, WRITE_TIMEOUT_UPPER_BOUND_US);
    const deadlineMonoUs = now + timeoutUs;
    const options = { deadlineMonoUs };
    const done = (result: StoreResult<KubeObject | Status | KubeList>): void => {
      if (result.ok) return reply({ code: result.code, kind: 'object', body: result.object });
      if (this.ctx.monoUs() >= deadlineMonoUs) {
        // The request's context expired first. Writes: the finisher's answer (its context is the request's, capped
        // at 34 s); reads: the timeout filter's. (With ?timeout= both fire together; the finisher is modelled.)
        const message = isWrite ? 'request did not complete within requested timeout - context deadline exceeded' : 'request did not complete within the allotted timeout';
        return reply(statusResponse(timeoutError(message)));
      }
      reply(statusResponse(result.status));
    };

    switch (request.verb) {
      case 'GET':
        if (name !== null) {
          if (subresource !== null && !(subresource === 'status' && resource.hasStatus)) return reply(statusResponse(notFoundStatus()));
          return this.registry.get(resource, namespace, name, options, done);
        }
        {
          const filter = parseSelectors(query?.fieldSelector, query?.labelSelector);
          if ('error' in filter) return reply(statusResponse(badRequest(filter.error)));
          return this.registry.list(resource, namespace, filter.filter, options, done);
        }
      case 'POST': {
        if (name !== null) {
          if (resource.resource === 'pods' && subresource === 'binding' && namespace !== null) {
            const binding = request.body as { target?: { name?: string } } | null;
            const node = binding?.target?.name;
            if (node === undefined || node === '') return reply(statusResponse(badRequest('target must be specified')));
            return this.registry.bind(namespace, name, node, options, done);
          }
          return reply(statusResponse(methodNotSupported(resource, 'create')));
        }
        const body = decodeBody(request.body);
        if (body === null) return reply(statusResponse(badRequest('the body of the request was in an unknown format')));
        return this.registry.create(resource, namespace, body, options, done);
      }
      case 'PUT': {
        if (name === null) return reply(statusResponse(methodNotSupported(resource, 'update')));
        if (subresource !== null && !(subresource === 'status' && resource.hasStatus)) return reply(statusResponse(notFoundStatus()));
        const body = decodeBody(request.body);
        if (body === null) return reply(statusResponse(badRequest('the body of the request was in an unknown format')));
        return this.registry.update(resource, namespace, name, body, subresource === 'status' ? 'status' : null, options, done);
      }
      case 'DELETE':
        if (name === null) return reply(statusResponse(methodNotSupported(resource, 'deletecollection')));
        return this.registry.delete(resource, namespace, name, options, done);
      case 'PATCH':
        return reply(statusResponse(methodNotSupported(resource, 'patch')));
    }
  }

  private serveWatchRequest(
    resource: ResourceType,
    namespace: string | null,
    request: HttpRequest,
    rpcRequest: RpcServerRequest,
    respond: RpcResponder,
    conn: ConnState | undefined,
    reply: (r: HttpResponse) => void,
  ): void {
    const query = request.query;
    const filter = parseSelectors(query?.fieldSelector, query?.labelSelector);
    if ('error' in filter) return reply(statusResponse(badRequest(filter.error)));
    this.stats.watchesOpened++;
    const min = this.config.minRequestTimeoutS;
    const durationUs =
      query?.timeoutSeconds !== undefined && query.timeoutSeconds > 0 ? query.timeoutSeconds * US_PER_S : Math.round((min + this.watchRng.float() * min) * US_PER_S);
    const watch = serveWatch(this.ctx, this.storage, this.registry, resource, namespace, query?.resourceVersion, filter.filter, durationUs, {
      event: (event) => {
        if (rpcRequest.cancelled) {
          watch.stop();
          conn?.watches.delete(watch);
          return;
        }
        respond.push({ code: 200, kind: 'event', event });
      },
      end: (status) => {
        conn?.watches.delete(watch);
        if (status === null) reply({ code: 200, kind: 'text', text: '' });
        else reply(statusResponse(status));
      },
    });
    conn?.watches.add(watch);
  }

  private lifecycle(phase: 'started' | 'ready' | 'shutdown-initiated' | 'listener-closed' | 'drained'): void {
    const trace = this.ctx.host.engine.trace;
    if (trace.wants('apiserver.lifecycle')) trace.emit('apiserver.lifecycle', { host: this.ctx.host.name, phase });
  }
}

function statusResponse(status: Status): HttpResponse {
  return { code: status.code, kind: 'object', body: status };
}

function notFoundStatus(): Status {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'the server could not find the requested resource', reason: 'NotFound', details: {}, code: 404 };
}

function methodNotAllowedText(): Status {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'the server does not allow this method on the requested resource', reason: 'MethodNotAllowed', details: {}, code: 405 };
}

/** Decodes a request body: a deep copy, as the real server decodes bytes (the client keeps its object). */
function decodeBody(body: unknown): KubeObject | null {
  if (typeof body !== 'object' || body === null) return null;
  const copy = jsonCopy(body as KubeObject);
  if (typeof copy.metadata !== 'object' || copy.metadata === null) copy.metadata = { name: '' };
  return copy;
}

/** Field selectors `metadata.name=x`, `spec.nodeName=x` (comma-separated), label selectors `k=v,k2=v2`. */
export function parseSelectors(fieldSelector: string | undefined, labelSelector: string | undefined): { filter: SelectorFilter | null } | { error: string } {
  if ((fieldSelector === undefined || fieldSelector === '') && (labelSelector === undefined || labelSelector === '')) return { filter: null };
  let fieldName: string | undefined;
  let fieldNodeName: string | undefined;
  for (const term of (fieldSelector ?? '').split(',').filter((t) => t !== '')) {
    const m = /^([a-zA-Z.]+)(==?)(.*)$/.exec(term);
    if (m === null) return { error: `invalid field selector: ${term}` };
    if (m[1] === 'metadata.name') fieldName = m[3]!;
    else if (m[1] === 'spec.nodeName') fieldNodeName = m[3]!;
    else return { error: `field label not supported: ${m[1]}` };
  }
  const labels: Array<[string, string]> = [];
  for (const term of (labelSelector ?? '').split(',').filter((t) => t !== '')) {
    const m = /^([^=!]+)==?(.*)$/.exec(term);
    if (m === null) return { error: `unable to parse requirement: ${term}` };
    labels.push([m[1]!.trim(), m[2]!.trim()]);
  }
  return { filter: { ...(fieldName !== undefined ? { fieldName } : {}), ...(fieldNodeName !== undefined ? { fieldNodeName } : {}), ...(labels.length > 0 ? { labels } : {}) } };
}
