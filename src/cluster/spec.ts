// ClusterSpec: the whole control plane as data — what a scenario's `spec` resolves to, and what programmatic users
// (tests, sweeps, property checks) build directly. buildCluster() turns it into hosts and processes.
//
// Defaults model the seed guide: three stacked control-plane hosts server-0..2 (10.0.0.10-12), each running etcd,
// kube-apiserver, kube-scheduler and kube-controller-manager; one HAProxy load balancer at 10.0.0.100:6443; two
// worker nodes worker-0..1 (10.0.0.20-21).
import { DEFAULT_EPOCH_UNIX_US } from '../sim/clock';
import type { LatencyDist } from '../sim/latency';
import { DEFAULT_LINK, type LinkModel } from '../sim/network';
import { COMPONENT_FLAGS, type ComponentName } from '../scenario/flags';

export interface HostSpec {
  readonly name: string;
  /** IPv4 address. */
  readonly address: string;
}

export type FlagValue = string | number | boolean;

/** Flag overrides per component, under their real names (`--leader-elect-lease-duration`: '30s'). */
export type ComponentFlags = { readonly [C in ComponentName]?: Readonly<Record<string, FlagValue>> };

export interface LoadBalancerSpec {
  /** haproxy (kubeadm's guide) or nlb (AWS Network Load Balancer). */
  readonly type: 'haproxy' | 'nlb';
  /** One host, or two for a keepalived pair sharing a floating VIP (haproxy only). */
  readonly hosts: readonly HostSpec[];
  /** The address clients use: the single LB's own address, or the pair's VIP. */
  readonly address: string;
  readonly port: number;
}

export interface LinkOverride {
  /** Host name or '*'. */
  readonly from: string;
  readonly to: string;
  readonly patch: Partial<LinkModel>;
}

export interface NetworkSpec {
  /** Model of every link unless overridden. */
  readonly defaultLink: LinkModel;
  readonly links: readonly LinkOverride[];
}

export interface HostClockSpec {
  readonly offsetUs?: number;
  readonly driftPpm?: number;
}

export interface DiskSpec {
  /** WAL fsync latency (etcd's wal_fsync_duration_seconds); default: the etcd model's healthy SSD. */
  readonly fsyncLatency?: LatencyDist;
}

export interface ReplicaSetSpec {
  readonly name: string;
  readonly namespace: string;
  readonly replicas: number;
  /** Created through the API at this time. */
  readonly atUs: number;
}

export interface PodSpec {
  readonly name: string;
  readonly namespace: string;
  readonly atUs: number;
}

export interface WorkloadSpec {
  readonly replicaSets: readonly ReplicaSetSpec[];
  readonly pods: readonly PodSpec[];
}

export interface ClusterSpec {
  /** stacked: etcd runs on the control-plane hosts; external: on hosts of its own. */
  readonly etcdTopology: 'stacked' | 'external';
  /**
   * How the control-plane components run: as static pods the kubelet starts and restarts (kubeadm, the default), or
   * as systemd units (`systemctl stop kube-scheduler` applies; Restart=on-failure, RestartSec=5s).
   */
  readonly componentMode: 'static-pods' | 'systemd';
  readonly controlPlane: readonly HostSpec[];
  /** The etcd members' hosts: the control-plane hosts when stacked. */
  readonly etcdHosts: readonly HostSpec[];
  readonly workers: readonly HostSpec[];
  readonly loadBalancer: LoadBalancerSpec;
  /** A host outside the cluster running the API availability probe through the load balancer; null for none. */
  readonly client: HostSpec | null;
  readonly flags: ComponentFlags;
  readonly network: NetworkSpec;
  /** Wall-clock time at t=0 (Unix µs). */
  readonly epochUnixUs: number;
  readonly clocks: Readonly<Record<string, HostClockSpec>>;
  /** Disk models by host name; '*' applies to every host without its own entry. */
  readonly disks: Readonly<Record<string, DiskSpec>>;
  /** Delay before a process first starts, keyed `host/process` (e.g. kubeadm's join order). */
  readonly startDelaysUs: Readonly<Record<string, number>>;
  readonly workload: WorkloadSpec;
}

export const DEFAULT_LB_PORT = 6443;

/** Names and addresses used when a scenario gives only a count. */
export const HOST_DEFAULTS = {
  controlPlane: { prefix: 'server-', firstAddress: '10.0.0.10' },
  workers: { prefix: 'worker-', firstAddress: '10.0.0.20' },
  etcdHosts: { prefix: 'etcd-', firstAddress: '10.0.0.30' },
  lbPair: { prefix: 'lb-', firstAddress: '10.0.0.101' },
  lbSingle: { name: 'lb', address: '10.0.0.100' },
  client: { name: 'client', address: '10.0.0.250' },
} as const;

export function addressPlus(address: string, n: number): string {
  const parts = address.split('.').map(Number);
  const value = ((parts[0]! << 24) >>> 0) + (parts[1]! << 16) + (parts[2]! << 8) + parts[3]! + n;
  return [(value >>> 24) & 255, (value >>> 16) & 255, (value >>> 8) & 255, value & 255].join('.');
}

export function numberedHosts(count: number, prefix: string, firstAddress: string): HostSpec[] {
  return Array.from({ length: count }, (_, i) => ({ name: `${prefix}${i}`, address: addressPlus(firstAddress, i) }));
}

/** The seed guide's cluster. */
export function defaultClusterSpec(): ClusterSpec {
  const controlPlane = numberedHosts(3, HOST_DEFAULTS.controlPlane.prefix, HOST_DEFAULTS.controlPlane.firstAddress);
  return {
    etcdTopology: 'stacked',
    componentMode: 'static-pods',
    controlPlane,
    etcdHosts: controlPlane,
    workers: numberedHosts(2, HOST_DEFAULTS.workers.prefix, HOST_DEFAULTS.workers.firstAddress),
    loadBalancer: {
      type: 'haproxy',
      hosts: [{ name: HOST_DEFAULTS.lbSingle.name, address: HOST_DEFAULTS.lbSingle.address }],
      address: HOST_DEFAULTS.lbSingle.address,
      port: DEFAULT_LB_PORT,
    },
    client: { name: HOST_DEFAULTS.client.name, address: HOST_DEFAULTS.client.address },
    flags: {},
    network: { defaultLink: DEFAULT_LINK, links: [] },
    epochUnixUs: DEFAULT_EPOCH_UNIX_US,
    clocks: {},
    disks: {},
    startDelaysUs: {},
    workload: { replicaSets: [], pods: [] },
  };
}

/** Every host of the cluster, in a fixed order: control plane, external etcd, LB, workers, the probe's client. */
export function allHosts(spec: ClusterSpec): HostSpec[] {
  const hosts = [...spec.controlPlane];
  if (spec.etcdTopology === 'external') hosts.push(...spec.etcdHosts);
  hosts.push(...spec.loadBalancer.hosts, ...spec.workers);
  if (spec.client !== null) hosts.push(spec.client);
  return hosts;
}

/** The value of a flag: the override if set, else the real default. Throws on a flag the component lacks. */
export function flagValue(spec: ClusterSpec, component: ComponentName, name: string): FlagValue {
  const override = spec.flags[component]?.[name];
  if (override !== undefined) return override;
  const def = COMPONENT_FLAGS[component].find((f) => f.name === name);
  if (def === undefined) throw new Error(`${component} has no flag ${name}`);
  return def.default;
}
