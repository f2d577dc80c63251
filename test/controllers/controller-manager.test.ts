import { describe, expect, it } from 'vitest';
import { harness } from './harness';
import type { Node, Pod, ReplicaSet } from '../../src/apiserver/objects';

const S = 1_000_000;
const LEASE = 'kube-system/kube-controller-manager';

function replicaSet(name: string, replicas: number): ReplicaSet {
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name, namespace: 'default' },
    spec: { replicas, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'app', image: 'nginx' }] } } },
  };
}

describe('kube-controller-manager', () => {
  it('SIGTERM kills it at once (no signal handling): exit 143 and the lease is not released', () => {
    const h = harness({ seed: 2, controlPlane: 1, scheduler: false });
    h.sim.runUntil(10 * S);
    const holder = h.lease('kube-controller-manager')!.spec.holderIdentity;
    h.sim.faults.apply({ kind: 'stop', host: 'server-0', process: 'kube-controller-manager' });
    h.sim.runUntil(11 * S);
    expect(h.sim.host('server-0').process('kube-controller-manager').lastExit).toEqual({ kind: 'exit', code: 143, reason: 'SIGTERM' });
    expect(h.lease('kube-controller-manager')!.spec.holderIdentity).toBe(holder);
    expect(h.lease('kube-controller-manager')!.spec.leaseDurationSeconds).toBe(15);
  });

  it('a restarted controller-manager waits for its own old lease to expire (no release on cancel)', () => {
    for (let seed = 1; seed <= 50; seed++) {
      const h = harness({ seed, controlPlane: 1, scheduler: false });
      const restartAtUs = 10 * S + h.sim.engine.rng.stream('test/restart').int(4 * S);
      h.sim.runUntil(restartAtUs);
      const oldIdentity = h.acting.actingNow(LEASE)[0]!.identity;
      h.sim.faults.apply({ kind: 'restart', host: 'server-0', process: 'kube-controller-manager' });
      h.sim.runUntil(restartAtUs + 30 * S);
      const [first, second] = h.acting.intervals(LEASE);
      expect(first!.identity).toBe(oldIdentity);
      expect(second!.identity).not.toBe(oldIdentity);
      const waitedUs = second!.startUs - restartAtUs;
      // Its first GET observes the old holder's record: it must wait LeaseDuration (15 s) from then, then poll.
      expect(waitedUs, `seed ${seed}`).toBeGreaterThanOrEqual(15 * S);
      expect(waitedUs, `seed ${seed}`).toBeLessThanOrEqual(15 * S + 4.4 * S + 10_000);
      expect(h.lease('kube-controller-manager')!.spec.leaseTransitions).toBe(1);
    }
  });

  it('with three replicas, the leader restarted: the next leader starts no sooner than 13 s after', () => {
    for (let seed = 1; seed <= 50; seed++) {
      const h = harness({ seed, scheduler: false });
      const restartAtUs = 20 * S + h.sim.engine.rng.stream('test/restart').int(4 * S);
      h.sim.runUntil(restartAtUs);
      const old = h.acting.actingNow(LEASE)[0]!;
      h.sim.faults.apply({ kind: 'restart', host: old.host, process: 'kube-controller-manager' });
      h.sim.runUntil(restartAtUs + 40 * S);
      const next = h.acting.intervals(LEASE)[1]!;
      expect(next.startUs - restartAtUs, `seed ${seed}`).toBeGreaterThanOrEqual(13 * S - 5_000);
      expect(h.acting.overlaps(LEASE)).toEqual([]);
    }
  });

  it('the ReplicaSet controller keeps N pods (generateName, controller ownerReference) and replaces a deleted one', () => {
    const h = harness({ seed: 4, scheduler: false });
    h.put('replicasets', 'default', replicaSet('web', 3));
    h.sim.runUntil(20 * S);
    const pods = (): Pod[] => [...h.api.objects.entries()].filter(([k]) => k.startsWith('pods/default/')).map(([, o]) => o as Pod);
    expect(pods()).toHaveLength(3);
    for (const p of pods()) {
      expect(p.metadata.name).toMatch(/^web-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
      expect(p.metadata.ownerReferences).toEqual([{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web', uid: 'uid-web', controller: true, blockOwnerDeletion: true }]);
    }
    const victim = pods()[0]!;
    h.remove('pods', 'default', victim.metadata.name);
    h.sim.runUntil(25 * S);
    expect(pods()).toHaveLength(3);
    expect(pods().map((p) => p.metadata.name)).not.toContain(victim.metadata.name);
    const creates = h.acting.actionsOf(LEASE).filter((a) => a.action === 'create-pod' && a.outcome === 'ok');
    expect(creates).toHaveLength(4);
  });
});

describe('node lifecycle controller', () => {
  function node(h: ReturnType<typeof harness>, name: string): Node {
    return h.api.objects.get(`nodes//${name}`) as Node;
  }

  it('a node whose kubelet stops is marked Ready=Unknown after the grace period, then tainted; healthy nodes are not', () => {
    const h = harness({ seed: 6, scheduler: false, workers: 2, trace: ['k8s.event', 'lease.acting'] });
    h.sim.runUntil(60 * S);
    for (const w of ['worker-0', 'worker-1']) {
      expect(node(h, w).status!.conditions!.find((c) => c.type === 'Ready')!.status).toBe('True');
      expect(node(h, w).spec.taints ?? []).toEqual([]);
    }
    const stopAtUs = 60 * S;
    h.sim.faults.apply({ kind: 'crash', host: 'worker-1', process: 'kubelet' });
    // The last lease renewal was at most 10 s (+4% jitter) before; grace 50 s from the controller's observation
    // of it, checked every 5 s.
    h.sim.runUntil(stopAtUs + 40 * S);
    expect(node(h, 'worker-1').status!.conditions!.find((c) => c.type === 'Ready')!.status).toBe('True');
    h.sim.runUntil(stopAtUs + 70 * S);
    const ready = node(h, 'worker-1').status!.conditions!.find((c) => c.type === 'Ready')!;
    expect(ready).toMatchObject({ status: 'Unknown', reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.' });
    const unknownAt = h.acting.actionsOf(LEASE).find((a) => a.action === 'mark-node-unknown' && a.object === 'worker-1' && a.outcome === 'ok')!.tUs;
    expect(unknownAt - stopAtUs).toBeGreaterThanOrEqual(50 * S - 10.4 * S);
    expect(unknownAt - stopAtUs).toBeLessThanOrEqual(50 * S + 5 * S + 4.4 * S);
    expect(node(h, 'worker-1').spec.taints!.map((t) => `${t.key}:${t.effect}`).sort()).toEqual(['node.kubernetes.io/unreachable:NoExecute', 'node.kubernetes.io/unreachable:NoSchedule']);
    expect(node(h, 'worker-0').status!.conditions!.find((c) => c.type === 'Ready')!.status).toBe('True');
    expect(h.sink.ofKind('k8s.event').some((e) => e.reason === 'NodeNotReady' && e.message === 'Node worker-1 status is now: NodeNotReady')).toBe(true);
    // The kubelet comes back: Ready again, taints removed.
    h.sim.faults.apply({ kind: 'start', host: 'worker-1', process: 'kubelet' });
    h.sim.runUntil(stopAtUs + 100 * S);
    expect(node(h, 'worker-1').status!.conditions!.find((c) => c.type === 'Ready')!.status).toBe('True');
    expect(node(h, 'worker-1').spec.taints ?? []).toEqual([]);
  });
});

describe('node lifecycle controller: rate-limited NoExecute taints and taint-based eviction', () => {
  it('taints a second unreachable node 10 s after the first (--node-eviction-rate 0.1), evicts their pods after the 300 s toleration', () => {
    const h = harness({ seed: 9, scheduler: false, workers: 3, trace: ['leader.action'] });
    h.sim.runUntil(30 * S);
    for (const [i, node] of ['worker-1', 'worker-2'].entries()) {
      h.put('pods', 'default', { apiVersion: 'v1', kind: 'Pod', metadata: { name: `p${i}`, namespace: 'default' }, spec: { nodeName: node, containers: [{ name: 'c', image: 'busybox' }] }, status: { phase: 'Running' } } as Pod);
    }
    h.sim.faults.apply({ kind: 'crash', host: 'worker-1', process: 'kubelet' });
    h.sim.faults.apply({ kind: 'crash', host: 'worker-2', process: 'kubelet' });
    h.sim.runUntil(500 * S);
    const actions = h.acting.actionsOf(LEASE);
    const noExecute = actions
      .filter((a) => a.action === 'taint-node' && a.outcome === 'ok' && a.detail.includes('node.kubernetes.io/unreachable:NoExecute'))
      .map((a) => ({ node: a.object, t: a.tUs }));
    const first = new Map<string, number>();
    for (const x of noExecute) if (!first.has(x.node)) first.set(x.node, x.t);
    expect([...first.keys()].sort()).toEqual(['worker-1', 'worker-2']);
    const [a, b] = [...first.values()].sort((x, y) => x - y);
    expect(b! - a!).toBeGreaterThanOrEqual(10 * S - 5_000); // recorded at the responses: request latencies differ
    expect(b! - a!).toBeLessThan(10 * S + 5 * S + 200_000);
    const evictions = actions.filter((x) => x.action === 'evict-pod' && x.outcome === 'ok');
    expect(evictions.map((e) => e.object).sort()).toEqual(['default/p0', 'default/p1']);
    for (const e of evictions) {
      const node = e.object === 'default/p0' ? 'worker-1' : 'worker-2';
      expect(e.tUs - first.get(node)!).toBeGreaterThanOrEqual(300 * S);
      expect(e.tUs - first.get(node)!).toBeLessThanOrEqual(300 * S + 5 * S + 200_000);
    }
    // worker-0 was never touched.
    expect(actions.some((x) => x.object === 'worker-0')).toBe(false);
  });

  it('stops tainting when every node is NotReady ("master disruption mode")', () => {
    const h = harness({ seed: 10, scheduler: false, workers: 2, trace: ['leader.action', 'log'] });
    h.sim.runUntil(30 * S);
    h.sim.faults.apply({ kind: 'crash', host: 'worker-0', process: 'kubelet' });
    h.sim.faults.apply({ kind: 'crash', host: 'worker-1', process: 'kubelet' });
    h.sim.runUntil(200 * S);
    const noExecute = h.acting.actionsOf(LEASE).filter((a) => a.action === 'taint-node' && a.detail.includes('NoExecute'));
    expect(noExecute).toEqual([]);
    expect(h.sink.ofKind('log').some((e) => e.msg === '"Controller detected that all Nodes are not-Ready. Entering master disruption mode"')).toBe(true);
  });
});
