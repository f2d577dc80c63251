// From the schema-checked document to a Scenario: hosts named and addressed, flags checked together (with the
// components' own error texts), fault targets, inspection hosts and expectation names checked against the
// topology. Every problem carries the path of the field at fault so it is reported at its line and column.
import type { Fault, FaultStep } from '../sim/faults';
import type { LatencyDist } from '../sim/latency';
import { DEFAULT_LINK, type LinkModel } from '../sim/network';
import { formatDurationUs, parseDurationUs } from '../sim/time';
import { PROC, hostRole, processNames } from '../cluster/roles';
import {
  DEFAULT_LB_PORT,
  HOST_DEFAULTS,
  allHosts,
  defaultClusterSpec,
  flagValue,
  numberedHosts,
  type ClusterSpec,
  type ComponentFlags,
  type HostSpec,
  type LinkOverride,
} from '../cluster/spec';
import { haproxyCfgFor } from '../cluster/lb';
import { compileHaproxyConfig, HaproxyConfigError } from '../lb/config';
import { didYouMean, type PathProblem, type PathSegment } from './diagnostics';
import type { ComponentName } from './flags';
import type { RawExpectation, RawFault, RawLatency, RawScenario } from './schema';
import { DEFAULT_DURATION_US, DEFAULT_SEED, LEADER_REF_PREFIX, METRIC_PATTERNS, type Expectation, type Inspection, type MetricUnit, type Scenario } from './types';

/**
 * Invariants a run can report: the cluster's own (lease exclusivity, Raft safety) and those `kube-ha-sim check`
 * adds (src/check/checkers CHECKER_NAMES).
 */
export const KNOWN_INVARIANTS: readonly string[] = ['lease-exclusivity', 'raft-safety', 'duplicated-work', 'acked-write-lost', 'linearizability', 'liveness'];

export class Problems {
  readonly list: PathProblem[] = [];
  add(path: readonly PathSegment[], message: string, atKey = false): void {
    this.list.push({ path, message, atKey });
  }
}

type RawHostList = number | ReadonlyArray<string | { name: string; address?: string | undefined }> | undefined;

function hosts(raw: RawHostList, fallback: readonly HostSpec[], prefix: string, firstAddress: string): HostSpec[] {
  if (raw === undefined) return [...fallback];
  if (typeof raw === 'number') return numberedHosts(raw, prefix, firstAddress);
  const numbered = numberedHosts(raw.length, prefix, firstAddress);
  return raw.map((entry, i) =>
    typeof entry === 'string' ? { name: entry, address: numbered[i]!.address } : { name: entry.name, address: entry.address ?? numbered[i]!.address },
  );
}

/** Every lease the cluster's elections use, `namespace/name`. */
export function electionLeases(cluster: ClusterSpec): { scheduler: string; controllerManager: string } {
  const lease = (c: 'kube-scheduler' | 'kube-controller-manager'): string =>
    `${String(flagValue(cluster, c, '--leader-elect-resource-namespace'))}/${String(flagValue(cluster, c, '--leader-elect-resource-name'))}`;
  return { scheduler: lease('kube-scheduler'), controllerManager: lease('kube-controller-manager') };
}

/** `kube-scheduler` -> `kube-system/kube-scheduler`, checked against the cluster's leases; null if unknown. */
export function normaliseLease(cluster: ClusterSpec, name: string): string | null {
  const leases = Object.values(electionLeases(cluster));
  const full = name.includes('/') ? name : `kube-system/${name}`;
  if (leases.includes(full)) return full;
  // a component name refers to its own lease
  if (name === 'kube-scheduler') return electionLeases(cluster).scheduler;
  if (name === 'kube-controller-manager') return electionLeases(cluster).controllerManager;
  return null;
}

function latencyUs(raw: RawLatency): LatencyDist {
  switch (raw.distribution) {
    case 'constant':
      return { kind: 'constant', us: raw.value };
    case 'uniform':
      return { kind: 'uniform', minUs: raw.min, maxUs: raw.max };
    case 'normal':
      return { kind: 'normal', meanUs: raw.mean, stddevUs: raw.stddev, floorUs: raw.floor ?? 0 };
    case 'lognormal':
      return { kind: 'lognormal', medianUs: raw.median, sigma: raw.sigma, floorUs: raw.floor ?? 0 };
  }
}

interface RawLinkFields {
  latency?: RawLatency | undefined;
  loss?: number | undefined;
  duplicate?: number | undefined;
  reorder?: number | undefined;
  reorderDelay?: RawLatency | undefined;
}

function linkPatch(raw: RawLinkFields, path: readonly PathSegment[], problems: Problems): Partial<LinkModel> {
  const patch: { -readonly [K in keyof LinkModel]?: LinkModel[K] } = {};
  if (raw.latency !== undefined) patch.latency = latencyUs(raw.latency);
  if (raw.loss !== undefined) patch.lossRate = raw.loss;
  if (raw.duplicate !== undefined) patch.duplicateRate = raw.duplicate;
  if (raw.reorder !== undefined) patch.reorderRate = raw.reorder;
  if (raw.reorderDelay !== undefined) patch.reorderDelay = latencyUs(raw.reorderDelay);
  if (raw.latency?.distribution === 'uniform' && raw.latency.min > raw.latency.max) problems.add([...path, 'latency', 'max'], 'expected max >= min');
  return patch;
}

export function resolveScenario(raw: RawScenario, document: unknown, file: string | null, problems: Problems): Scenario | null {
  const spec = raw.spec;
  const base = defaultClusterSpec();
  const topo = spec.topology ?? {};
  const etcdTopology = topo.etcd ?? 'stacked';
  const controlPlane = hosts(topo.controlPlane, base.controlPlane, HOST_DEFAULTS.controlPlane.prefix, HOST_DEFAULTS.controlPlane.firstAddress);
  if (controlPlane.length === 0) problems.add(['spec', 'topology', 'controlPlane'], 'expected at least one control-plane host');
  let etcdHosts = controlPlane;
  if (etcdTopology === 'external') {
    etcdHosts = hosts(topo.etcdHosts ?? 3, [], HOST_DEFAULTS.etcdHosts.prefix, HOST_DEFAULTS.etcdHosts.firstAddress);
    if (etcdHosts.length === 0) problems.add(['spec', 'topology', 'etcdHosts'], 'expected at least one etcd host');
  } else if (topo.etcdHosts !== undefined) {
    problems.add(['spec', 'topology', 'etcdHosts'], 'etcdHosts is only for external etcd (set topology.etcd: external); stacked etcd runs on the control-plane hosts', true);
  }
  const workers = hosts(topo.workers, base.workers, HOST_DEFAULTS.workers.prefix, HOST_DEFAULTS.workers.firstAddress);

  const lbRaw = topo.loadBalancer ?? {};
  const lbType = lbRaw.type ?? 'haproxy';
  const lbHostsRaw = lbRaw.hosts;
  let lbHosts: HostSpec[];
  let lbAddress: string;
  const pairSize = typeof lbHostsRaw === 'number' ? lbHostsRaw : (lbHostsRaw?.length ?? 1);
  if (pairSize === 1) {
    const single = hosts(lbHostsRaw, base.loadBalancer.hosts, HOST_DEFAULTS.lbSingle.name, HOST_DEFAULTS.lbSingle.address);
    const name = typeof lbHostsRaw === 'number' ? HOST_DEFAULTS.lbSingle.name : single[0]!.name;
    lbAddress = lbRaw.address ?? (Array.isArray(lbHostsRaw) && typeof lbHostsRaw[0] === 'object' && lbHostsRaw[0].address ? lbHostsRaw[0].address : HOST_DEFAULTS.lbSingle.address);
    lbHosts = [{ name, address: lbAddress }];
  } else if (pairSize === 2) {
    lbHosts = hosts(lbHostsRaw, [], HOST_DEFAULTS.lbPair.prefix, HOST_DEFAULTS.lbPair.firstAddress);
    lbAddress = lbRaw.address ?? HOST_DEFAULTS.lbSingle.address;
    if (lbType === 'nlb') problems.add(['spec', 'topology', 'loadBalancer', 'hosts'], 'an nlb is one managed load balancer: expected 1 host (a redundant pair with a VIP is for haproxy + keepalived)');
  } else {
    lbHosts = [];
    lbAddress = lbRaw.address ?? HOST_DEFAULTS.lbSingle.address;
    problems.add(['spec', 'topology', 'loadBalancer', 'hosts'], `expected 1 load-balancer host, or 2 for a keepalived pair with a VIP, got ${pairSize}`);
  }

  const startDelaysUs: Record<string, number> = {};
  const flags = resolveFlags(spec.components, problems);
  const clocks: Record<string, { offsetUs?: number; driftPpm?: number }> = {};
  for (const [host, c] of Object.entries(spec.clocks?.hosts ?? {})) {
    const entry: { offsetUs?: number; driftPpm?: number } = {};
    if (c.offset !== undefined) entry.offsetUs = c.offset;
    if (c.driftPpm !== undefined) entry.driftPpm = c.driftPpm;
    clocks[host] = entry;
  }

  const disks: Record<string, { fsyncLatency?: LatencyDist }> = {};
  if (spec.disks?.fsync !== undefined) disks['*'] = { fsyncLatency: latencyUs(spec.disks.fsync) };
  for (const [host, dsk] of Object.entries(spec.disks?.hosts ?? {})) disks[host] = dsk.fsync !== undefined ? { fsyncLatency: latencyUs(dsk.fsync) } : {};

  let defaultLink: LinkModel = DEFAULT_LINK;
  const links: LinkOverride[] = [];
  if (spec.network) {
    defaultLink = { ...DEFAULT_LINK, ...linkPatch(spec.network, ['spec', 'network'], problems) };
    (spec.network.links ?? []).forEach((l, i) => links.push({ from: l.from, to: l.to, patch: linkPatch(l, ['spec', 'network', 'links', i], problems) }));
  }

  const cluster: ClusterSpec = {
    etcdTopology,
    componentMode: topo.components ?? 'static-pods',
    controlPlane,
    etcdHosts,
    workers,
    loadBalancer: { type: lbType, hosts: lbHosts, address: lbAddress, port: lbRaw.port ?? DEFAULT_LB_PORT },
    client: topo.apiProbe === false ? null : base.client,
    flags,
    network: { defaultLink, links },
    epochUnixUs: spec.clocks?.epoch !== undefined ? Date.parse(spec.clocks.epoch) * 1000 : base.epochUnixUs,
    clocks,
    disks,
    startDelaysUs,
    workload: {
      replicaSets: (spec.workload?.replicaSets ?? []).map((r) => ({ name: r.name, namespace: r.namespace ?? 'default', replicas: r.replicas, atUs: r.at ?? 0 })),
      pods: (spec.workload?.pods ?? []).map((p) => ({ name: p.name, namespace: p.namespace ?? 'default', atUs: p.at ?? 0 })),
    },
  };

  checkHosts(cluster, problems);
  checkFlagsTogether(cluster, spec.components !== undefined, problems);
  const names = new Set(allHosts(cluster).map((h) => h.name));
  for (const host of Object.keys(spec.clocks?.hosts ?? {})) {
    if (!names.has(host)) problems.add(['spec', 'clocks', 'hosts', host], `no host named "${host}"${didYouMean(host, [...names])}`, true);
  }
  for (const host of Object.keys(spec.disks?.hosts ?? {})) {
    if (!names.has(host)) problems.add(['spec', 'disks', 'hosts', host], `no host named "${host}"${didYouMean(host, [...names])}`, true);
  }
  for (const [key, delayUs] of Object.entries(topo.startDelays ?? {})) {
    const target = parseProcessTarget(cluster, key);
    if (typeof target === 'string') problems.add(['spec', 'topology', 'startDelays', key], target, true);
    else if (target.process === undefined) problems.add(['spec', 'topology', 'startDelays', key], `expected host/process, e.g. ${cluster.controlPlane[0]?.name ?? 'server-0'}/kube-scheduler`, true);
    else startDelaysUs[key] = delayUs;
  }
  (spec.network?.links ?? []).forEach((l, i) => {
    for (const end of ['from', 'to'] as const) {
      const h = l[end];
      if (h !== '*' && !names.has(h)) problems.add(['spec', 'network', 'links', i, end], `no host named "${h}"${didYouMean(h, [...names])}`);
    }
  });

  const durationUs = spec.duration ?? DEFAULT_DURATION_US;
  const faults: FaultStep[] = [];
  (spec.faults ?? []).forEach((f, i) => {
    const step = resolveFault(cluster, f, ['spec', 'faults', i], problems);
    if (step && step.atUs > durationUs) {
      problems.add(['spec', 'faults', i, 'at'], `at ${formatDurationUs(step.atUs)} is after the end of the run (spec.duration ${formatDurationUs(durationUs)})`);
    }
    if (step) faults.push(step);
  });

  const stepNames = new Set<string>();
  const inspections: Inspection[] = [];
  (spec.inspect ?? []).forEach((s, i) => {
    const on = s.on ?? cluster.controlPlane[0]?.name ?? '';
    if (s.on !== undefined && !names.has(s.on)) problems.add(['spec', 'inspect', i, 'on'], `no host named "${s.on}"${didYouMean(s.on, [...names])}`);
    if (s.at > durationUs) problems.add(['spec', 'inspect', i, 'at'], `at ${formatDurationUs(s.at)} is after the end of the run (spec.duration ${formatDurationUs(durationUs)})`);
    if (s.name !== undefined) {
      if (stepNames.has(s.name)) problems.add(['spec', 'inspect', i, 'name'], `duplicate step name "${s.name}"`);
      stepNames.add(s.name);
    }
    inspections.push({ atUs: s.at, exec: s.exec.trim(), on, name: s.name ?? null });
  });

  const expectations: Expectation[] = [];
  (spec.expectations ?? []).forEach((e, i) => {
    const resolved = resolveExpectation(cluster, e, ['spec', 'expectations', i], stepNames, problems);
    if (resolved) expectations.push(resolved);
  });

  if (problems.list.length > 0) return null;
  return {
    name: raw.metadata.name,
    description: raw.metadata.description ?? '',
    file,
    seed: spec.seed ?? DEFAULT_SEED,
    durationUs,
    cluster,
    faults,
    inspections,
    expectations,
    document,
  };
}

function resolveFlags(raw: RawScenario['spec']['components'], _problems: Problems): ComponentFlags {
  const out: Record<string, Record<string, string | number | boolean>> = {};
  for (const [component, section] of Object.entries(raw ?? {})) {
    if (section === undefined) continue;
    const values: Record<string, string | number | boolean> = {};
    for (const [flag, value] of Object.entries(section)) if (value !== undefined) values[flag] = value as string | number | boolean;
    out[component] = values;
  }
  return out as ComponentFlags;
}

function checkHosts(cluster: ClusterSpec, problems: Problems): void {
  const seenNames = new Map<string, string>();
  const seenAddresses = new Map<string, string>();
  const groups: Array<[string, readonly HostSpec[]]> = [
    ['controlPlane', cluster.controlPlane],
    ...(cluster.etcdTopology === 'external' ? ([['etcdHosts', cluster.etcdHosts]] as Array<[string, readonly HostSpec[]]>) : []),
    ['workers', cluster.workers],
  ];
  for (const [group, list] of groups) {
    list.forEach((h, i) => {
      const path = ['spec', 'topology', group, i];
      if (seenNames.has(h.name)) problems.add(path, `duplicate host name "${h.name}" (also in ${seenNames.get(h.name)})`);
      seenNames.set(h.name, group);
      if (seenAddresses.has(h.address)) problems.add(path, `address ${h.address} of ${h.name} is already used by ${seenAddresses.get(h.address)}`);
      seenAddresses.set(h.address, h.name);
    });
  }
  const lb = cluster.loadBalancer;
  if (cluster.client !== null) {
    const c = cluster.client;
    if (seenNames.has(c.name)) problems.add(['spec', 'topology'], `host name "${c.name}" is reserved for the API probe's client host (set topology.apiProbe: false to free it)`);
    seenNames.set(c.name, 'client');
    seenAddresses.set(c.address, c.name);
  }
  lb.hosts.forEach((h, i) => {
    const path = ['spec', 'topology', 'loadBalancer', 'hosts', i];
    if (seenNames.has(h.name)) problems.add(path, `duplicate host name "${h.name}" (also in ${seenNames.get(h.name)})`);
    seenNames.set(h.name, 'loadBalancer');
    if (seenAddresses.has(h.address)) problems.add(path, `address ${h.address} of ${h.name} is already used by ${seenAddresses.get(h.address)}`);
    seenAddresses.set(h.address, h.name);
  });
  if (lb.hosts.length === 2 && seenAddresses.has(lb.address)) {
    problems.add(['spec', 'topology', 'loadBalancer', 'address'], `the VIP ${lb.address} is already the address of ${seenAddresses.get(lb.address)}`);
  }
}

/** Cross-flag rules, with the components' own error texts. */
function checkFlagsTogether(cluster: ClusterSpec, hasComponents: boolean, problems: Problems): void {
  const etcdPath = ['spec', 'components', 'etcd', '--election-timeout'];
  const tickMs = Number(flagValue(cluster, 'etcd', '--heartbeat-interval'));
  const electionMs = Number(flagValue(cluster, 'etcd', '--election-timeout'));
  if (5 * tickMs > electionMs) {
    // etcd server/embed/config.go Validate
    problems.add(etcdPath, `--election-timeout[${electionMs}ms] should be at least as 5 times as --heartbeat-interval[${tickMs}ms]`);
  }
  for (const c of ['kube-scheduler', 'kube-controller-manager'] as const) {
    const lease = parseDurationUs(String(flagValue(cluster, c, '--leader-elect-lease-duration')));
    const renew = parseDurationUs(String(flagValue(cluster, c, '--leader-elect-renew-deadline')));
    const retry = parseDurationUs(String(flagValue(cluster, c, '--leader-elect-retry-period')));
    const path = (flag: string): PathSegment[] => ['spec', 'components', c, flag];
    // client-go tools/leaderelection NewLeaderElector, in its order
    if (lease <= renew) problems.add(path('--leader-elect-lease-duration'), `${c}: leaseDuration must be greater than renewDeadline`);
    if (renew <= 1.2 * retry) problems.add(path('--leader-elect-renew-deadline'), `${c}: renewDeadline must be greater than retryPeriod*JitterFactor`);
    const name = String(flagValue(cluster, c, '--leader-elect-resource-name'));
    const namespace = String(flagValue(cluster, c, '--leader-elect-resource-namespace'));
    const nameError = dns1123SubdomainError(name);
    if (nameError !== null) problems.add(path('--leader-elect-resource-name'), `${c}: not a valid Lease name: ${nameError}`);
    const namespaceError = dns1123LabelError(namespace);
    if (namespaceError !== null) problems.add(path('--leader-elect-resource-namespace'), `${c}: not a valid namespace: ${namespaceError}`);
  }
  const lb = cluster.loadBalancer;
  const comps = cluster.flags;
  if (lb.type === 'haproxy' && comps.haproxy !== undefined) checkHaproxyCfg(cluster, problems);
  if (hasComponents) {
    if (comps.haproxy !== undefined && lb.type !== 'haproxy') problems.add(['spec', 'components', 'haproxy'], 'haproxy settings given but topology.loadBalancer.type is nlb', true);
    if (comps.nlb !== undefined && lb.type !== 'nlb') problems.add(['spec', 'components', 'nlb'], 'nlb settings given but topology.loadBalancer.type is haproxy (the default); set it to nlb', true);
    if (comps.keepalived !== undefined && lb.hosts.length !== 2) problems.add(['spec', 'components', 'keepalived'], 'keepalived settings need a redundant pair: set topology.loadBalancer.hosts to 2 hosts', true);
  }
}

// apimachinery's validation texts (pkg/util/validation). The real component would start with such a name and never
// lead (the apiserver refuses the Lease, or client-go refuses the request path); the simulator refuses the scenario.
const DNS1123_LABEL = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const DNS1123_LABEL_RE = new RegExp(`^${DNS1123_LABEL}$`);
const DNS1123_SUBDOMAIN = `${DNS1123_LABEL}(\\.${DNS1123_LABEL})*`;
const DNS1123_SUBDOMAIN_RE = new RegExp(`^${DNS1123_LABEL}(\\.${DNS1123_LABEL})*$`);

/** IsDNS1123Subdomain: null if valid, else its message. */
function dns1123SubdomainError(value: string): string | null {
  if (value.length > 253) return 'must be no more than 253 characters';
  if (DNS1123_SUBDOMAIN_RE.test(value)) return null;
  return `a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '${DNS1123_SUBDOMAIN}')`;
}

/** IsDNS1123Label: null if valid, else its message. */
function dns1123LabelError(value: string): string | null {
  if (value.length > 63) return 'must be no more than 63 characters';
  if (DNS1123_LABEL_RE.test(value)) return null;
  return `a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '${DNS1123_LABEL}')`;
}

/**
 * The haproxy.cfg the settings give, compiled as haproxy would at start-up: a value each flag accepts alone may still
 * be one HAProxy refuses (`inter 0`: "timer underflow"). Reported with HAProxy's own text, at the keyword it names.
 */
function checkHaproxyCfg(cluster: ClusterSpec, problems: Problems): void {
  const addresses = new Map(allHosts(cluster).map((h) => [h.name, h.address]));
  const known = new Set(addresses.values());
  try {
    compileHaproxyConfig(haproxyCfgFor(cluster), {
      resolve: (nameOrAddress) => addresses.get(nameOrAddress) ?? (known.has(nameOrAddress) ? nameOrAddress : null),
    });
  } catch (err) {
    if (!(err instanceof HaproxyConfigError)) throw err;
    const given = Object.keys(cluster.flags.haproxy ?? {});
    for (const message of err.messages) {
      const keyword = given.find((k) => message.includes(`<${k}>`) || message.includes(`'${k}'`));
      const path: PathSegment[] = ['spec', 'components', 'haproxy', ...(keyword !== undefined ? [keyword] : [])];
      problems.add(path, `haproxy refuses the configuration: ${message}`);
    }
  }
}

type Target = { host: string; process?: string };

/** `server-0`, `server-0/etcd`: checked against the topology. Returns the target or a message. */
function parseProcessTarget(cluster: ClusterSpec, text: string): Target | string {
  const [host, process, extra] = text.split('/');
  const names = allHosts(cluster).map((h) => h.name);
  if (extra !== undefined || host === undefined || host === '') return `expected a host or host/process, got "${text}"`;
  if (!names.includes(host)) return `no host named "${host}"${didYouMean(host, names)}; hosts: ${names.join(', ')}`;
  if (process === undefined) return { host };
  const procs = processNames(cluster, host);
  if (!procs.includes(process)) return `host ${host} (${hostRole(cluster, host)}) runs no process "${process}"${didYouMean(process, procs)}; it runs: ${procs.join(', ')}`;
  return { host, process };
}

type RawTarget = string | { leaderOf: string; process?: string | undefined };

function resolveTarget(cluster: ClusterSpec, raw: RawTarget, path: PathSegment[], problems: Problems, allowProcess: boolean): Target | null {
  if (typeof raw === 'string') {
    const t = parseProcessTarget(cluster, raw);
    if (typeof t === 'string') {
      problems.add(path, t);
      return null;
    }
    if (t.process !== undefined && !allowProcess) {
      problems.add(path, `expected a host, got "${raw}" (this action applies to whole hosts)`);
      return null;
    }
    return t;
  }
  let role: string;
  if (raw.leaderOf === 'etcd') role = 'etcd';
  else {
    const lease = normaliseLease(cluster, raw.leaderOf);
    if (lease === null) {
      const options = ['etcd', 'kube-scheduler', 'kube-controller-manager'];
      problems.add([...path, 'leaderOf'], `expected one of ${options.join(', ')} (or a lease namespace/name), got "${raw.leaderOf}"${didYouMean(raw.leaderOf, options)}`);
      return null;
    }
    role = lease;
  }
  const target: Target = { host: `${LEADER_REF_PREFIX}${role}` };
  if (raw.process !== undefined) {
    const known = [PROC.kubelet, PROC.etcd, PROC.apiserver, PROC.controllerManager, PROC.scheduler];
    if (!known.includes(raw.process as (typeof known)[number])) {
      problems.add([...path, 'process'], `expected one of ${known.join(', ')}, got "${raw.process}"${didYouMean(raw.process, known)}`);
      return null;
    }
    target.process = raw.process;
  }
  return target;
}

function linkEnd(cluster: ClusterSpec, name: string | undefined, path: PathSegment[], problems: Problems): string {
  if (name === undefined || name === '*') return '*';
  const names = allHosts(cluster).map((h) => h.name);
  if (!names.includes(name)) problems.add(path, `no host named "${name}"${didYouMean(name, names)}`);
  return name;
}

function resolveFault(cluster: ClusterSpec, f: RawFault, path: PathSegment[], problems: Problems): FaultStep | null {
  const atUs = f.at;
  const withProcess = (t: Target): { host: string; process?: string } => (t.process === undefined ? { host: t.host } : { host: t.host, process: t.process });
  let fault: Fault | null = null;
  switch (f.action) {
    case 'crash':
    case 'start':
    case 'resume': {
      const t = resolveTarget(cluster, f.target, [...path, 'target'], problems, true);
      if (t) fault = { kind: f.action, ...withProcess(t) };
      break;
    }
    case 'restart': {
      const t = resolveTarget(cluster, f.target, [...path, 'target'], problems, true);
      if (t) fault = { kind: 'restart', ...withProcess(t), ...(f.down !== undefined ? { downUs: f.down } : {}) };
      break;
    }
    case 'stop': {
      const t = resolveTarget(cluster, f.target, [...path, 'target'], problems, true);
      if (t) fault = { kind: 'stop', ...withProcess(t), ...(f.grace !== undefined ? { graceUs: f.grace } : {}) };
      break;
    }
    case 'pause': {
      const t = resolveTarget(cluster, f.target, [...path, 'target'], problems, true);
      if (t) fault = { kind: 'pause', ...withProcess(t), ...(f.duration !== undefined ? { durationUs: f.duration } : {}) };
      break;
    }
    case 'partition': {
      const groups: string[][] = [];
      const seen = new Set<string>();
      f.groups.forEach((g, gi) =>
        groups.push(
          g.map((h, hi) => {
            const t = resolveTarget(cluster, h, [...path, 'groups', gi, hi], problems, false);
            const name = t?.host ?? '?';
            if (t && seen.has(name)) problems.add([...path, 'groups', gi, hi], `host ${name} is in two groups`);
            seen.add(name);
            return name;
          }),
        ),
      );
      fault = { kind: 'partition', groups };
      break;
    }
    case 'isolate': {
      const t = resolveTarget(cluster, f.target, [...path, 'target'], problems, false);
      if (t) fault = { kind: 'isolate', host: t.host };
      break;
    }
    case 'cut': {
      const from = resolveTarget(cluster, f.from, [...path, 'from'], problems, false);
      const to = resolveTarget(cluster, f.to, [...path, 'to'], problems, false);
      if (from && to) fault = { kind: 'cut', from: from.host, to: to.host };
      break;
    }
    case 'heal': {
      if (f.target === undefined) fault = { kind: 'heal' };
      else {
        const t = resolveTarget(cluster, f.target, [...path, 'target'], problems, false);
        if (t) fault = { kind: 'heal', host: t.host };
      }
      break;
    }
    case 'loss':
      fault = { kind: 'link', from: linkEnd(cluster, f.from, [...path, 'from'], problems), to: linkEnd(cluster, f.to, [...path, 'to'], problems), lossRate: f.rate };
      break;
    case 'delay':
      fault = { kind: 'link', from: linkEnd(cluster, f.from, [...path, 'from'], problems), to: linkEnd(cluster, f.to, [...path, 'to'], problems), latency: latencyUs(f.latency) };
      break;
    case 'link': {
      const p = linkPatch(f, path, problems);
      if (Object.keys(p).length === 0) problems.add(path, 'a link fault needs at least one of latency, loss, duplicate, reorder, reorderDelay');
      fault = {
        kind: 'link',
        from: linkEnd(cluster, f.from, [...path, 'from'], problems),
        to: linkEnd(cluster, f.to, [...path, 'to'], problems),
        ...(p.lossRate !== undefined ? { lossRate: p.lossRate } : {}),
        ...(p.duplicateRate !== undefined ? { duplicateRate: p.duplicateRate } : {}),
        ...(p.reorderRate !== undefined ? { reorderRate: p.reorderRate } : {}),
        ...(p.reorderDelay !== undefined ? { reorderDelay: p.reorderDelay } : {}),
        ...(p.latency !== undefined ? { latency: p.latency } : {}),
      };
      break;
    }
    case 'clear-link': {
      const from = f.from === undefined ? undefined : linkEnd(cluster, f.from, [...path, 'from'], problems);
      const to = f.to === undefined ? undefined : linkEnd(cluster, f.to, [...path, 'to'], problems);
      fault = { kind: 'clear-link', ...(from !== undefined ? { from } : {}), ...(to !== undefined ? { to } : {}) };
      break;
    }
    case 'clock-skew': {
      const t = resolveTarget(cluster, f.target, [...path, 'target'], problems, false);
      if (t) fault = { kind: 'clock-skew', host: t.host, offsetUs: f.offset };
      break;
    }
    case 'clock-jump': {
      const t = resolveTarget(cluster, f.target, [...path, 'target'], problems, false);
      if (t) fault = { kind: 'clock-jump', host: t.host, deltaUs: f.by, ...(f.monotonic !== undefined ? { monotonic: f.monotonic } : {}) };
      break;
    }
    case 'clock-drift': {
      const t = resolveTarget(cluster, f.target, [...path, 'target'], problems, false);
      if (t) fault = { kind: 'clock-drift', host: t.host, driftPpm: f.ppm };
      break;
    }
  }
  return fault === null ? null : { atUs, fault };
}

function resolveExpectation(cluster: ClusterSpec, e: RawExpectation, path: PathSegment[], steps: ReadonlySet<string>, problems: Problems): Expectation | null {
  const names = allHosts(cluster).map((h) => h.name);
  const lease = (name: string): string | null => {
    const full = normaliseLease(cluster, name);
    if (full === null) {
      const known = Object.values(electionLeases(cluster));
      problems.add([...path, 'lease'], `no election uses lease "${name}"; expected one of ${known.join(', ')}${didYouMean(name, [...known, 'kube-scheduler', 'kube-controller-manager'])}`);
    }
    return full;
  };
  const host = (name: string | undefined, key: string): string | null => {
    if (name === undefined) return null;
    if (!names.includes(name)) problems.add([...path, key], `no host named "${name}"${didYouMean(name, names)}`);
    return name;
  };
  const ordered = (fromUs: number, toUs: number): void => {
    if (toUs < fromUs) problems.add([...path, 'to'], `expected to >= from (${formatDurationUs(fromUs)}), got ${formatDurationUs(toUs)}`);
  };
  switch (e.type) {
    case 'leader': {
      const l = lease(e.lease);
      return l === null ? null : { type: 'leader', lease: l, atUs: e.at, host: host(e.host, 'host') };
    }
    case 'failover': {
      const l = lease(e.lease);
      if (e.notBefore !== undefined && e.notBefore > e.within) problems.add([...path, 'notBefore'], 'expected notBefore <= within');
      return l === null ? null : { type: 'failover', lease: l, afterUs: e.after, withinUs: e.within, notBeforeUs: e.notBefore ?? null, host: host(e.host, 'host') };
    }
    case 'no-leader': {
      const l = lease(e.lease);
      ordered(e.from, e.to);
      return l === null ? null : { type: 'no-leader', lease: l, fromUs: e.from, toUs: e.to };
    }
    case 'etcd-leader':
      return { type: 'etcd-leader', afterUs: e.after, withinUs: e.within };
    case 'etcd-failover':
      return { type: 'etcd-failover', afterUs: e.after, withinUs: e.within, notBeforeUs: e.notBefore ?? null };
    case 'metric':
      return resolveMetric(cluster, e, path, problems);
    case 'no-etcd-leader':
      ordered(e.from, e.to);
      return { type: 'no-etcd-leader', fromUs: e.from, toUs: e.to };
    case 'violation':
      if (!KNOWN_INVARIANTS.includes(e.invariant)) problems.add([...path, 'invariant'], `unknown invariant "${e.invariant}"${didYouMean(e.invariant, KNOWN_INVARIANTS)}; expected one of ${KNOWN_INVARIANTS.join(', ')}`);
      return { type: 'violation', invariant: e.invariant, withinUs: e.within ?? null };
    case 'no-violation':
      if (e.invariant !== undefined && !KNOWN_INVARIANTS.includes(e.invariant)) {
        problems.add([...path, 'invariant'], `unknown invariant "${e.invariant}"${didYouMean(e.invariant, KNOWN_INVARIANTS)}; expected one of ${KNOWN_INVARIANTS.join(', ')}`);
      }
      return { type: 'no-violation', invariant: e.invariant ?? null };
    case 'api-unavailable':
      if (e.max === undefined && e.min === undefined) problems.add(path, 'expected max or min (or both)');
      return { type: 'api-unavailable', maxUs: e.max ?? null, minUs: e.min ?? null };
    case 'restarts': {
      const t = parseProcessTarget(cluster, e.target);
      if (typeof t === 'string') {
        problems.add([...path, 'target'], t);
        return null;
      }
      if (t.process === undefined) {
        problems.add([...path, 'target'], `expected host/process, e.g. ${t.host}/${processNames(cluster, t.host).filter((p) => p !== PROC.kubelet).at(-1) ?? PROC.kubelet}`);
        return null;
      }
      if (e.min === undefined && e.max === undefined) problems.add(path, 'expected min or max (or both)');
      return { type: 'restarts', host: t.host, process: t.process, min: e.min ?? null, max: e.max ?? null };
    }
    case 'output':
      if (!steps.has(e.step)) problems.add([...path, 'step'], `no inspect step named "${e.step}"${didYouMean(e.step, [...steps])}`);
      if (e.contains === undefined && e.notContains === undefined) problems.add(path, 'expected contains or notContains');
      return { type: 'output', step: e.step, contains: e.contains ?? null, notContains: e.notContains ?? null };
  }
}

/** `leaderless:kube-scheduler` -> `leaderless:kube-system/kube-scheduler`, with its unit; bounds as µs or counts. */
function resolveMetric(cluster: ClusterSpec, e: Extract<RawExpectation, { type: 'metric' }>, path: PathSegment[], problems: Problems): Expectation | null {
  const [kind, arg] = e.metric.includes(':') ? [e.metric.slice(0, e.metric.indexOf(':')), e.metric.slice(e.metric.indexOf(':') + 1)] : [e.metric, null];
  const def = METRIC_PATTERNS.find((m) => m.pattern.split(':')[0] === kind);
  const names = METRIC_PATTERNS.map((m) => m.pattern);
  if (def === undefined || (def.pattern.includes(':') !== (arg !== null))) {
    problems.add([...path, 'metric'], `unknown metric "${e.metric}"${didYouMean(e.metric, names)}; expected one of ${names.join(', ')}`);
    return null;
  }
  let metric = e.metric;
  if (kind === 'leader-changes' || kind === 'leaderless') {
    const lease = normaliseLease(cluster, arg!);
    if (lease === null) {
      problems.add([...path, 'metric'], `no election uses lease "${arg}"; expected one of ${Object.values(electionLeases(cluster)).join(', ')}`);
      return null;
    }
    metric = `${kind}:${lease}`;
  } else if (kind === 'restarts') {
    const [host, proc] = arg!.split('/');
    if (proc === undefined || (host !== '*' && typeof parseProcessTarget(cluster, arg!) === 'string')) {
      problems.add([...path, 'metric'], typeof parseProcessTarget(cluster, arg!) === 'string' && host !== '*' ? String(parseProcessTarget(cluster, arg!)) : `expected restarts:<host>/<process> (host may be *), got "${e.metric}"`);
      return null;
    }
  } else if (kind === 'lb-sessions' && !cluster.controlPlane.some((h) => h.name === arg)) {
    problems.add([...path, 'metric'], `no load-balancer backend server "${arg}"; the servers are the control-plane hosts: ${cluster.controlPlane.map((h) => h.name).join(', ')}`);
    return null;
  }
  const bound = (value: number | string | undefined, key: 'min' | 'max'): number | null => {
    if (value === undefined) return null;
    if (def.unit === 'us') {
      if (typeof value === 'string') {
        try {
          return parseDurationUs(value);
        } catch {
          /* reported below */
        }
      } else if (value === 0) return 0;
      problems.add([...path, key], `expected a duration like 15s for metric ${kind}, got ${JSON.stringify(value)}`);
      return null;
    }
    if (typeof value === 'number' && Number.isInteger(value) && value >= 0) return value;
    problems.add([...path, key], `expected a whole number for metric ${kind}, got ${JSON.stringify(value)}`);
    return null;
  };
  if (e.min === undefined && e.max === undefined) problems.add(path, 'expected min or max (or both)');
  const unit: MetricUnit = def.unit;
  return { type: 'metric', metric, unit, min: bound(e.min, 'min'), max: bound(e.max, 'max') };
}

export type { ComponentName };
