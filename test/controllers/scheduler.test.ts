import { describe, expect, it } from 'vitest';
import { harness, type Harness } from './harness';
import { parseTimeUs, type Node, type Pod } from '../../src/apiserver/objects';
import { resolveSchedulerConfig } from '../../src/controllers/scheduler';
import { ComponentConfigError, leaderElectionFromFlags } from '../../src/controllers/leader-election';

const S = 1_000_000;
const LEASE = 'kube-system/kube-scheduler';

function readyNode(name: string, taints: Node['spec']['taints'] = undefined): Node {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name },
    spec: taints ? { taints } : {},
    status: { conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status' }] },
  };
}

function pendingPod(name: string): Pod {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default' }, spec: { containers: [{ name: 'app', image: 'nginx' }] }, status: { phase: 'Pending' } };
}

function leader(h: Harness): { host: string; identity: string } {
  const acting = h.acting.actingNow(LEASE);
  expect(acting).toHaveLength(1);
  return { host: acting[0]!.host, identity: acting[0]!.identity };
}

describe('kube-scheduler', () => {
  it('elects one leader whose identity is <hostname>_<uuid>, and writes a Lease in the real format', () => {
    const h = harness({ seed: 11, controllerManager: false });
    h.sim.runUntil(30 * S);
    const { host, identity } = leader(h);
    expect(identity).toMatch(new RegExp(`^${host}_[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`));
    const lease = h.lease('kube-scheduler')!;
    expect(lease.spec.holderIdentity).toBe(identity);
    expect(lease.spec.leaseDurationSeconds).toBe(15);
    expect(lease.spec.leaseTransitions).toBe(0);
    expect(lease.spec.acquireTime).toMatch(/^2025-01-01T00:00:0\d\.\d{6}Z$/);
    // Renewed every ~2 s: the renewTime is within the last 2.1 s.
    const renewUs = parseTimeUs(lease.spec.renewTime!);
    expect(Date.UTC(2025, 0, 1) * 1000 + 30 * S - renewUs).toBeLessThan(2.1 * S);
  });

  it('binds pending pods to ready, untainted nodes, once each', () => {
    const h = harness({ seed: 12, controllerManager: false });
    h.put('nodes', null, readyNode('worker-0'));
    h.put('nodes', null, readyNode('worker-1'));
    h.put('nodes', null, readyNode('cp', [{ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }]));
    for (let i = 0; i < 6; i++) h.put('pods', 'default', pendingPod(`web-${i}`));
    h.sim.runUntil(30 * S);
    const pods = [...h.api.objects.entries()].filter(([k]) => k.startsWith('pods/')).map(([, o]) => o as Pod);
    expect(pods.map((p) => p.spec.nodeName).sort()).toEqual(['worker-0', 'worker-0', 'worker-0', 'worker-1', 'worker-1', 'worker-1']);
    const binds = h.acting.actionsOf(LEASE).filter((a) => a.action === 'bind');
    expect(binds).toHaveLength(6);
    expect(binds.every((a) => a.outcome === 'ok')).toBe(true);
  });

  it('graceful stop of the leader: it releases the lease, exits 0, and a standby leads within one jittered retry period plus latency', () => {
    const delays: number[] = [];
    for (let seed = 1; seed <= 100; seed++) {
      const h = harness({ seed, controllerManager: false, trace: ['proc.state', 'log'] });
      const stopAtUs = 20 * S + h.sim.engine.rng.stream('test/stop-time').int(5 * S);
      h.sim.runUntil(stopAtUs);
      const old = leader(h);
      h.sim.faults.apply({ kind: 'stop', host: old.host, process: 'kube-scheduler' });
      let nextAtUs = -1;
      h.acting.onChange((i, state) => {
        if (state === 'start' && nextAtUs < 0) nextAtUs = h.sim.engine.nowUs;
      });
      h.sim.runUntil(stopAtUs + 10 * S);
      expect(h.acting.overlaps(LEASE)).toEqual([]);
      const exited = h.sim.host(old.host).process('kube-scheduler').lastExit;
      expect(exited).toEqual({ kind: 'exit', code: 0, reason: 'Requested to terminate, exiting' });
      expect(nextAtUs, `seed ${seed}`).toBeGreaterThan(0);
      delays.push(nextAtUs - stopAtUs);
      if (seed === 1) {
        const logs = h.sink.ofKind('log').filter((e) => e.host === old.host && e.proc === 'kube-scheduler' && e.tUs >= stopAtUs).map((e) => e.msg);
        expect(logs).toContain('"Requested to terminate, exiting"');
      }
    }
    const max = Math.max(...delays);
    console.log(`graceful stop hand-over over 100 seeds: min ${(Math.min(...delays) / S).toFixed(3)} s, max ${(max / S).toFixed(3)} s`);
    expect(max).toBeLessThanOrEqual(4.4 * S + 10_000);
  });

  it('the release writes holder "" and leaseDurationSeconds 1, keeping leaseTransitions', () => {
    const h = harness({ seed: 3, controlPlane: 1, controllerManager: false });
    h.sim.runUntil(10 * S);
    const before = h.lease('kube-scheduler')!;
    h.sim.faults.apply({ kind: 'stop', host: 'server-0', process: 'kube-scheduler' });
    h.sim.runUntil(11 * S);
    const after = h.lease('kube-scheduler')!;
    expect(after.spec).toMatchObject({ holderIdentity: '', leaseDurationSeconds: 1, leaseTransitions: before.spec.leaseTransitions });
    expect(after.spec.acquireTime).toBe(after.spec.renewTime);
  });

  it('loses the lease when the API stops answering: "failed to renew lease ...: context deadline exceeded", "Leaderelection lost", exit 1', () => {
    const h = harness({ seed: 5, controlPlane: 1, controllerManager: false, trace: ['log', 'proc.state', 'lease.acting'] });
    h.sim.runUntil(20 * S);
    const { host } = leader(h);
    h.api.available = false;
    h.sim.runUntil(40 * S);
    const stop = h.acting.intervals(LEASE)[0]!;
    // Acting ends at most RetryPeriod + RenewDeadline (+ the release attempt, bounded by the 5 s client timeout) after the outage.
    expect(stop.endUs).not.toBeNull();
    expect(stop.endUs! - 20 * S).toBeGreaterThan(10 * S);
    expect(stop.endUs! - 20 * S).toBeLessThanOrEqual(12 * S + 5 * S + 10_000);
    const logs = h.sink.ofKind('log').filter((e) => e.host === host && e.proc === 'kube-scheduler').map((e) => e.msg);
    expect(logs).toContain('failed to renew lease kube-system/kube-scheduler: context deadline exceeded');
    expect(logs).toContain('"Leaderelection lost"');
    expect(h.sim.host(host).process('kube-scheduler').lastExit).toEqual({ kind: 'exit', code: 1, reason: 'Leaderelection lost' });
  });

  it('a restarted scheduler has a new identity', () => {
    const h = harness({ seed: 8, controlPlane: 1, controllerManager: false, staticPods: true });
    h.sim.runUntil(10 * S);
    const first = leader(h).identity;
    h.sim.faults.apply({ kind: 'crash', host: 'server-0', process: 'kube-scheduler' });
    h.sim.runUntil(60 * S);
    const second = leader(h).identity;
    expect(second).not.toBe(first);
    expect(second.startsWith('server-0_')).toBe(true);
  });
});

describe('kube-scheduler configuration', () => {
  it('reads --leader-elect-* flags over the defaults', () => {
    const le = leaderElectionFromFlags('kube-scheduler', { '--leader-elect-lease-duration': '30s', '--leader-elect-retry-period': '500ms' }, 'kube-scheduler');
    expect(le).toEqual({
      leaderElect: true,
      leaseDurationUs: 30 * S,
      renewDeadlineUs: 10 * S,
      retryPeriodUs: 500_000,
      resourceLock: 'leases',
      resourceName: 'kube-scheduler',
      resourceNamespace: 'kube-system',
    });
    expect(() => leaderElectionFromFlags('kube-scheduler', { '--leader-elect-lease-duration': 'soon' }, 'kube-scheduler')).toThrow(ComponentConfigError);
    expect(() => leaderElectionFromFlags('kube-scheduler', { '--leader-elect-resource-lock': 'endpoints' }, 'kube-scheduler')).toThrow(/only "leases"/);
    expect(() => resolveSchedulerConfig({ verbosity: -1 })).toThrow(ComponentConfigError);
  });

  it('exits 1 with client-go\'s message when the durations are inconsistent', () => {
    const h = harness({ seed: 1, controlPlane: 1, controllerManager: false, scheduler: { leaderElection: { leaseDurationUs: 10 * S } } });
    h.sim.runUntil(5 * S);
    expect(h.sim.host('server-0').process('kube-scheduler').lastExit).toEqual({
      kind: 'exit',
      code: 1,
      reason: "couldn't create leader elector: leaseDuration must be greater than renewDeadline",
    });
  });
});
