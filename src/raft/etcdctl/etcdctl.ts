// etcdctl (v3.5) inside a simulation: a short-lived client that dials the endpoints, runs one command and ends with
// {stdout, stderr, exitCode}. Commands: `endpoint status`, `endpoint health`, `member list`, each with
// `-w simple` (default) or `-w table`; global flags --endpoints, --command-timeout (5s), --dial-timeout (2s),
// --cluster. Behaviour and texts from etcdctl/ctlv3/command/{ep_command,member_command,printer*}.go:
// - every RPC gets the command timeout; clientv3 retries repeatable RPCs (Status, Range, MemberList) on connection
//   failures and Unavailable errors every ~25 ms until the deadline, so most failures read
//   "context deadline exceeded";
// - endpoint status asks each endpoint in turn, prints the table of those that answered, reports the others on
//   stderr ("Failed to get the status of endpoint ... (...)") and exits 1 if any failed;
// - endpoint health checks all endpoints at once with a linearizable Get("health"), lists them in completion order
//   (healthy on stdout, unhealthy on stderr in simple mode; all rows in the table), then "Error: unhealthy cluster"
//   and exit 1 if any failed;
// - member list asks the first endpoint that answers (linearizable).
// Simplifications: no TLS/auth; endpoint health skips the AlarmList call that follows a successful Get.
import type { ProcessContext, ProcessSpec } from '../../sim/process';
import { RpcChannel, type RpcResult } from '../../sim/rpc';
import { formatDurationUs, parseDurationUs } from '../../sim/time';
import type { EtcdMethod, EtcdMethods, EtcdReply, MemberListResponse, StatusResponse } from '../etcd-api';
import { humanizeBytes } from './humanize';
import { renderTable } from './table';

export interface EtcdctlResult {
  readonly stdout: string;
  readonly stderr: string;
  readonly exitCode: number;
}

export type EtcdctlCommand = 'endpoint status' | 'endpoint health' | 'member list';

export interface EtcdctlInvocation {
  readonly command: EtcdctlCommand;
  readonly endpoints: readonly string[];
  readonly commandTimeoutUs: number;
  readonly dialTimeoutUs: number;
  readonly writeOut: 'simple' | 'table';
  readonly cluster: boolean;
}

export const ETCDCTL_DEFAULTS = {
  endpoints: ['127.0.0.1:2379'],
  commandTimeoutUs: 5_000_000,
  dialTimeoutUs: 2_000_000,
} as const;

/** cobrautl.ExitError / ExitBadArgs. */
const EXIT_ERROR = 1;
const EXIT_BAD_ARGS = 128;
/** clientv3's retry backoff (backoffLinearWithJitter(25ms, 0.10)). */
const RETRY_BACKOFF_US = 25_000;

export class EtcdctlUsageError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}

/** Parses `endpoint status -w table --endpoints=a,b --command-timeout=5s` and friends. */
export function parseEtcdctlArgs(args: readonly string[]): EtcdctlInvocation {
  const positional: string[] = [];
  let endpoints: readonly string[] = ETCDCTL_DEFAULTS.endpoints;
  let commandTimeoutUs: number = ETCDCTL_DEFAULTS.commandTimeoutUs;
  let dialTimeoutUs: number = ETCDCTL_DEFAULTS.dialTimeoutUs;
  let writeOut: 'simple' | 'table' = 'simple';
  let cluster = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (!arg.startsWith('-')) {
      positional.push(arg);
      continue;
    }
    const m = /^--?([a-z-]+)(?:=(.*))?$/.exec(arg);
    if (m === null) throw new EtcdctlUsageError(`Error: unknown flag: ${arg}`, EXIT_BAD_ARGS);
    const name = m[1]!;
    const takeValue = (): string => {
      if (m[2] !== undefined) return m[2];
      const v = args[++i];
      if (v === undefined) throw new EtcdctlUsageError(`Error: flag needs an argument: --${name}`, EXIT_BAD_ARGS);
      return v;
    };
    const duration = (value: string): number => {
      try {
        return parseDurationUs(value);
      } catch {
        throw new EtcdctlUsageError(`Error: invalid argument "${value}" for "--${name}" flag: time: invalid duration "${value}"`, EXIT_BAD_ARGS);
      }
    };
    switch (name) {
      case 'endpoints':
        endpoints = takeValue()
          .split(',')
          .map((s) => s.trim())
          .filter((s) => s !== '');
        break;
      case 'command-timeout':
        commandTimeoutUs = duration(takeValue());
        break;
      case 'dial-timeout':
        dialTimeoutUs = duration(takeValue());
        break;
      case 'w':
      case 'write-out': {
        const v = takeValue();
        if (v !== 'simple' && v !== 'table') throw new EtcdctlUsageError(`Error: ${v} not supported as output format`, 3);
        writeOut = v;
        break;
      }
      case 'cluster':
        cluster = m[2] === undefined || m[2] === 'true';
        break;
      default:
        throw new EtcdctlUsageError(`Error: unknown flag: --${name}`, EXIT_BAD_ARGS);
    }
  }
  const command = positional.join(' ');
  if (command !== 'endpoint status' && command !== 'endpoint health' && command !== 'member list') {
    throw new EtcdctlUsageError(`Error: unknown command "${positional.join(' ')}" for "etcdctl"`, EXIT_ERROR);
  }
  return { command, endpoints, commandTimeoutUs, dialTimeoutUs, writeOut, cluster };
}

interface Endpoint {
  readonly text: string;
  readonly address: string;
  readonly port: number;
}

function parseEndpoint(text: string): Endpoint {
  const m = /^(?:[a-z]+:\/\/)?([^:/]+)(?::(\d+))?\/?$/.exec(text);
  if (m === null) throw new EtcdctlUsageError(`Error: invalid endpoint ${JSON.stringify(text)}`, EXIT_ERROR);
  return { text, address: m[1]!, port: m[2] !== undefined ? Number(m[2]) : 2379 };
}

type CallResult<M extends EtcdMethod> = { ok: true; body: EtcdMethods[M][1] } | { ok: false; error: string };

/** One clientv3-like connection per endpoint, with the retry interceptor for repeatable RPCs. */
class Client {
  private readonly channels = new Map<string, RpcChannel>();

  constructor(
    private readonly ctx: ProcessContext,
    private readonly inv: EtcdctlInvocation,
  ) {}

  private channel(ep: Endpoint): RpcChannel {
    let ch = this.channels.get(ep.text);
    if (ch === undefined) {
      ch = new RpcChannel(this.ctx, ep.address, ep.port, { connectTimeoutUs: this.inv.dialTimeoutUs });
      this.channels.set(ep.text, ch);
    }
    return ch;
  }

  /** A repeatable RPC to one endpoint, retried until `deadlineUs` (host monotonic). */
  call<M extends EtcdMethod>(ep: Endpoint, method: M, body: EtcdMethods[M][0], deadlineUs: number, done: (r: CallResult<M>) => void): void {
    const ctx = this.ctx;
    const attempt = (): void => {
      const leftUs = deadlineUs - ctx.monoUs();
      if (leftUs <= 0) {
        done({ ok: false, error: 'context deadline exceeded' });
        return;
      }
      this.channel(ep).call(method, body, leftUs, (result: RpcResult<EtcdReply<M>>) => {
        if (!result.ok) {
          if (result.failure.kind === 'deadline') done({ ok: false, error: 'context deadline exceeded' });
          else retry();
          return;
        }
        const reply = result.body;
        if (typeof reply === 'object' && reply !== null && 'error' in reply) {
          const e = (reply as { error: { code: string; message: string } }).error;
          if (e.code === 'Unavailable') retry();
          else done({ ok: false, error: e.message });
          return;
        }
        done({ ok: true, body: reply as EtcdMethods[M][1] });
      });
    };
    const retry = (): void => {
      const jitter = 1 + (ctx.rng.float() * 2 - 1) * 0.1;
      const waitUs = Math.round(RETRY_BACKOFF_US * jitter);
      if (ctx.monoUs() + waitUs >= deadlineUs) {
        ctx.setTimer(Math.max(0, deadlineUs - ctx.monoUs()), () => done({ ok: false, error: 'context deadline exceeded' }));
        return;
      }
      ctx.setTimer(waitUs, attempt);
    };
    attempt();
  }

  close(): void {
    for (const ch of this.channels.values()) ch.close();
  }
}

/** Runs one etcdctl command inside a process; `done` gets the output when it finishes. */
export function runEtcdctl(ctx: ProcessContext, args: readonly string[], done: (result: EtcdctlResult) => void): void {
  let inv: EtcdctlInvocation;
  let endpoints: Endpoint[];
  try {
    inv = parseEtcdctlArgs(args);
    endpoints = inv.endpoints.map(parseEndpoint);
  } catch (err) {
    if (err instanceof EtcdctlUsageError) {
      done({ stdout: '', stderr: `${err.message}\n`, exitCode: err.exitCode });
      return;
    }
    throw err;
  }
  const client = new Client(ctx, inv);
  const finish = (result: EtcdctlResult): void => {
    client.close();
    done(result);
  };
  const run = (eps: Endpoint[]): void => {
    switch (inv.command) {
      case 'endpoint status':
        endpointStatus(ctx, client, inv, eps, finish);
        return;
      case 'endpoint health':
        endpointHealth(ctx, client, inv, eps, finish);
        return;
      case 'member list':
        memberList(ctx, client, inv, eps, finish);
        return;
    }
  };
  if (!inv.cluster || inv.command === 'member list') {
    run(endpoints);
    return;
  }
  // --cluster: the endpoints are every member's client URLs from the member list.
  fetchMemberList(ctx, client, inv, endpoints, (r) => {
    if (!r.ok) {
      finish({ stdout: '', stderr: `Error: failed to fetch endpoints from etcd cluster member list: ${r.error}\n`, exitCode: EXIT_ERROR });
      return;
    }
    run(r.body.members.flatMap((m) => m.clientURLs).map(parseEndpoint));
  });
}

function fetchMemberList(ctx: ProcessContext, client: Client, inv: EtcdctlInvocation, eps: Endpoint[], done: (r: CallResult<'MemberList'>) => void): void {
  const deadlineUs = ctx.monoUs() + inv.commandTimeoutUs;
  // The balancer moves to the next endpoint when one fails; the deadline covers the whole call.
  const tryFrom = (i: number): void => {
    client.call(eps[i % eps.length]!, 'MemberList', { linearizable: true }, deadlineUs, (r) => {
      if (r.ok || r.error === 'context deadline exceeded' || eps.length === 1) done(r);
      else tryFrom(i + 1);
    });
  };
  tryFrom(0);
}

function memberList(ctx: ProcessContext, client: Client, inv: EtcdctlInvocation, eps: Endpoint[], done: (r: EtcdctlResult) => void): void {
  fetchMemberList(ctx, client, inv, eps, (r) => {
    if (!r.ok) {
      done({ stdout: '', stderr: `Error: ${r.error}\n`, exitCode: EXIT_ERROR });
      return;
    }
    const { header, rows } = memberListTable(r.body);
    done({ stdout: render(inv, header, rows), stderr: '', exitCode: 0 });
  });
}

/** makeMemberListTable. */
export function memberListTable(resp: MemberListResponse): { header: string[]; rows: string[][] } {
  const header = ['ID', 'Status', 'Name', 'Peer Addrs', 'Client Addrs', 'Is Learner'];
  const rows = resp.members.map((m) => [m.id, m.name.length === 0 ? 'unstarted' : 'started', m.name, m.peerURLs.join(','), m.clientURLs.join(','), String(m.isLearner)]);
  return { header, rows };
}

function endpointStatus(ctx: ProcessContext, client: Client, inv: EtcdctlInvocation, eps: Endpoint[], done: (r: EtcdctlResult) => void): void {
  const statuses: Array<{ ep: string; resp: StatusResponse }> = [];
  let stderr = '';
  let failed = false;
  const next = (i: number): void => {
    if (i >= eps.length) {
      const { header, rows } = endpointStatusTable(statuses);
      done({ stdout: render(inv, header, rows), stderr, exitCode: failed ? EXIT_ERROR : 0 });
      return;
    }
    const ep = eps[i]!;
    client.call(ep, 'Status', {}, ctx.monoUs() + inv.commandTimeoutUs, (r) => {
      if (r.ok) statuses.push({ ep: ep.text, resp: r.body });
      else {
        failed = true;
        stderr += `Failed to get the status of endpoint ${ep.text} (${r.error})\n`;
      }
      next(i + 1);
    });
  };
  next(0);
}

/** makeEndpointStatusTable. */
export function endpointStatusTable(statuses: ReadonlyArray<{ ep: string; resp: StatusResponse }>): { header: string[]; rows: string[][] } {
  const header = ['endpoint', 'ID', 'version', 'db size', 'is leader', 'is learner', 'raft term', 'raft index', 'raft applied index', 'errors'];
  const rows = statuses.map(({ ep, resp }) => [
    ep,
    resp.header.memberId,
    resp.version,
    humanizeBytes(resp.dbSize),
    String(resp.leader === resp.header.memberId),
    String(resp.isLearner),
    String(resp.raftTerm),
    String(resp.raftIndex),
    String(resp.raftAppliedIndex),
    resp.errors.join(', '),
  ]);
  return { header, rows };
}

interface EpHealth {
  readonly ep: string;
  readonly health: boolean;
  readonly took: string;
  readonly error: string;
}

function endpointHealth(ctx: ProcessContext, client: Client, inv: EtcdctlInvocation, eps: Endpoint[], done: (r: EtcdctlResult) => void): void {
  const results: EpHealth[] = [];
  if (eps.length === 0) {
    const { header, rows } = endpointHealthTable([]);
    done({ stdout: render(inv, header, rows), stderr: '', exitCode: 0 });
    return;
  }
  for (const ep of eps) {
    const startUs = ctx.monoUs();
    client.call(ep, 'Range', { key: 'health' }, startUs + inv.commandTimeoutUs, (r) => {
      const took = formatDurationUs(ctx.monoUs() - startUs);
      results.push(r.ok ? { ep: ep.text, health: true, took, error: '' } : { ep: ep.text, health: false, took, error: r.error });
      if (results.length < eps.length) return;
      const errs = results.some((h) => h.error !== '');
      let stdout = '';
      let stderr = '';
      if (inv.writeOut === 'table') {
        const { header, rows } = endpointHealthTable(results);
        stdout = renderTable(header, rows);
      } else {
        for (const h of results) {
          if (h.error === '') stdout += `${h.ep} is healthy: successfully committed proposal: took = ${h.took}\n`;
          else stderr += `${h.ep} is unhealthy: failed to commit proposal: ${h.error}\n`;
        }
      }
      if (errs) stderr += 'Error: unhealthy cluster\n';
      done({ stdout, stderr, exitCode: errs ? EXIT_ERROR : 0 });
    });
  }
}

/** makeEndpointHealthTable. */
export function endpointHealthTable(list: readonly EpHealth[]): { header: string[]; rows: string[][] } {
  return { header: ['endpoint', 'health', 'took', 'error'], rows: list.map((h) => [h.ep, String(h.health), h.took, h.error]) };
}

function render(inv: EtcdctlInvocation, header: string[], rows: string[][]): string {
  if (inv.writeOut === 'table') return renderTable(header, rows);
  return rows.map((row) => `${row.join(', ')}\n`).join('');
}

/**
 * A process running one etcdctl command and exiting with its status. Give each invocation a distinct `name` on its
 * host (a host runs one process per name).
 */
export function etcdctlProcessSpec(args: readonly string[], done: (result: EtcdctlResult) => void, name = 'etcdctl'): ProcessSpec {
  return {
    name,
    create(ctx) {
      runEtcdctl(ctx, args, (result) => {
        done(result);
        ctx.exit(result.exitCode, `etcdctl ${args.join(' ')}`);
      });
      return {};
    },
  };
}
