// Request/response over one simulated connection, as gRPC and HTTP/2 multiplex streams over one TCP connection.
// Used by the etcd client API (gRPC) and by the kube-apiserver's HTTP API.
//
// Client: an RpcChannel owns one connection to one endpoint, opens it lazily, multiplexes calls on it, fails
// every in-flight call when it breaks (telling the caller whether the request had been sent), honours GOAWAY
// (no new calls on that connection; the next call dials a fresh one), and can ping an idle connection as
// HTTP/2 keepalive does (client-go: ping after 30 s idle, give up 15 s later).
// Server: serveRpc accepts connections on a port and hands each request to a handler with a respond function.
import type { Timer, ProcessContext } from './process';
import type { CloseReason, Endpoint, Socket } from './network';

export interface RpcRequestFrame<B = unknown> {
  readonly type: string; // the method, for traces
  readonly kind: 'req';
  readonly id: number;
  readonly method: string;
  readonly body: B;
  /** Time the client gives the server (gRPC grpc-timeout, the HTTP request's context), in µs; null for none. */
  readonly timeoutUs: number | null;
}

export interface RpcResponseFrame<B = unknown> {
  readonly type: string;
  readonly kind: 'resp';
  readonly id: number;
  readonly body: B;
  /** More frames follow for this id (a server stream such as a watch). */
  readonly more: boolean;
}

export interface RpcControlFrame {
  readonly type: 'GOAWAY' | 'PING' | 'PING-ACK' | 'CANCEL';
  readonly kind: 'ctl';
  readonly id: number;
}

export type RpcFrame = RpcRequestFrame | RpcResponseFrame | RpcControlFrame;

/** Why a call failed below the application. */
export type RpcFailure =
  /** The caller's deadline passed first (context deadline exceeded). */
  | { readonly kind: 'deadline'; readonly sent: boolean }
  /** No connection could be made (refused, connect timeout). The request was never sent. */
  | { readonly kind: 'connect'; readonly reason: CloseReason | 'unreachable'; readonly sent: false }
  /** The connection broke with the call in flight (reset, EOF, keepalive timeout). */
  | {
      readonly kind: 'connection';
      readonly reason: CloseReason | 'keepalive-timeout' | 'closed';
      readonly sent: true;
      /** The server had sent something on this connection before it broke (HTTP/2: the handshake had completed). */
      readonly answered?: boolean;
      /** The server had sent GOAWAY on this connection before it broke. */
      readonly goAway?: boolean;
      /** This side's address and port on the broken connection (Go prints them: `read tcp 10.0.0.5:40312->...`). */
      readonly local?: Endpoint;
    };

export type RpcResult<B = unknown> = { readonly ok: true; readonly body: B; readonly more: boolean } | { readonly ok: false; readonly failure: RpcFailure };

export interface RpcChannelOptions {
  /** Dial timeout (Go net.Dialer Timeout); default 30 s as Go's default dialer. */
  readonly connectTimeoutUs?: number;
  /** Send a PING after this much idle time on an open connection; none by default. */
  readonly pingIdleUs?: number;
  /** Close the connection if a PING is unanswered this long. */
  readonly pingTimeoutUs?: number;
  /** TCP_USER_TIMEOUT on the connection's socket (Socket.userTimeoutUs); 0 or absent: off. */
  readonly userTimeoutUs?: number;
}

interface PendingCall {
  readonly id: number;
  readonly method: string;
  readonly body: unknown;
  readonly timeoutUs: number | null;
  readonly callback: (result: RpcResult) => void;
  sent: boolean;
  deadlineTimer: Timer | null;
  socket: Socket | null;
  streaming: boolean;
  done: boolean;
}

export interface CallHandle {
  /** Abandons the call: no callback fires afterwards; the server is told (RST_STREAM). */
  cancel(): void;
}

const respTypes = new Map<string, string>();
function responseType(method: string): string {
  let t = respTypes.get(method);
  if (t === undefined) {
    t = `${method} response`;
    respTypes.set(method, t);
  }
  return t;
}

export class RpcChannel {
  private socket: Socket | null = null;
  private open = false;
  private readonly calls = new Map<number, PendingCall>();
  /** Calls waiting for the connection to open. */
  private waiting: PendingCall[] = [];
  private nextId = 1;
  private pingTimer: Timer | null = null;
  private pingDeadline: Timer | null = null;
  /** Monotonic time of the last frame read: keepalive pings after pingIdleUs without reads. */
  private lastActivityUs = 0;
  /** Connections that received GOAWAY and still carry calls: closed once those calls end (gRPC drains them). */
  private readonly draining = new Set<Socket>();
  /** Connections opened so far (a GOAWAY or failure makes the next call dial again). */
  dials = 0;
  onConnectionChange: ((open: boolean, remote: string) => void) | null = null;
  /** A dial failed (refused, timed out) before the connection opened. */
  onConnectFailed: ((reason: CloseReason | 'keepalive-timeout' | 'closed') => void) | null = null;

  constructor(
    private readonly ctx: ProcessContext,
    readonly address: string,
    readonly port: number,
    private readonly options: RpcChannelOptions = {},
  ) {}

  get connected(): boolean {
    return this.open;
  }

  /** True while a dial is under way. */
  get connecting(): boolean {
    return this.socket !== null && !this.open;
  }

  /** Dials now if no connection is open or opening (gRPC subchannels connect eagerly, before any call). */
  connect(): void {
    if (this.socket === null) this.dial();
  }

  /** In-flight calls (sent or waiting for the connection). */
  get inFlight(): number {
    return this.calls.size;
  }

  call<Req, Resp>(method: string, body: Req, timeoutUs: number | null, callback: (result: RpcResult<Resp>) => void): CallHandle {
    const call: PendingCall = {
      id: this.nextId++,
      method,
      body,
      timeoutUs,
      callback: callback as (result: RpcResult) => void,
      sent: false,
      deadlineTimer: null,
      socket: null,
      streaming: false,
      done: false,
    };
    this.calls.set(call.id, call);
    if (timeoutUs !== null) {
      call.deadlineTimer = this.ctx.setTimer(timeoutUs, () => {
        call.deadlineTimer = null;
        this.finish(call, { ok: false, failure: { kind: 'deadline', sent: call.sent } });
        if (call.sent && call.socket?.isOpen) call.socket.send({ type: 'CANCEL', kind: 'ctl', id: call.id } satisfies RpcControlFrame);
      });
    }
    if (this.open && this.socket) this.transmit(call, this.socket);
    else {
      this.waiting.push(call);
      if (this.socket === null) this.dial();
    }
    return {
      cancel: () => {
        if (call.done) return;
        this.finish(call, null);
        if (call.sent && call.socket?.isOpen) call.socket.send({ type: 'CANCEL', kind: 'ctl', id: call.id } satisfies RpcControlFrame);
      },
    };
  }

  /** Closes the connection; in-flight calls fail with kind 'connection' / 'closed'. */
  close(): void {
    const socket = this.socket;
    this.dropConnection('closed');
    socket?.close();
    for (const old of [...this.draining]) {
      this.draining.delete(old);
      old.close();
      for (const call of [...this.calls.values()]) {
        if (call.socket === old) this.finish(call, { ok: false, failure: { kind: 'connection', reason: 'closed', sent: true, goAway: true, local: old.local } });
      }
    }
  }

  private dial(): void {
    this.dials++;
    // Per-connection facts reported with its failures.
    let answered = false;
    let goAway = false;
    const socket = this.ctx.connect(
      this.address,
      this.port,
      {
        onOpen: () => {
          if (this.socket !== socket) return;
          this.open = true;
          this.lastActivityUs = this.ctx.monoUs();
          this.onConnectionChange?.(true, `${this.address}:${this.port}`);
          const waiting = this.waiting;
          this.waiting = [];
          for (const call of waiting) if (!call.done) this.transmit(call, socket);
          this.armPing();
        },
        onData: (data) => {
          answered = true;
          if ((data as RpcFrame).type === 'GOAWAY') goAway = true;
          this.onFrame(socket, data as RpcFrame);
        },
        onClose: (reason) => {
          if (this.socket !== socket) {
            // A connection left after GOAWAY: its in-flight calls fail now rather than waiting for their deadlines.
            this.failCallsOn(socket, reason, answered, goAway);
            return;
          }
          this.dropConnection(reason, answered, goAway);
        },
      },
      this.options.connectTimeoutUs ?? 30_000_000,
    );
    if (this.options.userTimeoutUs !== undefined) socket.userTimeoutUs = this.options.userTimeoutUs;
    this.socket = socket;
  }

  private transmit(call: PendingCall, socket: Socket): void {
    call.sent = true;
    call.socket = socket;
    socket.send({ type: call.method, kind: 'req', id: call.id, method: call.method, body: call.body, timeoutUs: call.timeoutUs } satisfies RpcRequestFrame);
  }

  private onFrame(socket: Socket, frame: RpcFrame): void {
    this.lastActivityUs = this.ctx.monoUs();
    switch (frame.kind) {
      case 'resp': {
        const call = this.calls.get(frame.id);
        if (call === undefined || call.socket !== socket) return;
        if (frame.more) {
          call.streaming = true;
          call.callback({ ok: true, body: frame.body, more: true });
          return;
        }
        this.finish(call, { ok: true, body: frame.body, more: false });
        return;
      }
      case 'ctl':
        if (frame.type === 'GOAWAY') {
          // No new streams on this connection: the next call dials again. In-flight ones may still finish.
          if (this.socket === socket) {
            this.socket = null;
            this.open = false;
            this.clearPing();
            this.onConnectionChange?.(false, `${this.address}:${this.port}`);
            this.draining.add(socket);
            this.closeIfDrained(socket);
            if (this.waiting.length > 0) this.dial();
          }
          return;
        }
        if (frame.type === 'PING-ACK') {
          this.ctx.clearTimer(this.pingDeadline);
          this.pingDeadline = null;
        } else if (frame.type === 'PING') {
          socket.send({ type: 'PING-ACK', kind: 'ctl', id: frame.id } satisfies RpcControlFrame);
        }
        return;
      case 'req':
        return;
    }
  }

  private finish(call: PendingCall, result: RpcResult | null): void {
    if (call.done) return;
    call.done = true;
    this.calls.delete(call.id);
    this.ctx.clearTimer(call.deadlineTimer);
    call.deadlineTimer = null;
    if (call.socket !== null && this.draining.size !== 0) this.closeIfDrained(call.socket);
    if (result !== null) call.callback(result);
  }

  /** Closes a connection that received GOAWAY once no call uses it any more. */
  private closeIfDrained(socket: Socket): void {
    if (!this.draining.has(socket)) return;
    for (const call of this.calls.values()) if (call.socket === socket) return;
    this.draining.delete(socket);
    socket.close();
  }

  private failCallsOn(socket: Socket, reason: CloseReason, answered: boolean, goAway: boolean): void {
    this.draining.delete(socket);
    const local = socket.local;
    for (const call of [...this.calls.values()]) {
      if (call.socket === socket) this.finish(call, { ok: false, failure: { kind: 'connection', reason, sent: true, answered, goAway, local } });
    }
  }

  private dropConnection(reason: CloseReason | 'keepalive-timeout' | 'closed', answered = true, goAway = false): void {
    const socket = this.socket;
    const wasOpen = this.open;
    this.socket = null;
    this.open = false;
    this.clearPing();
    if (wasOpen) this.onConnectionChange?.(false, `${this.address}:${this.port}`);
    else if (socket !== null) this.onConnectFailed?.(reason);
    const waiting = this.waiting;
    this.waiting = [];
    for (const call of waiting) {
      const failure: RpcFailure = { kind: 'connect', reason: reason === 'keepalive-timeout' || reason === 'closed' ? 'unreachable' : reason, sent: false };
      this.finish(call, { ok: false, failure });
    }
    const local = socket?.local;
    for (const call of [...this.calls.values()]) {
      if (call.socket !== socket || socket === null) continue;
      this.finish(call, { ok: false, failure: { kind: 'connection', reason, sent: true, answered, goAway, local } });
    }
  }

  private armPing(delayUs?: number): void {
    const idleUs = this.options.pingIdleUs;
    if (idleUs === undefined || !this.open) return;
    this.ctx.clearTimer(this.pingTimer);
    this.pingTimer = this.ctx.setTimer(delayUs ?? idleUs, () => {
      this.pingTimer = null;
      const socket = this.socket;
      if (!this.open || socket === null) return;
      const idleForUs = this.ctx.monoUs() - this.lastActivityUs;
      if (idleForUs < idleUs) {
        this.armPing(idleUs - idleForUs); // the idle period restarted at the last read
        return;
      }
      if (this.pingDeadline !== null) {
        this.armPing(); // one PING outstanding at a time
        return;
      }
      socket.send({ type: 'PING', kind: 'ctl', id: 0 } satisfies RpcControlFrame);
      this.pingDeadline = this.ctx.setTimer(this.options.pingTimeoutUs ?? 15_000_000, () => {
        this.pingDeadline = null;
        if (this.socket !== socket) return;
        this.dropConnection('keepalive-timeout');
        socket.reset();
      });
      this.armPing();
    });
  }

  private clearPing(): void {
    this.ctx.clearTimer(this.pingTimer);
    this.pingTimer = null;
    this.ctx.clearTimer(this.pingDeadline);
    this.pingDeadline = null;
  }
}

/** One request as the server sees it. */
export interface RpcServerRequest<B = unknown> {
  readonly id: number;
  readonly method: string;
  readonly body: B;
  readonly timeoutUs: number | null;
  readonly socket: Socket;
  /** True once the client cancelled it or the connection closed. */
  readonly cancelled: boolean;
}

/** Call its methods on it (`respond.reply(x)`), not detached. */
export interface RpcResponder<B = unknown> {
  /** Sends the final response (ignored after the first, or once the client went away). */
  reply(body: B): void;
  /** Sends one message of a server stream. */
  push(body: B): void;
}

export type RpcHandler = (request: RpcServerRequest, respond: RpcResponder) => void;

export interface RpcServerHooks {
  /** A client connected. */
  onConnect?(socket: Socket): void;
  /** A connection ended. */
  onDisconnect?(socket: Socket): void;
}

/** Serves RPCs on `port` of the process's host. Returns a handle to send GOAWAY on a connection. */
export function serveRpc(ctx: ProcessContext, port: number, handler: RpcHandler, hooks: RpcServerHooks = {}): { goAway(socket: Socket): void } {
  ctx.listen(port, {
    onAccept(socket) {
      const live = new Map<number, ServerCall>();
      hooks.onConnect?.(socket);
      return {
        onData(data) {
          const frame = data as RpcFrame;
          if (frame.kind === 'ctl') {
            if (frame.type === 'CANCEL') {
              const call = live.get(frame.id);
              if (call) call.cancelled = true;
              live.delete(frame.id);
            } else if (frame.type === 'PING') socket.send({ type: 'PING-ACK', kind: 'ctl', id: frame.id } satisfies RpcControlFrame);
            return;
          }
          if (frame.kind !== 'req') return;
          const call = new ServerCall(frame, socket, live);
          live.set(frame.id, call);
          handler(call, call);
        },
        onClose() {
          for (const call of live.values()) call.cancelled = true;
          live.clear();
          hooks.onDisconnect?.(socket);
        },
      };
    },
  });
  return {
    goAway(socket: Socket): void {
      socket.send({ type: 'GOAWAY', kind: 'ctl', id: 0 } satisfies RpcControlFrame);
    },
  };
}

/** One request on the server: both what the handler reads and how it answers (one object per request, no closures). */
class ServerCall implements RpcServerRequest, RpcResponder {
  readonly id: number;
  readonly method: string;
  readonly body: unknown;
  readonly timeoutUs: number | null;
  cancelled = false;
  private readonly type: string;

  constructor(
    frame: RpcRequestFrame,
    readonly socket: Socket,
    private readonly live: Map<number, ServerCall>,
  ) {
    this.id = frame.id;
    this.method = frame.method;
    this.body = frame.body;
    this.timeoutUs = frame.timeoutUs;
    this.type = responseType(frame.method);
  }

  reply(body: unknown): void {
    if (this.cancelled || this.live.get(this.id) !== this) return;
    this.live.delete(this.id);
    this.socket.send({ type: this.type, kind: 'resp', id: this.id, body, more: false } satisfies RpcResponseFrame);
  }

  push(body: unknown): void {
    if (this.cancelled || this.live.get(this.id) !== this) return;
    this.socket.send({ type: this.type, kind: 'resp', id: this.id, body, more: true } satisfies RpcResponseFrame);
  }
}
