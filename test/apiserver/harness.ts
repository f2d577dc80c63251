// A small control plane for apiserver, LB and client tests: three etcd hosts (the fake etcd cluster, or real
// members later), three apiserver hosts, optional LB, a client host.
import { Simulation } from '../../src/sim/simulation';
import type { Host } from '../../src/sim/host';
import type { ProcessContext } from '../../src/sim/process';
import { apiserverProcessSpec, type ApiserverProcessSpec } from '../../src/apiserver/server';
import type { ApiserverConfig } from '../../src/apiserver/config';
import { RestClient, RestTransport, type RestClientConfig } from '../../src/client/rest-client';
import { FakeEtcdCluster } from '../client/fake-etcd';
import { etcdProcessSpec } from '../../src/raft/server/process';
import { EtcdClusterObserver } from '../../src/raft/server/observer';
import { haproxyProcessSpec, type HaproxyProcessSpec } from '../../src/lb/haproxy';
import { kubeadmHaproxyCfg, type HaproxyCfg } from '../../src/lb/config';

export const ETCD_ADDRESSES = ['10.0.0.11', '10.0.0.12', '10.0.0.13'];
export const API_ADDRESSES = ['10.0.0.21', '10.0.0.22', '10.0.0.23'];
export const CLIENT_ADDRESS = '10.0.1.10';
export const LB_ADDRESS = '10.0.0.100';

export interface Plane {
  readonly sim: Simulation;
  /** The fake cluster (also created, unused, when real members run). */
  readonly etcd: FakeEtcdCluster;
  /** Real members' observer, when `realEtcd`. */
  readonly observer: EtcdClusterObserver | null;
  readonly lb: HaproxyProcessSpec | null;
  readonly lbHost: Host | null;
  readonly etcdHosts: Host[];
  readonly apiHosts: Host[];
  readonly apiservers: ApiserverProcessSpec[];
  readonly clientHost: Host;
}

export interface PlaneOptions {
  seed?: number | string;
  apiservers?: number;
  apiserver?: Partial<ApiserverConfig>;
  latencyUs?: number;
  /** Run real etcd members (src/raft/server) instead of the fake. */
  realEtcd?: boolean;
  /** An LB host (10.0.0.100) running HAProxy with this config; `true` for the kubeadm guide's. */
  lb?: HaproxyCfg | string | true;
}

export function newPlane(options: PlaneOptions = {}): Plane {
  const sim = new Simulation({ seed: options.seed ?? 1 });
  if (options.latencyUs !== undefined) sim.network.defaultLink = { ...sim.network.defaultLink, latency: { kind: 'constant', us: options.latencyUs } };
  const etcd = new FakeEtcdCluster();
  const observer = options.realEtcd ? new EtcdClusterObserver() : null;
  const initialCluster = ETCD_ADDRESSES.map((a, i) => `etcd-${i}=https://${a}:2380`).join(',');
  const etcdHosts = ETCD_ADDRESSES.map((address, i) => {
    const host = sim.addHost(`etcd-${i}`, { address });
    if (observer === null) host.addProcess(etcd.memberSpec());
    else {
      host.addProcess(
        etcdProcessSpec({
          flags: {
            name: `etcd-${i}`,
            'initial-cluster': initialCluster,
            'initial-advertise-peer-urls': `https://${address}:2380`,
            'advertise-client-urls': `https://${address}:2379`,
            'listen-peer-urls': `https://${address}:2380`,
            'listen-client-urls': `https://${address}:2379`,
          },
          observer,
        }),
      );
    }
    return host;
  });
  if (observer !== null) sim.engine.addInvariant(observer.safetyInvariant());
  const n = options.apiservers ?? 3;
  const apiHosts: Host[] = [];
  const apiservers: ApiserverProcessSpec[] = [];
  for (let i = 0; i < n; i++) {
    const host = sim.addHost(`cp-${i}`, { address: API_ADDRESSES[i]! });
    const spec = apiserverProcessSpec({ etcdServers: ETCD_ADDRESSES.map((a) => `https://${a}:2379`), ...options.apiserver });
    host.addProcess(spec);
    apiHosts.push(host);
    apiservers.push(spec);
  }
  const clientHost = sim.addHost('client', { address: CLIENT_ADDRESS });
  let lb: HaproxyProcessSpec | null = null;
  let lbHost: Host | null = null;
  if (options.lb !== undefined) {
    lbHost = sim.addHost('lb', { address: LB_ADDRESS });
    const cfg = options.lb === true ? kubeadmHaproxyCfg(apiHosts.map((h) => ({ name: h.name, address: h.name }))) : options.lb;
    lb = haproxyProcessSpec(cfg, sim.network);
    lbHost.addProcess(lb);
  }
  return { sim, etcd, observer, lb, lbHost, etcdHosts, apiHosts, apiservers, clientHost };
}

export interface ClientHandle {
  ctx: ProcessContext | null;
  transport: RestTransport | null;
  client: RestClient | null;
}

/** Starts a process on `host` that builds a REST client to `server` and runs `body` with it. */
export function startClient(
  host: Host,
  name: string,
  server: string,
  body: (client: RestClient, ctx: ProcessContext) => void,
  config: RestClientConfig = { qps: -1 },
): ClientHandle {
  const handle: ClientHandle = { ctx: null, transport: null, client: null };
  host.addProcess({
    name,
    create(ctx) {
      const transport = new RestTransport(ctx, { server: { address: server } });
      const client = new RestClient(transport, config);
      handle.ctx = ctx;
      handle.transport = transport;
      handle.client = client;
      body(client, ctx);
      return {};
    },
  });
  return handle;
}
