import { describe, expect, it } from 'vitest';
import { Simulation } from '../../src/sim/simulation';
import { buildCluster } from '../../src/cluster/build';
import { haproxyCfgFor } from '../../src/cluster/lb';
import { processNames } from '../../src/cluster/roles';
import { defaultClusterSpec, type ClusterSpec } from '../../src/cluster/spec';
import { compileHaproxyConfig } from '../../src/lb/config';

function build(spec: ClusterSpec) {
  const sim = new Simulation({ seed: 1 });
  return { sim, cluster: buildCluster(sim, spec) };
}

describe('buildCluster', () => {
  it('lays out the seed guide cluster as kubeadm does', () => {
    const { sim, cluster } = build(defaultClusterSpec());
    const hosts = sim.network.hosts.map((h) => `${h.name}=${h.address}`);
    expect(hosts).toEqual(['server-0=10.0.0.10', 'server-1=10.0.0.11', 'server-2=10.0.0.12', 'lb=10.0.0.100', 'worker-0=10.0.0.20', 'worker-1=10.0.0.21', 'client=10.0.0.250']);
    for (const h of ['server-0', 'server-1', 'server-2']) {
      expect([...sim.host(h).processes.keys()].sort()).toEqual(['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kubelet']);
      expect(cluster.processesOn(h).sort()).toEqual([...processNames(cluster.spec, h)].sort());
    }
    expect([...sim.host('lb').processes.keys()]).toEqual(['haproxy']);
    expect([...sim.host('worker-0').processes.keys()]).toEqual(['kubelet']);
    expect([...sim.host('client').processes.keys()]).toEqual(['api-probe']);
  });

  it('elects an etcd leader at term 2 and one acting leader per lease', () => {
    const { sim, cluster } = build(defaultClusterSpec());
    sim.runUntil(10_000_000);
    const leaders = cluster.leaders();
    expect(leaders.etcd).toHaveLength(1);
    expect(leaders.etcd[0]).toMatchObject({ term: 2, toUs: null });
    expect(cluster.leaderHost('etcd')).toBe(leaders.etcd[0]!.host);
    for (const lease of ['kube-system/kube-scheduler', 'kube-system/kube-controller-manager']) {
      expect(leaders.leases[lease]).toHaveLength(1);
      expect(cluster.leaderHost(lease)).toBe(leaders.leases[lease]![0]!.host);
    }
    expect(cluster.apiUnavailableUs()).toBe(0);
  });

  it('external etcd runs the members on hosts of their own, with a kubelet for the static pod', () => {
    const base = defaultClusterSpec();
    const etcdHosts = [0, 1, 2].map((i) => ({ name: `etcd-${i}`, address: `10.0.0.3${i}` }));
    const { sim } = build({ ...base, etcdTopology: 'external', etcdHosts });
    expect([...sim.host('server-0').processes.keys()].sort()).toEqual(['kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kubelet']);
    expect([...sim.host('etcd-1').processes.keys()].sort()).toEqual(['etcd', 'kubelet']);
  });

  it('a keepalived pair runs haproxy and keepalived on both LB hosts; the NLB profile runs one nlb', () => {
    const base = defaultClusterSpec();
    const pair = build({ ...base, loadBalancer: { type: 'haproxy', hosts: [{ name: 'lb-0', address: '10.0.0.101' }, { name: 'lb-1', address: '10.0.0.102' }], address: '10.0.0.100', port: 6443 } });
    expect([...pair.sim.host('lb-1').processes.keys()]).toEqual(['haproxy', 'keepalived']);
    const nlb = build({ ...base, loadBalancer: { ...base.loadBalancer, type: 'nlb' } });
    expect([...nlb.sim.host('lb').processes.keys()]).toEqual(['nlb']);
  });

  it('systemd mode: a crashed unit is restarted after RestartSec, a stopped one is not', () => {
    const { sim } = build({ ...defaultClusterSpec(), componentMode: 'systemd' });
    sim.runUntil(5_000_000);
    const scheduler = sim.host('server-1').process('kube-scheduler');
    const cm = sim.host('server-2').process('kube-controller-manager');
    sim.faults.apply({ kind: 'crash', host: 'server-1', process: 'kube-scheduler' });
    sim.faults.apply({ kind: 'stop', host: 'server-2', process: 'kube-controller-manager' });
    sim.runUntil(9_000_000);
    expect(scheduler.alive).toBe(false);
    sim.runUntil(10_100_000);
    expect(scheduler.alive).toBe(true);
    sim.runUntil(30_000_000);
    expect(cm.alive).toBe(false);
  });

  it('static pods: the kubelet restarts a killed kube-scheduler', () => {
    const { sim } = build(defaultClusterSpec());
    sim.runUntil(5_000_000);
    const scheduler = sim.host('server-1').process('kube-scheduler');
    sim.faults.apply({ kind: 'crash', host: 'server-1', process: 'kube-scheduler' });
    expect(scheduler.alive).toBe(false);
    sim.runUntil(7_000_000);
    expect(scheduler.alive).toBe(true);
  });
});

describe('haproxyCfgFor', () => {
  it('is the kubeadm guide config with the scenario keywords, and HAProxy accepts it', () => {
    const base = defaultClusterSpec();
    const cfg = haproxyCfgFor({ ...base, flags: { haproxy: { inter: '1s', fall: 2, 'timeout check': '3s', 'on-marked-down': 'shutdown-sessions' } } });
    const backend = cfg['backend apiserverbackend']!;
    expect(backend).toContain('server server-1 10.0.0.11:6443 check verify none inter 1s fall 2 rise 2 on-marked-down shutdown-sessions');
    expect(backend).toContain('http-check send meth GET uri /healthz');
    expect(cfg.defaults).toContain('timeout check 3s');
    const model = compileHaproxyConfig(cfg, { resolve: (a) => a });
    expect(model.backend.servers.map((s) => [s.interUs, s.fall, s.onMarkedDownShutdownSessions])).toEqual([
      [1_000_000, 2, true],
      [1_000_000, 2, true],
      [1_000_000, 2, true],
    ]);
    expect(model.backend.timeoutCheckUs).toBe(3_000_000);
  });

  it('option httpchk false gives a TCP check', () => {
    const base = defaultClusterSpec();
    const model = compileHaproxyConfig(haproxyCfgFor({ ...base, flags: { haproxy: { 'option httpchk': false } } }), { resolve: (a) => a });
    expect(model.backend.checkKind).toBe('tcp-check');
  });
});
