// Test fixture: a simulated etcd cluster (one host per member) plus a client host, as black boxes on the engine.
import { Simulation } from '../../../src/sim/simulation';
import type { ProcessContext } from '../../../src/sim/process';
import { RpcChannel, type RpcResult } from '../../../src/sim/rpc';
import type { EtcdMethod, EtcdMethods, EtcdReply } from '../../../src/raft/etcd-api';
import { ETCD_CLIENT_PORT } from '../../../src/raft/etcd-api';
import type { EtcdFlags, EtcdMemberOptions } from '../../../src/raft/server/config';
import { EtcdClusterObserver } from '../../../src/raft/server/observer';
import { etcdProcessSpec } from '../../../src/raft/server/process';
import type { Host } from '../../../src/sim/host';

export interface ClusterOptions {
  readonly seed: number | string;
  readonly members?: number;
  readonly flags?: Partial<EtcdFlags>;
  readonly member?: Omit<EtcdMemberOptions, 'flags'>;
  /** Per-member overrides by index. */
  readonly memberFlags?: ReadonlyArray<Partial<EtcdFlags> | undefined>;
  readonly safety?: boolean;
  /** Member indexes whose hosts are down from the start (dead members). */
  readonly down?: readonly number[];
}

export interface TestCluster {
  readonly sim: Simulation;
  readonly observer: EtcdClusterObserver;
  readonly names: readonly string[];
  readonly hosts: readonly Host[];
  readonly client: TestClient;
}

export function address(i: number): string {
  return `10.0.0.${10 + i}`;
}

export function startCluster(options: ClusterOptions): TestCluster {
  const n = options.members ?? 3;
  const sim = new Simulation({ seed: options.seed, replayCommand: `seed ${options.seed}` });
  const observer = new EtcdClusterObserver();
  const names = Array.from({ length: n }, (_, i) => `etcd-${i}`);
  const initialCluster = names.map((name, i) => `${name}=https://${address(i)}:2380`).join(',');
  const hosts: Host[] = [];
  for (let i = 0; i < n; i++) hosts.push(sim.addHost(names[i]!, { address: address(i) }));
  const clientHost = sim.addHost('client', { address: '10.0.1.1' });
  for (let i = 0; i < n; i++) {
    const flags: EtcdFlags = {
      name: names[i],
      'initial-cluster': initialCluster,
      'initial-advertise-peer-urls': `https://${address(i)}:2380`,
      'advertise-client-urls': `https://${address(i)}:2379`,
      'listen-peer-urls': `https://${address(i)}:2380`,
      'listen-client-urls': `https://${address(i)}:2379`,
      'initial-cluster-token': 'etcd-cluster',
      ...options.flags,
      ...options.memberFlags?.[i],
    };
    hosts[i]!.addProcess(etcdProcessSpec({ ...options.member, flags, observer }));
  }
  for (const i of options.down ?? []) hosts[i]!.crash('dead from the start');
  if (options.safety !== false) sim.engine.addInvariant(observer.safetyInvariant());
  const client = new TestClient(n);
  clientHost.addProcess({ name: 'client', create: (ctx) => client.bind(ctx) });
  sim.start();
  return { sim, observer, names, hosts, client };
}

export type CallOutcome<M extends EtcdMethod> =
  | { readonly done: false }
  | { readonly done: true; readonly ok: true; readonly body: EtcdMethods[M][1]; readonly atUs: number }
  | { readonly done: true; readonly ok: false; readonly error: string; readonly code: string; readonly atUs: number };

/** A client process with one gRPC channel per member. */
export class TestClient {
  private ctx: ProcessContext | null = null;
  private channels: RpcChannel[] = [];

  constructor(private readonly members: number) {}

  bind(ctx: ProcessContext): Record<string, never> {
    this.ctx = ctx;
    this.channels = Array.from({ length: this.members }, (_, i) => new RpcChannel(ctx, address(i), ETCD_CLIENT_PORT, { connectTimeoutUs: 2_000_000 }));
    return {};
  }

  /** Starts a call; the returned object fills in when it completes. */
  call<M extends EtcdMethod>(member: number, method: M, body: EtcdMethods[M][0], timeoutUs: number | null = 10_000_000): { outcome: CallOutcome<M>; pushes: unknown[] } {
    const holder: { outcome: CallOutcome<M>; pushes: unknown[] } = { outcome: { done: false }, pushes: [] };
    const ctx = this.ctx!;
    this.channels[member]!.call(method, body, timeoutUs, (result: RpcResult<EtcdReply<M>>) => {
      const atUs = ctx.host.engine.nowUs;
      if (!result.ok) {
        holder.outcome = { done: true, ok: false, error: result.failure.kind === 'deadline' ? 'context deadline exceeded' : `connection: ${result.failure.kind}`, code: 'client', atUs };
        return;
      }
      if (result.more) {
        holder.pushes.push(result.body);
        return;
      }
      const body = result.body as EtcdReply<M>;
      if (typeof body === 'object' && body !== null && 'error' in body) {
        const e = (body as { error: { code: string; message: string } }).error;
        holder.outcome = { done: true, ok: false, error: e.message, code: e.code, atUs };
      } else holder.outcome = { done: true, ok: true, body: body as EtcdMethods[M][1], atUs };
    });
    return holder;
  }
}

/** Runs the simulation in small steps until `done()` holds; returns the time it first held (or throws). */
export function runUntilTrue(c: TestCluster, done: () => boolean, limitUs: number, stepUs = 10_000): number {
  const end = c.sim.engine.nowUs + limitUs;
  while (c.sim.engine.nowUs < end) {
    if (done()) return c.sim.engine.nowUs;
    c.sim.runUntil(Math.min(end, c.sim.engine.nowUs + stepUs));
    if (c.sim.engine.violation) throw new Error(`safety violation: ${c.sim.engine.violation.message}`);
  }
  if (done()) return c.sim.engine.nowUs;
  throw new Error(`condition not reached within ${limitUs}µs (now ${c.sim.engine.nowUs}µs)`);
}

/** Runs for `us` and fails on a safety violation. */
export function runFor(c: TestCluster, us: number): void {
  c.sim.runUntil(c.sim.engine.nowUs + us);
  if (c.sim.engine.violation) throw new Error(`safety violation: ${c.sim.engine.violation.message}`);
}

/** The index of the current leader (by member index), or -1. */
export function leaderIndex(c: TestCluster): number {
  const l = c.observer.leader();
  return l === null ? -1 : c.names.indexOf(l.name);
}

/** Waits for a leader that every running member follows; returns its index. */
export function waitForStableLeader(c: TestCluster, limitUs = 10_000_000): number {
  runUntilTrue(
    c,
    () => {
      const l = c.observer.leader();
      if (l === null) return false;
      const st = l.node()!.status();
      return c.observer.members.every((m) => m.node() === null || (m.node()!.status().lead === l.id && m.node()!.status().term === st.term));
    },
    limitUs,
  );
  return leaderIndex(c);
}
