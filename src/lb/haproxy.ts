// The HAProxy process of the load-balancer host (mode tcp): a frontend listener, one backend of apiservers with
// health checks, and TCP sessions spliced to the chosen server.
//
// Sessions (mode tcp balances connections, not requests): an accepted client connection is routed once to a
// server chosen by the balance algorithm among UP servers; its bytes (here: rpc frames) are forwarded both ways
// until either side closes (FIN is passed on as FIN, RST as RST). Data the client sends before the server
// connection is up is buffered. A failed server connection is retried `retries` times, after a turn-around of
// min(timeout connect, 1 s) on the same server; with `option redispatch` the last retry goes to another server.
// With no usable server, or once retries are exhausted, the client connection is closed (the client sees EOF).
// `timeout client` / `timeout server` close a session idle that long. A server marked DOWN keeps its sessions,
// unless `on-marked-down shutdown-sessions` (then they are reset).
//
// Health checks (src/check.c, src/tcpcheck.c): a fresh connection per check; `check` alone or `option tcp-check`
// = TCP connect; `option httpchk` = an HTTP request (`http-check send meth GET uri /healthz`) whose status must
// match `http-check expect status` (default: any 2xx or 3xx). Timeouts: without `timeout check` the whole check
// must finish within the current interval; with it, the connect within min(timeout connect, interval) and the
// response within `timeout check`. Results feed the health counter of health.ts; state changes are logged with
// HAProxy's exact lines (trace kind 'lb.server'). The first checks are spread over the smallest interval
// (srvpos * mininter / nbcheck); `spread-checks` adds jitter.
import type { ProcessBehavior, ProcessContext, ProcessSpec, Timer } from '../sim/process';
import type { ConnHandlers, Message, Network, Socket, CloseReason } from '../sim/network';
import type { Random } from '../sim/rng';
import type { RpcFrame, RpcRequestFrame } from '../sim/rpc';
import type { HttpRequest, HttpResponse } from '../apiserver/http';
import { statusText } from '../apiserver/http';
import { compileHaproxyConfig, type HaproxyCfg, type HaproxyModel, type HaproxyServerModel } from './config';
import { HealthCounter } from './health';
import { Balancer, type Balanced } from './balance';
import './trace-events';
import { injectedBugs, type LoadBalancerBugs } from '../check/bugs';

const US_PER_MS = 1000;
const US_PER_S = 1_000_000;

/** HAProxy check statuses (src/check.c check_statuses): code and description. */
type CheckStatus = 'L4OK' | 'L4TOUT' | 'L4CON' | 'L7TOUT' | 'L7RSP' | 'L7OK' | 'L7STS' | 'SOCKERR';
const STATUS_DESCRIPTION: Readonly<Record<CheckStatus, string>> = {
  L4OK: 'Layer4 check passed',
  L4TOUT: 'Layer4 timeout',
  L4CON: 'Layer4 connection problem',
  L7TOUT: 'Layer7 timeout',
  L7RSP: 'Layer7 invalid response',
  L7OK: 'Layer7 check passed',
  L7STS: 'Layer7 wrong status',
  SOCKERR: 'Socket error',
};
/** Statuses at or above HCHK_STATUS_L57DATA print their HTTP code. */
const HAS_CODE: ReadonlySet<CheckStatus> = new Set<CheckStatus>(['L7OK', 'L7STS']);

export interface CheckResult {
  readonly passed: boolean;
  readonly status: CheckStatus;
  readonly code: number;
  readonly info: string;
  readonly durationMs: number;
}

/** Per-server counters, cumulative over the process's restarts. */
export interface LbServerStats {
  sessionsRouted: number;
  checks: number;
  failedChecks: number;
  downTransitions: number;
}

export interface LbStats {
  sessionsAccepted: number;
  noServer: number;
  failedSessions: number;
  readonly servers: Map<string, LbServerStats>;
}

export interface HaproxyProcessSpec extends ProcessSpec {
  readonly model: HaproxyModel;
  readonly stats: LbStats;
  current(): Haproxy | null;
}

export interface HaproxySpecOptions {
  /** Process name; default "haproxy". */
  readonly name?: string;
  /** Config file name in messages; default "haproxy.cfg". */
  readonly file?: string;
  readonly autostart?: boolean;
}

/**
 * Resolves server addresses against the network (a host name or an address a host has), compiles and validates
 * the configuration (throws HaproxyConfigError), and returns the process spec.
 */
export function haproxyProcessSpec(cfg: HaproxyCfg | string, network: Network, options: HaproxySpecOptions = {}): HaproxyProcessSpec {
  const model = compileHaproxyConfig(cfg, {
    ...(options.file !== undefined ? { file: options.file } : {}),
    resolve: (nameOrAddress) => network.findHost(nameOrAddress)?.address ?? (network.resolve(nameOrAddress) !== undefined ? nameOrAddress : null),
    knownHosts: network.hosts.map((h) => `${h.name} (${h.address})`),
  });
  const stats: LbStats = { sessionsAccepted: 0, noServer: 0, failedSessions: 0, servers: new Map() };
  for (const s of model.backend.servers) stats.servers.set(s.name, { sessionsRouted: 0, checks: 0, failedChecks: 0, downTransitions: 0 });
  let current: Haproxy | null = null;
  return {
    name: options.name ?? 'haproxy',
    ...(options.autostart !== undefined ? { autostart: options.autostart } : {}),
    model,
    stats,
    current: () => (current !== null && current.ctx.process.incarnation === current.ctx.incarnation ? current : null),
    create(ctx): ProcessBehavior {
      current = new Haproxy(ctx, model, stats);
      return {};
    },
  };
}

class ServerRuntime implements Balanced {
  readonly counter: HealthCounter;
  readonly sessionSet = new Set<Session>();
  checkTimer: Timer | null = null;
  checkSocket: Socket | null = null;
  lastCheck: CheckResult | null = null;

  constructor(
    readonly model: HaproxyServerModel,
    readonly stats: LbServerStats,
  ) {
    this.counter = new HealthCounter(
      { interUs: model.interUs, fastinterUs: model.fastinterUs, downinterUs: model.downinterUs, rise: model.rise, fall: model.fall },
      model.initState,
    );
  }

  get weight(): number {
    return this.model.weight;
  }
  get backup(): boolean {
    return this.model.backup;
  }
  get sessions(): number {
    return this.sessionSet.size;
  }
  available(): boolean {
    return !this.model.disabled && (!this.model.check || this.counter.state === 'UP');
  }
}

interface Session {
  readonly client: Socket;
  server: Socket | null;
  srv: ServerRuntime | null;
  /** Client frames waiting for the server connection. */
  pending: Message[] | null;
  attempts: number;
  lastActivityUs: number;
  idleTimer: Timer | null;
  turnaround: Timer | null;
  closed: boolean;
}

export class Haproxy {
  readonly servers: ServerRuntime[];
  private readonly balancer: Balancer<ServerRuntime>;
  private readonly rng: Random;
  private readonly lbName: string;
  private backendAvailable = true;
  /** TEST ONLY: injected mistakes (src/check/bugs.ts); empty in normal runs. */
  private readonly bugs: LoadBalancerBugs;

  constructor(
    readonly ctx: ProcessContext,
    readonly model: HaproxyModel,
    readonly stats: LbStats,
  ) {
    this.lbName = ctx.host.name;
    this.bugs = injectedBugs(ctx.host.engine).loadBalancer ?? {};
    this.rng = ctx.host.engine.rng.stream(`proc/${ctx.id}/checks`);
    this.servers = model.backend.servers.map((s) => new ServerRuntime(s, stats.servers.get(s.name)!));
    this.balancer = new Balancer(model.backend.balance, this.servers);
    this.backendAvailable = this.servers.some((s) => s.available());
    ctx.listen(model.bindPort, { onAccept: (socket) => this.accept(socket) });
    this.startChecks();
  }

  /** Server states in configuration order (observation, tests). */
  serverStates(): Array<{ name: string; state: 'UP' | 'DOWN'; health: number; sessions: number }> {
    return this.servers.map((s) => ({ name: s.model.name, state: s.available() ? 'UP' : 'DOWN', health: s.counter.health, sessions: s.sessions }));
  }

  // ---------------------------------------------------------------------------------------------- sessions

  private accept(client: Socket): ConnHandlers {
    this.stats.sessionsAccepted++;
    const session: Session = {
      client,
      server: null,
      srv: null,
      pending: [],
      attempts: 0,
      lastActivityUs: this.ctx.monoUs(),
      idleTimer: null,
      turnaround: null,
      closed: false,
    };
    this.connectServer(session, null);
    this.armIdle(session);
    return {
      onData: (data) => {
        session.lastActivityUs = this.ctx.monoUs();
        if (session.server !== null && session.server.isOpen) session.server.send(data);
        else session.pending?.push(data);
      },
      onClose: (reason) => this.clientClosed(session, reason),
    };
  }

  private clientKey(socket: Socket): number {
    let h = socket.remote.port;
    for (let i = 0; i < socket.remote.address.length; i++) h = (h * 31 + socket.remote.address.charCodeAt(i)) | 0;
    return Math.abs(h);
  }

  private connectServer(session: Session, previous: ServerRuntime | null): void {
    if (session.closed) return;
    const backend = this.model.backend;
    let srv: ServerRuntime | null;
    if (previous === null) srv = this.balancer.pick(this.clientKey(session.client));
    else {
      const redispatch = this.isRedispatch(session.attempts);
      srv = redispatch ? this.balancer.pick(this.clientKey(session.client), previous) : previous;
      this.traceSession(redispatch ? 'redispatch' : 'retry', srv?.model.name ?? '', session.client);
    }
    if (srv === null) {
      this.stats.noServer++;
      this.traceSession('no-server', '', session.client);
      this.endSession(session, 'close');
      return;
    }
    if (session.srv !== srv) {
      session.srv?.sessionSet.delete(session);
      session.srv = srv;
      srv.sessionSet.add(session);
    }
    const chosen = srv;
    const socket = this.ctx.connect(
      chosen.model.address,
      chosen.model.port,
      {
        onOpen: () => {
          if (session.closed || session.server !== socket) {
            socket.close();
            return;
          }
          chosen.stats.sessionsRouted++;
          this.traceSession('routed', chosen.model.name, session.client);
          const pending = session.pending;
          session.pending = null;
          if (pending !== null) for (const m of pending) socket.send(m);
        },
        onData: (data) => {
          session.lastActivityUs = this.ctx.monoUs();
          if (session.client.isOpen) session.client.send(data);
        },
        onClose: (reason) => this.serverClosed(session, socket, reason),
      },
      backend.timeoutConnectUs ?? undefined,
    );
    session.server = socket;
  }

  /** option redispatch <interval>: -1 the last retry, P every Pth retry, -N the Nth retry before the last. */
  private isRedispatch(retry: number): boolean {
    const backend = this.model.backend;
    const r = backend.redispatch;
    if (r === 0) return false;
    if (r > 0) return retry % r === 0;
    return retry === backend.retries + r + 1;
  }

  private serverClosed(session: Session, socket: Socket, reason: CloseReason): void {
    if (session.closed || session.server !== socket) return;
    if (session.pending !== null) {
      // The connection to the server was never established: retry, redispatch, or give up.
      session.server = null;
      const backend = this.model.backend;
      if (session.attempts < backend.retries) {
        session.attempts++;
        const failed = session.srv;
        // The turn-around timer applies to a retry on the same server.
        const turnaroundUs = this.isRedispatch(session.attempts) ? 0 : Math.min(backend.timeoutConnectUs ?? US_PER_S, US_PER_S);
        session.turnaround = this.ctx.setTimer(turnaroundUs, () => {
          session.turnaround = null;
          this.connectServer(session, failed);
        });
        return;
      }
      this.stats.failedSessions++;
      this.traceSession('failed', session.srv?.model.name ?? '', session.client);
      this.endSession(session, 'close');
      return;
    }
    this.endSession(session, reason === 'eof' ? 'close' : 'reset');
  }

  private clientClosed(session: Session, reason: CloseReason): void {
    if (session.closed) return;
    session.closed = true;
    this.detach(session);
    const server = session.server;
    if (server !== null) {
      if (reason === 'eof') server.close();
      else server.reset();
    }
  }

  private endSession(session: Session, how: 'close' | 'reset'): void {
    if (session.closed) return;
    session.closed = true;
    this.detach(session);
    if (how === 'close') {
      session.client.close();
      session.server?.close();
    } else {
      session.client.reset();
      session.server?.reset();
    }
  }

  private detach(session: Session): void {
    session.srv?.sessionSet.delete(session);
    this.ctx.clearTimer(session.idleTimer);
    this.ctx.clearTimer(session.turnaround);
    session.idleTimer = null;
    session.turnaround = null;
  }

  /** timeout client / timeout server: in mode tcp the session closes after this much inactivity. */
  private armIdle(session: Session): void {
    const a = this.model.timeoutClientUs;
    const b = this.model.backend.timeoutServerUs;
    const idleUs = a === null ? b : b === null ? a : Math.min(a, b);
    if (idleUs === null) return;
    const check = (): void => {
      session.idleTimer = null;
      if (session.closed) return;
      const idleForUs = this.ctx.monoUs() - session.lastActivityUs;
      if (idleForUs >= idleUs) {
        this.endSession(session, 'close');
        return;
      }
      session.idleTimer = this.ctx.setTimer(idleUs - idleForUs, check);
    };
    session.idleTimer = this.ctx.setTimer(idleUs, check);
  }

  private traceSession(event: 'routed' | 'retry' | 'redispatch' | 'no-server' | 'failed' | 'killed', server: string, client: Socket): void {
    const trace = this.ctx.host.engine.trace;
    if (trace.wants('lb.session')) trace.emit('lb.session', { lb: this.lbName, event, server, client: `${client.remote.address}:${client.remote.port}` });
  }

  // ---------------------------------------------------------------------------------------------- checks

  private startChecks(): void {
    const checked = this.servers.filter((s) => s.model.check && !s.model.disabled);
    if (checked.length === 0) return;
    let mininter = Infinity;
    for (const s of checked) mininter = Math.min(mininter, s.counter.intervalUs());
    checked.forEach((s, pos) => {
      let inter = Math.max(mininter, s.counter.intervalUs());
      if (this.model.spreadChecks > 0) inter += this.spread(s.counter.intervalUs());
      const offsetUs = Math.floor((inter * pos) / checked.length / US_PER_MS) * US_PER_MS;
      s.checkTimer = this.ctx.setTimer(offsetUs, () => this.runCheck(s));
    });
  }

  /** spread-checks: +-pct% of the interval. */
  private spread(intervalUs: number): number {
    const rnd = (intervalUs * this.model.spreadChecks) / 100;
    return Math.round(rnd - 2 * rnd * this.rng.float());
  }

  private runCheck(srv: ServerRuntime): void {
    srv.checkTimer = null;
    const backend = this.model.backend;
    const startUs = this.ctx.monoUs();
    const intervalUs = srv.counter.intervalUs();
    const timeoutCheckUs = backend.timeoutCheckUs;
    const connectTimeoutUs = timeoutCheckUs === null ? intervalUs : Math.min(backend.timeoutConnectUs ?? intervalUs, intervalUs);
    let done = false;
    let connected = false;
    let readTimer: Timer | null = null;
    let socket: Socket | null = null;
    const finish = (status: CheckStatus, code: number, info: string): void => {
      if (done) return;
      done = true;
      this.ctx.clearTimer(readTimer);
      if (socket !== null && socket.state !== 'closed') socket.close();
      srv.checkSocket = null;
      const passed = status === 'L4OK' || status === 'L7OK';
      const durationMs = Math.floor((this.ctx.monoUs() - startUs) / US_PER_MS);
      this.checkDone(srv, { passed, status, code, info, durationMs });
    };
    const tcpSuffix = backend.checkKind === 'tcp-check' ? ' at initial connection step of tcp-check' : '';
    socket = this.ctx.connect(
      srv.model.address,
      srv.model.checkPort,
      {
        onOpen: () => {
          connected = true;
          if (backend.checkKind !== 'http') {
            finish('L4OK', 0, '');
            return;
          }
          const request: HttpRequest = { verb: backend.httpCheck.method as HttpRequest['verb'], path: backend.httpCheck.uri, query: null, body: null, userAgent: '' };
          socket!.send({ type: request.verb, kind: 'req', id: 1, method: request.verb, body: request, timeoutUs: null } satisfies RpcRequestFrame);
          const readUs = timeoutCheckUs ?? Math.max(0, intervalUs - (this.ctx.monoUs() - startUs));
          readTimer = this.ctx.setTimer(readUs, () => finish('L7TOUT', 0, ''));
        },
        onData: (data) => {
          const frame = data as RpcFrame;
          if (frame.kind !== 'resp' || frame.id !== 1) return;
          const response = frame.body as HttpResponse;
          const expect = backend.httpCheck.expectStatus;
          const ok = expect === null ? response.code >= 200 && response.code < 400 : expect.includes(response.code);
          if (ok) finish('L7OK', response.code, '');
          else finish('L7STS', response.code, statusText(response.code));
        },
        onClose: (reason) => {
          if (!connected) {
            if (reason === 'refused') finish('L4CON', 0, `Connection refused${tcpSuffix}`);
            else if (reason === 'timeout') finish('L4TOUT', 0, tcpSuffix);
            else finish('L4CON', 0, `Connection reset by peer${tcpSuffix}`);
            return;
          }
          if (reason === 'eof') finish('L7RSP', 0, '');
          else if (reason === 'timeout') finish('L7TOUT', 0, '');
          else finish('SOCKERR', 0, 'Connection reset by peer');
        },
      },
      connectTimeoutUs,
    );
    srv.checkSocket = socket;
  }

  private checkDone(srv: ServerRuntime, result: CheckResult): void {
    srv.lastCheck = result;
    srv.stats.checks++;
    if (!result.passed) srv.stats.failedChecks++;
    // TEST ONLY bug neverMarkDown (src/check/bugs.ts): a failed check is counted as passed.
    const transition = srv.counter.record(result.passed || this.bugs.neverMarkDown === true);
    const backend = this.model.backend;
    const trace = this.ctx.host.engine.trace;
    if (trace.wants('lb.check')) {
      trace.emit('lb.check', { lb: this.lbName, server: srv.model.name, passed: result.passed, status: result.status, code: result.code, durationMs: result.durationMs, health: srv.counter.statusText() });
    }
    if (backend.logHealthChecks && transition.reported) {
      this.ctx.log(
        'warn',
        `Health check for server ${backend.name}/${srv.model.name} ${result.passed ? 'succeeded' : 'failed'}${checkInfo(result)}, status: ${srv.counter.statusText()}.`,
      );
    }
    if (transition.changed) this.stateChanged(srv, result);
    const next = srv.counter.intervalUs() + (this.model.spreadChecks > 0 ? this.spread(srv.counter.intervalUs()) : 0);
    srv.checkTimer = this.ctx.setTimer(Math.max(US_PER_MS, next), () => this.runCheck(srv));
  }

  private stateChanged(srv: ServerRuntime, result: CheckResult): void {
    const backend = this.model.backend;
    let active = 0;
    let backup = 0;
    for (const s of this.servers) if (s.available()) s.backup ? backup++ : active++;
    const runningOnBackup = backup > 0 && active === 0 ? ' Running on backup.' : '';
    let line: string;
    if (srv.counter.state === 'DOWN') {
      srv.stats.downTransitions++;
      const killed = srv.model.onMarkedDownShutdownSessions ? [...srv.sessionSet] : [];
      const sessionsActive = srv.sessions - killed.length;
      line =
        `Server ${backend.name}/${srv.model.name} is DOWN${checkInfo(result)}. ${active} active and ${backup} backup servers left.${runningOnBackup}` +
        ` ${sessionsActive} sessions active, 0 requeued, 0 remaining in queue.`;
      for (const session of killed) {
        this.traceSession('killed', srv.model.name, session.client);
        this.endSession(session, 'reset');
      }
    } else {
      line = `Server ${backend.name}/${srv.model.name} is UP${checkInfo(result)}. ${active} active and ${backup} backup servers online.${runningOnBackup} 0 sessions requeued, 0 total in queue.`;
    }
    this.ctx.log(srv.counter.state === 'DOWN' ? 'error' : 'warn', line);
    const trace = this.ctx.host.engine.trace;
    if (trace.wants('lb.server')) trace.emit('lb.server', { lb: this.lbName, backend: backend.name, server: srv.model.name, state: srv.counter.state, line });
    const available = active + backup > 0;
    if (available !== this.backendAvailable) {
      this.backendAvailable = available;
      if (!available) {
        const msg = `backend ${backend.name} has no server available!`;
        this.ctx.log('error', msg);
        if (trace.wants('lb.backend')) trace.emit('lb.backend', { lb: this.lbName, backend: backend.name, available: false, line: msg });
      } else if (trace.wants('lb.backend')) {
        trace.emit('lb.backend', { lb: this.lbName, backend: backend.name, available: true, line: `backend ${backend.name} has ${active} active servers` });
      }
    }
  }
}

/** check_append_info: ", reason: <desc>[, code: N][, info: "..."], check duration: Nms". */
export function checkInfo(result: CheckResult): string {
  let s = `, reason: ${STATUS_DESCRIPTION[result.status]}`;
  if (HAS_CODE.has(result.status)) s += `, code: ${result.code}`;
  if (result.info !== '') s += `, info: "${result.info}"`;
  return `${s}, check duration: ${result.durationMs}ms`;
}
