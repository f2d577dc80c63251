// The etcd member's configuration: its command-line flags under their real names and v3.5 defaults
// (server/embed/config.go), validated with etcd's own messages, plus the simulator's knobs (fsync latency, version
// string, test-only bug switches) and the values derived from them (ticks, request timeout, member IDs).
import type { LatencyDist } from '../../sim/latency';
import { validateLatency } from '../../sim/latency';
import type { NodeId, RaftBugs } from '../types';
import { computeClusterId, computeMemberId, formatId, raftNodeId } from './ids';

/** etcd flags (`etcd --name=... --initial-cluster=...`), keyed by their real names. Every one is optional. */
export interface EtcdFlags {
  /** Human-readable name for this member. Default "default". */
  readonly name?: string;
  /** Path to the data directory; the key prefix on the host's disk. Default "${name}.etcd". */
  readonly 'data-dir'?: string;
  /** Initial cluster configuration for bootstrapping: `name=peerURL,...`. Default "default=http://localhost:2380". */
  readonly 'initial-cluster'?: string;
  /** Initial cluster token, part of every member ID. Default "etcd-cluster". */
  readonly 'initial-cluster-token'?: string;
  /** "new" (bootstrap) or "existing" (join). Default "new". Joining is not simulated (static membership). */
  readonly 'initial-cluster-state'?: 'new' | 'existing';
  /** This member's peer URLs, as in --initial-cluster. Default "http://localhost:2380". */
  readonly 'initial-advertise-peer-urls'?: string;
  /** This member's client URLs, published to the cluster. Default "http://localhost:2379". */
  readonly 'advertise-client-urls'?: string;
  /** Where the member listens for peers; only the port is used. Default "http://localhost:2380". */
  readonly 'listen-peer-urls'?: string;
  /** Where the member listens for clients; only the port is used. Default "http://localhost:2379". */
  readonly 'listen-client-urls'?: string;
  /** Time (in milliseconds) of a heartbeat interval: the Raft tick. Default 100. */
  readonly 'heartbeat-interval'?: number;
  /** Time (in milliseconds) for an election to timeout. Default 1000. */
  readonly 'election-timeout'?: number;
  /** Enable the Raft Pre-Vote algorithm. Default true (since v3.5). */
  readonly 'pre-vote'?: boolean;
  /** Fast-forward election ticks at start once peers are connected. Default true. */
  readonly 'initial-election-tick-advance'?: boolean;
  /** Committed transactions before a snapshot. Default 100000 (never reached in a simulated run: no snapshots). */
  readonly 'snapshot-count'?: number;
}

export const ETCD_FLAG_DEFAULTS = {
  name: 'default',
  'initial-cluster-token': 'etcd-cluster',
  'initial-cluster-state': 'new',
  'initial-advertise-peer-urls': 'http://localhost:2380',
  'advertise-client-urls': 'http://localhost:2379',
  'listen-peer-urls': 'http://localhost:2380',
  'listen-client-urls': 'http://localhost:2379',
  'heartbeat-interval': 100,
  'election-timeout': 1000,
  'pre-vote': true,
  'initial-election-tick-advance': true,
  'snapshot-count': 100000,
} as const;

/** embed/config.go maxElectionMs. */
export const MAX_ELECTION_MS = 50000;

/**
 * WAL fsync latency when not configured: an SSD's fdatasync as etcd's wal_fsync_duration_seconds shows it on a
 * healthy machine (median ~1 ms, p99 ~3 ms).
 */
export const DEFAULT_FSYNC_LATENCY: LatencyDist = { kind: 'lognormal', medianUs: 1000, sigma: 0.4, floorUs: 250 };

/** TEST ONLY: server-side mistakes the safety checkers must catch. Off by default. */
export interface EtcdServerBugs {
  /** A follower/candidate sends its (Pre)Vote response before the HardState recording the vote is fsynced. */
  readonly replyVoteBeforePersist?: boolean;
  /** The Raft core runs without CheckQuorum (etcd always enables it): a leader cut off from a quorum never steps down. */
  readonly noCheckQuorum?: boolean;
}

/** An etcd member as the simulator runs it: flags plus simulation knobs. */
export interface EtcdMemberOptions {
  readonly flags: EtcdFlags;
  /** WAL fsync latency distribution. Default DEFAULT_FSYNC_LATENCY. */
  readonly fsyncLatency?: LatencyDist;
  /**
   * What a crash loses: 'host-crash' (default, as Linux behaves: written but unsynced WAL data sits in the page
   * cache and survives a killed process, only a power loss drops it) or 'any-crash' (every crash loses it).
   */
  readonly unsyncedLostOn?: 'host-crash' | 'any-crash';
  /** Server version reported by Status. Default "3.5.16" (the etcd of Kubernetes 1.32). */
  readonly version?: string;
  /** TEST ONLY: Raft core bugs (types.ts RaftBugs). */
  readonly raftBugs?: RaftBugs;
  /** TEST ONLY: server bugs. */
  readonly serverBugs?: EtcdServerBugs;
}

export interface MemberSpec {
  /** The 64-bit etcd member ID. */
  readonly id: bigint;
  /** As etcd prints it. */
  readonly idHex: string;
  /** The Raft core's ID for this member. */
  readonly nodeId: NodeId;
  readonly name: string;
  readonly peerUrls: readonly string[];
  /** Address and port peer messages are sent to (from the first peer URL). */
  readonly peerAddress: string;
  readonly peerPort: number;
}

export interface ResolvedEtcdConfig {
  readonly name: string;
  readonly dataDir: string;
  readonly clusterToken: string;
  readonly clusterState: 'new' | 'existing';
  readonly tickMs: number;
  readonly electionMs: number;
  /** ElectionTicks = election-timeout / heartbeat-interval (10). */
  readonly electionTicks: number;
  readonly heartbeatTicks: number;
  readonly preVote: boolean;
  readonly initialElectionTickAdvance: boolean;
  readonly snapshotCount: number;
  /** ReqTimeout = 5 s + 2 x election timeout (7 s). */
  readonly requestTimeoutUs: number;
  /** Members of the initial cluster, sorted by ID (the order of etcd's bootstrap ConfChange entries). */
  readonly members: readonly MemberSpec[];
  readonly self: MemberSpec;
  readonly clusterId: bigint;
  readonly clusterIdHex: string;
  readonly clientUrls: readonly string[];
  readonly peerListenPort: number;
  readonly clientListenPort: number;
  readonly fsyncLatency: LatencyDist;
  readonly unsyncedLostOn: 'host-crash' | 'any-crash';
  readonly version: string;
  readonly raftBugs: RaftBugs | undefined;
  readonly serverBugs: EtcdServerBugs;
}

export class EtcdConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EtcdConfigError';
  }
}

function splitUrls(value: string): string[] {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

interface ParsedUrl {
  readonly host: string;
  readonly port: number;
}

function parseUrl(raw: string, flag: string): ParsedUrl {
  const m = /^(https?|unix|unixs):\/\/(\[[^\]]+\]|[^:/]+)(?::(\d+))?\/?$/.exec(raw);
  if (m === null) throw new EtcdConfigError(`invalid value "${raw}" for flag -${flag}: URL must be scheme://host:port`);
  const port = m[3] !== undefined ? Number(m[3]) : m[1] === 'https' ? 443 : 80;
  return { host: m[2]!, port };
}

/** Parses --initial-cluster (`name=url,name=url2,...`) into name -> URLs, keeping first-seen name order. */
export function parseInitialCluster(value: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const part of splitUrls(value)) {
    const eq = part.indexOf('=');
    if (eq <= 0) throw new EtcdConfigError(`invalid value "${value}" for flag -initial-cluster: expected name=URL pairs`);
    const name = part.slice(0, eq);
    const url = part.slice(eq + 1);
    parseUrl(url, 'initial-cluster');
    const urls = out.get(name);
    if (urls === undefined) out.set(name, [url]);
    else urls.push(url);
  }
  return out;
}

function positiveInt(value: number, flag: string): number {
  if (!Number.isInteger(value) || value < 0) throw new EtcdConfigError(`invalid value "${value}" for flag -${flag}: must be a non-negative integer`);
  return value;
}

/** Validates and resolves an etcd member's options into the form the server runs with. */
export function resolveEtcdConfig(options: EtcdMemberOptions): ResolvedEtcdConfig {
  const f = options.flags;
  const name = f.name ?? ETCD_FLAG_DEFAULTS.name;
  const tickMs = positiveInt(f['heartbeat-interval'] ?? ETCD_FLAG_DEFAULTS['heartbeat-interval'], 'heartbeat-interval');
  const electionMs = positiveInt(f['election-timeout'] ?? ETCD_FLAG_DEFAULTS['election-timeout'], 'election-timeout');
  // embed.Config.Validate, in etcd's order and words.
  if (tickMs === 0) throw new EtcdConfigError(`--heartbeat-interval must be >0 (set to ${tickMs}ms)`);
  if (electionMs === 0) throw new EtcdConfigError(`--election-timeout must be >0 (set to ${electionMs}ms)`);
  if (5 * tickMs > electionMs) {
    throw new EtcdConfigError(`--election-timeout[${electionMs}ms] should be at least as 5 times as --heartbeat-interval[${tickMs}ms]`);
  }
  if (electionMs > MAX_ELECTION_MS) {
    throw new EtcdConfigError(`--election-timeout[${electionMs}ms] is too long, and should be set less than ${MAX_ELECTION_MS}ms`);
  }
  const clusterState = f['initial-cluster-state'] ?? ETCD_FLAG_DEFAULTS['initial-cluster-state'];
  if (clusterState !== 'new' && clusterState !== 'existing') {
    throw new EtcdConfigError(`invalid value "${String(clusterState)}" for flag -initial-cluster-state: valid values are "new" or "existing"`);
  }
  const advertisePeer = splitUrls(f['initial-advertise-peer-urls'] ?? ETCD_FLAG_DEFAULTS['initial-advertise-peer-urls']);
  for (const u of advertisePeer) parseUrl(u, 'initial-advertise-peer-urls');
  const initialCluster = parseInitialCluster(f['initial-cluster'] ?? `${name}=${advertisePeer.join(`,${name}=`)}`);
  const token = f['initial-cluster-token'] ?? ETCD_FLAG_DEFAULTS['initial-cluster-token'];

  // config.ServerConfig.VerifyBootstrap: hasLocalMember, advertiseMatchesCluster, CheckDuplicateURL.
  const ownUrls = initialCluster.get(name);
  if (ownUrls === undefined) throw new EtcdConfigError(`couldn't find local name "${name}" in the initial cluster configuration`);
  const missing = ownUrls.filter((u) => !advertisePeer.includes(u));
  const extra = advertisePeer.filter((u) => !ownUrls.includes(u));
  if (missing.length > 0 || extra.length > 0) {
    const sortedAdvertise = [...advertisePeer].sort();
    const sortedOwn = [...ownUrls].sort();
    if (missing.length > 0) {
      // netutil.URLStringsEqual's error, in Go's %q formatting.
      const q = (xs: readonly string[]): string => `[${xs.map((x) => JSON.stringify(x)).join(' ')}]`;
      let why: string;
      if (sortedAdvertise.length !== sortedOwn.length) why = `len(${q(sortedAdvertise)}) != len(${q(sortedOwn)})`;
      else {
        const i = sortedAdvertise.findIndex((u, k) => u !== sortedOwn[k]);
        why = `resolved urls: ${JSON.stringify(sortedAdvertise[i])} != ${JSON.stringify(sortedOwn[i])}`;
      }
      throw new EtcdConfigError(
        `--initial-cluster has ${missing.map((u) => `${name}=${u}`).join(',')} but missing from --initial-advertise-peer-urls=${sortedAdvertise.join(',')} (${why})`,
      );
    }
    throw new EtcdConfigError(
      `--initial-advertise-peer-urls has ${extra.join(',')} but missing from --initial-cluster=${advertisePeer.map((u) => `${name}=${u}`).join(',')}`,
    );
  }
  const seenUrls = new Set<string>();
  for (const urls of initialCluster.values()) {
    for (const u of urls) {
      if (seenUrls.has(u)) throw new EtcdConfigError(`initial cluster ${f['initial-cluster']} has duplicate url`);
      seenUrls.add(u);
    }
  }

  const members: MemberSpec[] = [...initialCluster].map(([memberName, urls]) => {
    const id = computeMemberId(urls, token);
    const peer = parseUrl(urls[0]!, 'initial-cluster');
    return { id, idHex: formatId(id), nodeId: raftNodeId(id), name: memberName, peerUrls: urls, peerAddress: peer.host, peerPort: peer.port };
  });
  members.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const nodeIds = new Set(members.map((m) => m.nodeId));
  if (nodeIds.size !== members.length) throw new EtcdConfigError(`member exists with identical ID in ${f['initial-cluster']}`);
  const self = members.find((m) => m.name === name)!;
  const clusterId = computeClusterId(members.map((m) => m.id));

  const clientUrls = splitUrls(f['advertise-client-urls'] ?? ETCD_FLAG_DEFAULTS['advertise-client-urls']);
  for (const u of clientUrls) parseUrl(u, 'advertise-client-urls');
  const peerListen = parseUrl(splitUrls(f['listen-peer-urls'] ?? ETCD_FLAG_DEFAULTS['listen-peer-urls'])[0] ?? '', 'listen-peer-urls');
  const clientListen = parseUrl(splitUrls(f['listen-client-urls'] ?? ETCD_FLAG_DEFAULTS['listen-client-urls'])[0] ?? '', 'listen-client-urls');

  const fsyncLatency = options.fsyncLatency ?? DEFAULT_FSYNC_LATENCY;
  const latencyProblem = validateLatency(fsyncLatency);
  if (latencyProblem !== null) throw new EtcdConfigError(`fsync latency: ${latencyProblem}`);
  const snapshotCount = positiveInt(f['snapshot-count'] ?? ETCD_FLAG_DEFAULTS['snapshot-count'], 'snapshot-count');

  return {
    name,
    dataDir: f['data-dir'] ?? `${name}.etcd`,
    clusterToken: token,
    clusterState,
    tickMs,
    electionMs,
    electionTicks: Math.floor(electionMs / tickMs),
    heartbeatTicks: 1,
    preVote: f['pre-vote'] ?? ETCD_FLAG_DEFAULTS['pre-vote'],
    initialElectionTickAdvance: f['initial-election-tick-advance'] ?? ETCD_FLAG_DEFAULTS['initial-election-tick-advance'],
    snapshotCount,
    requestTimeoutUs: (5000 + 2 * electionMs) * 1000,
    members,
    self,
    clusterId,
    clusterIdHex: formatId(clusterId),
    clientUrls,
    peerListenPort: peerListen.port,
    clientListenPort: clientListen.port,
    fsyncLatency,
    unsyncedLostOn: options.unsyncedLostOn ?? 'host-crash',
    version: options.version ?? '3.5.16',
    raftBugs: options.raftBugs,
    serverBugs: options.serverBugs ?? {},
  };
}

/**
 * Parses etcd's command line (`--name=etcd-0 --heartbeat-interval 100 --pre-vote=false`) into EtcdFlags.
 * Unknown flags and bad values fail with Go flag-package style messages.
 */
export function parseEtcdArgs(argv: readonly string[]): EtcdFlags {
  const numeric = new Set(['heartbeat-interval', 'election-timeout', 'snapshot-count']);
  const booleans = new Set(['pre-vote', 'initial-election-tick-advance']);
  const strings = new Set([
    'name',
    'data-dir',
    'initial-cluster',
    'initial-cluster-token',
    'initial-cluster-state',
    'initial-advertise-peer-urls',
    'advertise-client-urls',
    'listen-peer-urls',
    'listen-client-urls',
  ]);
  const out: Record<string, unknown> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const m = /^--?([a-z0-9-]+)(?:=(.*))?$/.exec(arg);
    if (m === null) throw new EtcdConfigError(`'${arg}' is not a valid flag`);
    const flag = m[1]!;
    let value = m[2];
    if (booleans.has(flag)) {
      if (value === undefined) value = 'true';
      if (value !== 'true' && value !== 'false') throw new EtcdConfigError(`invalid boolean value "${value}" for -${flag}: parse error`);
      out[flag] = value === 'true';
      continue;
    }
    if (!numeric.has(flag) && !strings.has(flag)) throw new EtcdConfigError(`flag provided but not defined: -${flag}`);
    if (value === undefined) {
      value = argv[++i];
      if (value === undefined) throw new EtcdConfigError(`flag needs an argument: -${flag}`);
    }
    if (numeric.has(flag)) {
      if (!/^\d+$/.test(value)) throw new EtcdConfigError(`invalid value "${value}" for flag -${flag}: parse error`);
      out[flag] = Number(value);
    } else out[flag] = value;
  }
  return out as EtcdFlags;
}
