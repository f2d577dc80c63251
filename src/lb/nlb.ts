// The AWS Network Load Balancer profile (a TCP listener and one target group), as documented by AWS (Elastic Load
// Balancing: "Health checks for Network Load Balancer target groups", "Target group attributes", "Network Load
// Balancers: connection idle timeout"):
// - health checks: TCP by default (HTTP/HTTPS with a path and a 200-399 matcher optional); interval 30 s (5-300),
//   timeout 10 s for TCP (6 s for HTTP), healthy threshold 5 and unhealthy threshold 2 (2-10 each); a registered
//   target starts `initial` and becomes `healthy` after `healthy threshold` consecutive successes, `unhealthy`
//   after `unhealthy threshold` consecutive failures;
// - routing: a new flow goes to a healthy target chosen by a hash of the flow (source address and port,
//   destination address and port), not round robin; with no healthy target the NLB fails open and routes to all
//   registered targets;
// - an established flow stays on its target; when the target becomes unhealthy its connections are reset (target
//   group attribute target_health_state.unhealthy.connection_termination.enabled, default true);
// - an idle TCP flow is dropped after 350 s (the client's next packet gets a RST; modelled as a reset then).
// Simplifications: one health checker (a real NLB checks from every node of every zone), the LB host's address as
// the source seen by targets (a real NLB preserves the client IP), no deregistration delay, no cross-zone settings;
// the NLB accepts the client's connection before connecting to the target, so a target that refuses shows up as a
// reset right after connecting rather than as a refused connect.
import type { ProcessBehavior, ProcessContext, ProcessSpec, Timer } from '../sim/process';
import type { ConnHandlers, Message, Network, Socket } from '../sim/network';
import type { RpcFrame, RpcRequestFrame } from '../sim/rpc';
import type { HttpRequest, HttpResponse } from '../apiserver/http';
import './trace-events';

const US_PER_S = 1_000_000;

export interface NlbTarget {
  /** A simulated host name or address. */
  readonly target: string;
  readonly port?: number;
}

export interface NlbConfig {
  /** The listener port. Default 6443. */
  readonly port?: number;
  readonly targets: readonly NlbTarget[];
  /** HealthCheckProtocol: TCP (default), HTTP or HTTPS. */
  readonly healthCheckProtocol?: 'TCP' | 'HTTP' | 'HTTPS';
  /** HealthCheckPath for HTTP(S): default "/". */
  readonly healthCheckPath?: string;
  /** HealthCheckIntervalSeconds: default 30, 5-300. */
  readonly healthCheckIntervalSeconds?: number;
  /** HealthCheckTimeoutSeconds: default 10 (TCP) / 6 (HTTP), 2-120, less than the interval. */
  readonly healthCheckTimeoutSeconds?: number;
  /** HealthyThresholdCount: default 5, 2-10. */
  readonly healthyThresholdCount?: number;
  /** UnhealthyThresholdCount: default 2, 2-10. */
  readonly unhealthyThresholdCount?: number;
  /** Matcher HttpCode: default "200-399". */
  readonly matcher?: string;
  /** target_health_state.unhealthy.connection_termination.enabled: default true. */
  readonly unhealthyConnectionTermination?: boolean;
  /** TCP idle timeout: default 350 s. */
  readonly idleTimeoutSeconds?: number;
}

export interface ResolvedNlbTarget {
  readonly name: string;
  readonly address: string;
  readonly port: number;
}

export interface ResolvedNlbConfig {
  readonly port: number;
  readonly targets: readonly ResolvedNlbTarget[];
  readonly protocol: 'TCP' | 'HTTP' | 'HTTPS';
  readonly path: string;
  readonly intervalUs: number;
  readonly timeoutUs: number;
  readonly healthyThreshold: number;
  readonly unhealthyThreshold: number;
  readonly matcher: readonly [number, number];
  readonly unhealthyConnectionTermination: boolean;
  readonly idleTimeoutUs: number;
}

export class NlbConfigError extends Error {
  constructor(readonly messages: readonly string[]) {
    super(messages.join('\n'));
    this.name = 'NlbConfigError';
  }
}

/** Validates with the AWS API's constraints (ValidationError texts paraphrased with the parameter names). */
export function resolveNlbConfig(config: NlbConfig, network: Network): ResolvedNlbConfig {
  const errors: string[] = [];
  const protocol = config.healthCheckProtocol ?? 'TCP';
  const intervalS = config.healthCheckIntervalSeconds ?? 30;
  const timeoutS = config.healthCheckTimeoutSeconds ?? (protocol === 'TCP' ? 10 : 6);
  const healthy = config.healthyThresholdCount ?? 5;
  const unhealthy = config.unhealthyThresholdCount ?? 2;
  const range = (name: string, v: number, lo: number, hi: number): void => {
    if (!Number.isInteger(v) || v < lo || v > hi) errors.push(`${name} must be an integer between ${lo} and ${hi} (got ${v})`);
  };
  range('HealthCheckIntervalSeconds', intervalS, 5, 300);
  range('HealthCheckTimeoutSeconds', timeoutS, 2, 120);
  range('HealthyThresholdCount', healthy, 2, 10);
  range('UnhealthyThresholdCount', unhealthy, 2, 10);
  if (timeoutS >= intervalS) errors.push(`HealthCheckTimeoutSeconds (${timeoutS}) must be smaller than HealthCheckIntervalSeconds (${intervalS})`);
  const m = /^(\d{3})(?:-(\d{3}))?$/.exec(config.matcher ?? '200-399');
  if (m === null) errors.push(`Matcher HttpCode '${config.matcher}' must be a code or a range such as 200-399`);
  if (config.targets.length === 0) errors.push('the target group has no registered targets');
  const targets: ResolvedNlbTarget[] = [];
  const port = config.port ?? 6443;
  for (const t of config.targets) {
    const host = network.findHost(t.target);
    const address = host?.address ?? (network.resolve(t.target) !== undefined ? t.target : null);
    if (address === null) {
      errors.push(`target '${t.target}' is not a simulated host (hosts: ${network.hosts.map((h) => h.name).join(', ')})`);
      continue;
    }
    targets.push({ name: host?.name ?? t.target, address, port: t.port ?? port });
  }
  if (errors.length > 0) throw new NlbConfigError(errors);
  return {
    port,
    targets,
    protocol,
    path: config.healthCheckPath ?? '/',
    intervalUs: intervalS * US_PER_S,
    timeoutUs: timeoutS * US_PER_S,
    healthyThreshold: healthy,
    unhealthyThreshold: unhealthy,
    matcher: [Number(m![1]), Number(m![2] ?? m![1])],
    unhealthyConnectionTermination: config.unhealthyConnectionTermination ?? true,
    idleTimeoutUs: (config.idleTimeoutSeconds ?? 350) * US_PER_S,
  };
}

export type TargetHealth = 'initial' | 'healthy' | 'unhealthy';

export interface NlbProcessSpec extends ProcessSpec {
  readonly config: ResolvedNlbConfig;
  current(): Nlb | null;
}

export function nlbProcessSpec(config: NlbConfig, network: Network, options: { readonly name?: string; readonly autostart?: boolean } = {}): NlbProcessSpec {
  const resolved = resolveNlbConfig(config, network);
  let current: Nlb | null = null;
  return {
    name: options.name ?? 'nlb',
    ...(options.autostart !== undefined ? { autostart: options.autostart } : {}),
    config: resolved,
    current: () => (current !== null && current.ctx.process.incarnation === current.ctx.incarnation ? current : null),
    create(ctx): ProcessBehavior {
      current = new Nlb(ctx, resolved);
      return {};
    },
  };
}

interface TargetState {
  readonly target: ResolvedNlbTarget;
  health: TargetHealth;
  successes: number;
  failures: number;
  reason: string;
  readonly flows: Set<Flow>;
}

interface Flow {
  readonly client: Socket;
  server: Socket | null;
  target: TargetState;
  pending: Message[] | null;
  lastActivityUs: number;
  idleTimer: Timer | null;
  closed: boolean;
}

export class Nlb {
  readonly targets: TargetState[];
  private readonly name: string;

  constructor(
    readonly ctx: ProcessContext,
    readonly config: ResolvedNlbConfig,
  ) {
    this.name = ctx.host.name;
    this.targets = config.targets.map((target) => ({ target, health: 'initial', successes: 0, failures: 0, reason: 'Elb.RegistrationInProgress', flows: new Set() }));
    ctx.listen(config.port, { onAccept: (socket) => this.accept(socket) });
    for (const t of this.targets) this.check(t);
  }

  targetStates(): Array<{ name: string; health: TargetHealth; flows: number }> {
    return this.targets.map((t) => ({ name: t.target.name, health: t.health, flows: t.flows.size }));
  }

  // ---------------------------------------------------------------------------------------------- flows

  /** A flow hash over the 4-tuple (FNV-1a). */
  private flowHash(socket: Socket): number {
    const key = `${socket.remote.address}:${socket.remote.port}>${socket.local.address}:${socket.local.port}`;
    let h = 0x811c9dc5;
    for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
    return h >>> 0;
  }

  private accept(client: Socket): ConnHandlers {
    let candidates = this.targets.filter((t) => t.health === 'healthy');
    if (candidates.length === 0) candidates = this.targets; // fail open
    const target = candidates[this.flowHash(client) % candidates.length]!;
    const flow: Flow = { client, server: null, target, pending: [], lastActivityUs: this.ctx.monoUs(), idleTimer: null, closed: false };
    target.flows.add(flow);
    const trace = this.ctx.host.engine.trace;
    if (trace.wants('lb.session')) trace.emit('lb.session', { lb: this.name, event: 'routed', server: target.target.name, client: `${client.remote.address}:${client.remote.port}` });
    const server = this.ctx.connect(target.target.address, target.target.port, {
      onOpen: () => {
        if (flow.closed) return;
        const pending = flow.pending;
        flow.pending = null;
        if (pending !== null) for (const m of pending) server.send(m);
      },
      onData: (data) => {
        flow.lastActivityUs = this.ctx.monoUs();
        if (client.isOpen) client.send(data);
      },
      // The NLB is transparent: what the target does (FIN, RST, silence) reaches the client as such.
      onClose: (reason) => this.end(flow, reason === 'eof' ? 'close' : 'reset'),
    });
    flow.server = server;
    this.armIdle(flow);
    return {
      onData: (data) => {
        flow.lastActivityUs = this.ctx.monoUs();
        if (server.isOpen) server.send(data);
        else flow.pending?.push(data);
      },
      onClose: (reason) => {
        if (flow.closed) return;
        flow.closed = true;
        this.detach(flow);
        if (reason === 'eof') server.close();
        else server.reset();
      },
    };
  }

  private end(flow: Flow, how: 'close' | 'reset'): void {
    if (flow.closed) return;
    flow.closed = true;
    this.detach(flow);
    if (how === 'close') {
      flow.client.close();
      flow.server?.close();
    } else {
      flow.client.reset();
      flow.server?.reset();
    }
  }

  private detach(flow: Flow): void {
    flow.target.flows.delete(flow);
    this.ctx.clearTimer(flow.idleTimer);
    flow.idleTimer = null;
  }

  private armIdle(flow: Flow): void {
    const idleUs = this.config.idleTimeoutUs;
    const check = (): void => {
      flow.idleTimer = null;
      if (flow.closed) return;
      const idleFor = this.ctx.monoUs() - flow.lastActivityUs;
      if (idleFor >= idleUs) this.end(flow, 'reset');
      else flow.idleTimer = this.ctx.setTimer(idleUs - idleFor, check);
    };
    flow.idleTimer = this.ctx.setTimer(idleUs, check);
  }

  // ---------------------------------------------------------------------------------------------- health checks

  private check(t: TargetState): void {
    const config = this.config;
    let done = false;
    let timer: Timer | null = null;
    let socket: Socket | null = null;
    const finish = (passed: boolean, reason: string): void => {
      if (done) return;
      done = true;
      this.ctx.clearTimer(timer);
      if (socket !== null && socket.state !== 'closed') socket.close();
      this.record(t, passed, reason);
      this.ctx.setTimer(config.intervalUs, () => this.check(t));
    };
    timer = this.ctx.setTimer(config.timeoutUs, () => finish(false, 'Target.Timeout'));
    socket = this.ctx.connect(t.target.address, t.target.port, {
      onOpen: () => {
        if (config.protocol === 'TCP') return finish(true, '');
        const request: HttpRequest = { verb: 'GET', path: config.path, query: null, body: null, userAgent: 'ELB-HealthChecker/2.0' };
        socket!.send({ type: 'GET', kind: 'req', id: 1, method: 'GET', body: request, timeoutUs: null } satisfies RpcRequestFrame);
      },
      onData: (data) => {
        const frame = data as RpcFrame;
        if (frame.kind !== 'resp' || frame.id !== 1) return;
        const code = (frame.body as HttpResponse).code;
        if (code >= config.matcher[0] && code <= config.matcher[1]) finish(true, '');
        else finish(false, `Target.ResponseCodeMismatch:${code}`);
      },
      onClose: () => finish(false, 'Target.FailedHealthChecks'),
    });
  }

  private record(t: TargetState, passed: boolean, reason: string): void {
    const before = t.health;
    if (passed) {
      t.failures = 0;
      t.successes++;
      if (t.health !== 'healthy' && t.successes >= this.config.healthyThreshold) t.health = 'healthy';
    } else {
      t.successes = 0;
      t.failures++;
      t.reason = reason;
      if (t.health !== 'unhealthy' && t.failures >= this.config.unhealthyThreshold) t.health = 'unhealthy';
    }
    if (t.health === before) return;
    const description = describeReason(t.health === 'healthy' ? '' : t.reason);
    const line = `Target ${t.target.name} (${t.target.address}:${t.target.port}) ${before} -> ${t.health}${description === '' ? '' : ` (${description})`}`;
    this.ctx.log(t.health === 'healthy' ? 'info' : 'warn', line);
    const trace = this.ctx.host.engine.trace;
    if (trace.wants('lb.server')) trace.emit('lb.server', { lb: this.name, backend: 'target-group', server: t.target.name, state: t.health === 'healthy' ? 'UP' : 'DOWN', line });
    if (t.health === 'unhealthy' && this.config.unhealthyConnectionTermination) {
      for (const flow of [...t.flows]) {
        if (trace.wants('lb.session')) trace.emit('lb.session', { lb: this.name, event: 'killed', server: t.target.name, client: `${flow.client.remote.address}:${flow.client.remote.port}` });
        this.end(flow, 'reset');
      }
    }
  }
}

/** describe-target-health Reason and Description. */
function describeReason(reason: string): string {
  if (reason === '') return '';
  if (reason === 'Target.Timeout') return 'Target.Timeout: Request timed out';
  if (reason.startsWith('Target.ResponseCodeMismatch:')) return `Target.ResponseCodeMismatch: Health checks failed with these codes: [${reason.split(':')[1]}]`;
  return 'Target.FailedHealthChecks: Health checks failed';
}
