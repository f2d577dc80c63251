import { describe, expect, it } from 'vitest';
import { parseScenario } from '../../src/scenario/parse';
import { ScenarioError } from '../../src/scenario/diagnostics';
import { applySettings, parseSetting, UsageError } from '../../src/scenario/overrides';
import { LEADER_REF_PREFIX } from '../../src/scenario/types';

const head = (name: string): string => `apiVersion: kube-ha-sim/v1\nkind: Scenario\nmetadata:\n  name: ${name}\n`;

function errorsOf(text: string): string[] {
  try {
    parseScenario(text, 'x.yaml');
  } catch (err) {
    if (err instanceof ScenarioError) return err.message.split('\n');
    throw err;
  }
  throw new Error('expected a ScenarioError');
}

describe('parseScenario', () => {
  it('fills the seed guide defaults: 3 stacked control-plane hosts, an haproxy LB at 10.0.0.100:6443, 2 workers', () => {
    const s = parseScenario(`${head('defaults')}spec: {}\n`, 'd.yaml');
    expect(s.cluster.controlPlane).toEqual([
      { name: 'server-0', address: '10.0.0.10' },
      { name: 'server-1', address: '10.0.0.11' },
      { name: 'server-2', address: '10.0.0.12' },
    ]);
    expect(s.cluster.etcdTopology).toBe('stacked');
    expect(s.cluster.etcdHosts).toEqual(s.cluster.controlPlane);
    expect(s.cluster.loadBalancer).toEqual({ type: 'haproxy', hosts: [{ name: 'lb', address: '10.0.0.100' }], address: '10.0.0.100', port: 6443 });
    expect(s.cluster.workers.map((w) => w.name)).toEqual(['worker-0', 'worker-1']);
    expect(s.seed).toBe(1);
    expect(s.durationUs).toBe(60_000_000);
    expect(s.file).toBe('d.yaml');
  });

  it('resolves external etcd, named hosts and a keepalived LB pair', () => {
    const s = parseScenario(
      `${head('external')}spec:
  topology:
    etcd: external
    controlPlane: [cp-a, {name: cp-b, address: 10.1.0.2}]
    etcdHosts: 3
    workers: 0
    loadBalancer: {hosts: 2, address: 10.0.0.200, port: 443}
`,
      'e.yaml',
    );
    expect(s.cluster.controlPlane).toEqual([
      { name: 'cp-a', address: '10.0.0.10' },
      { name: 'cp-b', address: '10.1.0.2' },
    ]);
    expect(s.cluster.etcdHosts.map((h) => `${h.name}=${h.address}`)).toEqual(['etcd-0=10.0.0.30', 'etcd-1=10.0.0.31', 'etcd-2=10.0.0.32']);
    expect(s.cluster.workers).toEqual([]);
    expect(s.cluster.loadBalancer.hosts.map((h) => h.name)).toEqual(['lb-0', 'lb-1']);
    expect(s.cluster.loadBalancer.address).toBe('10.0.0.200');
    expect(s.cluster.loadBalancer.port).toBe(443);
  });

  it('turns the fault timeline into a fault plan in µs, leader targets into references', () => {
    const s = parseScenario(
      `${head('faults')}spec:
  faults:
    - {at: 20s, action: crash, target: server-0}
    - {at: 1m, action: restart, target: server-1/kube-scheduler, down: 500ms}
    - {at: 1.5s, action: isolate, target: {leaderOf: etcd}}
    - {at: 2s, action: stop, target: {leaderOf: kube-scheduler, process: kube-scheduler}}
    - {at: 3s, action: clock-jump, target: server-2, by: -1h}
    - {at: 4s, action: delay, from: server-0, latency: {distribution: uniform, min: 1ms, max: 5ms}}
    - {at: 5s, action: partition, groups: [[server-0], [server-1, server-2]]}
`,
      'f.yaml',
    );
    expect(s.faults).toEqual([
      { atUs: 20_000_000, fault: { kind: 'crash', host: 'server-0' } },
      { atUs: 60_000_000, fault: { kind: 'restart', host: 'server-1', process: 'kube-scheduler', downUs: 500_000 } },
      { atUs: 1_500_000, fault: { kind: 'isolate', host: `${LEADER_REF_PREFIX}etcd` } },
      { atUs: 2_000_000, fault: { kind: 'stop', host: `${LEADER_REF_PREFIX}kube-system/kube-scheduler`, process: 'kube-scheduler' } },
      { atUs: 3_000_000, fault: { kind: 'clock-jump', host: 'server-2', deltaUs: -3_600_000_000 } },
      { atUs: 4_000_000, fault: { kind: 'link', from: 'server-0', to: '*', latency: { kind: 'uniform', minUs: 1000, maxUs: 5000 } } },
      { atUs: 5_000_000, fault: { kind: 'partition', groups: [['server-0'], ['server-1', 'server-2']] } },
    ]);
  });

  it('resolves expectations with namespaced leases', () => {
    const s = parseScenario(
      `${head('expect')}spec:
  expectations:
    - {type: failover, lease: kube-scheduler, after: 20s, within: 25s, notBefore: 13s}
    - {type: leader, lease: kube-system/kube-controller-manager, at: 10s, host: server-0}
    - {type: restarts, target: server-1/kube-controller-manager, min: 2}
`,
      'x.yaml',
    );
    expect(s.expectations).toEqual([
      { type: 'failover', lease: 'kube-system/kube-scheduler', afterUs: 20_000_000, withinUs: 25_000_000, notBeforeUs: 13_000_000, host: null },
      { type: 'leader', lease: 'kube-system/kube-controller-manager', atUs: 10_000_000, host: 'server-0' },
      { type: 'restarts', host: 'server-1', process: 'kube-controller-manager', min: 2, max: null },
    ]);
  });

  it('follows --leader-elect-resource-name for lease names', () => {
    const ok = parseScenario(
      `${head('lease-name')}spec:
  components:
    kube-scheduler: {--leader-elect-resource-name: my-scheduler}
  expectations:
    - {type: leader, lease: kube-system/my-scheduler, at: 10s}
`,
      'l.yaml',
    );
    expect(ok.expectations[0]).toMatchObject({ lease: 'kube-system/my-scheduler' });
  });

  it('reports every schema problem with its position, in document order', () => {
    const errors = errorsOf(`${head('Bad')}spec:\n  duration: 5\n  faults:\n    - {at: 1s, action: crash, target: server-0, extra: 1}\n`);
    expect(errors).toEqual([
      'x.yaml:4:9: metadata.name: expected a scenario name (at most 63 lowercase letters, digits and \'-\', starting and ending with a letter or digit), got "Bad"',
      'x.yaml:6:13: spec.duration: expected a duration like 100ms, 15s or 2m, got 5 (a bare number has no unit: write 5s or 5ms)',
      'x.yaml:8:49: spec.faults[0].extra: unknown field "extra"; expected one of: at, action, target',
    ]);
  });

  it('a union picks the branch that matched the type (a list with a bad entry, not "expected a number")', () => {
    const errors = errorsOf(`${head('union')}spec:\n  topology:\n    workers: [w-0, {name: w-1, adres: 10.0.0.9}]\n`);
    expect(errors).toEqual(['x.yaml:7:32: spec.topology.workers[1].adres: unknown field "adres" (did you mean "address"?)']);
  });
});

describe('--set overrides', () => {
  const base = parseScenario(`${head('set')}spec: {}\n`, 's.yaml');

  it('applies a flag by its real name and re-validates', () => {
    const s = applySettings(base, [parseSetting('kube-scheduler.--leader-elect-lease-duration=30s'), parseSetting('etcd.--election-timeout=2000'), parseSetting('haproxy.timeout check=5s')]);
    expect(s.cluster.flags['kube-scheduler']).toEqual({ '--leader-elect-lease-duration': '30s' });
    expect(s.cluster.flags.etcd).toEqual({ '--election-timeout': 2000 });
    expect(s.cluster.flags.haproxy).toEqual({ 'timeout check': '5s' });
    expect(base.cluster.flags).toEqual({});
  });

  it('rejects unknown keys with the valid ones, bad values, and broken cross-flag rules', () => {
    expect(() => parseSetting('kube-scheduler.--leader-elect-lease-duraton=30s')).toThrow(/unknown key "kube-scheduler.--leader-elect-lease-duraton" \(did you mean "kube-scheduler.--leader-elect-lease-duration"\?\)/);
    expect(() => parseSetting('etcd.--election-timeout=1s')).toThrow(UsageError);
    expect(() => parseSetting('no-equals')).toThrow(/expected KEY=VALUE/);
    expect(() => applySettings(base, [parseSetting('kube-scheduler.--leader-elect-lease-duration=5s')])).toThrow(/leaseDuration must be greater than renewDeadline/);
  });
});
