// The etcd members of a cluster: one `etcd` process per etcd host (the control-plane hosts when stacked), flags as
// kubeadm writes them into etcd.yaml (--name=<node>, https peer/client URLs on :2380/:2379, --initial-cluster of
// every member), the scenario's --heartbeat-interval / --election-timeout / --pre-vote, one observer for the Raft
// safety checkers, and the record of etcd leader terms for reports.
import type { Engine } from '../sim/engine';
import type { Host } from '../sim/host';
import type { LatencyDist } from '../sim/latency';
import { EtcdClusterObserver, type EtcdMemberHandle } from '../raft/server/observer';
import { etcdProcessSpec } from '../raft/server/process';
import type { EtcdFlags } from '../raft/server/config';
import type { EtcdLeaderInterval } from '../run/result';
import { injectedBugs } from '../check/bugs';
import { PROC } from './roles';
import { delayFirstStart } from './start-delay';
import { superviseWithSystemd } from './systemd';
import { flagValue, type ClusterSpec } from './spec';

export const ETCD_PEER_PORT = 2380;
export const ETCD_CLIENT_PORT = 2379;

/** `https://10.0.0.10:2379,https://10.0.0.11:2379,...`: the apiservers' --etcd-servers. */
export function etcdClientUrls(spec: ClusterSpec): string[] {
  return spec.etcdHosts.map((h) => `https://${h.address}:${ETCD_CLIENT_PORT}`);
}

interface OpenTerm {
  interval: { holder: string; host: string; fromUs: number; toUs: number | null; term: number };
}

export interface EtcdCluster {
  readonly observer: EtcdClusterObserver;
  /** Every leader term so far, in start order (open ones with toUs null). */
  leaderIntervals(): EtcdLeaderInterval[];
  /** Host of the member leading now (highest term), or null. */
  leaderHost(): string | null;
}

export function installEtcd(engine: Engine, spec: ClusterSpec, hosts: ReadonlyMap<string, Host>): EtcdCluster {
  const observer = new EtcdClusterObserver();
  const bugs = injectedBugs(engine);
  const initialCluster = spec.etcdHosts.map((h) => `${h.name}=https://${h.address}:${ETCD_PEER_PORT}`).join(',');
  const flags = (name: string): EtcdFlags => ({
    'heartbeat-interval': Number(flagValue(spec, 'etcd', '--heartbeat-interval')),
    'election-timeout': Number(flagValue(spec, 'etcd', '--election-timeout')),
    'pre-vote': Boolean(flagValue(spec, 'etcd', '--pre-vote')),
    'initial-election-tick-advance': Boolean(flagValue(spec, 'etcd', '--initial-election-tick-advance')),
    'snapshot-count': Number(flagValue(spec, 'etcd', '--snapshot-count')),
    name,
    'initial-cluster': initialCluster,
    'initial-cluster-state': 'new',
    'initial-cluster-token': 'etcd-cluster',
    ...urls(spec, name),
  });

  // Leader terms, from role changes; a member's open term also closes when its process dies.
  const all: OpenTerm['interval'][] = [];
  const open = new Map<string, OpenTerm['interval']>();
  const close = (member: string): void => {
    const term = open.get(member);
    if (term === undefined) return;
    term.toUs = engine.nowUs;
    open.delete(member);
  };
  observer.onRoleChange = (m: EtcdMemberHandle) => {
    const st = m.status();
    const current = open.get(m.name);
    if (st.role === 'leader') {
      if (current !== undefined && current.term === st.term) return;
      close(m.name);
      const interval = { holder: m.name, host: st.host, fromUs: engine.nowUs, toUs: null, term: st.term };
      all.push(interval);
      open.set(m.name, interval);
    } else {
      close(m.name);
    }
  };

  for (const h of spec.etcdHosts) {
    const host = hosts.get(h.name)!;
    const fsync = spec.disks[h.name]?.fsyncLatency ?? spec.disks['*']?.fsyncLatency;
    const process = host.addProcess(
      delayFirstStart(etcdProcessSpec({
        flags: flags(h.name),
        observer,
        ...(fsync !== undefined ? { fsyncLatency: fsync as LatencyDist } : {}),
        // TEST ONLY: bugs injected by check's tests (src/check/bugs.ts); none in normal runs.
        ...(bugs.raft !== undefined ? { raftBugs: bugs.raft } : {}),
        ...(bugs.etcdServer !== undefined ? { serverBugs: bugs.etcdServer } : {}),
        // a static pod the kubelet starts (and restarts), or a systemd unit started at boot
        autostart: spec.componentMode === 'systemd',
      }), spec.startDelaysUs[`${h.name}/${PROC.etcd}`]),
    );
    process.onExit(() => close(h.name));
    if (spec.componentMode === 'systemd') superviseWithSystemd(engine, process);
  }
  engine.addInvariant(observer.safetyInvariant());

  return {
    observer,
    leaderIntervals: () => all.map((i) => ({ ...i })),
    leaderHost: () => {
      const m = observer.leader();
      return m === null ? null : (m.server?.ctx.host.name ?? null);
    },
  };
}

function urls(spec: ClusterSpec, name: string): EtcdFlags {
  const h = spec.etcdHosts.find((x) => x.name === name)!;
  return {
    'initial-advertise-peer-urls': `https://${h.address}:${ETCD_PEER_PORT}`,
    'listen-peer-urls': `https://${h.address}:${ETCD_PEER_PORT}`,
    'advertise-client-urls': `https://${h.address}:${ETCD_CLIENT_PORT}`,
    'listen-client-urls': `https://127.0.0.1:${ETCD_CLIENT_PORT},https://${h.address}:${ETCD_CLIENT_PORT}`,
  };
}
